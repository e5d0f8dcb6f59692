"""Double labelling: which saved segments are drawn for a blind second label, and the second label
itself (the draw's pure rule is `crowd.rules.drawn_twice`).
"""

from __future__ import annotations

from workbench import store
from workbench.core.access import Action, require
from workbench.core.records import Project
from workbench.core.workbench import Workbench
from workbench.crowd.rules import drawn_twice


def draw_double(wb: Workbench, project: Project, segment_id: int) -> None:
    """Keep a labelled segment as drawn for double labelling when the draw takes it (called
    by every labeller save while the project's double share is above 0)."""
    if project.double_share > 0 and drawn_twice(segment_id, project):
        store.draw_doubles(wb.db, project.id, [segment_id])


def redraw_doubles(wb: Workbench, project: Project) -> int:
    """Draw the project's segments for double labelling anew at its double share (after the
    share changed); drawn segments already labelled twice stay. Returns how many are drawn."""
    drawn = [i for i in store.project_segment_ids(wb.db, project.id) if drawn_twice(i, project)]
    store.draw_doubles(wb.db, project.id, drawn, replace=True)
    return len(drawn)


def second_label(wb: Workbench, segment_id: int) -> dict | None:
    """The blind second label of a segment (text, user_name, other, wer, cer, error), for
    reviewers and owners; None without one."""
    view = store.segment_view(wb.db, segment_id)
    require(wb, Action.REVIEW, view.recording.project_id)
    found = store.list_answers(
        wb.db, view.recording.project_id, kind="second", segment_id=segment_id
    )
    return found[-1] if found else None
