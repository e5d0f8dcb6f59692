"""Review (reviewers, owners): each labelled segment with the editor's waveform and playback,
its text against the draft and the labeller's previous version; approve, fix & approve, reject.
In the audit's order (?order=disagreement) the queue is every audited segment not yet
reviewed, the largest disagreement with Whisper's second opinion first."""

from collections.abc import Callable

import streamlit as st

from workbench.core.errors import WorkbenchError
from workbench.core.messages import N_, t
from workbench.core.records import Edit, Status
from workbench.labelling.flags import FLAG_LABELS
from workbench.labelling.keymap import my_shortcuts
from workbench.review.verdicts import (
    ORDERS,
    OTHER,
    ReviewState,
    apply_review_action,
    approve,
    fix_and_approve,
    open_review,
    reasons,
    reject,
)
from workbench.text import headline_metric, load_profile
from workbench.ui.common import (
    MISSING,
    fmt_seconds,
    keep_segment,
    project_page,
    rerun_fragment,
    segment_from_url,
    show_flash,
    workbench,
)
from workbench.ui.editor import editor_data, help_markdown, segment_editor
from workbench.ui.jobs import retime_saved
from workbench.ui.text import diff_md, findings_md, md, rejection_md

# the editor component's controls that are not review actions: hidden here (their shortcuts
# are switched off too); Save & next (Ctrl+Enter) approves, with the reviewer's fix if any
NOT_HERE = ["ed-split", "ed-merge", "ed-delete", "ed-undelete", "ed-save"]
OFF = ["split", "merge", "delete", "undelete", "add", "tag", "save"]

wb, project = project_page("Review")
profile = load_profile(project.conventions)

segment_from_url("rv_current")  # a link or a reload names the segment
ORDER_LABELS = {
    "time": N_("Awaiting review, in time order"),
    "disagreement": N_("Audit: largest disagreement with the second opinion first"),
}
if "rv_order" not in st.session_state:
    sent = st.query_params.get("order")
    st.session_state["rv_order"] = sent if sent in ORDERS else "time"


def _order_changed() -> None:
    st.session_state["rv_current"] = None
    st.query_params.pop("segment", None)
    st.query_params["order"] = st.session_state["rv_order"]


order = st.radio(
    t("Queue"),
    ORDERS,
    format_func={o: t(label) for o, label in ORDER_LABELS.items()}.__getitem__,
    key="rv_order",
    horizontal=True,
    on_change=_order_changed,
    label_visibility="collapsed",
)


def _done(kind: str, message: str, go_to: int | None) -> None:
    st.session_state["rv_flash"] = (kind, message) if message else None
    if go_to is not None:
        st.session_state["rv_current"] = go_to
    rerun_fragment()


@st.fragment
def review() -> None:
    global wb  # a click reruns only this fragment: check the session again every time
    wb = workbench()
    try:
        state = open_review(wb, project.id, st.session_state.get("rv_current"), order=order)
    except WorkbenchError as exc:
        st.error(md(str(exc)))
        return
    show_flash("rv_flash")
    if state is None:
        st.info(
            t("Nothing awaits review: every labelled segment has a verdict.")
            if order == "time"
            else t(
                "No audited segment awaits review: draft second opinions on the Audit "
                "page, or every audited segment has a verdict."
            )
        )
        return
    view, seg = state.view, state.view.segment
    keep_segment("rv_current", seg.id)
    seen = st.session_state.get("rv_seen")  # the version on screen before this run
    if seen and seen[0] == seg.id and seen[1] != seg.version:
        st.warning(
            t(
                "Not reviewed: segment #{id} was changed since you opened it (version "
                "{seen}, now {version}). Check the text below, then review it.",
                id=seg.id,
                seen=seen[1],
                version=seg.version,
            )
        )
    st.session_state["rv_seen"] = (seg.id, seg.version)
    _header(state)
    data = editor_data(
        view,
        wb.settings.home,
        project_id=project.id,
        tags=[],
        before=None,
        after=None,
        can_prev=state.previous is not None,
        can_next=state.following is not None,
        shortcuts=my_shortcuts(wb),
    )
    data.update(
        autosave_key=f"workbench-review-{wb.actor.name}-{project.id}-{seg.id}",
        hidden=NOT_HERE,
        off=OFF,
        labels={"ed-save-next": t("Approve & next")},
        reasons=[*reasons(project), OTHER],  # Alt+R: reject with one of them
    )
    action, draft = segment_editor(data, key="rv_component")
    if (
        action
        and action.get("nonce") != st.session_state.get("rv_last_nonce")
        and action.get("segment_id") == seg.id
    ):
        st.session_state["rv_last_nonce"] = action.get("nonce")
        outcome = apply_review_action(wb, action, state=state)
        _done(outcome.kind, outcome.message, outcome.go_to)
        if outcome.kind == "success":  # a fix is a revision: its words timed in the background
            retime_saved(wb, project)
    _against(state)
    _verdicts(state, draft["text"] if draft and draft.get("key") == data["key"] else view.text)


def _header(state: ReviewState) -> None:
    """The segment's place, who labelled it, a rejection before, its flags."""
    view, seg = state.view, state.view.segment
    st.markdown(
        t("**Segment {n} of {total} to review**", n=state.index + 1, total=state.total)
        + f" · #{seg.id} · {md(view.recording.original_name)} · "
        f"{fmt_seconds(seg.start)}–{fmt_seconds(seg.end)} · "
        + t(
            "labelled by **{labeller}** · {active} s active · version {version}",
            labeller=md(state.labeller or t("import")),
            active=f"{state.active_seconds:.0f}",
            version=seg.version,
        )
    )
    last = state.last_review
    if last and last["verdict"] == "reject":
        st.info(t("Rejected before by ") + rejection_md(last))
    if seg.flags:
        st.warning(t("Check: ") + "; ".join(t(FLAG_LABELS.get(f, f)) for f in seg.flags))
    _word_timings(state)


def _word_timings(state: ReviewState) -> None:
    """Whether the words under the waveform are the saved text's, timed against the audio
    (underlined in green), or still the draft's; the timed words in a table."""
    timed = state.view.timed
    if timed is None:
        st.caption(
            t(
                "Words under the waveform: the draft's (the saved text is not aligned to the "
                "audio yet)."
            )
        )
        return
    with st.expander(t("Words aligned to the saved text ({n})", n=len(timed)), expanded=False):
        st.dataframe(
            [{"word": w.word, "start (s)": w.start, "end (s)": w.end} for w in timed],
            hide_index=True,
            placeholder=MISSING,
            key=f"rv_words_{state.view.segment.id}",
        )


def _against(state: ReviewState) -> None:
    """The label against the draft, the version before, the second opinion, the second
    label; and its convention findings."""
    view = state.view
    language = view.recording.language or project.language
    if state.draft_text is not None:
        st.markdown(
            t("**vs draft:** ") + diff_md(state.draft_text, view.text, language),
            unsafe_allow_html=True,
        )
    if state.previous_text is not None and state.previous_text != state.draft_text:
        st.markdown(
            t("**vs previous version:** ") + diff_md(state.previous_text, view.text, language),
            unsafe_allow_html=True,
        )
    opinion = state.opinion
    if opinion is not None:
        st.markdown(
            t(
                "**Second opinion** ({model}; WER {wer}, CER {cer}) **vs label:** ",
                model=md(opinion["model"]),
                wer=f"{opinion['wer']:.2f}",
                cer=f"{opinion['cer']:.2f}",
            )
            + diff_md(view.text, opinion["text"], language),
            unsafe_allow_html=True,
        )
    second = state.second_label
    if second is not None:
        st.markdown(
            t(
                "**Second label** by {name}, blind ({metric} {error} from the first, by "
                "{other}) **vs label:** ",
                name=md(second["user_name"]),
                metric=headline_metric(language),
                error=f"{second['error']:.1%}",
                other=md(second["other"] or "—"),
            )
            + diff_md(view.text, second["text"], language),
            unsafe_allow_html=True,
        )
    if state.findings:
        st.markdown(findings_md(state.findings, state.view.text), unsafe_allow_html=True)


def _verdicts(state: ReviewState, typed: str) -> None:
    """Approve, fix & approve (with `typed`, the text as corrected above), reject."""
    view, seg = state.view, state.view.segment
    stem = f"{seg.id}_{seg.version}"

    def approved() -> str:
        approve(wb, seg.id, seg.version)
        return t("Approved segment #{id}.", id=seg.id)

    def fixed() -> str:
        rev = fix_and_approve(
            wb,
            seg.id,
            seg.version,
            Edit(typed, seg.start, seg.end, Status.APPROVED, seg.speaker, seg.tags, seg.comment),
        )
        return t("Fixed and approved segment #{id} (revision {n}).", id=seg.id, n=rev.n)

    def rejected() -> str:
        reject(wb, seg.id, seg.version, reason, comment)
        return t(
            "Rejected segment #{id}: back to {whom}.",
            id=seg.id,
            whom=state.labeller or t("the labelling queue"),
        )

    cols = st.columns([1, 2, 3, 1])
    if cols[0].button(
        t("Approve"),
        key=f"rv_approve_{stem}",
        type="primary",
        help=t(
            "Approve the text as labelled. To fix it first, edit it above and "
            "press Approve & next (Ctrl+Enter): that is fix & approve."
        ),
    ):
        _verdict(approved, state.following)
    if cols[0].button(
        t("Fix & approve"),
        key=f"rv_fix_{stem}",
        disabled=typed == view.text,
        help=t("Approve with the text as you corrected it above"),
    ):
        _verdict(fixed, state.following)
    choices = [*reasons(project), OTHER]
    reason = cols[1].selectbox(t("Reason"), choices, key=f"rv_reason_{stem}")
    comment = cols[2].text_input(
        t("Comment for the labeller"), key=f"rv_comment_{stem}", max_chars=2000
    )
    if cols[3].button(
        t("Reject"),
        key=f"rv_reject_{stem}",
        help=t("Send it back to its labeller, first in their queue, with the reason"),
    ):
        _verdict(rejected, state.following)


def _verdict(verdict: Callable[[], str], go_to: int | None) -> None:
    """Give a verdict (`verdict` returns what to say); then the next segment, or, refused,
    why, on this one."""
    try:
        message = verdict()
    except WorkbenchError as exc:
        _done("error", t("Not reviewed: ") + str(exc), None)
    else:
        _done("success", message, go_to)
        retime_saved(wb, project)  # after a fix & approve: its words timed in the background


review()

with st.sidebar, st.expander(t("Keyboard shortcuts"), expanded=False):
    st.markdown(
        t(
            "- **Ctrl+Enter**: approve (with your fix, if you changed the text or "
            "boundaries) and go to the next"
        )
        + "\n"
        + help_markdown(("save_next", *OFF), my_shortcuts(workbench()))
    )
