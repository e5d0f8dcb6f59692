"""Background draft jobs for the app: a thread per job, the model cached per process."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import streamlit as st

from workbench.asr import Engine, TranscribeOptions, load_engine
from workbench.context import Workbench
from workbench.corpus import Job, Project
from workbench.drafting import cancel_draft_job, fail_job, options_for, run_draft_job, start_draft_job
from workbench.service import model_path

log = logging.getLogger(__name__)


class DraftStartFailed(RuntimeError):
    """The model could not be loaded; the message is safe to show (no server path)."""


@st.cache_resource(show_spinner="Loading the Whisper model…")
def cached_engine(engine: str, model: str, models_dir: str) -> Engine:
    """The model, loaded once per server process and shared by every session."""
    return load_engine(engine, model, Path(models_dir))


@st.cache_resource
def _threads() -> dict[int, threading.Thread]:
    return {}


def start_drafts(wb: Workbench, project: Project) -> int:
    """Start drafting a project's undrafted recordings in a background thread; returns the job id.

    The job survives the page being left or closed: progress lives in the database. Raises
    JobRunning when one is running, DraftStartFailed when the model cannot be loaded, and
    Forbidden for anyone but an owner.
    """
    language = project.language
    job = start_draft_job(
        wb, project, {"engine": project.asr_engine, "model": project.asr_model, "language": language}
    )
    try:
        engine = cached_engine(project.asr_engine, model_path(wb, project.asr_model),
                               str(wb.settings.models_dir))
    except Exception as exc:
        log.exception("draft job %s: cannot load %s model %r", job.id, project.asr_engine,
                      project.asr_model)
        fail_job(wb, job, "the model could not be loaded")
        raise DraftStartFailed(f"the {project.asr_engine} model {Path(project.asr_model).name!r} "
                               "could not be loaded; the server log says why") from exc
    thread = threading.Thread(
        target=_run,
        args=(wb, job, engine, options_for(project, language)),
        name=f"draft-{job.id}",
        daemon=True,
    )
    _threads()[job.id] = thread
    thread.start()
    return job.id


def cancel_drafts(wb: Workbench, project: Project) -> None:
    """Ask the running draft job to stop after its current recording."""
    cancel_draft_job(wb, project)


def _run(wb: Workbench, job: Job, engine: Engine, options: TranscribeOptions) -> None:
    """The job's thread: a failure outside any one recording (the database gone, a bug) ends
    the job as failed and is logged, instead of leaving it 'running' until it goes stale."""
    try:
        run_draft_job(wb, job, engine, options)
    except Exception as exc:
        log.exception("draft job %d for project %d crashed", job.id, job.project_id)
        fail_job(wb, job, f"{type(exc).__name__}; the server log has the details",
                 message="the job stopped on an error")


def wait(job_id: int, timeout: float | None = None) -> None:
    """Block until a job's thread ends (tests use this)."""
    thread = _threads().get(job_id)
    if thread is not None:
        thread.join(timeout)
