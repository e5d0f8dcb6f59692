"""The editor's queue: which segment it shows (the filter, the order, a pinned segment, claims
taken on the way) and that segment's neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench import store
from workbench.core.access import Action, allowed, require
from workbench.core.records import Project, QueueFilter, Role, SegmentView, Status
from workbench.core.workbench import Workbench
from workbench.crowd import claims as crowd_claims
from workbench.crowd import qualification


@dataclass(frozen=True)
class EditorState:
    """What the editor shows: the segment, its place in the queue, its neighbours in time."""

    view: SegmentView
    index: int
    total: int
    previous: int | None
    following: int | None
    before: dict | None  # the segment just before in its recording: id, start, end, text...
    after: dict | None
    claim: crowd_claims.Claim | None = None  # someone else holds it: shown, not editable
    pinned: bool = False  # shown although it has left the filter (just saved, restored...)


def open_segment(
    wb: Workbench,
    project_id: int,
    shown: int | None,
    queue: QueueFilter,
    pinned: int | None = None,
    counted: bool = True,
    known: EditorState | None = None,
) -> EditorState | None:
    """The segment to show: `shown` if it still matches the filter, else the next that does.

    `pinned` (the segment just saved, restored or refused as stale) is shown when it is
    `shown` even if it has left the filter, between the queue's segments around its place,
    so a typo can be fixed after Ctrl+Enter and the queue's end does not walk backwards.
    None when no segment matches (and none is pinned). Checks that the acting user may see the
    project. Where the project hands out claims (see `assignment`), the segment is one the user
    holds or has just claimed, or one someone else holds (then `claim` says who; it is not
    editable); None when nothing can be handed out (`crowd_claims.why_idle` says why). A
    labeller's queue leaves gold segments out, and a gold neighbour's text is not shown: it is
    the answer (`qualifying`). Not `counted`: the queue is not counted (`index` and `total`
    are 0, `previous` None), for the editor's window, which needs none of them. `known`: this
    segment as the editor's window opened it, found at the same version and held by no one
    else a moment ago (`window.unchanged`): when it is the pinned one shown, it is not
    opened again; its place in the queue and its neighbours are.
    """
    user = require(wb, Action.VIEW, project_id)
    gold = store.gold_ids(wb.db, project_id) if qualification.crowd_rules_apply(user) else set()
    hide = bool(gold)  # the filter costs a lookup a row: only where there is gold
    if shown in gold:  # a link, or the test's last item: never open to a labeller
        shown = None
    if pinned in gold:
        pinned = None
    if pinned is not None and store.project_of_segment(wb.db, pinned) != project_id:
        pinned = None  # a link to another project's segment opens this project's queue
    claim = None
    project = handing_out(wb, project_id)
    if known is not None and (known.view.segment.id != shown or pinned != shown):
        known = None
    if project is not None:
        step = _claimed(wb, project, shown, pinned, queue, hide, counted, known is not None)
        if step is None:
            return None
        shown, claim, nav = step
    else:
        rejected = _rejected_first(wb, project_id, shown, queue, user.name, hide)
        nav = rejected or _position(wb, project_id, shown, queue, hide, counted)
    held = pinned is not None and pinned == shown and nav["current"] != shown
    if held and pinned is not None:
        nav = _around(nav, pinned)
    if nav["current"] is None:
        return None
    view = known.view if known is not None and nav["current"] == shown else None
    return _state(wb, nav, gold, claim, held, view)


def handing_out(wb: Workbench, project_id: int) -> Project | None:
    """The project, when it hands out claims to the acting user: a labeller (an owner or a
    reviewer browsing the editor takes none) in a project whose assignment is not off."""
    user = wb.actor
    if user.role is not Role.LABELLER or not allowed(user, Action.LABEL):
        return None
    project = store.get_project(wb.db, project_id)
    return project if project.assignment != "off" else None


def _claimed(
    wb: Workbench,
    project: Project,
    shown: int | None,
    pinned: int | None,
    queue: QueueFilter,
    hide: bool,
    counted: bool,
    known: bool,
) -> tuple[int, crowd_claims.Claim | None, dict] | None:
    """`open_segment`'s segment, someone else's claim on it and its step in the queue, in a
    project handing out claims to the acting labeller; None when nothing can be handed out.
    `known`: the segment is the window's, held by no one else a moment ago."""
    if pinned is not None and pinned == shown:  # saved, restored, refused: it stays
        # (its claim went with the save)
        claim = None if known else crowd_claims.blocking_claim(wb, shown, project)
        return shown, claim, _position(wb, project.id, shown, queue, hide, counted)
    taken, claim, step = crowd_claims.take(wb, project.id, shown, queue)
    if taken is None:
        return None
    if step is not None and not counted and not hide:  # take looked it up (the window's)
        nav = step
    else:
        nav = _position(wb, project.id, taken, queue, hide, counted)
    if nav["current"] != taken:  # someone else's, outside this queue
        nav = dict(nav, current=taken, previous=None, next=None)
    return taken, claim, nav


def _state(
    wb: Workbench,
    nav: dict,
    gold: set[int],
    claim: crowd_claims.Claim | None,
    held: bool,
    view: SegmentView | None = None,
) -> EditorState:
    """The editor's state for the segment `nav` points at (its `view` when known); a gold
    neighbour's text is not shown (`gold` is empty where nothing is hidden)."""
    view = view or store.segment_view(wb.db, nav["current"])
    before, after = store.adjacent(wb.db, view.segment)
    if gold and (before or after):
        before, after = (None if side and side["id"] in gold else side for side in (before, after))
    return EditorState(
        view,
        nav["index"] or 0,  # None: not counted (the window's steps)
        nav["total"] or 0,
        nav["previous"],
        nav["next"],
        before,
        after,
        claim,
        pinned=held,
    )


def _around(nav: dict, pinned: int) -> dict:
    """The queue step for a segment outside the filter, from the step the queue gave for its
    place (the first segment at or after it, or the last one when it is past the end)."""
    if nav["current"] is None:  # the filter is empty now
        return {"current": pinned, "previous": None, "next": None, "index": 0, "total": 0}
    if nav.get("past_end"):
        return {
            "current": pinned,
            "previous": nav["current"],
            "next": None,
            "index": nav["total"],
            "total": nav["total"],
        }
    return {
        "current": pinned,
        "previous": nav["previous"],
        "next": nav["current"],
        "index": nav["index"],
        "total": nav["total"],
    }


def _position(
    wb: Workbench,
    project_id: int,
    shown: int | None,
    queue: QueueFilter,
    without_gold: bool = False,
    counted: bool = True,
) -> dict:
    return store.queue_position(
        wb.db,
        project_id,
        shown,
        queue.recording_id,
        list(queue.statuses),
        flagged_only=queue.flagged_only,
        order=queue.order,
        without_gold=without_gold,
        counted=counted,
    )


def _rejected_first(
    wb: Workbench,
    project_id: int,
    shown: int | None,
    queue: QueueFilter,
    name: str,
    without_gold: bool = False,
) -> dict | None:
    """The queue step when segments a reviewer gave back to `name` come first, else None.

    They come first when the editor opens (nothing shown yet) and while one of them is shown;
    the last one's "next" is the first other segment of the queue.
    """
    if Status.REJECTED.value not in queue.statuses or queue.flagged_only:
        return None
    mine = store.rejected_for(wb.db, project_id, name, queue.recording_id)
    if not mine or (shown is not None and shown not in mine):
        return None
    i = mine.index(shown) if shown in mine else 0
    rest = _position(wb, project_id, None, queue, without_gold)
    if i + 1 < len(mine):
        following = mine[i + 1]
    else:  # the first segment of the queue not given back
        following = rest["current"]
        while following is not None and following in mine:
            following = _position(wb, project_id, following, queue, without_gold)["next"]
    return {
        "current": mine[i],
        "previous": mine[i - 1] if i else None,
        "next": following,
        "index": i,
        "total": rest["total"],
    }


def given_back(wb: Workbench, project_id: int) -> list[int]:
    """The acting user's segments a reviewer rejected (given back to them), in time order."""
    user = require(wb, Action.VIEW, project_id)
    return store.rejected_for(wb.db, project_id, user.name)
