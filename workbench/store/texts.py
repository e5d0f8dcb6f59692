"""Segment texts across a project, for find and replace: one light dict per segment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.store.engine import reading
from workbench.store.schema import recordings, revisions, segments


def segment_texts(
    engine: Engine, project_id: int, statuses: Sequence[str], contains: str | None = None
) -> list[dict[str, Any]]:
    """The project's segments in `statuses` with their latest text, in time order: dicts of
    id, version, recording, start, end, status, text.

    With `contains`, only texts holding it as a LIKE match would (a superset of a
    case-sensitive match on every database; the caller matches exactly).
    """
    query = (
        sa.select(
            segments.c.id,
            segments.c.version,
            recordings.c.original_name.label("recording"),
            segments.c.start,
            segments.c.end,
            segments.c.status,
            revisions.c.text,
        )
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .join(revisions, revisions.c.id == segments.c.latest_revision_id)
        .where(recordings.c.project_id == project_id, segments.c.status.in_(list(statuses)))
        .order_by(recordings.c.original_name, recordings.c.id, segments.c.start, segments.c.id)
    )
    if contains:
        query = query.where(revisions.c.text.contains(contains, autoescape=True))
    with reading(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
