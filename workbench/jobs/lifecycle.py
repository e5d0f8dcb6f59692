"""A job's life, shared by drafts, the corpus audit, measures and fine-tunes: the running job (one
whose worker died is failed first), cancel, fail, and running a job's loop as its worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from workbench import store
from workbench.core.access import Action, require
from workbench.core.errors import Kind, WorkbenchError
from workbench.core.records import Job, Project
from workbench.core.workbench import Workbench
from workbench.jobs.cluster import ClusterUnavailable
from workbench.jobs.failures import describe
from workbench.jobs.workers import Heartbeat, gone_reason, this_worker

log = logging.getLogger(__name__)


class JobRunning(WorkbenchError):
    """Another job of the same kind is running for the project."""

    kind = Kind.BUSY


# jobs this process ran that stopped on an error their end could not be written for (the
# database's disk full): (database, job id) -> why, until the database takes the write
_UNRECORDED: dict[tuple[str, int], str] = {}


def _key(wb: Workbench, job: Job) -> tuple[str, int]:
    return str(wb.db.url), job.id


def live_job(wb: Workbench, project: Project, kind: str) -> Job | None:
    """The project's running job of `kind` ('draft', 'audit'), or None; one whose worker is
    gone is failed first, so a killed process never blocks the next job (what it finished
    stays; a new job resumes). So is one that stopped here on an error the database could not
    take then (see `as_known`)."""
    job = store.running_job(wb.db, project.id, kind)
    if job is None:
        return None
    if _key(wb, job) in _UNRECORDED:
        _record_end(wb, job)
        return None
    reason = gone_reason(job, store.now(), this_worker())
    if reason is None:
        return job
    if store.stop_job(
        wb.db,
        job.id,
        "failed",
        error=f"interrupted: {reason}",
        message="the job stopped: " + reason,
    ):
        log.warning(
            "%s job %d for project %r: %s; marked failed", kind, job.id, project.name, reason
        )
    return None


def as_known(wb: Workbench, job: Job | None) -> Job | None:
    """`job` as this process knows it: one that stopped here on an error while the database
    could not record it shows as failed with that reason, as it will be recorded."""
    reason = _UNRECORDED.get(_key(wb, job)) if job is not None else None
    if job is None or reason is None or job.state != "running":
        return job
    return replace(job, state="failed", error=reason, message="the job stopped on an error")


def _record_end(wb: Workbench, job: Job) -> None:
    """Write the end of a job that stopped here unrecorded, if the database takes it now."""
    try:
        store.stop_job(
            wb.db,
            job.id,
            "failed",
            error=_UNRECORDED[_key(wb, job)],
            message="the job stopped on an error",
        )
    except Exception as exc:
        if store.database_trouble(exc) is None:
            raise
        log.warning("%s job %d: cannot mark it failed yet: %s", job.kind, job.id, exc)
        return  # still full: it is shown failed all the same (`as_known`)
    _UNRECORDED.pop(_key(wb, job), None)


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
        store.stop_job(
            wb.db,
            job.id,
            "cancelled",
            cancel_requested=True,
            error=f"interrupted: {reason}",
            message="cancelled: " + reason,
        )
    store.log_event(
        wb.db,
        user.name,
        f"{kind} cancelled",
        project.id,
        {"job": job.id, "worker gone": reason is not None},
    )
    return store.get_job(wb.db, job.id)


def run_as_worker(wb: Workbench, job: Job, work: Callable[[], Job]) -> Job:
    """Run `work` (a job's loop) with this process as the job's worker, beating its heartbeat;
    an exception ends the job as failed (a plain reason, no path) and is raised again."""
    worker = this_worker()
    try:
        store.claim_job(wb.db, job.id, worker.pid, worker.host)
        with Heartbeat(wb.db, job.id):
            return work()
    except Exception as exc:  # the job ends with it, rather than 'running' until found dead
        reason = describe(exc, paths=False) or (
            exc.message  # written for the page: no server path
            if isinstance(exc, ClusterUnavailable)
            else f"{type(exc).__name__}; the server log has the details"
        )
        try:
            fail_job(wb, job, reason, message="the job stopped on an error")
        except Exception as again:  # noqa: BLE001 (the database itself is the trouble: written when it can)
            log.warning("%s job %d: cannot mark it failed: %s", job.kind, job.id, again)
            _UNRECORDED[_key(wb, job)] = reason
        raise
