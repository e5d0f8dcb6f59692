"""A recording's segment spans for the editor's overview (minimap) and its go-to.

Queries by recording, on the (recording_id, start) index: the spans read all live segments of
one recording (a 10-hour one has about 10,000), the stamp and `segment_at` read one row or one
aggregate, so a page can cache the spans and re-read them only when the stamp changes.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.core.records import Status
from workbench.store.engine import reading
from workbench.store.schema import recordings, segments

_LIVE = segments.c.status != Status.DELETED.value


def recording_spans(engine: Engine, recording_id: int) -> list[tuple[int, float, float, str]]:
    """(id, start, end, status) of every live segment of a recording, by start time."""
    query = (
        sa.select(segments.c.id, segments.c.start, segments.c.end, segments.c.status)
        .where(segments.c.recording_id == recording_id, _LIVE)
        .order_by(segments.c.start, segments.c.id)
    )
    with reading(engine) as conn:
        return [tuple(r) for r in conn.execute(query)]


def spans_stamp(engine: Engine, recording_id: int) -> tuple[Any, ...]:
    """A value that changes whenever a segment of the recording changes its bounds or status:
    the sum of the versions (every edit bumps one) and the count per status (a status changed
    without a bump, e.g. sent to review)."""
    query = (
        sa.select(segments.c.status, sa.func.count(), sa.func.sum(segments.c.version))
        .where(segments.c.recording_id == recording_id)
        .group_by(segments.c.status)
        .order_by(segments.c.status)
    )
    with reading(engine) as conn:
        return tuple(tuple(r) for r in conn.execute(query))


def segment_at(engine: Engine, recording_id: int, at: float) -> int | None:
    """The live segment of a recording under `at` seconds (the latest starting one there), else
    the first one starting after it, else the last one before it; None without segments."""
    base = sa.select(segments.c.id).where(segments.c.recording_id == recording_id, _LIVE)
    with reading(engine) as conn:
        for query in (
            base.where(segments.c.start <= at, segments.c.end > at)
            .order_by(segments.c.start.desc(), segments.c.id.desc())
            .limit(1),
            base.where(segments.c.start > at).order_by(segments.c.start, segments.c.id).limit(1),
            base.order_by(segments.c.start.desc(), segments.c.id.desc()).limit(1),
        ):
            found = conn.execute(query).scalar()
            if found is not None:
                return found
    return None


def spans_of(
    engine: Engine, project_id: int, segment_ids: list[int]
) -> list[tuple[int, float, float, str]]:
    """(id, start, end, status) of those of `segment_ids` that are in the project, in one query."""
    if not segment_ids:
        return []
    query = (
        sa.select(segments.c.id, segments.c.start, segments.c.end, segments.c.status)
        .join(recordings, segments.c.recording_id == recordings.c.id)
        .where(
            segments.c.id.in_([int(i) for i in segment_ids]), recordings.c.project_id == project_id
        )
    )
    with reading(engine) as conn:
        return [tuple(r) for r in conn.execute(query)]


def project_of_segment(engine: Engine, segment_id: int) -> int | None:
    """The project a segment belongs to, or None when there is no such segment."""
    query = (
        sa.select(recordings.c.project_id)
        .join(segments, segments.c.recording_id == recordings.c.id)
        .where(segments.c.id == segment_id)
    )
    with reading(engine) as conn:
        return conn.execute(query).scalar()


def speakers_in(
    engine: Engine, recording_id: int, start: float, end: float
) -> list[tuple[int, float, float, str | None]]:
    """(id, start, end, speaker) of the live segments of a recording overlapping [start, end),
    by start time (the editor's lanes of a recording drafted one speaker per channel)."""
    query = (
        sa.select(segments.c.id, segments.c.start, segments.c.end, segments.c.speaker)
        .where(
            segments.c.recording_id == recording_id,
            _LIVE,
            segments.c.start < end,
            segments.c.end > start,
        )
        .order_by(segments.c.start, segments.c.id)
    )
    with reading(engine) as conn:
        return [(int(i), float(a), float(b), s) for i, a, b, s in conn.execute(query)]
