"""Draft error on a project's held-out approved segments, one row per adaptation step."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.core.records import Measure, Status
from workbench.store.engine import now, reading
from workbench.store.records import all_records, fetch, inserted_id
from workbench.store.schema import measures, recordings, revisions, segments

FINAL = (Status.APPROVED.value, Status.PASSED.value)  # final: approved, or passed without review


def add_measure(engine: Engine, project_id: int, **values: Any) -> Measure:
    """Store a measure (step, metric, error, segments, seconds, detail, created_by)."""
    with engine.begin() as conn:
        new_id = inserted_id(
            conn.execute(
                sa.insert(measures).values(project_id=project_id, created_at=now(), **values)
            )
        )
        return fetch(conn, Measure, measures, new_id)


def list_measures(engine: Engine, project_id: int) -> list[Measure]:
    """A project's measures, oldest first (the order of the steps)."""
    return all_records(
        engine,
        Measure,
        sa.select(measures).where(measures.c.project_id == project_id).order_by(measures.c.id),
    )


def final_segments(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    """The project's final segments (approved, or passed without review) with their latest
    text and their recording (id, original_name, working_path), by segment id."""
    query = (
        sa.select(
            segments.c.id,
            segments.c.start,
            segments.c.end,
            revisions.c.text,
            recordings.c.id.label("recording_id"),
            recordings.c.original_name,
            recordings.c.working_path,
        )
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .join(revisions, revisions.c.id == segments.c.latest_revision_id)
        .where(recordings.c.project_id == project_id, segments.c.status.in_(FINAL))
        .order_by(segments.c.id)
    )
    with reading(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
