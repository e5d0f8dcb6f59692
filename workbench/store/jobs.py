"""Background jobs (import, draft, export): start, progress with a heartbeat, cancel."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.corpus import Job
from workbench.store.engine import now
from workbench.store.records import fetch, first_record
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
    with engine.connect() as conn:
        return fetch(conn, Job, jobs, job_id)


def start_job(
    engine: Engine, project_id: int, kind: str, params: dict[str, Any], total: float
) -> Job:
    """Insert a running job with `total` units of work to do."""
    stamp = now()
    with engine.begin() as conn:
        new_id = conn.execute(
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
            )
        ).inserted_primary_key[0]
        return fetch(conn, Job, jobs, new_id)


def update_job(engine: Engine, job_id: int, **values: Any) -> None:
    """Set job fields (done, total, message, state, error) and touch its heartbeat."""
    with engine.begin() as conn:
        conn.execute(sa.update(jobs).where(jobs.c.id == job_id).values(updated_at=now(), **values))


def request_cancel(engine: Engine, job_id: int) -> None:
    """Ask a running job to stop; it checks `cancel_requested` between units of work."""
    with engine.begin() as conn:
        conn.execute(sa.update(jobs).where(jobs.c.id == job_id).values(cancel_requested=True))


def cancel_requested(engine: Engine, job_id: int) -> bool:
    """Whether someone asked the job to stop."""
    with engine.connect() as conn:
        return bool(
            conn.execute(sa.select(jobs.c.cancel_requested).where(jobs.c.id == job_id)).scalar()
        )
