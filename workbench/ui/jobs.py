"""Background draft jobs for the app: a thread per job, the model cached per process."""

from __future__ import annotations

import logging
import threading

import streamlit as st

from workbench import store
from workbench.asr import Engine, TranscribeOptions, load_engine
from workbench.corpus import Job, Project
from workbench.drafting import options_for, run_draft_job, start_draft_job
from workbench.service import Workbench

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner="Loading the Whisper model…")
def cached_engine(engine: str, model: str, models_dir: str) -> Engine:
    """The model, loaded once per server process and shared by every session."""
    from pathlib import Path

    return load_engine(engine, model, Path(models_dir))


@st.cache_resource
def _threads() -> dict[int, threading.Thread]:
    return {}


def start_drafts(wb: Workbench, project: Project, language: str) -> int:
    """Start drafting a project's undrafted recordings in a background thread; returns the job id.

    The job survives the page being left or closed: progress lives in the database. Raises
    JobRunning when one is running, ModelNotFound when the model cannot be loaded.
    """
    job = start_draft_job(
        wb, project, {"engine": project.asr_engine, "model": project.asr_model, "language": language}
    )
    try:
        engine = cached_engine(project.asr_engine, project.asr_model, str(wb.settings.models_dir))
    except Exception as exc:
        log.exception("draft job %d for project %r: cannot load %s model %r",
                      job.id, project.name, project.asr_engine, project.asr_model)
        store.update_job(wb.db, job.id, state="failed", error=str(exc), message="model not found")
        raise
    thread = threading.Thread(
        target=_run,
        args=(wb, job, engine, options_for(project, language)),
        name=f"draft-{job.id}",
        daemon=True,
    )
    _threads()[job.id] = thread
    thread.start()
    return job.id


def _run(wb: Workbench, job: Job, engine: Engine, options: TranscribeOptions) -> None:
    """The job's thread: a failure outside any one recording (the database gone, a bug) ends
    the job as failed and is logged, instead of leaving it 'running' until it goes stale."""
    try:
        run_draft_job(wb, job, engine, options)
    except Exception as exc:
        log.exception("draft job %d for project %d crashed", job.id, job.project_id)
        store.update_job(wb.db, job.id, state="failed", message="the job stopped on an error",
                         error=f"{type(exc).__name__}; the server log has the details")


def wait(job_id: int, timeout: float | None = None) -> None:
    """Block until a job's thread ends (tests use this)."""
    thread = _threads().get(job_id)
    if thread is not None:
        thread.join(timeout)
