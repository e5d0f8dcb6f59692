"""Background jobs for the app (drafts, the audit's second opinion, fine-tuning): a thread
per job, the model cached per process."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from pathlib import Path
from typing import Any

import streamlit as st

from workbench.asr import Engine, load_engine
from workbench.core.config import retime_enabled
from workbench.core.errors import Kind, WorkbenchError
from workbench.core.messages import N_, t
from workbench.core.records import Job, Project, SegmentView
from workbench.core.workbench import Workbench
from workbench.drafts.draft_job import cancel_draft_job, options_for, run_draft_job, start_draft_job
from workbench.jobs.cluster import ClusterUnavailable, open_transcriber
from workbench.jobs.lifecycle import fail_job
from workbench.jobs.transcribers import Transcriber
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


# ---- a segment a person added, drafted in the background (the editor stays usable)

Said = tuple[str, str]  # (message kind, message)


@st.cache_resource
def _span_drafts() -> dict[tuple[str, int, int], Said | None]:
    """(user, recording, segment) → None while its draft runs, then what to say."""
    return {}


def start_span_draft(wb: Workbench, project: Project, view: SegmentView) -> bool:
    """Draft a segment the acting user added (`draft_job.draft_added`) in a background thread,
    loading the model there when it is not loaded yet; False when one runs for it already."""
    key = (wb.actor.name, view.recording.id, view.segment.id)
    drafts = _span_drafts()
    if key in drafts and drafts[key] is None:
        return False
    drafts[key] = None
    thread = threading.Thread(
        target=_span_draft,
        args=(wb, project, view.segment.version, key),
        name=f"span-draft-{view.segment.id}",
        daemon=True,
    )
    _span_threads().append(thread)
    thread.start()
    return True


@st.cache_resource
def _span_threads() -> list[threading.Thread]:
    return []


def wait_span_drafts(timeout: float | None = None) -> None:
    """Block until every span draft's thread ends (tests use this)."""
    threads = _span_threads()
    while threads:
        threads.pop().join(timeout)


def _span_draft(wb: Workbench, project: Project, version: int, key: tuple[str, int, int]) -> None:
    from workbench.drafts.draft_job import draft_added
    from workbench.labelling.segment_edits import name

    segment_id = key[2]
    said: Said
    try:
        draft_added(wb, segment_id, version, project_engine(wb, project))
        said = ("success", f"Drafted segment {name(segment_id)}: correct it and save.")
    except WorkbenchError as exc:
        said = ("warning", f"Segment {name(segment_id)} not drafted: {exc}")
    except Exception:  # the model would not load or failed: the log has the path and trace
        log.exception("drafting segment %s with %s", segment_id, project.asr_engine)
        said = (
            "error",
            f"Segment {name(segment_id)} not drafted: the {project.asr_engine} model failed; "
            "the server log says why.",
        )
    _span_drafts()[key] = said


def span_drafts_waiting(wb: Workbench) -> bool:
    """Whether the acting user has a span draft running, or finished and not told yet."""
    return any(key[0] == wb.actor.name for key in _span_drafts())


def span_drafts_running(wb: Workbench) -> list[int]:
    """The acting user's segments whose draft runs now."""
    drafts = _span_drafts()
    return [key[2] for key, said in list(drafts.items()) if key[0] == wb.actor.name and not said]


def span_drafts_done(wb: Workbench) -> list[tuple[int, int, Said]]:
    """The acting user's finished span drafts, each told once: (recording, segment, said)."""
    drafts = _span_drafts()
    done = [(key, said) for key, said in list(drafts.items()) if key[0] == wb.actor.name and said]
    for key, _said in done:
        drafts.pop(key, None)
    return [(key[1], key[2], said) for key, said in done]


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
    once; nothing happens for a project whose model cannot align (not faster-whisper), nor
    with WORKBENCH_RETIME=off."""
    if not retime_enabled():
        return
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
    with contextlib.suppress(OSError, AttributeError):  # Linux: this thread alone, niced
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
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


JOB_STATES = {
    "running": N_("running"),
    "done": N_("done"),
    "failed": N_("failed"),
    "cancelled": N_("cancelled"),
}


def job_state_name(state: str) -> str:
    """A job's state (running, done, failed, cancelled) in the reader's language."""
    return t(JOB_STATES.get(state, state))
