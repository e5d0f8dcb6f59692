"""How the drafts improve as the project learns, for the owner's Draft quality page and the
`batches` / `measure` commands.

Two measures:
- by batch: the drafts' error against the labels people saved, per draft job (the labour each
  batch left; `draft_batches`);
- the adaptation ladder, on the held-out segments (`heldout`: never trained or learned on):
  the base model as it was, then with the learned vocabulary, then with the accepted rules,
  then the fine-tuned model in use, each step drafted afresh and stored as a measure
  (`start_measure_job`, `run_measure_job`), so the owner sees what each step bought.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from workbench import store
from workbench.asr import Engine
from workbench.core.access import Action, require
from workbench.core.errors import WorkbenchError
from workbench.core.messages import N_
from workbench.core.records import Job, Project
from workbench.core.workbench import Workbench
from workbench.crowd.dashboard import edit_scorer, metric_of
from workbench.drafts.draft_job import with_terms
from workbench.jobs.cluster import open_transcriber
from workbench.jobs.lifecycle import JobRunning, cancel_job, live_job, run_as_worker
from workbench.learning.batches import Batch, by_batch
from workbench.learning.heldout import approved_examples, draft_error, held_out, record_measure
from workbench.learning.rewrites import apply as apply_rules
from workbench.projects.settings import model_path
from workbench.projects.time_zones import my_zone
from workbench.review.corpus_audit import audit_options
from workbench.tuning.registry import base_model, label

KIND = "measure"


def draft_batches(wb: Workbench, project: Project) -> tuple[str, list[Batch]]:
    """(the headline metric, each draft batch's error against the labels), oldest first;
    owners only, like the dashboard."""
    require(wb, Action.EXPORT, project.id)
    rows = store.batch_rows(wb.db, project.id)
    return metric_of(project), by_batch(rows, edit_scorer(project), my_zone(wb, project))


@dataclass(frozen=True)
class Rung:
    """One step of the ladder: the model, and whether the terms and the rules are used."""

    name: str  # 'base model', '+ vocabulary', '+ rules', 'model v2 (in use)'
    engine: str
    model: str
    terms: bool
    rules: bool


def ladder(wb: Workbench, project: Project) -> list[Rung]:
    """The steps the project has taken so far, cheapest first: each adds one adaptation."""
    require(wb, Action.VIEW, project.id)
    terms = bool(store.list_terms(wb.db, project.id, enabled_only=True))
    rules = bool(store.list_rewrites(wb.db, project.id, "accepted"))
    engine, model = base_model(wb, project) or (project.asr_engine, project.asr_model)
    # the names are stored with the measures, in English; the page shows them with t()
    rungs = [Rung(N_("base model"), engine, model, False, False)]
    if terms:
        rungs.append(Rung(N_("+ vocabulary"), engine, model, True, False))
    if rules:
        rungs.append(Rung(N_("+ rules"), engine, model, terms, True))
    if (project.asr_engine, project.asr_model) != (engine, model):
        versions = store.list_models(wb.db, project.id)
        rungs.append(
            Rung(
                f"model {label(project, versions)} (in use)",
                project.asr_engine,
                project.asr_model,
                terms,
                rules,
            )
        )
    return rungs


def start_measure_job(wb: Workbench, project: Project) -> Job:
    """Create the job measuring the ladder on the held-out segments (owners), unless one runs;
    WorkbenchError when no segment is held out yet."""
    user = require(wb, Action.DRAFT, project.id)
    running = live_job(wb, project, KIND)
    if running is not None:
        raise JobRunning(f"the drafts of {project.name!r} are being measured already")
    measured = held_out(approved_examples(wb, project), project.holdout_share)
    if not measured:
        raise WorkbenchError(
            f"no approved segment is held out yet (the held-out share is "
            f"{project.holdout_share:.0%}): approve more, or raise the share"
        )
    rungs = ladder(wb, project)
    job = store.start_job(
        wb.db,
        project.id,
        KIND,
        {"steps": [r.name for r in rungs]},
        float(len(rungs) * len(measured)),
    )
    store.log_event(
        wb.db,
        user.name,
        "measure started",
        project.id,
        {"job": job.id, "segments": len(measured), "steps": len(rungs)},
    )
    return job


def measure_job(wb: Workbench, project: Project) -> Job | None:
    """The project's latest measure job (one whose worker died shows as failed)."""
    require(wb, Action.VIEW, project.id)
    live_job(wb, project, KIND)
    return store.latest_job(wb.db, project.id, KIND)


def cancel_measure_job(wb: Workbench, project: Project) -> Job | None:
    """Stop the running measure job after its current segment; None when none runs."""
    return cancel_job(wb, project, KIND)


def run_measure_job(
    wb: Workbench,
    job: Job,
    load: Callable[[str, str], Engine] | None = None,
    on_progress: Callable[[Job], None] | None = None,
) -> Job:
    """Draft the held-out segments at each rung and store a measure per rung; the finished
    job. `load(engine, model)` gives an engine (default: the process's cache); on the Ray
    cluster the settings name, its workers load it instead. Cancelling stops after the
    current segment; the rungs measured in full stay stored."""
    return run_as_worker(wb, job, lambda: _measure_all(wb, job, load, on_progress))


def _measure_all(wb: Workbench, job: Job, load, on_progress) -> Job:
    project = store.get_project(wb.db, job.project_id)
    measured = held_out(approved_examples(wb, project), project.holdout_share)
    terms = store.list_terms(wb.db, project.id, enabled_only=True)
    rules = store.list_rewrites(wb.db, project.id, "accepted")
    results: list[str] = []
    for k, rung in enumerate(ladder(wb, project)):
        engine = open_transcriber(
            wb, rung.engine, model_path(wb, rung.model), f"{KIND}-{job.id}-{k}", load
        )
        options = audit_options(project)
        if rung.terms:
            options = with_terms(options, replace(project, use_terms=True), terms)
        rewrite = (lambda text: apply_rules(text, rules)[0]) if rung.rules else None

        def beat(done: int, total: int, k: int = k, name: str = rung.name) -> bool:
            store.update_job(
                wb.db,
                job.id,
                done=float(k * len(measured) + done),
                message=f"{name}: {done}/{total}",
            )
            if on_progress:
                on_progress(store.get_job(wb.db, job.id))
            return not store.cancel_requested(wb.db, job.id)

        measure = draft_error(wb, project, engine, options, measured, rewrite, beat)
        if store.cancel_requested(wb.db, job.id):
            return _finish(
                wb,
                job,
                "cancelled",
                "cancelled; " + ("; ".join(results) or "nothing measured"),
                on_progress,
            )
        detail = {
            **measure.detail,
            "terms": len(terms) if rung.terms else 0,
            "rules": len(rules) if rung.rules else 0,
            "model": rung.model,
            "ladder": job.id,
        }  # the chart shows the latest ladder's steps
        stored = record_measure(wb, project, rung.name, replace(measure, detail=detail))
        results.append(f"{rung.name} {stored.metric.upper()} {stored.error:.1%}")
    return _finish(wb, job, "done", "; ".join(results), on_progress)


def _finish(wb: Workbench, job: Job, state: str, message: str, on_progress) -> Job:
    done = {"done": job.total} if state == "done" else {}
    store.update_job(wb.db, job.id, state=state, message=message, **done)
    finished = store.get_job(wb.db, job.id)
    if on_progress:
        on_progress(finished)
    return finished
