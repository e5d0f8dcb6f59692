"""What needs a project's owner: the to-dos the Overview lists, each with the page where it
is done. Only what an owner alone can do or should know: labellers and reviewers have their
own queues.

- recordings not drafted yet (Drafts);
- recordings whose draft wrote no segment (Projects: draft them again);
- speech that no segment covers (amber in the Editor: add a segment over it);
- labellers paused by the defect rules or stopped by the qualification test (Team).
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench import store
from workbench.core.access import Action, require
from workbench.core.lengths import audio_length
from workbench.core.records import Project
from workbench.core.workbench import Workbench
from workbench.crowd.qualification import Labeller, labellers
from workbench.labelling.gaps import empty_drafts, project_gaps

NAMED = 3  # recordings named in a to-do; the others are counted


@dataclass(frozen=True)
class Todo:
    """One thing that needs the owner: what, in words (plain text, names included), how many,
    and the page where it is done."""

    what: str
    count: int
    page: str


def owner_todos(wb: Workbench, project: Project) -> list[Todo]:
    """What needs the project's owner now (owners only), most pressing first."""
    require(wb, Action.SETTINGS, project.id)
    todos = []
    undrafted = store.undrafted_recordings(wb.db, project.id)
    if undrafted:
        seconds = sum(r.duration for r in undrafted)
        todos.append(
            Todo(
                f"{len(undrafted)} recording(s) not drafted yet ({audio_length(seconds)} of "
                "audio): start drafts",
                len(undrafted),
                "Drafts",
            )
        )
    empty = empty_drafts(wb, project.id)
    if empty:
        todos.append(
            Todo(
                f"{len(empty)} recording(s) whose draft wrote no segment "
                f"({_names([r.original_name for r in empty])}): draft them again",
                len(empty),
                "Projects",
            )
        )
    gaps = project_gaps(wb, project.id)
    if gaps:
        stretches = sum(len(g) for _, g in gaps)
        seconds = sum(gap.end - gap.start for _, g in gaps for gap in g)
        todos.append(
            Todo(
                f"{stretches} stretch(es) of speech ({audio_length(seconds)}) that no segment "
                f"covers, in {_names([r.original_name for r, _ in gaps])}: add a segment over "
                "each (amber in the editor), or leave it when it is not speech",
                stretches,
                "Editor",
            )
        )
    stopped = [r.name for r in labellers(wb, project.id) if _stopped(project, r)]
    if stopped:
        todos.append(
            Todo(
                f"{len(stopped)} labeller(s) whose queue is closed ({_names(stopped)}): "
                "paused by the defect rules or failed the qualification test; lift the "
                "pause or allow another attempt when you are ready",
                len(stopped),
                "Team",
            )
        )
    return todos


def _stopped(project: Project, labeller: Labeller) -> bool:
    """Whether a labeller's queue stays closed until the owner acts."""
    failed = project.qualify_required and labeller.qualification == "failed"
    return failed or labeller.standing.paused


def _names(names: list[str]) -> str:
    """The first NAMED names, and how many more."""
    shown = ", ".join(names[:NAMED])
    return shown + (f" and {len(names) - NAMED} more" if len(names) > NAMED else "")
