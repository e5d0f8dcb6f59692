"""Background jobs for the app (drafts, the audit's second opinion, fine-tuning): a thread
per job, the model cached per process."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import streamlit as st

from workbench.asr import Engine, load_engine
from workbench.core.errors import Kind, WorkbenchError
from workbench.core.records import Job, Project
from workbench.core.workbench import Workbench
from workbench.drafts.draft_job import cancel_draft_job, options_for, run_draft_job, start_draft_job
from workbench.jobs.lifecycle import fail_job
from workbench.labelling.retiming import run_retime_job, start_retime_job
from workbench.projects.settings import model_path
from workbench.review.corpus_audit import (
    audit_options,
    cancel_audit_job,
    run_audit_job,
    start_audit_job,
)

log = logging.getLogger(__name__)

RETIME_LINGER = 30.0  # seconds a re-timing job waits for the next save before it ends


class DraftStartFailed(WorkbenchError):
    """The model could not be loaded; the message is safe to show (no server path)."""

    kind = Kind.UNAVAILABLE


@st.cache_resource(show_spinner="Loading the Whisper model…")
def cached_engine(engine: str, model: str, models_dir: str) -> Engine:
    """The model, loaded once per server process and shared by every session."""
    return load_engine(engine, model, Path(models_dir))


@st.cache_resource
def _threads() -> dict[int, threading.Thread]:
    return {}


def start_drafts(wb: Workbench, project: Project, recording_ids: list[int] | None = None) -> int:
    """Start drafting a project's undrafted recordings in a background thread; returns the job id.

    The job survives the page being left or closed: progress lives in the database. Raises
    JobRunning when one is running, DraftStartFailed when the model cannot be loaded, and
    Forbidden for anyone but an owner.
    """
    language = project.language
    params: dict[str, Any] = {
        "engine": project.asr_engine,
        "model": project.asr_model,
        "language": language,
    }
    if recording_ids:
        params["recordings"] = list(recording_ids)  # these alone (a redraft)
    job = start_draft_job(wb, project, params)
    engine = _engine(wb, project, job)
    _spawn(job, run_draft_job, (wb, job, engine, options_for(project, language)))
    return job.id


def start_audit(wb: Workbench, project: Project) -> int:
    """Start the corpus audit's second opinion (the project's engine and model, one segment
    at a time) in a background thread; returns the job id. Raises as `start_drafts` does."""
    job = start_audit_job(wb, project, {"engine": project.asr_engine, "model": project.asr_model})
    engine = _engine(wb, project, job)
    _spawn(job, run_audit_job, (wb, job, engine, audit_options(project)))
    return job.id


def project_engine(wb: Workbench, project: Project) -> Engine:
    """The project's drafting model (its engine and model version), loaded once per process."""
    return cached_engine(
        project.asr_engine, model_path(wb, project.asr_model), str(wb.settings.models_dir)
    )


def _engine(wb: Workbench, project: Project, job: Job) -> Engine:
    """The project's model for `job`; the job fails and DraftStartFailed is raised when it
    cannot be loaded."""
    try:
        return project_engine(wb, project)
    except Exception as exc:
        log.exception(
            "%s job %s: cannot load %s model %r",
            job.kind,
            job.id,
            project.asr_engine,
            project.asr_model,
        )
        fail_job(wb, job, "the model could not be loaded")
        raise DraftStartFailed(
            f"the {project.asr_engine} model {Path(project.asr_model).name!r} "
            "could not be loaded; the server log says why"
        ) from exc


def _spawn(job: Job, work, args: tuple) -> None:
    """Run `work(*args)` for `job` in a daemon thread (tests `wait` for it)."""
    thread = threading.Thread(
        target=_run, args=(job, work, args), name=f"{job.kind}-{job.id}", daemon=True
    )
    _threads()[job.id] = thread
    thread.start()


def cancel_drafts(wb: Workbench, project: Project) -> None:
    """Ask the running draft job to stop after its current recording."""
    cancel_draft_job(wb, project)


def cancel_audit(wb: Workbench, project: Project) -> None:
    """Ask the running second-opinion job to stop after its current segment."""
    cancel_audit_job(wb, project)


def _run(job: Job, work, args: tuple) -> None:
    """The job's thread: a failure outside any one item (the database gone, a bug) ends the
    job as failed and is logged, instead of leaving it 'running' until it goes stale."""
    wb = args[0]
    try:
        work(*args)
    except Exception as exc:
        log.exception("%s job %d for project %d crashed", job.kind, job.id, job.project_id)
        fail_job(
            wb,
            job,
            f"{type(exc).__name__}; the server log has the details",
            message="the job stopped on an error",
        )


def wait(job_id: int, timeout: float | None = None) -> None:
    """Block until a job's thread ends (tests use this)."""
    thread = _threads().get(job_id)
    if thread is not None:
        thread.join(timeout)


def start_tune(wb: Workbench, project: Project, params: dict) -> int:
    """Start fine-tuning the project's model in a background thread; returns the job id.
    Raises JobRunning when one runs, WorkbenchError for wrong parameters or too few final
    segments, Forbidden for anyone but an owner."""
    from workbench.tuning.jobs import run_tune_job, start_tune_job

    job = start_tune_job(wb, project, params)
    _spawn(job, run_tune_job, (wb, job))
    return job.id


def cancel_tune(wb: Workbench, project: Project) -> None:
    """Ask the running fine-tune job to stop after its current step."""
    from workbench.tuning.jobs import cancel_tune_job

    cancel_tune_job(wb, project)


def start_measure(wb: Workbench, project: Project) -> int:
    """Start measuring the adaptation ladder on the held-out segments in a background thread;
    returns the job id. Raises JobRunning, WorkbenchError (nothing held out) or Forbidden."""
    from workbench.learning.ladder import run_measure_job, start_measure_job

    job = start_measure_job(wb, project)
    _spawn(job, run_measure_job, (wb, job))
    return job.id


def cancel_measure(wb: Workbench, project: Project) -> None:
    """Ask the running measure job to stop after its current segment."""
    from workbench.learning.ladder import cancel_measure_job

    cancel_measure_job(wb, project)


class _Retimer:
    """A project's re-timing thread and the saves it has not looked at yet."""

    def __init__(self) -> None:
        self.saved = threading.Event()

    def more(self) -> bool:
        """Whether a save came in, waiting up to RETIME_LINGER seconds for one."""
        if self.saved.wait(RETIME_LINGER):
            self.saved.clear()
            return True
        return False


@st.cache_resource
def _retimers() -> tuple[threading.Lock, dict[int, _Retimer], dict[int, threading.Thread]]:
    return threading.Lock(), {}, {}


def retime_saved(wb: Workbench, project: Project) -> None:
    """After a save: time the saved words against the audio in a background thread, which
    takes the next saves too while they keep coming (see `labelling.retiming`). Returns at
    once; nothing happens for a project whose model cannot align (not faster-whisper)."""
    lock, retimers, threads = _retimers()
    with lock:
        if project.id in retimers:  # its thread takes this save before it ends
            retimers[project.id].saved.set()
            return
        retimer = retimers[project.id] = _Retimer()
        thread = threading.Thread(
            target=_retime, args=(wb, project, retimer), name=f"retime-{project.id}", daemon=True
        )
        threads[project.id] = thread
    thread.start()


def _retime(wb: Workbench, project: Project, retimer: _Retimer) -> None:
    """A project's re-timing thread: jobs while saves come in; gone only when none waits."""
    lock, retimers, _ = _retimers()
    try:
        engine = load_engine(
            project.asr_engine, model_path(wb, project.asr_model), wb.settings.models_dir
        )
        while True:
            job = start_retime_job(wb, project) if hasattr(engine, "align") else None
            if job is not None:  # None: the model cannot align, or another process's job runs
                _run(job, run_retime_job, (wb, job, engine, retimer.more))
            with lock:  # decided and gone in one step: a save now starts a new thread
                if job is None or not retimer.saved.is_set():
                    retimers.pop(project.id, None)
                    return
                retimer.saved.clear()
    except Exception:
        log.exception("re-timing the words of project %d failed", project.id)
        with lock:
            retimers.pop(project.id, None)


def retime_idle(project_id: int, timeout: float | None = None) -> None:
    """Block until a project's re-timing thread ends (tests use this)."""
    thread = _retimers()[2].get(project_id)
    if thread is not None:
        thread.join(timeout)
