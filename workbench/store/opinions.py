"""Second opinions for the corpus audit: a Whisper transcript of a labelled segment, kept apart
from its revisions (the label is never replaced), with its disagreement with the label."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.core.records import Status
from workbench.store.engine import now, reading
from workbench.store.schema import opinions, recordings, revisions, segments

JUDGED = revisions.alias("judged")  # the label revision a second opinion was compared with
LABELLED_SOURCES = ("import", "human", "review")  # a text a person wrote: worth a second opinion
AUDITED = (Status.DRAFTED.value, Status.LABELLED.value, Status.PASSED.value)  # open to audit review


def _labelled(project_id: int):
    """Segments of a project whose latest revision is a person's text (not an ASR draft)."""
    return (
        sa.select(
            segments.c.id,
            segments.c.recording_id,
            segments.c.start,
            segments.c.end,
            segments.c.latest_revision_id,
            revisions.c.text,
        )
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .join(revisions, revisions.c.id == segments.c.latest_revision_id)
        .where(
            recordings.c.project_id == project_id,
            segments.c.status != Status.DELETED.value,
            revisions.c.source.in_(LABELLED_SOURCES),
            revisions.c.text != "",
        )
    )


def audit_todo(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    """Labelled segments without a second opinion on their current label text, by recording
    and time (id, recording_id, start, end, latest_revision_id, text). A label saved again
    with the same text keeps its opinion."""
    query = (
        _labelled(project_id)
        .outerjoin(opinions, opinions.c.segment_id == segments.c.id)
        .outerjoin(JUDGED, JUDGED.c.id == opinions.c.revision_id)
        .where(sa.or_(opinions.c.id.is_(None), JUDGED.c.text != revisions.c.text))
        .order_by(segments.c.recording_id, segments.c.start, segments.c.id)
    )
    with reading(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def save_opinion(
    engine: Engine,
    segment_id: int,
    revision_id: int,
    text: str,
    model: str,
    language: str | None,
    avg_logprob: float | None,
    wer: float,
    cer: float,
    disagreement: float,
) -> None:
    """Keep the newest second opinion of a segment (one per segment)."""
    with engine.begin() as conn:
        conn.execute(sa.delete(opinions).where(opinions.c.segment_id == segment_id))
        conn.execute(
            sa.insert(opinions).values(
                segment_id=segment_id,
                revision_id=revision_id,
                text=text,
                model=model,
                language=language,
                avg_logprob=avg_logprob,
                wer=wer,
                cer=cer,
                disagreement=disagreement,
                created_at=now(),
            )
        )


def opinion_of(engine: Engine, segment_id: int) -> dict[str, Any] | None:
    """A segment's second opinion as a dict, or None."""
    with reading(engine) as conn:
        row = conn.execute(sa.select(opinions).where(opinions.c.segment_id == segment_id)).first()
    return dict(row._mapping) if row else None


def audit_rows(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    """Every labelled segment of a project with its second opinion, if any: id, recording
    (name), start, end, status, flags, text, source, revision_id, and the opinion's text, the
    label text it judged, wer, cer, disagreement (None without one)."""
    query = (
        sa.select(
            segments.c.id,
            recordings.c.original_name.label("recording"),
            segments.c.start,
            segments.c.end,
            segments.c.status,
            segments.c.flags,
            revisions.c.text,
            revisions.c.source,
            segments.c.latest_revision_id,
            opinions.c.text.label("opinion"),
            JUDGED.c.text.label("judged_text"),
            opinions.c.wer,
            opinions.c.cer,
            opinions.c.disagreement,
        )
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .outerjoin(revisions, revisions.c.id == segments.c.latest_revision_id)
        .outerjoin(opinions, opinions.c.segment_id == segments.c.id)
        .outerjoin(JUDGED, JUDGED.c.id == opinions.c.revision_id)
        .where(recordings.c.project_id == project_id, segments.c.status != Status.DELETED.value)
        .order_by(recordings.c.original_name, recordings.c.id, segments.c.start, segments.c.id)
    )
    with reading(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
