"""A job's life, shared by drafts, the corpus audit, measures and fine-tunes: the running job (one
whose worker died is failed first), cancel, fail, and running a job's loop as its worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from workbench import store
from workbench.core.access import Action, require
from workbench.core.errors import Kind, WorkbenchError
from workbench.core.records import (
    Job,
    Project,
)
from workbench.core.workbench import Workbench
from workbench.jobs.failures import describe
from workbench.jobs.workers import Heartbeat, gone_reason, this_worker

log = logging.getLogger(__name__)



class JobRunning(WorkbenchError):
    """Another job of the same kind is running for the project."""

    kind = Kind.BUSY


def live_job(wb: Workbench, project: Project, kind: str) -> Job | None:
    """The project's running job of `kind` ('draft', 'audit'), or None; one whose worker is
    gone is failed first, so a killed process never blocks the next job (what it finished
    stays; a new job resumes)."""
    job = store.running_job(wb.db, project.id, kind)
    if job is None:
        return None
    reason = gone_reason(job, store.now(), this_worker())
    if reason is None:
        return job
    if store.stop_job(wb.db, job.id, "failed", error=f"interrupted: {reason}",
                      message="the job stopped: " + reason):
        log.warning("%s job %d for project %r: %s; marked failed", kind, job.id, project.name,
                    reason)
    return None


def fail_job(wb: Workbench, job: Job, error: str, message: str = "not started") -> None:
    """Mark a job failed: before it ran (its model could not be loaded), or when its thread
    stopped on an error outside any one recording. A job that has ended already is left as
    it ended."""
    store.stop_job(wb.db, job.id, "failed", error=error, message=message)


def cancel_job(wb: Workbench, project: Project, kind: str) -> Job | None:
    """Cancel the project's running job of `kind` (see `cancel_draft_job`), as an owner."""
    user = require(wb, Action.DRAFT, project.id)
    job = store.running_job(wb.db, project.id, kind)
    if job is None:
        return None
    reason = gone_reason(job, store.now(), this_worker())
    if reason is None:
        store.request_cancel(wb.db, job.id)
    else:
        store.stop_job(wb.db, job.id, "cancelled", cancel_requested=True,
                       error=f"interrupted: {reason}", message="cancelled: " + reason)
    store.log_event(wb.db, user.name, f"{kind} cancelled", project.id,
                    {"job": job.id, "worker gone": reason is not None})
    return store.get_job(wb.db, job.id)


def run_as_worker(wb: Workbench, job: Job, work: Callable[[], Job]) -> Job:
    """Run `work` (a job's loop) with this process as the job's worker, beating its heartbeat;
    an exception ends the job as failed (a plain reason, no path) and is raised again."""
    worker = this_worker()
    store.claim_job(wb.db, job.id, worker.pid, worker.host)
    try:
        with Heartbeat(wb.db, job.id):
            return work()
    except Exception as exc:  # the job ends with it, rather than 'running' until found dead
        try:
            fail_job(wb, job, describe(exc, paths=False) or f"{type(exc).__name__}; the server "
                     "log has the details", message="the job stopped on an error")
        except Exception as again:  # noqa: BLE001 (the database itself is the trouble)
            log.warning("%s job %d: cannot mark it failed: %s", job.kind, job.id, again)
        raise
