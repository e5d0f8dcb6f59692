"""Word timings of saved revisions (forced alignment): the revisions still to time, a
revision's timings written once, and the timings of revisions read back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workbench.core.records import Recording, Revision, Status, Word
from workbench.store.engine import now, reading
from workbench.store.records import to_record
from workbench.store.schema import recordings, revisions, segments, word_timings

TIMED_SOURCES = ("human", "review")  # the revisions a save writes; drafts carry their own words


def untimed_revisions(
    engine: Engine, project_id: int, limit: int = 20
) -> list[tuple[Revision, Recording]]:
    """The current revisions of the project's live segments that a person saved with text
    and that have no word timings yet, oldest first, with their recordings."""
    query = (
        sa.select(revisions, recordings.c.id.label("recording_key"))
        .join(segments, segments.c.latest_revision_id == revisions.c.id)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .outerjoin(word_timings, word_timings.c.revision_id == revisions.c.id)
        .where(
            recordings.c.project_id == project_id,
            word_timings.c.id.is_(None),
            revisions.c.source.in_(TIMED_SOURCES),
            segments.c.status != Status.DELETED.value,
            sa.func.trim(revisions.c.text) != "",
        )
        .order_by(revisions.c.id)
        .limit(limit)
    )
    with reading(engine) as conn:
        rows = conn.execute(query).all()
        found = {r.recording_key for r in rows}
        by_id = {
            rec.id: to_record(Recording, rec)
            for rec in conn.execute(sa.select(recordings).where(recordings.c.id.in_(found)))
        }
    return [(to_record(Revision, row), by_id[row.recording_key]) for row in rows]


def add_word_timing(
    engine: Engine,
    revision_id: int,
    words: Sequence[Word] | None,
    model: str,
    error: str | None = None,
) -> bool:
    """Keep a revision's word timings (`words` None with the `error` when it could not be
    aligned); False, writing nothing, when it has some already (another worker's)."""
    with engine.begin() as conn:
        if _has(conn, revision_id):
            return False
        conn.execute(
            sa.insert(word_timings).values(
                revision_id=revision_id,
                words=sa.null() if words is None else [_as_json(w) for w in words],
                model=model,
                error=error,
                created_at=now(),
            )
        )
    return True


def timed_words(engine: Engine, revision_ids: Iterable[int]) -> dict[int, tuple[Word, ...]]:
    """The word timings of those of `revision_ids` that were aligned, by revision id."""
    ids = sorted(set(revision_ids))
    found: dict[int, tuple[Word, ...]] = {}
    with reading(engine) as conn:
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            found.update(timed_in(conn, chunk))
    return found


def timed_in(conn: Connection, revision_ids: Sequence[int]) -> dict[int, tuple[Word, ...]]:
    """`timed_words` on an open connection."""
    rows = conn.execute(
        sa.select(word_timings.c.revision_id, word_timings.c.words).where(
            word_timings.c.revision_id.in_(list(revision_ids)), word_timings.c.words.is_not(None)
        )
    )
    return {row.revision_id: as_words(row.words) for row in rows}


def as_words(raw: Sequence[dict]) -> tuple[Word, ...]:
    """A row's words (its `words` column) as records."""
    return tuple(_as_word(w) for w in raw)


def _has(conn: Connection, revision_id: int) -> bool:
    query = sa.select(word_timings.c.id).where(word_timings.c.revision_id == revision_id)
    return conn.execute(query).first() is not None


def _as_json(word: Word) -> dict:
    return {
        "word": word.word,
        "start": word.start,
        "end": word.end,
        "probability": word.probability,
    }


def _as_word(raw: dict) -> Word:
    return Word(raw["word"], float(raw["start"]), float(raw["end"]), float(raw["probability"]))
