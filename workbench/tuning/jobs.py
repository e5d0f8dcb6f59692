"""Fine-tune jobs: an owner starts a job (one per project at a time);
it trains on the project's final segments but the held-out share, writes the result as a
new CTranslate2 version under the home (`models/project-<id>/v<n>`, written aside and renamed
when complete), measures the model in use and the new one on the held-out segments, and makes
the new one the project's drafting model only when it drafts them with fewer errors (the
registry, `tuning.registry`, keeps every version and switches between them).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from workbench import store
from workbench.asr import EMBEDDED_NAME, ENGINES, Engine, TranscribeOptions, load_engine
from workbench.asr.models import embedded_model_dir
from workbench.audio.working import read_slice
from workbench.core.access import Action, require
from workbench.core.errors import Cancelled, WorkbenchError
from workbench.core.records import Job, Measure, ModelVersion, Project
from workbench.core.workbench import Workbench
from workbench.drafts.draft_job import with_terms
from workbench.jobs.leftovers import TAG, owner_tag, remove_stale
from workbench.jobs.lifecycle import JobRunning, cancel_job, live_job, run_as_worker
from workbench.jobs.workers import this_worker
from workbench.learning.heldout import (
    Approved,
    approved_examples,
    draft_error,
    held_out,
    record_measure,
    training,
)
from workbench.projects.settings import model_path
from workbench.review.corpus_audit import audit_options
from workbench.tuning.options import train_options
from workbench.tuning.registry import CANCELLED, ENGINE, KIND, list_models, scores, switch_to

log = logging.getLogger(__name__)

MAX_SECONDS = 30.0  # Whisper's window: longer segments are not trained on
MIN_TRAIN = 1  # final segments needed on each side of the split
PART = re.compile(rf"\.v\d+\.part-{TAG}")  # a version being written, by its process


@dataclass(frozen=True)
class TuneStatus:
    """What the Models page shows: the model in use, the latest job, the versions."""

    engine: str
    model: str  # the project's drafting model: 'base', or 'project-<id>/v<n>'
    job: Job | None
    versions: tuple[ModelVersion, ...]
    final: int  # final segments
    heldout: int  # of them held out at the project's share

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.state == "running"


def tune_status(wb: Workbench, project: Project) -> TuneStatus:
    """The project's model in use, latest fine-tune job and versions (owners)."""
    require(wb, Action.DRAFT, project.id)
    return TuneStatus(
        project.asr_engine,
        project.asr_model,
        live_or_latest(wb, project),
        tuple(list_models(wb, project)),
        *_counts(wb, project),
    )


def _counts(wb: Workbench, project: Project) -> tuple[int, int]:
    examples = approved_examples(wb, project)
    return len(examples), len(held_out(examples, project.holdout_share))


def live_or_latest(wb: Workbench, project: Project) -> Job | None:
    """The latest fine-tune job (one whose worker died is failed first)."""
    require(wb, Action.DRAFT, project.id)
    live_job(wb, project, KIND)
    return store.latest_job(wb.db, project.id, KIND)


def base_folder(wb: Workbench, project: Project) -> Path:
    """The CTranslate2 folder of the project's drafting model, which training starts from."""
    if project.asr_model == EMBEDDED_NAME:
        return embedded_model_dir(wb.settings.models_dir)
    if project.asr_engine != ENGINE:
        raise WorkbenchError("fine-tuning starts from a faster-whisper model: choose one on Drafts")
    folder = Path(model_path(wb, project.asr_model))
    if not (folder / "model.bin").is_file():
        raise WorkbenchError(
            f"the model {Path(project.asr_model).name!r} is not a CTranslate2 "
            "folder in the models folder"
        )
    return folder


def start_tune_job(wb: Workbench, project: Project, params: dict) -> Job:
    """Create a fine-tune job (params: method, steps, learning_rate, batch_size, seed) and
    register its version as 'training'; JobRunning when one runs, WorkbenchError when the
    parameters are wrong or there is not enough to train and measure on."""
    user = require(wb, Action.DRAFT, project.id)
    running = live_job(wb, project, KIND)
    if running is not None:
        raise JobRunning(
            f"a fine-tune job for {project.name!r} is already running "
            f"({running.message or 'starting'})"
        )
    options = train_options(params)
    train_n, heldout_n = _sizes(wb, project)
    base_folder(wb, project)
    stored = {
        "method": options.method,
        "steps": options.steps,
        "learning_rate": options.learning_rate,
        "batch_size": options.batch_size,
        "seed": options.seed,
        "holdout_share": project.holdout_share,
        "base_engine": project.asr_engine,
    }
    worker = this_worker()
    job = store.start_job(
        wb.db,
        project.id,
        KIND,
        stored,
        float(options.steps + 2 * heldout_n),
        worker.pid,
        worker.host,
    )
    version = store.add_model(
        wb.db,
        project.id,
        engine=ENGINE,
        path=f"models/project-{project.id}/v{{n}}",
        base=project.asr_model,
        method=options.method,
        params=stored,
        state="training",
        job_id=job.id,
        train_segments=train_n,
        heldout_segments=heldout_n,
        created_by=user.name,
    )
    store.log_event(
        wb.db,
        user.name,
        "fine-tune started",
        project.id,
        {"job": job.id, "version": version.n, **stored},
    )
    return job


def _sizes(wb: Workbench, project: Project) -> tuple[int, int]:
    """The final segments to train on and held out; WorkbenchError when either is too few."""
    examples = approved_examples(wb, project)
    train_n = len(_trainable(training(examples, project.holdout_share)))
    heldout_n = len(held_out(examples, project.holdout_share))
    if train_n < MIN_TRAIN or heldout_n < MIN_TRAIN:
        raise WorkbenchError(
            f"not enough final segments: {train_n} to train on and {heldout_n} "
            "held out (approve more, or change the held-out share)"
        )
    return train_n, heldout_n


def cancel_tune_job(wb: Workbench, project: Project) -> Job | None:
    """Ask the running fine-tune job to stop (after its current step); the job, or None."""
    return cancel_job(wb, project, KIND)


def _trainable(examples: list[Approved]) -> list[Approved]:
    return [e for e in examples if 0 < e.duration <= MAX_SECONDS]


def run_tune_job(
    wb: Workbench,
    job: Job,
    on_progress: Callable[[Job], None] | None = None,
    load: Callable[[str, str], Engine] | None = None,
) -> Job:
    """Train, write, measure and maybe promote the job's version; the finished job.

    `load(engine, model)` gives the engine that measures a model (a folder path for a new
    version); by default the project's model is loaded once per process and a new version
    fresh. Cancelling stops after the current step or measured segment, and no version is
    kept. The calling process is the job's worker while it runs.
    """
    load = load or (lambda engine, model: _load(engine, model, wb.settings.models_dir))
    return run_as_worker(wb, job, lambda: _tune(wb, job, on_progress, load))


def _load(engine: str, model: str, models_dir: Path) -> Engine:
    """The embedded model from the process's cache; a folder (a version) loaded afresh, so
    that measured versions are not all kept in memory."""
    if Path(model).is_absolute():
        return ENGINES[engine](model, models_dir)
    return load_engine(engine, model, models_dir)


def _tune(wb: Workbench, job: Job, on_progress, load) -> Job:
    version = store.model_of_job(wb.db, job.id)
    assert version is not None  # start_tune_job adds the job's version with it
    try:
        return _train_and_measure(wb, job, version, on_progress, load)
    except Cancelled:  # a version cancelled while it was being measured is removed too
        shutil.rmtree(wb.path(version.path), ignore_errors=True)
        store.update_model(wb.db, version.id, state="cancelled")
        return _finish(wb, job, "cancelled", CANCELLED, on_progress)
    except BaseException:
        store.update_model(wb.db, version.id, state="failed")
        raise


def _train_and_measure(wb: Workbench, job: Job, version: ModelVersion, on_progress, load) -> Job:
    from workbench.tuning.ct2 import load_whisper, write_ct2
    from workbench.tuning.train import Example, train

    project = store.get_project(wb.db, job.project_id)
    share = job.params.get("holdout_share", project.holdout_share)
    examples = approved_examples(wb, project)
    measured, train_set = held_out(examples, share), _trainable(training(examples, share))
    options = train_options(job.params)
    beat = _Beat(wb, job, on_progress, len(measured), options.steps)
    # as the drafts are made: with the project's terms when it uses them, so "before" is what
    # labellers get now and a version must beat that
    evaluate = with_terms(
        audit_options(project), project, store.list_terms(wb.db, project.id, enabled_only=True)
    )

    current = load(project.asr_engine, model_path(wb, project.asr_model))
    before = _measure(
        wb,
        project,
        (current, evaluate),
        measured,
        beat,
        ("the model in use", 0),
        f"fine-tune v{version.n}: the model in use ({project.asr_model})",
    )

    base = base_folder(wb, project)
    model = load_whisper(base)
    pairs = _Slices(wb, train_set, Example)
    losses = train(model, pairs, _language(project), options, on_step=beat.training)
    beat.say(f"writing v{version.n}")
    folder = _write(wb, version, partial(write_ct2, model, base=base))
    del model

    new = load(ENGINE, str(folder))
    after = _measure(
        wb,
        project,
        (new, evaluate),
        measured,
        beat,
        (f"v{version.n}", len(measured)),
        f"fine-tune v{version.n}: v{version.n}",
    )
    return _conclude(wb, job, project, version, (before, after), losses, on_progress)


def _measure(
    wb: Workbench,
    project: Project,
    drafting: tuple[Engine, TranscribeOptions],
    measured: list[Approved],
    beat: _Beat,
    shown: tuple[str, int],
    step: str,
) -> Measure:
    """Draft the held-out segments with one model and record the measure as `step`;
    `shown` is the model's name in the progress and the segments measured before it."""
    engine, options = drafting
    name, done_before = shown
    measure = draft_error(
        wb,
        project,
        engine,
        options,
        measured,
        on_progress=lambda d, n: beat.measuring(name, d, done_before),
    )
    if beat.cancelled():
        raise Cancelled
    record_measure(wb, project, step, measure)
    return measure


def _conclude(
    wb: Workbench,
    job: Job,
    project: Project,
    version: ModelVersion,
    measures: tuple[Measure, Measure],
    losses: list[float],
    on_progress,
) -> Job:
    """Store the version's scores and losses, promote it when it is better, end the job."""
    before, after = measures
    every = max(1, len(losses) // 50)
    params = {
        **version.params,
        "losses": [round(x, 4) for x in losses[::every]],
        "final_loss": round(losses[-1], 4),
    }
    version = store.update_model(
        wb.db,
        version.id,
        state="ready",
        metric=before.metric,
        error_before=before.error,
        error_after=after.error,
        heldout_segments=after.segments,
        params=params,
    )
    if version.better:
        switch_to(wb, project, version, "model promoted")
        message = (
            f"v{version.n} is better on the held-out set ({scores(version)}) and drafts from now on"
        )
    else:
        message = (
            f"v{version.n} is not better on the held-out set ({scores(version)}); "
            "the model in use stays"
        )
    return _finish(wb, job, "done", message, on_progress)


class _Slices(Sequence):
    """The training pairs, each slice of audio read when the training asks for it (an hour
    of approved audio is 230 MB as float32: not all held in memory at once)."""

    def __init__(self, wb: Workbench, examples: list[Approved], make):
        self.wb, self.examples, self.make = wb, examples, make

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, i):
        e = self.examples[i]
        return self.make(read_slice(self.wb.path(e.working_path), e.start, e.end), e.text)


def _language(project: Project) -> str:
    """The language the model is taught to write: the project's, else its conventions'."""
    if project.language != "auto":
        return project.language
    from workbench.text import load_profile

    return load_profile(project.conventions).language or "en"


def _write(wb: Workbench, version: ModelVersion, write: Callable[[Path], Path]) -> Path:
    """Write the version aside, then rename it into place: a crash leaves no half folder
    under its name (the aside folder is removed on an error, or by the next job once the
    process that wrote it is gone)."""
    final = wb.path(version.path)
    aside = final.with_name(f".{final.name}.part-{owner_tag()}")
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(final.parent, PART)  # what a killed job left aside
    try:
        write(aside)
        os.replace(aside, final)
    finally:
        shutil.rmtree(aside, ignore_errors=True)
    return final


class _Beat:
    """The job's progress: the model in use measured (units 0..H), the steps (H..H+S), the
    new version measured (H+S..2H+S); each beat checks for a cancel."""

    def __init__(self, wb: Workbench, job: Job, on_progress, heldout: int, steps: int):
        self.wb, self.job, self.on_progress = wb, job, on_progress
        self.heldout, self.steps = heldout, steps

    def cancelled(self) -> bool:
        return store.cancel_requested(self.wb.db, self.job.id)

    def say(self, message: str, done: float | None = None) -> None:
        values = {"message": message} if done is None else {"message": message, "done": done}
        store.update_job(self.wb.db, self.job.id, **values)
        if self.on_progress:
            self.on_progress(store.get_job(self.wb.db, self.job.id))

    def measuring(self, what: str, done: int, offset: int) -> bool:
        extra = self.steps if offset else 0
        self.say(
            f"measuring {what} on the held-out set: {done + 1}/{self.heldout}",
            float(offset + extra + done),
        )
        return not self.cancelled()

    def training(self, step: int, loss: float) -> bool:
        self.say(f"training: step {step}/{self.steps}, loss {loss:.3f}", float(self.heldout + step))
        return not self.cancelled()


def _finish(wb: Workbench, job: Job, state: str, message: str, on_progress) -> Job:
    store.update_job(
        wb.db,
        job.id,
        state=state,
        message=message,
        done=job.total if state == "done" else store.get_job(wb.db, job.id).done,
    )
    job = store.get_job(wb.db, job.id)
    if on_progress:
        on_progress(job)
    return job
