"""Who works on what: a labeller's queue hands out claims so that two people never work on
the same item at once, and owners assign batches to a person and cap a person's share.

A project's `assignment` setting says what one claim takes: 'off' (no claims: everyone steps
through the whole queue, as before), 'segment' or 'recording' (the whole recording, its
segments in turn). A claim lasts the project's `claim_minutes` and is released when the item is
saved (a recording: when its last segment in the queue is saved or passed), skipped, or when it
expires. A labeller's edit of an item someone else holds is refused (`Claimed`). Segments an
owner assigned to a person, and rejected segments (given back to the labeller who last labelled
them), are handed to that person only, the rejected ones first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from workbench import store
from workbench.core.access import Action, allowed, require
from workbench.core.clock import shown
from workbench.core.errors import Kind, NotFound, WorkbenchError
from workbench.core.messages import N_, t
from workbench.core.records import InvalidEdit, Project, QueueFilter, Role, SegmentView
from workbench.core.workbench import Workbench
from workbench.projects.time_zones import my_zone

__all__ = [
    "UNITS",
    "Claim",
    "Claimed",
    "Handed",
    "claim_next",
    "take",
    "skip",
    "release",
    "blocking_claim",
    "check_free",
    "after_save",
    "why_idle",
    "assign",
    "set_cap",
    "workload",
]

UNITS = ("off", "segment", "recording")  # the project setting `assignment`
MAX_CLAIM_MINUTES = 24 * 60
REASONS = {
    "cap": N_("you reached your cap of {cap} segments in this project"),
    "taken": N_("all items left are claimed by others or assigned to someone else"),
    "none": N_("no segments match"),
}


@dataclass(frozen=True)
class Claim:
    """Someone's live claim on an item."""

    user: str
    until: datetime  # naive UTC

    def describe(self, where: tzinfo) -> str:
        """Who holds it and until when, in the zone `where` (the reader's)."""
        return t("claimed by {user} until {time}", user=self.user, time=shown(self.until, where))


class Claimed(InvalidEdit):
    """An edit of an item that someone else holds."""

    kind = Kind.CONFLICT


@dataclass(frozen=True)
class Handed:
    """What the queue handed out: a segment, or None and why (safe to show)."""

    segment_id: int | None
    reason: str = ""


def check_settings(values: dict) -> dict:
    """The assignment settings among `values`, checked (WorkbenchError naming the field)."""
    if "assignment" in values and values["assignment"] not in UNITS:
        raise WorkbenchError(f"assignment: one of {', '.join(UNITS)}, not {values['assignment']!r}")
    if "claim_minutes" in values:
        minutes = values["claim_minutes"]
        if (
            isinstance(minutes, bool)
            or not isinstance(minutes, int)
            or not (1 <= minutes <= MAX_CLAIM_MINUTES)
        ):
            raise WorkbenchError(f"claim_minutes: a whole number of minutes, 1–{MAX_CLAIM_MINUTES}")
    return values


def _project(wb: Workbench, project_id: int) -> Project:
    return store.get_project(wb.db, project_id)


def _filters(queue: QueueFilter) -> dict:
    return {
        "recording_id": queue.recording_id,
        "statuses": list(queue.statuses),
        "flagged_only": queue.flagged_only,
        "order": queue.order,
    }


def claim_next(
    wb: Workbench, project_id: int, queue: QueueFilter, after: int | None = None
) -> Handed:
    """Claim the acting labeller's next item of `queue` (past `after`, a segment skipped).

    The segments they hold already come first, then those given back to them, then the first
    free one. Handed(None, reason) when nothing can be handed out.
    """
    user = require(wb, Action.LABEL, project_id)
    project = _project(wb, project_id)
    if project.assignment == "off":
        raise WorkbenchError("this project hands out no claims (its assignment setting is off)")
    found, why = store.claim_next(
        wb.db,
        project_id,
        user.name,
        project.claim_minutes,
        unit=project.assignment,
        after=after,
        **_filters(queue),
    )
    if found is not None:
        return Handed(found)
    return Handed(None, _reason(wb, project_id, user.name, why))


def claim_ahead(wb: Workbench, project_id: int, queue: QueueFilter, after: int) -> int | None:
    """By segment: claim for the acting labeller the first segment of `queue` past `after`
    that nobody else holds, for the editor's window to hold ahead; None when the project hands
    out no segments, at the person's cap, or when none is left past `after`."""
    user = require(wb, Action.LABEL, project_id)
    project = _project(wb, project_id)
    if project.assignment != "segment":
        return None
    return store.claim_ahead(
        wb.db, project_id, user.name, project.claim_minutes, after=after, **_filters(queue)
    )


def _reason(wb: Workbench, project_id: int, user: str, why: str) -> str:
    return t(REASONS[why], cap=store.get_cap(wb.db, project_id, user))


def take(
    wb: Workbench, project_id: int, shown: int | None, queue: QueueFilter
) -> tuple[int | None, Claim | None, dict | None]:
    """The segment the editor shows in a project handing out claims, and someone else's claim
    on it (then it is shown but not editable); (None, None, None) when nothing can be handed
    out. Third: where `shown` stands in the queue, not counted (`store.queue_position`), when
    it stays because it is still in the queue; else None.

    `shown` stays when the acting user holds it or can claim it (a link, a reload) while it
    still matches the queue, or when someone else holds it; otherwise the next is claimed.
    """
    user = require(wb, Action.LABEL, project_id).name
    project = _project(wb, project_id)
    if shown is not None:
        other = blocking_claim(wb, shown, project)
        if other is not None:
            return shown, other, None
        # whether it is still in the queue; its place is counted by the caller where needed
        nav = store.queue_position(wb.db, project_id, shown, **_filters(queue), counted=False)
        if nav["current"] == shown and store.claim_item(
            wb.db, project_id, shown, user, project.claim_minutes, project.assignment
        ):
            return shown, None, nav
    return claim_next(wb, project_id, queue, after=shown).segment_id, None, None


def skip(wb: Workbench, project_id: int, segment_id: int, queue: QueueFilter) -> Handed:
    """Leave a segment for later: release its claim (by segment) and claim the next one."""
    if _project(wb, project_id).assignment == "segment":
        release(wb, segment_id)
    return claim_next(wb, project_id, queue, after=segment_id)


def release(wb: Workbench, segment_id: int) -> None:
    """Give up the acting user's claim on a segment (by recording: on its recording)."""
    view = store.segment_view(wb.db, segment_id)
    user = require(wb, Action.LABEL, view.recording.project_id).name
    if _project(wb, view.recording.project_id).assignment == "recording":
        store.release(wb.db, user, recording_id=view.recording.id)
    else:
        store.release(wb.db, user, segment_id=segment_id)


def leave(wb: Workbench, project_id: int) -> int:
    """The acting labeller leaves the editor (another page, another project, sign-out): by
    segment, the segments they hold unsaved (the one shown and the window's, claimed ahead) go
    back to the queue at once; by recording the claim stays (the recording is theirs to
    finish). A closed tab tells nobody: its claims expire (`claim_minutes`). How many went."""
    user = require(wb, Action.VIEW, project_id)
    if user.role is not Role.LABELLER or _project(wb, project_id).assignment != "segment":
        return 0
    return store.release_segments(wb.db, project_id, user.name)


def blocking_claim(wb: Workbench, segment_id: int, project: Project | None = None) -> Claim | None:
    """Someone else's live claim on the segment (or its recording) that keeps the acting user
    from editing it; None when assignment is off or the segment is assigned to them."""
    if project is None:
        project_id = store.project_of_segment(wb.db, segment_id)
        if project_id is None:
            raise NotFound(f"segment {segment_id}: there is no such segment")
        project = _project(wb, project_id)
    if project.assignment == "off":
        return None
    found = store.holder(wb.db, segment_id, project.assignment)
    if found is None or found["user_name"] == wb.actor.name:
        return None
    if store.get_segment(wb.db, segment_id).assignee == wb.actor.name:
        return None  # given back to them (a rejection) inside a recording someone else holds
    return Claim(found["user_name"], found["expires_at"])


def check_free(wb: Workbench, view: SegmentView, project: Project) -> None:
    """Refuse (Claimed) a labeller's edit of a segment of `project` that someone else holds."""
    claim = blocking_claim(wb, view.segment.id, project)
    if claim is not None:
        raise Claimed(
            t(
                "segment {segment} is {claim}",
                segment=view.segment.id,
                claim=claim.describe(my_zone(wb, project)),
            )
        )


def after_save(wb: Workbench, view: SegmentView, project: Project, todo: Sequence[str]) -> None:
    """Release the acting user's claim once the item is done: a segment on its save; a
    recording when none of its segments is left to do (`todo`), else its claim is renewed."""
    user = wb.actor.name
    if project.assignment == "segment":
        store.release(wb.db, user, segment_id=view.segment.id)
    elif project.assignment == "recording":
        if store.todo_left(wb.db, view.recording.id, todo):
            store.renew(
                wb.db, project.id, user, project.claim_minutes, recording_id=view.recording.id
            )
        else:
            store.release(wb.db, user, recording_id=view.recording.id)


def why_idle(wb: Workbench, project_id: int, queue: QueueFilter) -> str:
    """Why the editor has nothing to hand the acting user ('' when assignment is off)."""
    user = require(wb, Action.VIEW, project_id)
    project = _project(wb, project_id)
    if project.assignment == "off" or not allowed(user, Action.LABEL):
        return ""
    why = store.why_none(wb.db, project_id, user.name, unit=project.assignment, **_filters(queue))
    return _reason(wb, project_id, user.name, why)


def assign(
    wb: Workbench,
    project_id: int,
    user_name: str | None,
    *,
    segment_ids: Sequence[int] = (),
    recording_id: int | None = None,
    statuses: Sequence[str] = (),
) -> int:
    """An owner hands segments to one person: `segment_ids`, or the segments of a recording
    (with one of `statuses`, if given); None hands them back to anyone. Returns how many.

    The person must be an active account that may label in the project. The assignment counts
    where the project hands out claims (see the module).
    """
    owner = require(wb, Action.ASSIGN, project_id)
    if user_name is not None:
        _labeller(wb, project_id, user_name)
    ids = list(segment_ids)
    if recording_id is not None:
        if store.get_recording(wb.db, recording_id).project_id != project_id:
            raise NotFound(f"recording {recording_id} is not in this project")
        ids += store.segments_of(wb.db, project_id, recording_id, statuses)
    if not ids:
        raise WorkbenchError("name the segments or the recording to assign")
    count = store.assign(wb.db, project_id, ids, user_name)
    store.log_event(
        wb.db,
        owner.name,
        "work assigned",
        project_id,
        {"to": user_name, "segments": count, "recording_id": recording_id},
    )
    return count


def _labeller(wb: Workbench, project_id: int, name: str) -> None:
    """Check that `name` is an active account that may label in the project."""
    found = store.find_user(wb.db, name)
    user = found[0] if found else None
    if user is None or not user.active:
        raise NotFound(f"no active account named {name!r}")
    if user.role is not Role.OWNER and not store.is_member(wb.db, user.account_id, project_id):
        raise WorkbenchError(f"{name} is not a member of this project")


def set_cap(wb: Workbench, project_id: int, user_name: str, cap: int | None) -> None:
    """An owner caps how many segments a person may label in the project (None: no cap).

    The cap counts the segments they labelled and the ones they hold; at the cap they are
    handed only the rejected segments given back to them.
    """
    owner = require(wb, Action.ASSIGN, project_id)
    _labeller(wb, project_id, user_name)
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 0):
        raise WorkbenchError("a cap is a whole number of segments, 0 or more")
    store.set_cap(wb.db, project_id, user_name, cap)
    store.log_event(wb.db, owner.name, "cap set", project_id, {"user": user_name, "cap": cap})


def workload(wb: Workbench, project_id: int, todo: Sequence[str]) -> list[dict]:
    """Per person: segments assigned and still to do, labelled, live claims, and cap."""
    require(wb, Action.REVIEW, project_id)
    return store.workload(wb.db, project_id, todo)
