"""Editor: one segment at a time — waveform, precise playback, the draft pre-filled, keyboard first."""

import html

import streamlit as st

from workbench import store
from workbench.corpus import Status
from workbench.editing import SEGMENT_TAGS, apply_action, restore, undo_delete, word_diff
from workbench.flags import FLAG_LABELS
from workbench.text import lint, load_profile
from workbench.ui.common import current_project, fmt_seconds, page, rerun_fragment, workbench
from workbench.ui.editor import editor_data, help_markdown, segment_editor

TODO = [Status.NEW.value, Status.DRAFTED.value, Status.REJECTED.value]

page("Editor")
wb = workbench()
project = current_project()
if project is None:
    st.stop()
profile = load_profile(project.conventions)


def _diff_html(before: str, after: str) -> str:
    parts = []
    for op, words in word_diff(before, after):
        text = html.escape(words)
        parts.append({"same": text, "del": f"<del style='color:#b91c1c'>{text}</del>",
                      "add": f"<ins style='color:#15803d'>{text}</ins>"}[op])
    return " ".join(parts)


def _history(seg_id: int, version: int) -> None:
    revisions = store.list_revisions(wb.db, seg_id)
    draft = next((r for r in revisions if r.source == "asr"), revisions[0] if revisions else None)
    with st.expander(f"History ({len(revisions)} revisions)", expanded=False):
        for prev, rev in zip([None, *revisions], revisions):
            cols = st.columns([5, 1])
            cols[0].markdown(
                f"**{rev.n}** · {rev.source}{' · ' + rev.op if rev.op else ''} · "
                f"{html.escape(rev.author)} · {rev.created_at:%Y-%m-%d %H:%M} · "
                f"{rev.start:.2f}–{rev.end:.2f} s"
                + (f" · {rev.active_seconds:.0f} s active" if rev.active_seconds else "")
            )
            if prev is not None:
                cols[0].markdown("vs previous: " + _diff_html(prev.text, rev.text),
                                 unsafe_allow_html=True)
            if draft is not None and rev.n != draft.n:
                cols[0].markdown("vs draft: " + _diff_html(draft.text, rev.text),
                                 unsafe_allow_html=True)
            if rev.n != revisions[-1].n and cols[1].button("Restore", key=f"ed_restore_{seg_id}_{rev.n}"):
                restore(wb, seg_id, version, rev.n, st.session_state.get("author", ""))
                rerun_fragment()


@st.fragment
def editor() -> None:
    recordings = store.list_recordings(wb.db, project.id)
    c1, c2, c3 = st.columns([2, 2, 1])
    names = {r.id: r.original_name for r in recordings}
    recording_id = c1.selectbox("Recording", [None, *names], key="ed_recording",
                                format_func=lambda i: "All recordings" if i is None else names[i])
    statuses = c2.multiselect("Status", [s.value for s in Status], default=TODO, key="ed_status")
    order = c3.selectbox("Order", ["time", "flags first"], key="ed_order",
                         help="'flags first' puts the drafts most likely wrong at the top.")
    flagged_only = c3.checkbox("Flagged only", key="ed_flagged",
                               help="Drafts Whisper was unsure of, or that look like its "
                                    "known failures (loops, text over silence).")
    shown = st.session_state.get("ed_current")  # what the browser showed when it acted
    nav = store.queue_position(wb.db, project.id, shown,
                               recording_id, statuses, flagged_only=flagged_only, order=order)
    flash = st.session_state.get("ed_flash")  # stays until the next action replaces it
    if flash:
        getattr(st, flash[0])(flash[1])
    if nav["current"] is None:
        st.info("No segments match. Draft some recordings, or widen the filters.")
        return
    st.session_state["ed_current"] = current = nav["current"]
    view = store.segment_view(wb.db, current)
    seg = view.segment

    deleted = st.session_state.get("ed_last_deleted")
    if deleted and st.button("Undo delete", key="ed_undo_delete"):
        undone = store.get_segment(wb.db, deleted)
        undo_delete(wb, deleted, undone.version, st.session_state.get("author", ""))
        st.session_state.pop("ed_last_deleted")
        st.session_state["ed_current"] = deleted
        rerun_fragment()

    st.markdown(
        f"**Segment {nav['index'] + 1} of {nav['total']}** · "
        f"{html.escape(view.recording.original_name)} · "
        f"{fmt_seconds(seg.start)}–{fmt_seconds(seg.end)} · status `{seg.status.value}` · "
        f"version {seg.version}"
    )
    if seg.flags:
        st.warning("Check: " + "; ".join(FLAG_LABELS.get(f, f) for f in seg.flags))

    before, after = store.adjacent(wb.db, seg)
    tags = [{"label": t.meaning, "insert": profile.tag_text(t.name)} for t in profile.tags]
    data = editor_data(
        view, wb.settings.home, project_id=project.id, tags=tags,
        before=before["text"] if before else None, after=after["text"] if after else None,
        can_prev=nav["previous"] is not None, can_next=nav["next"] is not None,
    )
    action, draft = segment_editor(data, key="ed_component")

    side = st.columns([1, 2, 2])
    stem = f"{seg.id}_{seg.version}"
    speakers = sorted({*project.speakers, *([seg.speaker] if seg.speaker else [])})
    speaker = side[0].selectbox("Speaker", [None, *speakers], key=f"ed_speaker_{stem}",
                                index=([None, *speakers].index(seg.speaker)),
                                format_func=lambda s: "—" if s is None else s)
    tag_choices = sorted({*SEGMENT_TAGS, *seg.tags})
    seg_tags = side[1].multiselect("Segment tags", tag_choices, default=list(seg.tags),
                                   key=f"ed_tags_{stem}")
    comment = side[2].text_input("Comment", value=seg.comment, key=f"ed_comment_{stem}")

    fresh = action and action.get("nonce") != st.session_state.get("ed_last_nonce")
    # matched by the segment shown, not its version: a save from an outdated version must be
    # refused loudly, even when that segment has meanwhile left the queue
    if fresh and action.get("segment_id") in (seg.id, shown):
        moved = action["segment_id"] != seg.id
        own = store.get_segment(wb.db, action["segment_id"]) if moved else None
        st.session_state["ed_last_nonce"] = action.get("nonce")
        outcome = apply_action(
            wb, action, st.session_state.get("author", ""), profile=profile,
            lint_blocks=project.lint_blocks, confirmed=st.session_state.get("ed_confirm"),
            speaker=own.speaker if own else speaker, tags=own.tags if own else tuple(seg_tags),
            comment=own.comment if own else comment,
            previous=None if moved else nav["previous"],
            following=seg.id if moved else nav["next"],
        )
        st.session_state["ed_confirm"] = outcome.confirm
        if action["type"] == "delete" and outcome.kind == "success":
            st.session_state["ed_last_deleted"] = seg.id
        st.session_state["ed_flash"] = (outcome.kind, outcome.message) if outcome.message else None
        if outcome.go_to is not None:
            st.session_state["ed_current"] = outcome.go_to
        rerun_fragment()

    text = draft["text"] if draft and draft.get("key") == data["key"] else view.text
    findings = lint(text, profile)
    if findings:
        st.markdown("\n".join(
            f"- {'🔴' if f.level == 'error' else '🟡'} {html.escape(f.message)}" for f in findings
        ))
    _history(seg.id, seg.version)


editor()

with st.sidebar:
    with st.expander("Keyboard shortcuts", expanded=False):
        st.markdown(help_markdown())  # the table the editor's keys and titles come from
    with st.expander(f"Guidelines · {profile.title}", expanded=False):
        st.markdown(project.guidelines or profile.guidelines)
