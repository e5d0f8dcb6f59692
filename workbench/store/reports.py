"""Reports over a project: status counts, draft/final text pairs, labeller statistics, the
speakers and labellers, and the rows an export writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.core.records import FINISHED, Status
from workbench.store.dashboard import with_draft
from workbench.store.engine import reading
from workbench.store.schema import gold, recordings, revisions, segments


def export_rows(
    engine: Engine, project_id: int, statuses: Sequence[str] | None
) -> list[dict[str, Any]]:
    """Segments to export with their recording and latest revision, in recording then time order.

    Deleted segments are never exported, whatever the statuses asked for. `speaker` is the
    segment's, else the recording's.
    """
    query = (
        sa.select(
            segments.c.id.label("segment_id"),
            recordings.c.id.label("recording_id"),
            recordings.c.original_name.label("recording"),
            recordings.c.working_path,
            recordings.c.source_path,
            recordings.c.duration.label("recording_duration"),
            recordings.c.language,
            segments.c.start,
            segments.c.end,
            sa.func.coalesce(segments.c.speaker, recordings.c.speaker).label("speaker"),
            segments.c.status,
            revisions.c.text,
            revisions.c.author,
            revisions.c.created_at.label("revised_at"),
            revisions.c.asr_meta,
            segments.c.tags,
            revisions.c.id.label("revision_id"),
        )
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .join(revisions, revisions.c.id == segments.c.latest_revision_id)
        .where(recordings.c.project_id == project_id, segments.c.status != Status.DELETED.value)
        .order_by(recordings.c.id, segments.c.start, segments.c.id)
    )
    if statuses:
        query = query.where(segments.c.status.in_(list(statuses)))
    with reading(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def speakers_and_labellers(engine: Engine, project_id: int) -> tuple[list[str], list[str]]:
    """The speakers (segment's or recording's) and the latest revisions' authors of a project."""
    speaker = sa.func.coalesce(segments.c.speaker, recordings.c.speaker)
    base = (
        sa.select()
        .select_from(segments.join(recordings, recordings.c.id == segments.c.recording_id))
        .where(recordings.c.project_id == project_id)
    )
    with reading(engine) as conn:
        speakers = (
            conn.execute(
                base.add_columns(speaker).distinct().where(speaker.is_not(None)).order_by(speaker)
            )
            .scalars()
            .all()
        )
        labellers = (
            conn.execute(
                base.add_columns(revisions.c.author)
                .join(revisions, revisions.c.id == segments.c.latest_revision_id)
                .distinct()
                .order_by(revisions.c.author)
            )
            .scalars()
            .all()
        )
    return list(speakers), list(labellers)


GOLD_BUCKET = "gold"  # status_counts' bucket of the gold segments nobody labels (see there)
# status_counts' buckets in the workflow's order: the statuses, gold after 'drafted'
BUCKETS = tuple(
    name for s in Status for name in ((s.value, GOLD_BUCKET) if s is Status.DRAFTED else (s.value,))
)


def status_counts(engine: Engine, project_id: int) -> dict[str, Any]:
    """Segments per status, hours of audio, hours of segments per status.

    A gold segment still new or drafted is counted as GOLD_BUCKET, not by its status: it is a
    reference labellers answer blind, never labelled itself, so it is no work left to do."""
    waiting = (Status.NEW.value, Status.DRAFTED.value)
    is_gold = sa.select(gold.c.segment_id).where(gold.c.segment_id == segments.c.id).exists()
    bucket = sa.case(
        (sa.and_(segments.c.status.in_(waiting), is_gold), GOLD_BUCKET), else_=segments.c.status
    ).label("bucket")
    with reading(engine) as conn:
        audio_seconds, n_recordings = conn.execute(
            sa.select(
                sa.func.coalesce(sa.func.sum(recordings.c.duration), 0.0), sa.func.count()
            ).where(recordings.c.project_id == project_id)
        ).one()
        rows = conn.execute(
            sa.select(
                bucket,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(segments.c.end - segments.c.start), 0.0),
            )
            .join(recordings, recordings.c.id == segments.c.recording_id)
            .where(recordings.c.project_id == project_id)
            .group_by(bucket)
        ).all()
    return {
        "recordings": n_recordings,
        "audio_hours": audio_seconds / 3600,
        "segments": {status: count for status, count, _ in rows},
        "segment_hours": {status: seconds / 3600 for status, _, seconds in rows},
    }


def draft_final_pairs(engine: Engine, project_id: int) -> list[tuple[str, str]]:
    """(draft text, latest text) of every finished segment that was drafted (its draft as
    `store.with_draft` reads it: a split part's own part)."""
    latest = revisions.alias("latest")
    query, draft, _ = with_draft(
        sa.select(latest.c.text.label("final"))
        .select_from(segments)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .join(latest, latest.c.id == segments.c.latest_revision_id)
        .where(
            recordings.c.project_id == project_id,
            segments.c.status.in_([s.value for s in FINISHED]),
        ),
        outer=False,
    )
    query = query.add_columns(draft.label("draft"))
    with reading(engine) as conn:
        return [(r.draft, r.final) for r in conn.execute(query) if r.draft is not None]


def labeller_stats(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    """Per author of human revisions: saves, segments, seconds of audio, active seconds."""
    query = (
        sa.select(
            revisions.c.author,
            sa.func.count().label("saves"),
            sa.func.count(sa.distinct(revisions.c.segment_id)).label("segments"),
            sa.func.coalesce(sa.func.sum(revisions.c.active_seconds), 0.0).label("active"),
        )
        .join(segments, segments.c.id == revisions.c.segment_id)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .where(recordings.c.project_id == project_id, revisions.c.source == "human")
        .group_by(revisions.c.author)
        .order_by(revisions.c.author)
    )
    with reading(engine) as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
        pairs = conn.execute(
            sa.select(revisions.c.author, revisions.c.segment_id, segments.c.start, segments.c.end)
            .join(segments, segments.c.id == revisions.c.segment_id)
            .join(recordings, recordings.c.id == segments.c.recording_id)
            .where(recordings.c.project_id == project_id, revisions.c.source == "human")
            .distinct()
        ).all()
    seconds: dict[str, float] = {}
    for author, _, start, end in pairs:
        seconds[author] = seconds.get(author, 0.0) + (end - start)
    for row in rows:
        row["audio_seconds"] = seconds.get(row["author"], 0.0)
    return rows
