"""The end of the editor's queue: say that the filter's work is done, and what is next."""

from __future__ import annotations

from dataclasses import dataclass

from workbench import store
from workbench.core.access import Action, require
from workbench.core.messages import status_name, t
from workbench.core.records import TODO, QueueFilter, Status
from workbench.core.workbench import Workbench

__all__ = ["QueueEnd", "queue_end", "describe"]


@dataclass(frozen=True)
class QueueEnd:
    """What the filter's recordings hold once its queue is empty."""

    live: int  # segments (not deleted) in the filter's recordings
    by_status: dict[str, int]
    others: tuple[tuple[str, int], ...]  # other recordings with segments to do: name, count
    deleted: int = 0  # deleted segments in the filter's recordings


def queue_end(wb: Workbench, project_id: int, queue: QueueFilter) -> QueueEnd:
    """Counts for the end of `queue`, for whoever may see the project."""
    require(wb, Action.VIEW, project_id)
    counts = store.counts_by_recording(wb.db, project_id)
    names = {r.id: r.original_name for r in store.list_recordings(wb.db, project_id)}
    mine = [queue.recording_id] if queue.recording_id is not None else list(names)
    by_status: dict[str, int] = {}
    for rec in mine:
        for status, n in counts.get(rec, {}).items():
            by_status[status] = by_status.get(status, 0) + n
    deleted = by_status.pop(Status.DELETED.value, 0)
    others = tuple(
        (names[rec], todo)
        for rec in names
        if rec not in mine
        for todo in [sum(counts.get(rec, {}).get(s, 0) for s in TODO)]
        if todo
    )
    return QueueEnd(sum(by_status.values()), by_status, others, deleted)


def describe(end: QueueEnd, queue: QueueFilter) -> tuple[str, list[str]]:
    """The headline and what is next, as plain text (recording names are user text)."""
    todo_filter = set(queue.statuses) <= set(TODO) and bool(queue.statuses)
    if end.live == 0 and end.deleted and Status.DELETED.value not in queue.statuses:
        return (
            t("Every segment here is deleted ({n}).", n=end.deleted),
            [
                t(
                    "Add 'deleted' to the Status filter to open one: Alt+Z brings it back, and "
                    "the speech no segment covers is listed under it, to add segments anew."
                )
            ],
        )
    if end.live == 0:
        return t("No segments match. Draft some recordings, or widen the filters."), []
    left = sum(end.by_status.get(s, 0) for s in TODO)
    if todo_filter and left == 0:
        head = (
            t("The one segment of this filter is labelled.")
            if end.live == 1
            else t("All {n} segments of this filter are labelled.", n=end.live)
        )
    elif todo_filter and queue.flagged_only:
        head = t("No flagged segment of this filter is left to do ({n} unflagged are).", n=left)
    else:
        head = t("No segments match this filter.")
    nexts = []
    review = [
        f"{end.by_status[s]} {status_name(s)}"
        for s in (Status.LABELLED.value, Status.PASSED.value, Status.APPROVED.value)
        if end.by_status.get(s)
    ]
    if review:
        nexts.append(
            t("Review state: {counts} (labeled ones wait for review).", counts=", ".join(review))
        )
    if queue.flagged_only:
        nexts.append(t("Turn off 'Flagged only' to see the rest."))
    if not todo_filter:
        nexts.append(t("Widen the Status filter to see more."))
    if end.others:
        listed = ", ".join(f"{name} ({n})" for name, n in end.others[:5])
        if len(end.others) > 5:
            listed += " " + t("and {n} more", n=len(end.others) - 5)
        nexts.append(
            t(
                "Other recordings with work left: {listed}: pick one in the Recording filter, "
                "or choose all recordings.",
                listed=listed,
            )
        )
    return head, nexts
