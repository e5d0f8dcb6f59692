"""Editor: one segment at a time — waveform, precise playback, the draft pre-filled, keyboard
first."""

import logging
import time
from collections.abc import Callable

import streamlit as st

from workbench.core.errors import WorkbenchError
from workbench.core.messages import N_, status_name, t
from workbench.core.records import TODO, QueueFilter, Segment, Speaker, Status
from workbench.crowd.qualification import TestReport, answer
from workbench.labelling.editor_actions import SEGMENT_TAGS, Beside, apply_action
from workbench.labelling.editor_screen import (
    NEARBY,
    BlindItem,
    EditorScreen,
    open_editor,
    queue_step,
)
from workbench.labelling.flags import FLAG_LABELS
from workbench.labelling.keymap import my_shortcuts
from workbench.labelling.labeller_edits import restore, undo_delete_now
from workbench.labelling.numbers import editor_offers
from workbench.labelling.overview import parse_goto, segment_at, segment_in_project
from workbench.labelling.queue import EditorState, given_back, open_segment
from workbench.labelling.segment_edits import name
from workbench.labelling.window import unchanged, window_after
from workbench.projects.people import set_pref
from workbench.projects.settings import recordings
from workbench.projects.speakers import describe, offered, registry
from workbench.text import lint, load_profile
from workbench.ui.common import (
    fmt_seconds,
    keep_segment,
    require_project,
    rerun_fragment,
    segment_from_url,
    show_flash,
    workbench,
)
from workbench.ui.editor import (
    CONTEXTS,
    editor_data,
    help_markdown,
    lanes_data,
    minimap_data,
    segment_editor,
    typed_text,
    typing_only,
)
from workbench.ui.jobs import (
    retime_saved,
    span_drafts_done,
    span_drafts_running,
    span_drafts_waiting,
    start_span_draft,
)
from workbench.ui.text import diff_md, findings_md, guidelines_md, md, rejection_md
from workbench.ui.times import time_zone, when

log = logging.getLogger(__name__)
wb = workbench()  # first: the title in the reader's language
st.title(t("Editor"))
project = require_project(wb)
profile = load_profile(project.conventions)
PREFS = f"editor:{project.id}"  # the user's filters for this project, kept across sessions
RETIMED = ("save", "save_next", "split", "merge")  # the actions after which words are re-timed
SPECTROGRAM = "editor:spectrogram"  # whether the user shows it (every project), kept likewise
ALL = 0  # the recording filter's "all recordings" (ids start at 1)
ORDERS = {
    "time": N_("time"),
    "flags first": N_("flags first"),
    "uncertain": N_("least confident first"),
}


def _history(seg: Segment, screen: EditorScreen) -> None:
    seg_id, version, revisions = seg.id, seg.version, screen.history
    language = project.language
    drafts = screen.drafts  # after a split or merge: the part of the draft it holds
    with st.expander(t("History ({n} revisions)", n=len(revisions)), expanded=False):
        for prev, rev, draft in zip([None, *revisions], revisions, drafts, strict=False):
            cols = st.columns([5, 1])
            cols[0].markdown(
                f"**{rev.n}** · {rev.source}{' · ' + rev.op if rev.op else ''} · "
                f"{md(rev.author)} · {when(rev.created_at, project)} · "
                f"{rev.start:.2f}–{rev.end:.2f} s"
                + (
                    " · " + t("{s} s active", s=f"{rev.active_seconds:.0f}")
                    if rev.active_seconds
                    else ""
                )
            )
            if prev is not None and not (draft is not None and prev.text == draft):
                cols[0].markdown(
                    t("vs previous: ") + diff_md(prev.text, rev.text, language),
                    unsafe_allow_html=True,
                )
            if draft is not None and rev.source != "asr":
                cols[0].markdown(
                    t("vs draft: ") + diff_md(draft, rev.text, language), unsafe_allow_html=True
                )
            if rev.n != revisions[-1].n and cols[1].button(
                t("Restore"), key=f"ed_restore_{seg_id}_{rev.n}"
            ):
                restore(wb, seg_id, version, rev.n)
                rerun_fragment()


def _recording_names() -> dict[int, str]:
    """The project's recordings by id, read once a page run (a key reruns the editor alone;
    a recording imported meanwhile is offered from the next page run)."""
    ss, mark = st.session_state, (project.id, st.session_state.get("ed_page_run"))
    if ss.get("ed_recordings", (None,))[0] != mark:
        ss["ed_recordings"] = (mark, {r.id: r.original_name for r in recordings(wb, project)})
    return ss["ed_recordings"][1]


def _filters() -> QueueFilter:
    """The queue filter widgets, keyed by project, starting from the user's saved choice."""
    saved = st.session_state.setdefault("prefs", {}).get(PREFS) or {}
    names = _recording_names()
    keys = {
        field: f"ed_{field}_{project.id}" for field in ("recording", "status", "order", "flagged")
    }
    defaults = {
        "recording": saved.get("recording") if saved.get("recording") in names else ALL,
        "status": [s for s in saved.get("status", TODO) if s in {x.value for x in Status}],
        # the person's own choice of order, else the project's (set by its owner)
        "order": saved.get("queue_order")
        if saved.get("queue_order") in ORDERS
        else project.queue_order
        if project.queue_order in ORDERS
        else "time",
        "flagged": bool(saved.get("flagged", False)),
    }
    for field, key in keys.items():
        st.session_state.setdefault(key, defaults[field])

    def remember() -> None:
        chosen = {field: st.session_state[key] for field, key in keys.items() if field != "order"}
        if st.session_state[keys["order"]] != project.queue_order:  # else: the project's
            chosen["queue_order"] = st.session_state[keys["order"]]
        st.session_state["prefs"][PREFS] = chosen
        set_pref(workbench(), PREFS, chosen)

    c1, c2, c3 = st.columns([2, 2, 1])
    c1.selectbox(
        t("Recording"),
        [ALL, *names],
        key=keys["recording"],
        on_change=remember,
        format_func={ALL: t("All recordings"), **names}.__getitem__,
    )
    c2.multiselect(
        t("Status"),
        [s.value for s in Status],
        key=keys["status"],
        on_change=remember,
        format_func={s.value: status_name(s.value) for s in Status}.__getitem__,
    )
    c3.selectbox(
        t("Order"),
        list(ORDERS),
        key=keys["order"],
        on_change=remember,
        format_func={o: t(label) for o, label in ORDERS.items()}.__getitem__,
        help=t(
            "'flags first' puts the drafts most likely wrong at the top; 'least "
            "confident first' the drafts the model was least sure of."
        ),
    )
    c3.checkbox(
        t("Flagged only"),
        key=keys["flagged"],
        on_change=remember,
        help=t(
            "Drafts Whisper was unsure of, or that look like its known failures "
            "(loops, text over silence)."
        ),
    )
    return QueueFilter(
        st.session_state[keys["recording"]] or None,
        tuple(st.session_state[keys["status"]]),
        st.session_state[keys["flagged"]],
        st.session_state[keys["order"]],
    )


# a run of the whole page (not of the editor's fragment alone): the editor opens afresh
st.session_state["ed_page_run"] = st.session_state.get("ed_page_run", 0) + 1
if "ed_current" not in st.session_state:  # a link or a reload names the segment: it opens
    segment_from_url("ed_current")  # even when it has left the filter (saved since)
    st.session_state["ed_pinned"] = st.session_state["ed_current"]


def _test_report(report: TestReport | None) -> None:
    """The labeller's qualification result with each item's diff against the gold text."""
    if report is None or report.result is None:
        return
    result = report.result
    heading = (
        N_("Your qualification test: passed, {metric} {error} over {n} items")
        if result.passed
        else N_("Your qualification test: not passed, {metric} {error} over {n} items")
    )
    with st.expander(
        t(heading, metric=report.metric, error=f"{result.error:.1%}", n=result.items),
        expanded=not result.passed,
    ):
        for k, item in enumerate(report.items, 1):
            st.markdown(
                t("**Item {k}**", k=k)
                + f" · {report.metric} {item['error']:.1%}: "
                + diff_md(item["reference"], item["text"], project.language),
                unsafe_allow_html=True,
            )
        st.caption(
            t(
                "Struck through: in the reference, not in your text; underlined: in your "
                "text, not in the reference."
            )
        )


BLIND_HIDDEN = ["ed-split", "ed-merge", "ed-delete", "ed-undelete", "ed-prev", "ed-next", "ed-goto"]
EDITOR_OFF = ["reject"]  # the reviewer's (the review page offers it)
BLIND_OFF = [*EDITOR_OFF, "split", "merge", "delete", "undelete", "add", "prev", "next", "goto"]


def _blind(blind: BlindItem) -> None:
    """A blind item (test, hidden gold, second label): the draft, saved as an answer. Hidden
    gold is headed like a segment of the queue (its place is where the labeller is)."""
    task, view = blind.task, blind.view
    seg = view.segment
    if blind.place is None:
        st.info(task.heading())
        place = t("**Segment {name}**", name=name(seg.id))
    else:
        place = (
            t("**Segment {n} of {total}**", n=blind.place[0], total=blind.place[1])
            + f" · {name(seg.id)}"
        )
    keep_segment("ed_current", seg.id)
    st.markdown(
        f"{place} · {md(view.recording.original_name)} · "
        f"{fmt_seconds(seg.start)}–{fmt_seconds(seg.end)} · "
        + t("status `{status}` · version {version}", status=status_name("drafted"), version=1)
    )  # the labeller's own copy: their first version of it
    tags = [{"label": t.meaning, "insert": profile.tag_text(t.name)} for t in profile.tags]
    data = editor_data(
        view,
        wb.settings.home,
        project_id=project.id,
        user=wb.actor.name,
        tags=tags,
        before=None,
        after=None,
        can_prev=False,
        can_next=False,
        shortcuts=my_shortcuts(wb),
    )
    data.update(hidden=BLIND_HIDDEN, off=BLIND_OFF)  # a transcript is all it takes
    data["spectrogram"] = st.session_state.get("ed_spectrogram", False)
    st.session_state["ed_off"] = tuple(BLIND_OFF)  # the help leaves them out
    action, draft = segment_editor(data, key="ed_component")
    if (
        action
        and action.get("nonce") != st.session_state.get("ed_last_nonce")
        and action.get("segment_id") == seg.id
    ):
        st.session_state["ed_last_nonce"] = action.get("nonce")
        if action["type"] in ("save", "save_next"):
            try:
                done = answer(
                    wb,
                    project.id,
                    seg.id,
                    action.get("text", ""),
                    float(action.get("active_seconds") or 0.0),
                )
            except WorkbenchError as exc:
                st.session_state["ed_flash"] = ("error", t("Not saved: ") + str(exc))
            else:
                st.session_state["ed_flash"] = (done.kind, done.message)
        else:
            st.session_state["ed_flash"] = (
                "warning",
                t("Save this segment first: it takes a transcript, not a split, merge or skip."),
            )
        rerun_fragment()
    text = draft["text"] if draft and draft.get("key") == data["key"] else view.text
    findings = lint(text.rstrip(), profile)  # the save trims the space a tag leaves at the end
    if findings:
        st.markdown(findings_md(findings, text), unsafe_allow_html=True)


def _goto(action: dict, recording_id: int) -> tuple[int | None, str]:
    """The segment a "goto" action asks for (a minimap click's time, or a typed "12:34" in
    this recording or "#123" in this project), checked here; else None and why."""
    asked = (
        ("time", action["time"]) if "time" in action else parse_goto(str(action.get("query", "")))
    )
    if asked is None:
        return None, t("Go to what? Type a time (12:34) or a segment number (#123).")
    kind, value = asked
    try:
        if kind == "time":
            found = segment_at(wb, project.id, recording_id, float(value))
            return found, "" if found else t("This recording has no segments.")
        if segment_in_project(wb, project.id, int(value)):
            return int(value), ""
    except (LookupError, ValueError, TypeError):
        pass
    return None, t("There is no segment {value} in this project.", value=md(str(value), 40))


def _beside(action: dict, speakers: list[str], choices: list[str], seg) -> Beside:
    """Speaker, tags and comment as the component sent them with the action (only the
    choices offered), or the segment's own when the action has none."""
    if "comment" not in action:
        return Beside(seg.speaker, tuple(seg.tags), seg.comment)
    speaker = action.get("speaker")
    return Beside(
        speaker if speaker in speakers else None,
        tuple(t for t in action.get("tags") or () if t in choices),
        str(action.get("comment") or ""),
    )


MAX_BATCH = 20  # actions applied from one trigger at most (the browser resends the rest)
HEAVY = ("peaks", "audio", "words", "lanes")  # what a segment the browser holds is not sent again
SENT_KEEP = 8  # segment versions remembered as held by the browser (it keeps 12)


def _incoming() -> dict:
    """The component's action of this run (read before the component is drawn), or {}."""
    value = st.session_state.get("ed_component")
    if value is None:  # no action yet
        return {}
    action = value.get("action") if hasattr(value, "get") else getattr(value, "action", None)
    return action if isinstance(action, dict) else {}


def _fresh(action: dict) -> list[dict]:
    """The actions of `action` this session has not applied, oldest first. The browser sends
    with each action every earlier one not yet acknowledged (`actions`, numbered by their
    `nonce`), so an action whose run Streamlit cut short comes again; one action alone (as
    AppTest sends it) is fresh when its nonce differs from the last applied."""
    batch = action.get("actions")
    if not isinstance(batch, list):
        return (
            [action]
            if action and action.get("nonce") != st.session_state.get("ed_last_nonce")
            else []
        )
    done = st.session_state.get("ed_ack", 0)
    return [
        a
        for a in batch[-MAX_BATCH:]
        if isinstance(a, dict) and type(a.get("nonce")) in (int, float) and a["nonce"] > done
    ]


def _applied(action: dict) -> None:
    """Mark `action` applied: it is acknowledged to the browser with the next data."""
    nonce = action.get("nonce")
    st.session_state["ed_last_nonce"] = nonce
    if type(nonce) in (int, float):
        st.session_state["ed_ack"] = max(st.session_state.get("ed_ack", 0), nonce)


def _following(action: dict, state: EditorState) -> int | None:
    """Where save & next and next go: the segment the browser moved to from its window (the
    queue's next when it was drawn), else the queue's next now."""
    moved = action.get("moved_to")
    if action.get("type") in ("save_next", "next") and type(moved) is int:
        return moved
    return state.following


def _previous(state: EditorState) -> int | None:
    """Where "previous" goes: the segment saved just before this one, else the queue's."""
    back = st.session_state.get("ed_back")  # (shown now, saved just before)
    return back[1] if back and back[0] == state.view.segment.id else state.previous


def _screen(queue: QueueFilter, shown: int | None) -> tuple[EditorScreen, dict[int, EditorState]]:
    """What the editor shows, once the browser's actions not applied yet are applied: before
    anything is drawn, so a key costs one run and the segment the browser moved to is drawn.
    Actions apply only where the queue is what the editor opens (no test item, no pause).
    With it, the last run's window as it still is (`window.unchanged`): the segment the
    browser moved to is one of it, not opened again, and the window moves on from it."""
    if f"ed_given_back_{project.id}" not in st.session_state:  # those come first on opening
        st.session_state[f"ed_given_back_{project.id}"] = set(given_back(wb, project.id))
    pending = _fresh(_incoming())
    step = queue_step(wb, project.id) if pending else None
    if step is not None:
        for action in pending:
            _apply_pending(action, queue)
        _given_back()
    kept = unchanged(wb, _held_window(queue))
    screen = open_editor(
        wb,
        project.id,
        queue,
        shown=st.session_state.get("ed_current"),
        pinned=st.session_state.get("ed_pinned"),
        earlier=step,
        window=kept,
    )
    return screen, kept


def _apply_pending(action: dict, queue: QueueFilter) -> None:
    """One action the browser sent, applied to the segment it names (as that segment is now:
    held there even if it has left the filter); marked applied whatever becomes of it."""
    if action.get("type") == "refresh":  # the browser lost what it held: send it all
        _applied(action)
        st.session_state["ed_sent"] = []
        st.session_state.pop("ed_minimap_sent", None)
        return
    acted = action.get("segment_id")
    counted = action.get("type") == "prev"  # only "previous" needs the queue's place counted
    state = (
        _shown_state(acted)
        or open_segment(wb, project.id, acted, queue, pinned=acted, counted=counted)
        if type(acted) is int
        else None
    )
    if state is None or acted != state.view.segment.id:
        _applied(action)  # a segment this user cannot open: nothing to apply it to
        return
    _apply(
        action,
        state,
        queue,
        shown=acted,
        deleted=st.session_state.get("ed_last_deleted"),
        previous=_previous(state),
        beside=_beside_data(state.view.segment),
    )


KEPT_SECONDS = 60.0  # a run for typed text shows the screen of a run at most this old


def _kept(queue: QueueFilter) -> EditorScreen | None:
    """The screen of the editor's last run, for a run started by typed text alone (nothing
    changed on the server by this user): when that run showed this queue and segment in this
    page run, at most KEPT_SECONDS ago (what others changed meanwhile comes with the next
    key). A labeller's pauses in typing each report the text (for the convention checks
    under the editor): they no longer open the queue, its window and claims again."""
    kept = _last_screen()
    return kept[2] if kept is not None and kept[0] == _kept_mark(queue) else None


def _keep(queue: QueueFilter, screen: EditorScreen) -> None:
    """Remember the screen this run shows, for the next run started by typed text alone;
    a run for typed text keeps the time of the screen it showed."""
    kept = st.session_state.get("ed_kept")
    if kept is not None and kept[2] is screen:
        return
    st.session_state["ed_kept"] = (_kept_mark(queue), time.monotonic(), screen)


def _shown_state(segment_id: int) -> EditorState | None:
    """The segment the last run showed, as it opened it, when it is `segment_id` (the one the
    browser acts on) and that run is at most KEPT_SECONDS old: an action on it need not open
    it again (the save checks its version, claim and rights itself)."""
    kept = _last_screen()
    state = kept[2].segment if kept is not None and kept[0][0] == project.id else None
    return state if state is not None and state.view.segment.id == segment_id else None


def _last_screen() -> tuple | None:
    """(mark, when, screen) of the editor's last run (`_keep`), when at most KEPT_SECONDS old."""
    kept = st.session_state.get("ed_kept")
    return kept if kept is not None and time.monotonic() - kept[1] <= KEPT_SECONDS else None


def _kept_mark(queue: QueueFilter) -> tuple:
    ss = st.session_state
    return (project.id, queue, ss.get("ed_current"), ss.get("ed_pinned"), ss.get("ed_page_run"))


def _given_back() -> None:
    """A segment of the user's that a reviewer rejected since the editor last looked comes
    next, with the reason in sight: they need not reload to see it (once per rejection)."""
    ss = st.session_state
    back = given_back(wb, project.id)
    seen = ss[f"ed_given_back_{project.id}"]  # set when the editor opened (see `_screen`)
    new = [i for i in back if i not in seen]
    seen.update(back)
    if new and ss.get("ed_flash", ("",))[0] != "error":  # a refusal keeps the labeller there
        ss["ed_current"] = ss["ed_pinned"] = new[0]
        ss["ed_flash"] = (
            "warning",
            t(
                "Segment {name} came back from review: the reviewer's reason is above the editor.",
                name=name(new[0]),
            ),
        )


def _windowed(
    data: dict,
    screen: EditorScreen,
    state: EditorState,
    queue: QueueFilter,
    kept: dict[int, EditorState] | None,
) -> tuple[dict, Callable[[], None]]:
    """The component's data with the window (the next segments of the queue, which the
    browser shows at once on save & next), sending only what the browser does not hold: a
    segment version it has at this zoom level comes as a reference, without its audio, peaks
    and words (a version's peaks differ from one level to the next; the browser keeps one).
    `kept`: what of the last run's window is unchanged (`_screen`); None in a run for typed
    text that kept the last run's screen, which keeps the window it had. Returns the data and what
    to remember once it is sent (`_remember`): a run Streamlit stops for a newer one (the
    browser reporting typed text meanwhile) stops before it sends, and nothing of it counts
    as held by the browser."""
    ss = st.session_state
    sent = list(ss.get("ed_sent", []))
    held = _held_window(queue)
    window = (
        list(held)
        if kept is None and held
        else window_after(wb, project.id, state, queue, held=held, kept=kept)
    )
    ss["ed_window"] = ((project.id, queue), window)
    keys = [data["key"], *(_key(step) for step in window)]
    levels = [f"{key}@{data['context']}" for key in keys]  # a version as sent at this level
    data["next_key"] = keys[1] if len(keys) > 1 else None
    data["recording_id"] = state.view.recording.id
    payloads = [
        _window_item(screen, step, keys[i + 2] if i + 2 < len(keys) else None)
        for i, step in enumerate(window)
        if levels[i + 1] not in sent
    ]
    out = {k: v for k, v in data.items() if k not in HEAVY} if levels[0] in sent else data
    if levels[0] in sent:
        out["ref"] = data["key"]
        del out["shortcuts"], out["ui"]
    for key, level in zip(keys, levels, strict=True):
        sent[:] = [s for s in sent if s.partition("@")[0] != key]  # one level held a version
        sent.append(level)
    saved = ss.get("ed_saved", [])
    out.update(
        window=payloads,
        ack=ss.get("ed_ack", 0),
        saved=saved,
        status=[ss["ed_flash"][1], ss["ed_flash"][0]] if ss.get("ed_flash") else None,
    )
    minimap_mark = None
    if out.get("minimap") is not None:
        out["minimap"], minimap_mark = _minimap_sent(out["minimap"], state.view.recording.id)
    return out, lambda: _remember(sent, saved, minimap_mark)


def _held_window(queue: QueueFilter) -> list[EditorState]:
    """The window of the last run, for this project and queue (else none)."""
    was = st.session_state.get("ed_window")
    return list(was[1]) if was and was[0] == (project.id, queue) else []


def _remember(sent: list[str], saved: list[dict], minimap_mark: tuple | None) -> None:
    """What the browser holds once the data went out (see `_windowed`)."""
    ss = st.session_state
    ss["ed_sent"] = sent[-SENT_KEEP:]
    ss["ed_saved"] = [s for s in ss.get("ed_saved", []) if s not in saved]
    if minimap_mark is not None:
        ss["ed_minimap_sent"] = minimap_mark


def _minimap_sent(minimap: dict, recording_id: int) -> tuple[dict, tuple]:
    """The minimap as sent: whole the first time and when its peaks or status columns changed
    (those are `MINIMAP_TTL` seconds old at most), else only the user's edits, drawn over the
    one the browser holds (a browser that holds none asks again: a "refresh" action); and
    the mark of what the browser then holds."""
    mark = (recording_id, minimap["duration"], minimap["columns"])
    if st.session_state.get("ed_minimap_sent") == mark:
        return {"recording_id": recording_id, "edits": minimap["edits"]}, mark
    return {**minimap, "recording_id": recording_id}, mark


def _key(step: EditorState) -> str:
    seg = step.view.segment
    return f"{seg.id}-{seg.version}"


def _window_item(screen: EditorScreen, step: EditorState, next_key: str | None) -> dict:
    """A segment of the window as the component shows it when the labeller moves on to it."""
    view, seg = step.view, step.view.segment
    tags = [{"label": t.meaning, "insert": profile.tag_text(t.name)} for t in profile.tags]
    data = editor_data(
        view,
        wb.settings.home,
        project_id=project.id,
        user=wb.actor.name,
        tags=tags,
        before=step.before["text"] if step.before else None,
        after=step.after["text"] if step.after else None,
        can_prev=True,
        can_next=step.following is not None,
        context=st.session_state.get("ed_context", CONTEXTS[0]),
        beside=_beside_data(seg),
    )
    del data["shortcuts"], data["ui"]
    v0, v1 = data["view"]
    data.update(
        off=EDITOR_OFF,
        next_key=next_key,
        recording_id=view.recording.id,
        gaps=[[g.start, g.end] for g in screen.gaps if g.end > v0 and g.start < v1],
        others=[
            [a, b] for a, b in screen.nearby if b > v0 and a < v1 and (a, b) != (seg.start, seg.end)
        ],
        **lanes_data(wb, project, view, v0, v1),
    )
    return data


def _spectrogram_toggle() -> None:
    """The spectrogram under the waveform, on or off as the user last chose (kept with their
    preferences). The browser computes it from the audio it holds: off, it costs nothing."""
    prefs = st.session_state.setdefault("prefs", {})
    st.session_state.setdefault("ed_spectrogram", bool(prefs.get(SPECTROGRAM, False)))

    def remember() -> None:
        prefs[SPECTROGRAM] = bool(st.session_state["ed_spectrogram"])
        set_pref(workbench(), SPECTROGRAM, prefs[SPECTROGRAM])

    st.toggle(
        t("Spectrogram"),
        key="ed_spectrogram",
        on_change=remember,
        help=t(
            "Under the waveform: frequencies up to 8 kHz, louder brighter, aligned with the "
            "waveform at every zoom. Remembered for you."
        ),
    )


@st.fragment
def editor() -> None:
    global wb  # a keystroke reruns only this fragment: check the session again every time,
    wb = workbench()  # so a sign-out or a deactivation elsewhere stops the next save here
    queue = _filters()
    _spectrogram_toggle()
    shown = st.session_state.get("ed_current")  # what the browser showed when it acted
    typing = typing_only("ed_component") and not _fresh(_incoming())
    screen, kept = (_kept(queue) if typing else None), None
    if screen is None:
        screen, kept = _screen(queue, shown)
    shown = st.session_state.get("ed_current")
    if screen.segment is None or screen.blind is not None:
        show_flash("ed_flash")  # stays until the next action replaces it
    _test_report(screen.report)
    if screen.gate:
        st.error(t("Your queue is closed: {why}.", why=md(screen.gate, 1000)))
        return
    if screen.warning:
        st.warning(
            t(
                "Careful: {why}. Above the limit your work here is paused.",
                why=md(screen.warning, 1000),
            )
        )
    if screen.blind is not None:
        _blind(screen.blind)
        return
    st.session_state["ed_off"] = tuple(EDITOR_OFF)
    _empty_drafts(screen)
    state = screen.segment
    if state is None:
        if screen.idle:
            st.info(t("Nothing for you now: {why}.", why=screen.idle))
        else:
            _queue_done(screen.done)
        return
    view, seg = state.view, state.view.segment
    keep_segment("ed_current", seg.id)
    deleted = _undo_delete()
    _notes(screen, state)
    previous = _previous(state)
    data = _editor_data(screen, state, previous)
    _conflict(seg.id)  # above the editor: in sight with the message
    sent, remember = _windowed(data, screen, state, queue, kept)
    _keep(queue, screen)
    action, draft = segment_editor(sent, key="ed_component")
    remember()
    _rewritten(view)
    for fresh in _fresh(action or {}):  # actions this run did not apply before drawing
        _act(
            fresh,
            state,
            queue,
            shown=shown,
            deleted=deleted,
            previous=previous,
            beside=data["beside"],
        )
    text = draft["text"] if draft and draft.get("key") == data["key"] else view.text
    _draft_it(view, text)
    findings = lint(text.rstrip(), profile)  # the save trims the space a tag leaves at the end
    if findings:
        st.markdown(findings_md(findings, text), unsafe_allow_html=True)
    _gaps(view, screen.gaps)
    _history(seg, screen)


def _undo_delete() -> int | None:
    """The segment this user deleted last, with a button that brings it back."""
    deleted = st.session_state.get("ed_last_deleted")
    if deleted and st.button(
        t("Undo delete of segment {name}", name=name(deleted)), key="ed_undo_delete"
    ):
        undo_delete_now(wb, deleted)
        st.session_state.pop("ed_last_deleted")
        st.session_state["ed_current"] = st.session_state["ed_pinned"] = deleted
        rerun_fragment()
    return deleted


def _notes(screen: EditorScreen, state: EditorState) -> None:
    """Above the editor: the segment's place, the queue's end (the segment shown is past it),
    a claim, flags, a rejection."""
    seg = state.view.segment
    _header(state)
    _queue_done(screen.done)
    if state.claim is not None:
        st.warning(
            t(
                "This segment is {claim}: you can read it, not save it.",
                claim=md(state.claim.describe(time_zone(project))),
            )
        )
    if seg.flags:
        st.warning(t("Check: ") + "; ".join(t(FLAG_LABELS.get(f, f)) for f in seg.flags))
    if screen.rejection:
        st.error(t("Rejected by ") + rejection_md(screen.rejection))


def _editor_data(screen: EditorScreen, state: EditorState, previous: int | None) -> dict:
    """The component's data for the segment: its audio and waveform, the neighbours' text,
    the minimap, the fields beside the text, the speech no segment covers in view, the
    numbers typed that a Korean project may write out (as typed, or else as saved)."""
    view, seg = state.view, state.view.segment
    tags = [{"label": t.meaning, "insert": profile.tag_text(t.name)} for t in profile.tags]
    changed = st.session_state.setdefault("ed_changed", {}).get(view.recording.id, [])
    data = editor_data(
        view,
        wb.settings.home,
        project_id=project.id,
        user=wb.actor.name,
        tags=tags,
        before=state.before["text"] if state.before else None,
        after=state.after["text"] if state.after else None,
        can_prev=previous is not None,
        can_next=state.following is not None,
        context=st.session_state.get("ed_context", CONTEXTS[0]),
        minimap=minimap_data(wb, project.id, view.recording, changed),
        beside=_beside_data(seg),
        shortcuts=my_shortcuts(wb),
    )
    v0, v1 = data["view"]
    data["gaps"] = [[g.start, g.end] for g in screen.gaps if g.end > v0 and g.start < v1]
    data["others"] = [
        [a, b] for a, b in screen.nearby if b > v0 and a < v1 and (a, b) != (seg.start, seg.end)
    ]
    data["off"] = EDITOR_OFF
    data["spectrogram"] = st.session_state.get("ed_spectrogram", False)
    data.update(lanes_data(wb, project, view, v0, v1))
    typed = typed_text("ed_component", data["key"])
    data["numerals"] = editor_offers(project, view.text if typed is None else typed)
    return data


def _beside_data(seg: Segment) -> dict:
    """The fields saved with the text, as the component shows them, with the choices offered
    (the speakers in the order of their keys, with what the registry says of each)."""
    speakers = offered(wb, project, seg.speaker, _registry())
    return {
        "speaker": seg.speaker,
        "speakers": [name for name, _ in speakers],
        "speaker_titles": [title for _, title in speakers],
        "tags": list(seg.tags),
        "tag_choices": sorted({*SEGMENT_TAGS, *seg.tags}),
        "comment": seg.comment,
    }


_READ: dict = {}  # what a run of the editor read once: the registry, with the run's `wb`


def _registry() -> list[Speaker]:
    """The project's speaker registry, read once a run (each segment sent offers it)."""
    if _READ.get("wb") is not wb:
        _READ.clear()
        _READ.update(wb=wb, registry=registry(wb, project))
    return _READ["registry"]


def _act(
    action: dict,
    state: EditorState,
    queue: QueueFilter,
    *,
    shown: int | None,
    deleted: int | None,
    previous: int | None,
    beside: dict,
) -> None:
    """A fresh action of the component, applied (`_apply`); then the fragment runs again."""
    if _apply(action, state, queue, shown=shown, deleted=deleted, previous=previous, beside=beside):
        rerun_fragment()


def _apply(
    action: dict,
    state: EditorState,
    queue: QueueFilter,
    *,
    shown: int | None,
    deleted: int | None,
    previous: int | None,
    beside: dict,
) -> bool:
    """A move of the view (goto, context), or an edit through `apply_action`; whether it was
    applied (an action naming a segment other than the one shown is not)."""
    view, seg = state.view, state.view.segment
    if action.get("type") in ("goto", "context"):  # moves the view, saves nothing
        _applied(action)
        if action["type"] == "context":
            chosen = float(action.get("context") or 0)
            st.session_state["ed_context"] = chosen if chosen in CONTEXTS else CONTEXTS[0]
        else:
            target, why = _goto(action, view.recording.id)
            st.session_state["ed_flash"] = ("warning", why) if target is None else None
            if target is not None:  # asked for by name: shown even outside the filter
                st.session_state["ed_current"] = st.session_state["ed_pinned"] = target
        return True
    # matched by the segment shown, not its version: a save from an outdated version must be
    # refused loudly, even when that segment has meanwhile left the queue
    if action.get("segment_id") in (seg.id, shown, deleted):
        _applied(action)
        outcome = apply_action(
            wb,
            action,
            shown=seg.id,
            beside=_beside(action, beside["speakers"], beside["tag_choices"], seg),
            previous=previous,
            following=_following(action, state),
            profile=profile,
            lint_blocks=project.lint_blocks,
            confirmed=st.session_state.get("ed_confirm"),
            queue=queue,
            last_deleted=deleted,
        )
        _after(action, outcome, seg.id)
        if outcome.kind == "success":
            made = [outcome.go_to] if action["type"] in ("add", "split") else []
            _changed(view.recording.id, int(action["segment_id"]), *made)
            if action["type"] in RETIMED:  # the saved words timed in the background
                retime_saved(wb, project)
        return True
    return False


def _header(state) -> None:
    """The segment's place and name: "Segment 3 of 40 · #12 · …" (messages say "#12" too)."""
    view, seg = state.view, state.view.segment
    why = t("deleted") if seg.status is Status.DELETED else t("saved")
    place = (
        t("**Segment {name}**", name=name(seg.id))
        + " · "
        + t("{why}, outside this filter ({n} left)", why=why, n=state.total)
        if state.pinned
        else t("**Segment {n} of {total}**", n=state.index + 1, total=state.total)
        + f" · {name(seg.id)}"
    )
    st.markdown(
        f"{place} · {md(view.recording.original_name)} · "
        f"{fmt_seconds(seg.start)}–{fmt_seconds(seg.end)} · "
        + t(
            "status `{status}` · version {version}",
            status=status_name(seg.status.value),
            version=seg.version,
        )
    )


def _changed(recording_id: int, *segment_ids: int | None) -> None:
    """Segments of the recording this user just changed or made: the minimap draws them as
    they are now, over its cached columns (which may lag by MINIMAP_TTL seconds)."""
    mine = st.session_state.setdefault("ed_changed", {}).setdefault(recording_id, [])
    for acted in (i for i in segment_ids if i is not None):
        mine[:] = [*[i for i in mine if i != acted], acted][-20:]


def _after(action: dict, outcome, seg_id: int) -> None:
    """Remember what the next rerun needs: the message, where to go, what to pin, what to
    undo, the segment just saved (for "previous") and a refused stale save's two texts."""
    ss = st.session_state
    ss["ed_confirm"] = outcome.confirm
    ss["ed_flash"] = (outcome.kind, outcome.message) if outcome.message else None
    kind = action["type"]
    if kind == "delete" and outcome.kind == "success":
        ss["ed_last_deleted"] = seg_id
    if kind == "undelete" and outcome.kind == "success":
        ss.pop("ed_last_deleted", None)
    if kind == "save_next" and outcome.kind == "success" and outcome.go_to not in (None, seg_id):
        ss["ed_back"] = (outcome.go_to, seg_id)
    if kind in ("save", "save_next") and outcome.kind == "success":  # its autosave may go
        ss.setdefault("ed_saved", []).append(
            {
                "autosave_key": f"workbench-autosave-{wb.actor.name}-{project.id}-{seg_id}",
                "text": str(action.get("text", "")),
            }
        )
    acted = int(action.get("segment_id", seg_id))  # a stale save may name another than shown
    ss["ed_conflict"] = (
        {"segment_id": acted, "mine": outcome.mine, "theirs": outcome.theirs}
        if outcome.theirs is not None
        else None
    )
    if outcome.go_to is not None:
        ss["ed_current"] = outcome.go_to
        # the segment the browser moved on to stays on screen even if it left the filter
        # meanwhile (saved in another tab): the labeller may be typing in it already
        moved = outcome.go_to == action.get("moved_to")
        ss["ed_pinned"] = outcome.go_to if outcome.pin or moved else None


def _rewritten(view) -> None:
    """A draft changed by the project's rules says so, under the draft."""
    applied = ((view.draft.asr_meta or {}).get("rewrites") if view.draft else None) or []
    if applied:
        st.caption(
            t("Draft changed by rule: ")
            + md("; ".join(f"{r.get('before', '')} → {r.get('after', '')}" for r in applied), 1000)
        )


def _draft_it(view, typed: str) -> None:
    """A segment a person added has no draft: one button asks the project's model for one,
    hearing that span alone (shown while nothing is typed in it, so nothing typed is lost).
    It drafts in the background: the labeller works on, and the draft comes when it is ready."""
    seg = view.segment
    if view.draft is not None or seg.status is not Status.NEW or (typed or "").strip():
        return
    if seg.id in span_drafts_running(wb):
        st.caption(
            t("Drafting segment {name} in the background: its draft comes here.", name=name(seg.id))
        )
        return
    if not st.button(
        t("Draft it with Whisper"),
        key=f"ed_draft_{seg.id}_{seg.version}",
        icon=":material/smart_toy:",
        help=t(
            "The project's model hears this segment alone, with the project's "
            "prompt, terms and rules, and writes its draft here to correct. It runs in the "
            "background: keep working meanwhile."
        ),
    ):
        return
    start_span_draft(wb, project, view)
    st.session_state["ed_flash"] = (
        "info",
        t(
            "Drafting segment {name} in the background: keep working, its draft comes when "
            "it is ready.",
            name=name(seg.id),
        ),
    )
    st.rerun()  # the whole page: it watches for the draft (`_span_drafts_news`)


@st.fragment(run_every=1.0)
def _span_drafts_news() -> None:
    """While a segment the labeller added is drafted in the background: once it is done, say
    so in the editor and show it (its new version replaces the empty one on screen)."""
    done = span_drafts_done(wb)
    if not done:
        return
    for recording_id, segment_id, said in done:
        _changed(recording_id, segment_id)
        st.session_state["ed_flash"] = said
    st.rerun()


def _conflict(seg_id: int) -> None:
    """A refused stale save: the labeller's text beside the newer one, to merge by hand."""
    conflict = st.session_state.get("ed_conflict")
    if not conflict or conflict["segment_id"] != seg_id:
        return
    left, right = st.columns(2)
    left.caption(
        t("Your text (not saved; in the editor now: merge the newer text into it, then save)")
    )
    left.text(conflict["mine"])
    right.caption(t("The newer text (saved since you opened it)"))
    right.text(conflict["theirs"])


def _queue_done(done: tuple[str, tuple[str, ...]] | None) -> None:
    """The queue is empty (`done` is set): say so, and what is next."""
    if done is None:
        return
    head, nexts = done
    st.info(head)
    for line in nexts:
        st.text(line)


def _empty_drafts(screen: EditorScreen) -> None:
    """Recordings whose draft wrote no segment: a note (an owner redrafts them on Projects)."""
    empty = screen.empty_drafts
    if empty:
        st.warning(
            t(
                "{n} recording(s) drafted without any segment: {names}. An owner can draft "
                "them again from the Projects page.",
                n=len(empty),
                names=", ".join(md(r.original_name) for r in empty[:5]),
            )
        )


def _gaps(view, gaps) -> None:
    """Speech no segment covers near this segment: one list to pick from and one button adding
    a segment there (in the waveform: the amber strips, and the "add" key). One widget pair
    whatever the count: a button per stretch (up to 50 on a long, sparsely segmented
    recording) made every key slower in the browser (bench/editor_latency.py)."""
    if not gaps:
        return
    seg = view.segment
    with st.expander(
        t(
            "Speech no segment covers, within {minutes} min ({n})",
            minutes=f"{NEARBY / 60:.0f}",
            n=len(gaps),
        ),
        expanded=False,
    ):
        after = next((i for i, g in enumerate(gaps) if g.start >= seg.start), 0)
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        gap = left.selectbox(
            t("Stretch of speech"),
            gaps,
            index=after,
            format_func=lambda g: (
                f"{fmt_seconds(g.start)}–{fmt_seconds(g.end)} ({g.end - g.start:.1f} s)"
            ),
            key=f"ed_gap_{seg.id}",
        )
        if right.button(t("Add a segment there"), key=f"ed_add_{seg.id}"):
            outcome = apply_action(
                wb,
                {
                    "type": "add",
                    "segment_id": seg.id,
                    "version": seg.version,
                    "start": gap.start,
                    "end": gap.end,
                },
                shown=seg.id,
            )
            _after({"type": "add"}, outcome, seg.id)
            if outcome.kind == "success":
                _changed(view.recording.id, outcome.go_to)
            rerun_fragment()


def _speaker_keys(shortcuts) -> None:
    """The registry's speakers by the key that picks each (as text: the names are people's)."""
    keys = next((s.keys for s in shortcuts if s.action == "speaker"), ())
    listed = _registry()[: max(0, len(keys) - 1)]
    if listed:
        st.caption(t("Speakers by key"))
        st.text("\n".join(f"{keys[n].text}: {describe(s)}" for n, s in enumerate(listed, 1)))


editor()
if span_drafts_waiting(wb):
    _span_drafts_news()

with st.sidebar:
    with st.expander(t("Keyboard shortcuts"), expanded=False):
        # the table the editor's keys and titles come from, less what a blind item offers not
        shortcuts = my_shortcuts(workbench())
        st.markdown(help_markdown(st.session_state.get("ed_off", ()), shortcuts))
        _speaker_keys(shortcuts)
        st.caption(t("Change your keys on the Account page."))
    with st.expander(t("Guidelines · {title}", title=profile.title), expanded=False):
        st.markdown(guidelines_md(project.guidelines or profile.guidelines))
