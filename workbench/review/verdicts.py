"""Review (검수) of new labels: the review queue, approve, fix & approve, reject.

Every use case checks `Action.REVIEW` on the segment's project and names the version the
reviewer saw: a review of a segment someone changed since is refused with StaleEdit. Only a
review makes a segment 'approved' or 'rejected'. An approve without change records the verdict
and bumps the version and status but adds no revision (the text stays the labeller's); a fix
adds a revision with source 'review'; a rejection gives the segment back to the labeller who
last labelled it, first in their editor queue, with the reason and comment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from workbench import store
from workbench.core.access import Action, require
from workbench.core.errors import WorkbenchError
from workbench.core.records import (
    Edit,
    InvalidEdit,
    Project,
    Revision,
    SegmentView,
    StaleEdit,
    Status,
    check_bounds,
    clean_text,
)
from workbench.core.workbench import Workbench
from workbench.crowd.double_labelling import second_label
from workbench.labelling.editor_actions import Outcome
from workbench.labelling.flags import after_human_edit
from workbench.labelling.history import draft_of
from workbench.labelling.segment_edits import tidy
from workbench.review.sampling import share_for
from workbench.store.opinions import AUDITED
from workbench.text import Finding, lint, load_profile

DEFAULT_REASONS = ("wrong text", "missing tag", "wrong boundary", "unusable audio")
OTHER = "other"  # a reason outside the list: it needs a comment
TO_REVIEW = (Status.LABELLED.value,)  # the review queue
ORDERS = ("time", "disagreement")  # disagreement: the corpus audit's queue (see `auditing`)


def reasons(project: Project) -> tuple[str, ...]:
    """The reasons a reviewer of `project` picks from (then 'other')."""
    return tuple(project.review_reasons) or DEFAULT_REASONS


def clean_reasons(values) -> list[str]:
    """An owner's list of reasons, trimmed, without blanks, repeats or 'other' (stored empty
    when it is the default list)."""
    out: list[str] = []
    for value in values:
        value = " ".join(str(value).split())[:200]
        if value and value.lower() != OTHER and value not in out:
            out.append(value)
    return [] if tuple(out) == DEFAULT_REASONS else out


@dataclass(frozen=True)
class ReviewState:
    """What the review page shows for one labelled segment, and its place in the queue
    (built by `open_review`)."""

    view: SegmentView
    index: int
    total: int
    previous: int | None
    following: int | None
    draft_text: str | None  # the ASR draft (of a split or merged part: its part of it)
    previous_text: str | None  # the version before the labeller's latest
    labeller: str | None
    active_seconds: float  # the labellers' active editing time on this segment
    findings: tuple[Finding, ...]
    last_review: dict | None  # the review before (e.g. the rejection this relabelling answers)
    opinion: dict | None = None  # the audit's second opinion (text, wer, cer, disagreement)
    second_label: dict | None = None  # a blind second label (`crowd.double_labelling`)


def _queue(order: str) -> list[str]:
    """The statuses a review queue holds: labelled work awaiting review; in the audit's
    disagreement order, every audited segment not yet reviewed (imported labels included)."""
    if order not in ORDERS:
        raise WorkbenchError(f"unknown review order {order!r}")
    return list(AUDITED if order == "disagreement" else TO_REVIEW)


def open_review(
    wb: Workbench,
    project_id: int,
    shown: int | None,
    recording_id: int | None = None,
    order: str = "time",
) -> ReviewState | None:
    """The segment to review: `shown` if it still awaits review, else the next that does
    (labelled segments in time order, or audited ones by disagreement), with everything the
    review page shows of it. None when nothing awaits review."""
    require(wb, Action.REVIEW, project_id)
    nav = store.queue_position(wb.db, project_id, shown, recording_id, _queue(order), order=order)
    if nav["current"] is None:
        return None
    view = store.segment_view(wb.db, nav["current"])
    revisions = store.list_revisions(wb.db, view.segment.id)
    human = [r for r in revisions if r.source == "human"]
    previous = revisions[-2] if len(revisions) >= 2 else None
    project = store.get_project(wb.db, project_id)
    return ReviewState(
        view=view,
        index=nav["index"],
        total=nav["total"],
        previous=nav["previous"],
        following=nav["next"],
        draft_text=draft_of(revisions),  # a split part's own part of the draft
        previous_text=previous.text if previous is not None else None,
        labeller=human[-1].author if human else None,
        active_seconds=sum(r.active_seconds or 0.0 for r in human),
        findings=tuple(lint(view.text, load_profile(project.conventions))),
        last_review=store.last_review(wb.db, view.segment.id),
        opinion=store.opinion_of(wb.db, view.segment.id),
        second_label=second_label(wb, view.segment.id),
    )


def review_queue(wb: Workbench, project_id: int, recording_id: int | None = None) -> list[dict]:
    """Every segment awaiting review, in time order (id, recording, times, status, text)."""
    require(wb, Action.REVIEW, project_id)
    return store.segment_queue(wb.db, project_id, recording_id, list(TO_REVIEW))


def _reviewing(wb: Workbench, segment_id: int, version: int) -> tuple[SegmentView, str]:
    """The segment, if the acting user may review in its project and it awaits review."""
    view = store.segment_view(wb.db, segment_id)
    reviewer = require(wb, Action.REVIEW, view.recording.project_id).name
    seg = view.segment
    if seg.version != version:
        raise StaleEdit(segment_id, version, seg.version, view.text)
    audited = seg.status.value in AUDITED and store.opinion_of(wb.db, segment_id) is not None
    if seg.status is not Status.LABELLED and not audited:
        raise InvalidEdit(f"segment #{segment_id} is {seg.status.value}, not awaiting review")
    return view, reviewer


def approve(wb: Workbench, segment_id: int, version: int) -> int:
    """Approve the segment as it is: a review row, the version bumped, no new revision."""
    _, reviewer = _reviewing(wb, segment_id, version)
    return store.record_review(wb.db, segment_id, version, reviewer, "approve", Status.APPROVED)


def fix_and_approve(wb: Workbench, segment_id: int, version: int, edit: Edit) -> Revision:
    """Correct the segment (a revision with source 'review') and approve it, in one step."""
    view, reviewer = _reviewing(wb, segment_id, version)
    start, end = check_bounds(edit.start, edit.end, view.recording.duration)
    fix = tidy(edit, start, end)
    flags = after_human_edit(view.segment.flags, view.draft.text if view.draft else None, fix.text)
    fix = replace(fix, status=Status.APPROVED, op="review", flags=flags)
    store.record_review(wb.db, segment_id, version, reviewer, "approve", Status.APPROVED, fix=fix)
    return store.list_revisions(wb.db, segment_id)[-1]


def reject(wb: Workbench, segment_id: int, version: int, reason: str, comment: str = "") -> int:
    """Send the segment back to the labeller who last labelled it, with a reason and comment.

    `reason` is one of the project's reasons, or 'other' with a comment saying what is wrong.
    """
    view, reviewer = _reviewing(wb, segment_id, version)
    project = store.get_project(wb.db, view.recording.project_id)
    comment = (comment or "").strip()[:2000]
    if reason == OTHER:
        if not comment:
            raise InvalidEdit("say in the comment what is wrong (reason 'other')")
    elif reason not in reasons(project):
        raise InvalidEdit(f"unknown reason {reason!r}: pick one of the project's reasons")
    labeller = store.labeller_of(wb.db, segment_id)
    return store.record_review(
        wb.db,
        segment_id,
        version,
        reviewer,
        "reject",
        Status.REJECTED,
        reason=reason,
        comment=comment,
        assignee=labeller,
    )


def rejection(wb: Workbench, segment_id: int) -> dict | None:
    """Why a rejected segment came back (reason, comment, reviewer), for whoever may see it;
    None when it is not rejected."""
    view = store.segment_view(wb.db, segment_id)
    require(wb, Action.VIEW, view.recording.project_id)
    if view.segment.status is not Status.REJECTED:
        return None
    last = store.last_review(wb.db, segment_id)
    return last if last and last["verdict"] == "reject" else None


def review_progress(wb: Workbench, project_id: int) -> list[dict]:
    """Per labeller (owners): segments awaiting review, passed without one, approved, rejected,
    the share of reviews of their work that rejected it, and the share of their work drawn for
    review now (raised to all when their rejection rate is high; see `sampling`)."""
    require(wb, Action.SETTINGS, project_id)
    project = store.get_project(wb.db, project_id)
    return [
        r | {"review_share": share_for(project, r["reviews"], r["rejections"])}
        for r in store.review_stats(wb.db, project_id)
    ]


def _reject_action(wb: Workbench, action: dict, state: ReviewState, go: int | None) -> Outcome:
    seg_id, version = int(action["segment_id"]), int(action["version"])
    try:
        reject(wb, seg_id, version, str(action.get("reason", "")), str(action.get("comment", "")))
    except WorkbenchError as exc:
        return Outcome("error", f"Not reviewed: {exc}")
    back = state.labeller if seg_id == state.view.segment.id and state.labeller else None
    return Outcome(
        "success", f"Rejected segment #{seg_id}: back to {back or 'the labelling queue'}.", go_to=go
    )


def apply_review_action(wb: Workbench, action: dict, *, state: ReviewState) -> Outcome:
    """Carry out one action of the editor component on the review page, as the acting user.

    'save' and 'save_next' (Ctrl+S, Ctrl+Enter) approve the segment: as it is, or, when the
    reviewer changed its text or boundaries, as fixed (fix & approve); then the next segment.
    'reject' (Alt+R, with `reason` and `comment`) sends it back to its labeller, then the next.
    'prev' and 'next' move without a verdict. Nothing else is a review action.
    """
    kind, seg_id, version = action["type"], int(action["segment_id"]), int(action["version"])
    if kind == "prev":
        return Outcome("none", go_to=state.previous)
    if kind == "next":
        return Outcome("none", go_to=state.following)
    if kind not in ("save", "save_next", "reject"):
        return Outcome("error", f"{kind!r} is not a review action: use the editor for it")
    seg = store.get_segment(wb.db, seg_id)
    go = state.following if seg_id == state.view.segment.id else seg_id
    if kind == "reject":
        return _reject_action(wb, action, state, go)
    try:
        text = clean_text(action.get("text", ""))
        start, end = round(float(action["start"]), 3), round(float(action["end"]), 3)
        latest = store.segment_view(wb.db, seg_id).text
        if (text, start, end) == (latest, round(seg.start, 3), round(seg.end, 3)):
            approve(wb, seg_id, version)
            return Outcome("success", f"Approved segment #{seg_id}.", go_to=go)
        rev = fix_and_approve(
            wb,
            seg_id,
            version,
            Edit(
                text,
                start,
                end,
                Status.APPROVED,
                seg.speaker,
                seg.tags,
                seg.comment,
                active_seconds=float(action.get("active_seconds") or 0.0),
            ),
        )
        return Outcome(
            "success", f"Fixed and approved segment #{seg_id} (revision {rev.n}).", go_to=go
        )
    except WorkbenchError as exc:
        return Outcome("error", f"Not reviewed: {exc}")
