"""The editor's action protocol: one action from the component (save, save & next, split, merge,
delete, undelete, add, skip) applied through the use cases, with the outcome the page shows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from workbench import store
from workbench.core.errors import WorkbenchError
from workbench.core.messages import N_, t
from workbench.core.records import Edit, QueueFilter, StaleEdit, Status, clean_text
from workbench.core.workbench import Workbench
from workbench.crowd import claims as crowd_claims
from workbench.labelling.labeller_edits import (
    add_segment,
    claims_project,
    delete,
    merge_next,
    save,
    split_at,
    undo_delete,
)
from workbench.labelling.segment_edits import name, new_overlaps
from workbench.text import has_errors, lint

SEGMENT_TAGS = (  # marked for the catalogue: the editor shows them in the reader's language
    N_("noise"),
    N_("music"),
    N_("overlap"),
    N_("unintelligible"),
    N_("foreign language"),
)


@dataclass(frozen=True)
class Outcome:
    """What an editor action did: a message for the labeller and where to go next.

    go_to: the segment to show next (None: stay); pin: show it even if it has left the filter
    (the segment just saved or restored). confirm: set when a save was held back (convention
    errors, a new overlap); saving the same text and bounds again goes through. mine/theirs:
    a save refused as stale, the labeller's text and the newer one, to merge by hand.
    """

    kind: str  # 'success' | 'error' | 'warning' | 'none'
    message: str = ""
    go_to: int | None = None
    confirm: str | None = None
    pin: bool = False
    mine: str | None = None
    theirs: str | None = None


def text_token(text: str) -> str:
    """A short fingerprint of a text, to recognise 'save the same text anyway'."""
    return hashlib.sha1(clean_text(text).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Beside:
    """The fields beside the text box as the page shows them, for the segment on screen."""

    speaker: str | None = None
    tags: tuple[str, ...] = ()
    comment: str = ""


def apply_action(
    wb: Workbench,
    action: dict,
    *,
    shown: int,
    beside: Beside = Beside(),
    previous: int | None = None,
    following: int | None = None,
    profile=None,
    lint_blocks: bool = False,
    confirmed: str | None = None,
    queue: QueueFilter | None = None,
    last_deleted: int | None = None,
) -> Outcome:
    """Carry out one action from the editor component, as the acting user.

    `action` holds type, segment_id, version, text, start, end, cursor, active_seconds.
    `shown` is the segment on screen now, `beside` its speaker/tags/comment fields, and
    `previous`/`following` its neighbours in the labeller's queue (the page passes the segment
    just saved as `previous`, so Ctrl+↑ reaches it after it left the filter). When the action
    names another segment (the browser acted on one that has since left the queue, e.g. saved
    from a second tab), that segment keeps its own speaker, tags and comment, and "next" comes
    back to the one on screen. With `queue` (the editor's filter) in a project handing out
    claims, "next" (a skip) and "save & next" release the segment and claim the next
    (`assignment`). "undelete" of a live segment undoes the delete of `last_deleted` (Alt+Z
    right after Alt+Delete, when the editor shows the next segment); "add" makes a new
    segment over [start, end) in the recording of the segment named.
    """
    kind, seg_id, version = action["type"], int(action["segment_id"]), int(action["version"])
    if kind == "undelete":
        return _undelete(wb, seg_id, version, last_deleted)
    if kind == "add":
        return _add(wb, seg_id, action)
    if seg_id != shown:  # acted on another segment: it keeps its own fields
        beside, previous, following = _own_fields(wb, seg_id), None, shown
    claims_in = claims_project(wb, seg_id) if queue is not None and seg_id == shown else None
    try:
        with store.refused_while_locked():  # another process's lock: nothing done
            if kind == "prev":
                return Outcome("none", go_to=previous, pin=True)
            if kind == "next":
                return _next(wb, seg_id, following, claims_in, queue)
            if kind in ("save", "save_next"):
                return _save(
                    wb,
                    action,
                    kind,
                    seg_id,
                    version,
                    beside,
                    following,
                    claims_in,
                    queue,
                    held=lambda text, start, end: _hold(
                        wb, seg_id, text, start, end, profile, lint_blocks, confirmed
                    ),
                )
            return _change(wb, action, kind, seg_id, version, following)
    except (WorkbenchError, ValueError, PermissionError) as exc:
        return Outcome("error", t("Not saved: ") + str(exc))


def _own_fields(wb: Workbench, seg_id: int) -> Beside:
    """A segment's own speaker, tags and comment."""
    own = store.get_segment(wb.db, seg_id)
    return Beside(own.speaker, own.tags, own.comment)


def _next(
    wb: Workbench,
    seg_id: int,
    following: int | None,
    claims_in: int | None,
    queue: QueueFilter | None,
) -> Outcome:
    """Move on without saving: to the next segment of the queue, or, where the project hands
    out claims, to the next one claimed (the skipped one released)."""
    if claims_in is None or queue is None:
        return Outcome("none", go_to=following)
    handed = crowd_claims.skip(wb, claims_in, seg_id, queue)
    if handed.segment_id == seg_id:
        return Outcome("warning", t("No other segment is free for you now."), go_to=seg_id)
    return Outcome(
        "none" if handed.segment_id else "warning", handed.reason, go_to=handed.segment_id
    )


def _change(
    wb: Workbench, action: dict, kind: str, seg_id: int, version: int, following: int | None
) -> Outcome:
    """Split, merge or delete the segment."""
    text = action.get("text", "")
    if kind == "split":
        new_id = split_at(wb, seg_id, version, float(action["cursor"]), text)
        return Outcome(
            "success",
            t(
                "Split segment {name}; the second half is {second}.",
                name=name(seg_id),
                second=name(new_id),
            ),
            go_to=seg_id,
        )
    if kind == "merge":
        other = merge_next(wb, seg_id, version, text)
        return Outcome(
            "success",
            t("Merged segment {other} into {name}.", other=name(other), name=name(seg_id)),
            go_to=seg_id,
        )
    if kind == "delete":
        delete(wb, seg_id, version)
        return Outcome(
            "success",
            t("Deleted segment {name}. Alt+Z (or Undo delete) brings it back.", name=name(seg_id)),
            go_to=following,
        )
    return Outcome("error", f"unknown editor action {kind!r}")


def _save(
    wb: Workbench,
    action: dict,
    kind: str,
    seg_id: int,
    version: int,
    beside: Beside,
    following: int | None,
    claims_in: int | None,
    queue: QueueFilter | None,
    held,
) -> Outcome:
    """Save (and for 'save_next' move on); a stale save stays on its segment with both texts."""
    text = action.get("text", "")
    start, end = float(action["start"]), float(action["end"])
    current = store.get_segment(wb.db, seg_id).version == version
    hold = held(text, start, end) if current else None  # a stale save is refused as such first
    if hold is not None:
        return hold
    edit = Edit(
        text,
        start,
        end,
        Status.LABELLED,
        beside.speaker,
        tuple(beside.tags),
        beside.comment,
        active_seconds=float(action.get("active_seconds") or 0.0),
    )
    try:
        rev = save(wb, seg_id, version, edit)
    except StaleEdit as exc:
        return Outcome(
            "error",
            t(
                "Not saved: segment {name} was saved since you opened it (another tab or "
                "person; your version {version}, now {current}). Your text is in the box and "
                "the newer text beside it: merge them by hand and save again.",
                name=name(seg_id),
                version=version,
                current=exc.current_version,
            ),
            go_to=seg_id,
            pin=True,
            mine=text,
            theirs=exc.current_text,
        )
    message = t("Saved segment {name} (revision {n}).", name=name(seg_id), n=rev.n)
    if kind == "save_next" and claims_in is not None and queue is not None:
        handed = crowd_claims.claim_next(wb, claims_in, queue, after=seg_id)
        why = f" {handed.reason[:1].upper()}{handed.reason[1:]}." if handed.reason else ""
        return Outcome("success", message + why, go_to=handed.segment_id or seg_id)
    if kind == "save_next" and following is not None:
        return Outcome("success", message, go_to=following)
    if kind == "save_next":  # the queue's end: stay, never walk back to an earlier one
        return Outcome(
            "success",
            message + " " + t("That was the last segment of this filter."),
            go_to=seg_id,
            pin=True,
        )
    return Outcome("success", message, go_to=seg_id, pin=True)


def _undelete(wb: Workbench, seg_id: int, version: int, last_deleted: int | None) -> Outcome:
    """Undo a delete: of the segment named if it is deleted, else of `last_deleted`."""
    try:
        if store.get_segment(wb.db, seg_id).status is not Status.DELETED:
            if last_deleted is None:
                return Outcome(
                    "error", t("Segment {name} is not deleted: nothing to undo.", name=name(seg_id))
                )
            seg_id, version = last_deleted, store.get_segment(wb.db, last_deleted).version
        with store.refused_while_locked():
            undo_delete(wb, seg_id, version)
    except (WorkbenchError, ValueError, PermissionError) as exc:
        return Outcome("error", t("Not restored: ") + str(exc))
    return Outcome(
        "success", t("Segment {name} is back.", name=name(seg_id)), go_to=seg_id, pin=True
    )


def _add(wb: Workbench, seg_id: int, action: dict) -> Outcome:
    """A new segment over the action's [start, end) in the recording of segment `seg_id`."""
    try:
        recording_id = store.get_segment(wb.db, seg_id).recording_id
        with store.refused_while_locked():
            new_id = add_segment(wb, recording_id, float(action["start"]), float(action["end"]))
    except (WorkbenchError, ValueError, PermissionError, KeyError, TypeError) as exc:
        return Outcome("error", t("Not added: ") + str(exc))
    return Outcome(
        "success",
        t(
            "Added segment {name} ({start}–{end} s): type what is said, or draft it with Whisper.",
            name=name(new_id),
            start=f"{float(action['start']):.2f}",
            end=f"{float(action['end']):.2f}",
        ),
        go_to=new_id,
        pin=True,
    )


def save_token(text: str, start: float, end: float) -> str:
    """A fingerprint of a save (text and bounds), to recognise 'save the same again'."""
    return text_token(f"{clean_text(text)}|{round(start, 3)}|{round(end, 3)}")


def _hold(
    wb: Workbench,
    seg_id: int,
    text: str,
    start: float,
    end: float,
    profile,
    lint_blocks: bool,
    confirmed: str | None,
) -> Outcome | None:
    """An outcome that holds a save back (convention errors; a boundary over a neighbour it
    did not overlap before), or None to go on. Held saves go through when saved again with
    the same text and bounds (`confirmed` is then their `save_token`)."""
    notes = []
    findings = lint(clean_text(text), profile) if profile is not None else []
    if has_errors(findings):
        errors = sum(f.level == "error" for f in findings)
        if lint_blocks:
            return Outcome(
                "error",
                t(
                    "Not saved: {n} convention error(s) to fix first (this project does not "
                    "allow saving them).",
                    n=errors,
                ),
            )
        notes.append(
            t(
                "{n} convention error(s), listed below: save again to save anyway, or fix "
                "them first.",
                n=errors,
            )
        )
    notes += new_overlaps(wb, seg_id, start, end)
    if not notes:
        return None
    token = save_token(text, start, end)
    if confirmed == token:
        return None
    return Outcome("warning", " ".join(notes), confirm=token)
