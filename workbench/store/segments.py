"""Segments and their revisions: drafted segments, the editor's view, and edits (save, split,
merge) that append a revision and bump the segment's version in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workbench.core.records import (
    Edit,
    Recording,
    Revision,
    Segment,
    SegmentView,
    StaleEdit,
    Status,
    draft_confidence,
)
from workbench.store.engine import now, reading
from workbench.store.records import all_records, fetch, inserted_id, to_record
from workbench.store.schema import recordings, revisions, segments, word_timings
from workbench.store.word_timings import as_words


def add_drafted_segments(
    engine: Engine,
    recording_id: int,
    drafts: Iterable[dict[str, Any]],
    author: str,
    language: str | None = None,
    job_id: int | None = None,
) -> int:
    """Insert a recording's drafted segments, each with revision 1, and mark it drafted.

    All in one transaction. Each draft is a dict with start, end, text, speaker (optional) and
    asr_meta; a segment's confidence comes from its asr_meta (`corpus.draft_confidence`), and
    the recording keeps `job_id` (the draft job: its batch). Returns how many segments were
    written. Refuses (returns 0) when the recording was drafted already, so a second drafting
    run never duplicates.
    """
    created = now()
    count = 0
    with engine.begin() as conn:
        claimed = conn.execute(
            sa.update(recordings)
            .where(recordings.c.id == recording_id, recordings.c.drafted_at.is_(None))
            .values(drafted_at=created, draft_job=job_id)
        )
        if claimed.rowcount != 1:
            return 0
        for draft in drafts:
            _insert_draft(conn, recording_id, draft, author, created)
            count += 1
        if language:
            conn.execute(
                sa.update(recordings)
                .where(recordings.c.id == recording_id)
                .values(language=language)
            )
    return count


def _insert_draft(
    conn: Connection, recording_id: int, draft: dict[str, Any], author: str, created: datetime
) -> None:
    """One drafted segment of the recording with its revision 1 (its latest)."""
    seg_id = inserted_id(
        conn.execute(
            sa.insert(segments).values(
                recording_id=recording_id,
                start=draft["start"],
                end=draft["end"],
                speaker=draft.get("speaker"),
                status=Status.DRAFTED.value,
                version=1,
                flags=draft.get("flags", ()),
                confidence=draft_confidence(draft.get("asr_meta")),
            )
        )
    )
    rev_id = inserted_id(
        conn.execute(
            sa.insert(revisions).values(
                segment_id=seg_id,
                n=1,
                text=draft["text"],
                start=draft["start"],
                end=draft["end"],
                source=draft.get("source", "asr"),
                author=author,
                created_at=created,
                asr_meta=draft.get("asr_meta"),
            )
        )
    )
    conn.execute(
        sa.update(segments).where(segments.c.id == seg_id).values(latest_revision_id=rev_id)
    )


def get_segment(engine: Engine, segment_id: int) -> Segment:
    """The segment `segment_id`; NoResultFound when there is none."""
    with reading(engine) as conn:
        return fetch(conn, Segment, segments, segment_id)


def segment_view(engine: Engine, segment_id: int) -> SegmentView:
    """A segment with its recording, latest revision (with its words as timed against the
    audio, where they are) and first ASR draft: three queries, the editor opens one a key."""
    first_draft = (
        sa.select(revisions.c.id)
        .where(revisions.c.segment_id == segment_id, revisions.c.source == "asr")
        .order_by(revisions.c.n)
        .limit(1)
        .scalar_subquery()
    )
    with reading(engine) as conn:
        row = conn.execute(sa.select(segments).where(segments.c.id == segment_id)).one()
        recording = fetch(conn, Recording, recordings, row.recording_id)
        latest_id = row.latest_revision_id
        wanted = revisions.c.id == first_draft
        if latest_id is not None:
            wanted = sa.or_(revisions.c.id == latest_id, wanted)
        found = conn.execute(
            sa.select(revisions, word_timings.c.words.label("timed_words"))
            .outerjoin(word_timings, word_timings.c.revision_id == revisions.c.id)
            .where(wanted)
        ).all()
    latest = next((r for r in found if r.id == latest_id), None)
    draft = min((r for r in found if r.source == "asr"), key=lambda r: r.n, default=None)
    return SegmentView(
        segment=to_record(Segment, row),
        recording=recording,
        latest=to_record(Revision, latest) if latest else None,
        draft=to_record(Revision, draft) if draft else None,
        timed=as_words(latest.timed_words) if latest and latest.timed_words is not None else None,
    )


def list_revisions(engine: Engine, segment_id: int) -> list[Revision]:
    """A segment's revisions, oldest first."""
    query = sa.select(revisions).where(revisions.c.segment_id == segment_id).order_by(revisions.c.n)
    return all_records(engine, Revision, query)


def _bump(conn: Connection, segment_id: int, expected_version: int, **values: Any) -> None:
    """Move a segment to new values if it is still at `expected_version`, else StaleEdit.

    The version check and the bump are one conditional UPDATE, so of two racing saves exactly
    one wins; the other gets StaleEdit with the winner's text.
    """
    bumped = conn.execute(
        sa.update(segments)
        .where(segments.c.id == segment_id, segments.c.version == expected_version)
        .values(version=segments.c.version + 1, **values)
    )
    if bumped.rowcount != 1:
        row = conn.execute(
            sa.select(segments.c.version, revisions.c.text)
            .outerjoin(revisions, revisions.c.id == segments.c.latest_revision_id)
            .where(segments.c.id == segment_id)
        ).one()
        raise StaleEdit(segment_id, expected_version, row.version, row.text or "")


def _revise(
    conn: Connection,
    segment_id: int,
    edit: Edit,
    author: str,
    source: str,
    asr_meta: dict[str, Any] | None = None,
) -> int:
    """Insert the next revision of a segment holding `edit`, and point the segment at it
    (`asr_meta`: an ASR draft's words and scores; else the draft text a part came from)."""
    n = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(revisions.c.n), 0)).where(
            revisions.c.segment_id == segment_id
        )
    ).scalar_one()
    rev_id = inserted_id(
        conn.execute(
            sa.insert(revisions).values(
                segment_id=segment_id,
                n=n + 1,
                text=edit.text,
                source=source,
                author=author,
                created_at=now(),
                op=edit.op,
                active_seconds=round(edit.active_seconds, 1),
                asr_meta=asr_meta
                if asr_meta is not None
                else ({"draft_text": edit.draft} if edit.draft is not None else None),
                **_state(edit),
            )
        )
    )
    conn.execute(
        sa.update(segments).where(segments.c.id == segment_id).values(latest_revision_id=rev_id)
    )
    return rev_id


def _state(edit: Edit) -> dict[str, Any]:
    """The columns a segment and its revision share, as `edit` sets them."""
    return {
        "start": edit.start,
        "end": edit.end,
        "status": edit.status.value,
        "speaker": edit.speaker,
        "tags": edit.tags,
        "comment": edit.comment,
    }


def _segment_state(edit: Edit) -> dict[str, Any]:
    """The segment's columns as `edit` sets them: `_state`, and its flags when it sets them."""
    return _state(edit) | ({"flags": edit.flags} if edit.flags is not None else {})


def apply_edit(
    engine: Engine,
    segment_id: int,
    expected_version: int,
    edit: Edit,
    author: str,
    source: str = "human",
) -> Revision:
    """Append a revision holding `edit` if nobody saved the segment since `expected_version`."""
    with engine.begin() as conn:
        _bump(conn, segment_id, expected_version, **_segment_state(edit))
        rev_id = _revise(conn, segment_id, edit, author, source)
        return fetch(conn, Revision, revisions, rev_id)


def add_draft(
    engine: Engine,
    segment_id: int,
    expected_version: int,
    edit: Edit,
    asr_meta: dict[str, Any],
    author: str,
) -> Revision:
    """Append an ASR draft to a segment that had none (one a person added): a revision from
    the engine (source 'asr', op 'draft') holding `edit` and the draft's `asr_meta`; the
    segment takes its flags and confidence. StaleEdit if saved since `expected_version`."""
    with engine.begin() as conn:
        _bump(
            conn,
            segment_id,
            expected_version,
            **_segment_state(edit),
            confidence=draft_confidence(asr_meta),
        )
        rev_id = _revise(conn, segment_id, edit, author, "asr", asr_meta)
        return fetch(conn, Revision, revisions, rev_id)


def split(
    engine: Engine, segment_id: int, expected_version: int, left: Edit, right: Edit, author: str
) -> int:
    """Shorten a segment to `left` and create a new segment holding `right`; returns its id.

    Both get a revision with op 'split', in one transaction.
    """
    with engine.begin() as conn:
        recording_id = conn.execute(
            sa.select(segments.c.recording_id).where(segments.c.id == segment_id)
        ).scalar_one()
        _bump(conn, segment_id, expected_version, **_state(left))
        _revise(conn, segment_id, left, author, "human")
        new_id = inserted_id(
            conn.execute(
                sa.insert(segments).values(
                    recording_id=recording_id, version=1, flags=(), **_state(right)
                )
            )
        )
        _revise(conn, new_id, right, author, "human")
    return new_id


def merge(
    engine: Engine, first: tuple[int, int], second: tuple[int, int], merged: Edit, author: str
) -> None:
    """Make the first segment (id, version) cover both and delete the second, in one transaction."""
    with engine.begin() as conn:
        _bump(conn, first[0], first[1], **_state(merged))
        _revise(conn, first[0], merged, author, "human")
        row = fetch(conn, Segment, segments, second[0])
        gone = Edit(
            merged.text,
            row.start,
            row.end,
            Status.DELETED,
            row.speaker,
            row.tags,
            row.comment,
            op="merged",
        )
        _bump(conn, second[0], second[1], **_state(gone))
        _revise(conn, second[0], gone, author, "human")


def adjacent(engine: Engine, segment: Segment) -> tuple[dict | None, dict | None]:
    """The segments just before and after `segment` in time in its recording (not deleted)."""
    base = (
        sa.select(
            segments.c.id,
            segments.c.start,
            segments.c.end,
            segments.c.version,
            segments.c.speaker,
            revisions.c.text,
        )
        .outerjoin(revisions, revisions.c.id == segments.c.latest_revision_id)
        .where(
            segments.c.recording_id == segment.recording_id,
            segments.c.status != Status.DELETED.value,
            segments.c.id != segment.id,
        )
    )
    key = sa.tuple_(segments.c.start, segments.c.id)
    here = sa.tuple_(sa.literal(segment.start), sa.literal(segment.id))
    before = base.add_columns(sa.literal(0).label("side")).where(key < here)
    after = base.add_columns(sa.literal(1).label("side")).where(key > here)
    both = sa.union_all(  # one query: the editor reads them for every segment it opens
        before.order_by(segments.c.start.desc(), segments.c.id.desc()).limit(1).subquery().select(),
        after.order_by(segments.c.start, segments.c.id).limit(1).subquery().select(),
    )
    with reading(engine) as conn:
        rows = conn.execute(both).all()
    sides = {row.side: {k: v for k, v in row._mapping.items() if k != "side"} for row in rows}
    return sides.get(0), sides.get(1)


OVERLAP = 0.0005  # seconds: boundaries are kept to the millisecond, so closer is touching


def live_overlaps(
    engine: Engine,
    recording_id: int,
    start: float,
    end: float,
    exclude_id: int,
    before_revision_id: int | None = None,
    then: tuple[float, float] | None = None,
) -> list[dict]:
    """The live (not deleted) segments of a recording that overlap [start, end), but for
    `exclude_id`: dicts of id, start, end.

    With `before_revision_id`, only those that did not overlap `then` (the excluded segment's
    bounds at that revision; default [start, end)) already just before that revision was
    saved (as their latest revision then had them), i.e. the overlaps that are new since;
    what a delete undone may not bring back.
    """
    with reading(engine) as conn:
        rows = conn.execute(
            sa.select(segments.c.id, segments.c.start, segments.c.end)
            .where(
                segments.c.recording_id == recording_id,
                segments.c.id != exclude_id,
                segments.c.status != Status.DELETED.value,
                segments.c.start < end - OVERLAP,
                segments.c.end > start + OVERLAP,
            )
            .order_by(segments.c.start, segments.c.id)
        ).all()
        found = [dict(r._mapping) for r in rows]
        if before_revision_id is None:
            return found
        was = then or (start, end)
        return [s for s in found if not _overlapped_then(conn, s["id"], *was, before_revision_id)]


def _overlapped_then(
    conn: Connection, segment_id: int, start: float, end: float, before_revision_id: int
) -> bool:
    """Whether the segment was live over [start, end) as of its last revision before
    `before_revision_id` (revision ids grow with time)."""
    then = conn.execute(
        sa.select(revisions.c.start, revisions.c.end, revisions.c.status)
        .where(revisions.c.segment_id == segment_id, revisions.c.id < before_revision_id)
        .order_by(revisions.c.id.desc())
        .limit(1)
    ).first()
    return (
        then is not None
        and then.status != Status.DELETED.value
        and then.start is not None
        and then.end is not None
        and then.start < end - OVERLAP
        and then.end > start + OVERLAP
    )


def add_segment(engine: Engine, recording_id: int, edit: Edit, author: str) -> int:
    """Create a segment of a recording holding `edit` (its first revision, source 'human');
    returns its id. The caller has checked the bounds against the live segments."""
    with engine.begin() as conn:
        new_id = inserted_id(
            conn.execute(
                sa.insert(segments).values(
                    recording_id=recording_id, version=1, flags=(), **_state(edit)
                )
            )
        )
        _revise(conn, new_id, edit, author, "human")
    return new_id


def project_bounds(engine: Engine, project_id: int) -> dict[int, list[tuple[float, float]]]:
    """(start, end) of the live segments of every recording of a project that has any, by
    recording id, each by start: one query for the whole project."""
    query = (
        sa.select(segments.c.recording_id, segments.c.start, segments.c.end)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .where(recordings.c.project_id == project_id, segments.c.status != Status.DELETED.value)
        .order_by(segments.c.recording_id, segments.c.start)
    )
    out: dict[int, list[tuple[float, float]]] = {}
    with reading(engine) as conn:
        for recording_id, start, end in conn.execute(query):
            out.setdefault(recording_id, []).append((float(start), float(end)))
    return out


def live_bounds(
    engine: Engine, recording_id: int, start: float | None = None, end: float | None = None
) -> list[tuple[float, float]]:
    """(start, end) of every live (not deleted) segment of a recording, by start; with
    `start`/`end`, only those overlapping [start, end)."""
    query = (
        sa.select(segments.c.start, segments.c.end)
        .where(segments.c.recording_id == recording_id, segments.c.status != Status.DELETED.value)
        .order_by(segments.c.start)
    )
    if start is not None and end is not None:
        query = query.where(segments.c.start < end, segments.c.end > start)
    with reading(engine) as conn:
        rows = conn.execute(query).all()
    return [(float(a), float(b)) for a, b in rows]
