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
from workbench.jobs.cluster import ClusterUnavailable, open_transcriber
from workbench.jobs.lifecycle import fail_job
from workbench.jobs.transcribers import Transcriber
from workbench.projects.settings import model_path
from workbench.review.corpus_audit import (
    audit_options,
    cancel_audit_job,
    run_audit_job,
    start_audit_job,
)

log = logging.getLogger(__name__)


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
    transcriber = _transcriber(wb, project, job)
    _spawn(job, run_draft_job, (wb, job, transcriber, options_for(project, language)))
    return job.id


def start_audit(wb: Workbench, project: Project) -> int:
    """Start the corpus audit's second opinion (the project's engine and model, one segment
    at a time) in a background thread; returns the job id. Raises as `start_drafts` does."""
    job = start_audit_job(wb, project, {"engine": project.asr_engine, "model": project.asr_model})
    transcriber = _transcriber(wb, project, job)
    _spawn(job, run_audit_job, (wb, job, transcriber, audit_options(project)))
    return job.id


def project_engine(wb: Workbench, project: Project) -> Engine:
    """The project's drafting model (its engine and model version), loaded once per process."""
    return cached_engine(
        project.asr_engine, model_path(wb, project.asr_model), str(wb.settings.models_dir)
    )


def _transcriber(wb: Workbench, project: Project, job: Job) -> Transcriber:
    """Who hears `job`: the Ray cluster the settings name (WORKBENCH_RAY_ADDRESS), else the
    project's model in this process; the job fails and DraftStartFailed is raised when the
    model cannot be loaded or the cluster cannot be reached."""
    try:
        return open_transcriber(
            wb,
            project.asr_engine,
            model_path(wb, project.asr_model),
            f"{job.kind}-{job.id}",
            lambda engine, model: cached_engine(engine, model, str(wb.settings.models_dir)),
        )
    except ClusterUnavailable as exc:
        fail_job(wb, job, exc.message)
        raise DraftStartFailed(exc.message) from exc
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
