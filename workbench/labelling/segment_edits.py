"""The operations on a segment: the revision a save writes, split, merge, delete and undo,
restore, add.

Every operation appends revisions (never overwrites), names the version it started from, and
is refused with StaleEdit when someone saved the segment in between. An operation on a segment
takes a `Target`: one the acting user was cleared to edit. Who may edit, and what a save sets
off beyond its revision (review sampling, claims, double labelling), is `labeller_edits`,
which every caller goes through.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from workbench import store
from workbench.core.messages import t
from workbench.core.records import (
    Edit,
    InvalidEdit,
    Project,
    Recording,
    Revision,
    Segment,
    SegmentView,
    Status,
    Word,
    check_bounds,
    clean_text,
)
from workbench.core.workbench import Workbench
from workbench.labelling.flags import after_human_edit
from workbench.labelling.history import draft_of
from workbench.text.clean import strip_controls

MIN_PART = 0.05  # seconds: neither side of a split may be shorter


def name(segment_id: int) -> str:
    """How the editor names a segment, in its header and every message: "#12"."""
    return f"#{segment_id}"


@dataclass(frozen=True)
class Target:
    """A segment the acting user was cleared to edit (see `labeller_edits.cleared`): the
    segment as it is, their name (the revision's author) and its project (read once per edit)."""

    view: SegmentView
    author: str
    project: Project


def live(target: Target) -> Target:
    """`target`, for an edit of a segment that is not deleted: editing a deleted one would
    bring it back without the checks of `undo_delete`."""
    if target.view.segment.status is Status.DELETED:
        raise InvalidEdit(
            t(
                "segment {name} is deleted: undo the delete to edit it",
                name=name(target.view.segment.id),
            )
        )
    return target


def checked(target: Target, edit: Edit) -> Edit:
    """The acting user's edit of a live `target` as it would be stored: text NFC-normalised,
    bounds checked, and the draft's flags re-evaluated against the text
    (`flags.after_human_edit`). A labeller's save never approves or rejects (only a review
    does, see `review.verdicts`): InvalidEdit for those statuses.
    """
    view = live(target).view
    if edit.status in REVIEWED:
        raise InvalidEdit(f"only a review may make a segment {edit.status.value}")
    start, end = check_bounds(edit.start, edit.end, view.recording.duration)
    edit = tidy(edit, start, end)
    flags = after_human_edit(view.segment.flags, view.draft.text if view.draft else None, edit.text)
    return replace(edit, flags=flags)


def revise(wb: Workbench, target: Target, version: int, edit: Edit) -> Revision:
    """Write `edit` (see `checked`) as the segment's new revision, by the target's author;
    StaleEdit when someone saved it since `version`."""
    return store.apply_edit(wb.db, target.view.segment.id, version, edit, target.author)


def tidy(edit: Edit, start: float, end: float) -> Edit:
    """An edit as stored, with checked bounds: text and speaker cleaned (`clean_text`: no
    control characters or bidi overrides, one line), tags sorted, the comment without control
    characters (its lines kept) and at most 2000 characters."""
    comment = strip_controls(edit.comment, keep_newlines=True).strip()[:2000]
    return replace(
        edit,
        text=clean_text(edit.text),
        start=start,
        end=end,
        speaker=clean_text(edit.speaker or "") or None,
        tags=tuple(sorted(set(edit.tags))),
        comment=comment,
    )


REVIEWED = (Status.APPROVED, Status.REJECTED)  # statuses only a review sets


def after_labelling(status: Status) -> Status:
    """The status a labeller's change leaves: a reviewed segment is 'labeled' again."""
    return Status.LABELLED if status in REVIEWED else status


def split_text(
    text: str, words: list[Word], start: float, end: float, at: float
) -> tuple[str, str]:
    """Split `text` at time `at`, at the word boundary nearest to it.

    With word timings whose words make up the text, the words whose middle lies before `at` go
    left. When the text was edited since (its words differ), the same share of its words goes
    left; without timings, the share of time.
    """
    tokens = text.split()
    if words:
        left_count = sum(1 for w in words if (w.start + w.end) / 2 < at)
        if [w.word.strip() for w in words] == tokens:
            k = left_count
        else:
            k = round(len(tokens) * left_count / len(words))
    else:
        k = round(len(tokens) * (at - start) / max(end - start, 1e-9))
    k = max(0, min(len(tokens), k))
    return " ".join(tokens[:k]), " ".join(tokens[k:])


def split_at(wb: Workbench, target: Target, version: int, at: float, text: str) -> int:
    """Split a live segment at `at` seconds; returns the new (right-hand) segment's id."""
    view = live(target).view
    seg, segment_id = view.segment, view.segment.id
    at = round(at, 3)
    if not (seg.start + MIN_PART <= at <= seg.end - MIN_PART):
        raise InvalidEdit(
            t(
                "put the cursor inside the segment ({start}–{end} s) to split it",
                start=f"{seg.start:.2f}",
                end=f"{seg.end:.2f}",
            )
        )
    words = view.draft.words if view.draft else []
    left_text, right_text = split_text(clean_text(text), words, seg.start, seg.end, at)
    base = draft_of(store.list_revisions(wb.db, segment_id))
    left_draft, right_draft = (
        split_text(base, words, seg.start, seg.end, at) if base is not None else (None, None)
    )
    # both halves keep the status: a split draft is still a draft to correct
    common: dict[str, Any] = dict(
        status=after_labelling(seg.status), speaker=seg.speaker, tags=seg.tags, op="split"
    )
    return store.split(
        wb.db,
        segment_id,
        version,
        Edit(left_text, seg.start, at, comment=seg.comment, draft=left_draft, **common),
        Edit(right_text, at, seg.end, draft=right_draft, **common),
        target.author,
    )


def merge_next(wb: Workbench, target: Target, version: int, text: str) -> int:
    """Merge a live segment with the next one in its recording; returns the next one's id."""
    view = live(target).view
    segment_id = view.segment.id
    _, after = store.adjacent(wb.db, view.segment)
    if after is None:
        raise InvalidEdit(t("this is the last segment of the recording: nothing to merge with"))
    seg = view.segment
    drafts = [draft_of(store.list_revisions(wb.db, i)) for i in (segment_id, after["id"])]
    draft = (
        clean_text(" ".join(d or "" for d in drafts))
        if any(d is not None for d in drafts)
        else None
    )
    merged = Edit(
        clean_text(f"{text} {after['text'] or ''}"),
        seg.start,
        max(seg.end, after["end"]),
        after_labelling(seg.status),
        seg.speaker,
        seg.tags,
        seg.comment,
        op="merge",
        draft=draft,
    )
    store.merge(
        wb.db, (segment_id, version), (after["id"], after["version"]), merged, target.author
    )
    return after["id"]


def delete(wb: Workbench, target: Target, version: int) -> Revision:
    """Mark a segment deleted (kept in history; `undo_delete` brings it back). Refused for a
    segment deleted already: a second delete would hide how it went (a merge, which undo
    must not reverse)."""
    seg = target.view
    if seg.segment.status is Status.DELETED:
        raise InvalidEdit(t("segment {name} is deleted already", name=name(seg.segment.id)))
    edit = _edit_of(seg.latest, seg.segment, status=Status.DELETED, op="delete")
    return revise(wb, target, version, edit)


def undo_delete(wb: Workbench, target: Target, version: int) -> Revision:
    """Bring a deleted segment back with the status it had before.

    Refused (InvalidEdit) when that would put the same audio in two live segments: the segment
    was merged into its neighbour (the neighbour holds its text and time now), or a live
    segment has grown over its time since it was deleted. Refusing keeps every second of audio,
    and so every word, in at most one segment, which a silent repair could not promise.
    """
    view = target.view
    seg = view.segment
    if seg.status is not Status.DELETED:
        raise InvalidEdit(t("segment {name} is not deleted", name=name(seg.id)))
    _refuse_overlaps(wb, seg, seg.start, seg.end, since=view.latest)
    history = store.list_revisions(wb.db, seg.id)
    before = next((r for r in reversed(history[:-1]) if r.status != Status.DELETED.value), None)
    status = after_labelling(Status(before.status)) if before and before.status else Status.DRAFTED
    edit = _edit_of(view.latest, view.segment, status=status, op="undelete")
    return revise(wb, target, version, edit)


def restore(wb: Workbench, target: Target, version: int, n: int) -> Revision:
    """Make revision `n`'s text, bounds, speaker and tags current again, as a new revision.

    Refused, as `undo_delete` is, when its bounds would overlap a live segment anew.
    """
    seg = target.view.segment
    history = {r.n: r for r in store.list_revisions(wb.db, seg.id)}
    if n not in history:
        raise InvalidEdit(f"segment {name(seg.id)} has no revision {n}")
    old = history[n]
    deleted = seg.status is Status.DELETED
    _refuse_overlaps(wb, seg, old.start, old.end, since=history[max(history)] if deleted else None)
    edit = Edit(
        old.text,
        old.start,
        old.end,
        Status.LABELLED,
        old.speaker if old.op else seg.speaker,
        old.tags if old.op else seg.tags,
        old.comment if old.op else seg.comment,
        op="restore",
    )
    return revise(wb, target, version, edit)


def _refuse_overlaps(
    wb: Workbench, seg: Segment, start: float, end: float, since: Revision | None
) -> None:
    """InvalidEdit when `seg` at [start, end) would overlap a live segment it does not overlap
    now (a live `seg`), or did not overlap when it was deleted by `since` (a deleted one); or
    when `since` merged it into its neighbour, which holds its text and time since.

    Overlaps that were there already (two speakers talking at once, two channels) stay allowed.
    """
    if since is not None and since.op == "merged":
        raise InvalidEdit(
            f"segment {name(seg.id)} was merged into the segment before it, which "
            "holds its text and time now: split that one to bring it back"
        )
    before = since.id if since is not None else None
    # a deleted segment brought back: only what overlapped it (its bounds when deleted) then
    clashes = store.live_overlaps(
        wb.db, seg.recording_id, start, end, seg.id, before, then=(seg.start, seg.end)
    )
    if since is None and seg.status is not Status.DELETED:
        already = {
            c["id"]
            for c in store.live_overlaps(wb.db, seg.recording_id, seg.start, seg.end, seg.id)
        }
        clashes = [c for c in clashes if c["id"] not in already]
    if clashes:
        other = clashes[0]
        raise InvalidEdit(
            t(
                "segment {name} ({start}–{end} s) would overlap segment {other} "
                "({other_start}–{other_end} s), which covers that audio now: shorten or "
                "delete that one first",
                name=name(seg.id),
                start=f"{start:.2f}",
                end=f"{end:.2f}",
                other=name(other["id"]),
                other_start=f"{other['start']:.2f}",
                other_end=f"{other['end']:.2f}",
            )
        )


def _edit_of(rev: Revision | None, seg, status: Status, op: str) -> Edit:
    return Edit(
        rev.text if rev else "",
        seg.start,
        seg.end,
        status,
        seg.speaker,
        seg.tags,
        seg.comment,
        op=op,
    )


MIN_ADDED = 0.1  # seconds: a segment added in a gap is at least this long


def add_segment(wb: Workbench, recording: Recording, author: str, start: float, end: float) -> int:
    """Add an empty segment (status 'new', op 'add', by `author`) over [start, end) of a
    recording, where speech no segment covers was found; returns its id. Refused (InvalidEdit)
    outside the recording, under MIN_ADDED seconds, or over a live segment."""
    start, end = check_bounds(start, end, recording.duration)
    if end - start < MIN_ADDED:
        raise InvalidEdit(t("a new segment is at least {s} s long", s=f"{MIN_ADDED:.1f}"))
    clashes = store.live_overlaps(wb.db, recording.id, start, end, exclude_id=-1)
    if clashes:
        other = clashes[0]
        raise InvalidEdit(
            t(
                "{start}–{end} s overlaps segment {other} ({other_start}–{other_end} s): "
                "pick a gap",
                start=f"{start:.2f}",
                end=f"{end:.2f}",
                other=name(other["id"]),
                other_start=f"{other['start']:.2f}",
                other_end=f"{other['end']:.2f}",
            )
        )
    return store.add_segment(
        wb.db, recording.id, Edit("", start, end, Status.NEW, op="add"), author
    )


def new_overlaps(wb: Workbench, seg_id: int, start: float, end: float) -> list[str]:
    """A warning per live neighbour that [start, end) overlaps and the segment's current
    bounds do not (overlaps there already, e.g. two speakers, are not repeated)."""
    seg = store.get_segment(wb.db, seg_id)
    start, end = round(start, 3), round(end, 3)
    if (start, end) == (round(seg.start, 3), round(seg.end, 3)):
        return []  # bounds unchanged: no new overlap (the hot path costs one lookup)
    clashes = store.live_overlaps(wb.db, seg.recording_id, start, end, seg_id)
    if clashes:
        before = {
            c["id"]
            for c in store.live_overlaps(wb.db, seg.recording_id, seg.start, seg.end, seg_id)
        }
        clashes = [c for c in clashes if c["id"] not in before]
    return [
        t(
            "Segment {name} would overlap segment {other} ({other_start}–{other_end} s) by "
            "{by} s: save again to keep the overlap (two speakers), or move the boundary.",
            name=name(seg_id),
            other=name(c["id"]),
            other_start=f"{c['start']:.2f}",
            other_end=f"{c['end']:.2f}",
            by=f"{min(end, c['end']) - max(start, c['start']):.2f}",
        )
        for c in clashes
    ]
