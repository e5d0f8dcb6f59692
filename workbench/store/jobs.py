"""Background jobs (import, draft, export): start, progress with a heartbeat, cancel."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.core.records import Job
from workbench.store.engine import now, reading
from workbench.store.records import fetch, first_record, inserted_id
from workbench.store.schema import jobs


def running_job(engine: Engine, project_id: int, kind: str) -> Job | None:
    """The newest running job of this kind for a project, or None."""
    return _newest_job(engine, project_id, kind, jobs.c.state == "running")


def latest_job(engine: Engine, project_id: int, kind: str) -> Job | None:
    """The newest job of this kind for a project, whatever its state, or None."""
    return _newest_job(engine, project_id, kind)


def _newest_job(engine: Engine, project_id: int, kind: str, *where: Any) -> Job | None:
    query = (
        sa.select(jobs)
        .where(jobs.c.project_id == project_id, jobs.c.kind == kind, *where)
        .order_by(jobs.c.id.desc())
    )
    return first_record(engine, Job, query)


def get_job(engine: Engine, job_id: int) -> Job:
    """The job `job_id`; NoResultFound when there is none."""
    with reading(engine) as conn:
        return fetch(conn, Job, jobs, job_id)


def start_job(
    engine: Engine,
    project_id: int,
    kind: str,
    params: dict[str, Any],
    total: float,
    worker_pid: int | None = None,
    worker_host: str | None = None,
) -> Job:
    """Insert a running job with `total` units of work to do, run by the process `worker_pid`
    on `worker_host`."""
    stamp = now()
    with engine.begin() as conn:
        new_id = inserted_id(
            conn.execute(
                sa.insert(jobs).values(
                    project_id=project_id,
                    kind=kind,
                    state="running",
                    params=params,
                    total=total,
                    done=0.0,
                    message="",
                    cancel_requested=False,
                    created_at=stamp,
                    updated_at=stamp,
                    worker_pid=worker_pid,
                    worker_host=worker_host,
                )
            )
        )
        return fetch(conn, Job, jobs, new_id)


def update_job(engine: Engine, job_id: int, **values: Any) -> None:
    """Set job fields (done, total, message, state, error) and touch its heartbeat."""
    with engine.begin() as conn:
        conn.execute(sa.update(jobs).where(jobs.c.id == job_id).values(updated_at=now(), **values))


def touch_job(engine: Engine, job_id: int) -> None:
    """The heartbeat of a running job: its `updated_at` becomes now (a stopped job's stays)."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state == "running")
            .values(updated_at=now())
        )


def claim_job(engine: Engine, job_id: int, worker_pid: int, worker_host: str) -> None:
    """Record that the process `worker_pid` on `worker_host` runs the job now."""
    update_job(engine, job_id, worker_pid=worker_pid, worker_host=worker_host)


def stop_job(engine: Engine, job_id: int, state: str, **values: Any) -> bool:
    """End a job that is still running (as `state`, with `values`); False when it had ended.

    Conditional, so that marking a dead worker's job never overwrites how a live one ended.
    """
    with engine.begin() as conn:
        ended = conn.execute(
            sa.update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state == "running")
            .values(state=state, updated_at=now(), **values)
        )
    return ended.rowcount == 1


def request_cancel(engine: Engine, job_id: int) -> None:
    """Ask a running job to stop; it checks `cancel_requested` between units of work."""
    with engine.begin() as conn:
        conn.execute(sa.update(jobs).where(jobs.c.id == job_id).values(cancel_requested=True))


def cancel_requested(engine: Engine, job_id: int) -> bool:
    """Whether someone asked the job to stop."""
    with reading(engine) as conn:
        return bool(
            conn.execute(sa.select(jobs.c.cancel_requested).where(jobs.c.id == job_id)).scalar()
        )
