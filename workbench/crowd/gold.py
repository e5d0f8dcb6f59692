"""Gold segments: the owner marks a segment's reference text; a labeller meets it blind as
hidden gold (when it is due is `crowd.rules.gold_due`; which step comes next is
`crowd.qualification.next_step`).
"""

from __future__ import annotations

from workbench import store
from workbench.core.access import Action, require
from workbench.core.errors import WorkbenchError
from workbench.core.records import clean_text
from workbench.core.workbench import Workbench
from workbench.crowd.qualification import _segment


def mark_gold(
    wb: Workbench,
    segment_id: int,
    text: str | None = None,
    in_test: bool = False,
    project_id: int | None = None,
) -> None:
    """An owner makes a segment gold with its reference transcript (by default the segment's
    current text), in the qualification test or not; `project_id` names the project it must
    be in."""
    view = _segment(wb, segment_id, project_id)
    owner = require(wb, Action.SETTINGS, view.recording.project_id)
    reference = clean_text(view.text if text is None else text)
    if not reference:
        raise WorkbenchError(f"segment {segment_id}: a gold segment needs its reference text")
    if view.segment.status.value == "deleted":
        raise WorkbenchError(f"segment {segment_id} is deleted")
    store.set_gold(wb.db, view.recording.project_id, segment_id, reference, in_test, owner.name)
    store.log_event(
        wb.db,
        owner.name,
        "gold set",
        view.recording.project_id,
        {"segment_id": segment_id, "in_test": bool(in_test)},
    )


def unmark_gold(wb: Workbench, segment_id: int, project_id: int | None = None) -> None:
    """An owner takes a segment out of gold (the answers given on it stay)."""
    view = _segment(wb, segment_id, project_id)
    owner = require(wb, Action.SETTINGS, view.recording.project_id)
    if not store.drop_gold(wb.db, segment_id):
        raise WorkbenchError(f"segment {segment_id} is not gold")
    store.log_event(
        wb.db, owner.name, "gold removed", view.recording.project_id, {"segment_id": segment_id}
    )


def gold_list(wb: Workbench, project_id: int) -> list[dict]:
    """A project's gold segments (owners)."""
    require(wb, Action.SETTINGS, project_id)
    return store.list_gold(wb.db, project_id)
