"""How the drafts improve as the project learns: the drafts' error batch by batch (the labour
each draft job left), for the owner's Draft quality page and `python -m workbench batches`."""

from __future__ import annotations

from workbench import store
from workbench.access import Action, require
from workbench.batches import Batch, by_batch
from workbench.context import Workbench
from workbench.corpus import Project
from workbench.dashboard import edit_scorer, metric_of


def draft_batches(wb: Workbench, project: Project) -> tuple[str, list[Batch]]:
    """(the headline metric, each draft batch's error against the labels), oldest first;
    owners only, like the dashboard."""
    require(wb, Action.EXPORT, project.id)
    return metric_of(project), by_batch(store.batch_rows(wb.db, project.id), edit_scorer(project))
