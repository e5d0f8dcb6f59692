"""The labeller's queue: the full listing (`segment_queue`) and one step in it by keyset
queries (`queue_position`), in time order, the most serious flags first, the least confident
draft first ('uncertain'), or (the corpus audit) the largest disagreement with a second
opinion first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workbench.labelling.flags import SERIOUS_FLAGS
from workbench.store.engine import reading
from workbench.store.schema import gold, opinions, recordings, revisions, segments


def segment_queue(
    engine: Engine,
    project_id: int,
    recording_id: int | None = None,
    statuses: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """The editor's queue: one light dict per segment (id, recording, times, status, text)."""
    query = (
        sa.select(
            segments.c.id,
            segments.c.recording_id,
            recordings.c.original_name.label("recording"),
            segments.c.start,
            segments.c.end,
            segments.c.status,
            segments.c.flags,
            revisions.c.text,
        )
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .outerjoin(revisions, revisions.c.id == segments.c.latest_revision_id)
        .where(recordings.c.project_id == project_id)
        .order_by(recordings.c.original_name, recordings.c.id, segments.c.start, segments.c.id)
    )
    if recording_id is not None:
        query = query.where(segments.c.recording_id == recording_id)
    if statuses:
        query = query.where(segments.c.status.in_(list(statuses)))
    with reading(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def _queue_query(
    project_id: int,
    recording_id: int | None,
    statuses: Sequence[str] | None,
    flagged_only: bool,
    order: str = "time",
    without_gold: bool = False,
):
    query = _joined(sa.select(segments.c.id), order).where(recordings.c.project_id == project_id)
    if recording_id is not None:
        query = query.where(segments.c.recording_id == recording_id)
    return _filtered(query, statuses, flagged_only, without_gold)


def _filtered(query, statuses: Sequence[str] | None, flagged_only: bool, without_gold: bool):
    """`query` over segments narrowed to the statuses, the flagged ones, the non-gold ones."""
    if statuses:
        query = query.where(segments.c.status.in_(list(statuses)))
    if flagged_only:
        query = query.where(segments.c.flags != "")
    if without_gold:
        query = query.where(_not_gold())
    return query


def _not_gold():
    """Not a gold segment: a labeller's queue never shows one, whose text is the answer."""
    return segments.c.id.not_in(sa.select(gold.c.segment_id))


def _joined(query: sa.Select, order: str) -> sa.Select:
    """`query` over segments joined to what the order sorts by: the recording, and for
    'disagreement' the second opinion (so that queue holds audited segments only)."""
    query = query.select_from(segments).join(recordings, recordings.c.id == segments.c.recording_id)
    if order == "disagreement":
        query = query.join(opinions, opinions.c.segment_id == segments.c.id)
    return query


UNSURE_LAST = 2.0  # the rank of a segment without a draft confidence (confidences are 0..1)


def _queue_order(order: str) -> tuple:
    """The queue's sort key: time order; the most serious flags first then time; the least
    confident draft first, segments without a confidence last, then time ('uncertain'); or the
    largest disagreement between label and second opinion first (the corpus audit)."""
    by_time = (recordings.c.original_name, recordings.c.id, segments.c.start, segments.c.id)
    if order == "time":
        return by_time
    if order == "uncertain":
        return (sa.func.coalesce(segments.c.confidence, UNSURE_LAST), *by_time)
    if order == "disagreement":
        return (-opinions.c.disagreement, segments.c.id)
    serious = sa.or_(*[segments.c.flags.like(f"%{flag}%") for flag in SERIOUS_FLAGS])
    rank = sa.case((serious, 0), (segments.c.flags != "", 1), else_=2)
    return (rank, *by_time)


def queue_position(
    engine: Engine,
    project_id: int,
    current: int | None,
    recording_id: int | None = None,
    statuses: Sequence[str] | None = None,
    flagged_only: bool = False,
    order: str = "time",
    without_gold: bool = False,
    counted: bool = True,
) -> dict[str, Any]:
    """Where `current` stands in the labeller's queue, by keyset queries (no full listing).

    Returns {current, previous, next, index, total, past_end}; `current` falls back to the
    first segment at or after the given one's place when it no longer matches the filters
    (e.g. just saved), or the last one when none is after it (then `past_end` is True),
    so the cost of a step does not grow with the number of segments. `without_gold` leaves
    gold segments out (a labeller's queue). Not `counted` (in time order): no `index`, `total`
    or `previous` (None), for a step that needs only where it lands and what follows (the
    editor's window), without counting the queue.
    """
    if order == "time" and not counted:
        return _step_by_recording(
            engine, project_id, current, recording_id, statuses, flagged_only, without_gold
        )
    if order == "time":
        return _position_by_recording(
            engine, project_id, current, recording_id, statuses, flagged_only, without_gold
        )
    base = _queue_query(project_id, recording_id, statuses, flagged_only, order, without_gold)
    columns = _queue_order(order)
    key = sa.tuple_(*columns)
    descending = [c.desc() for c in columns]

    def place(conn: Connection, segment_id: int):
        row = conn.execute(
            _joined(sa.select(*columns), order).where(segments.c.id == segment_id)
        ).first()
        return sa.tuple_(*[sa.literal(v) for v in row]) if row else None

    with reading(engine) as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar_one()
        if total == 0:
            return {"current": None, "previous": None, "next": None, "index": 0, "total": 0}
        here = place(conn, current) if current is not None else None
        first = base.order_by(*columns).limit(1)
        found = conn.execute(first.where(key >= here) if here is not None else first).scalar()
        past_end = found is None
        if found is None:  # past the end: the last one
            found = conn.execute(base.order_by(*descending).limit(1)).scalar_one()
        here = place(conn, found)
        previous = conn.execute(base.where(key < here).order_by(*descending).limit(1)).scalar()
        following = conn.execute(base.where(key > here).order_by(*columns).limit(1)).scalar()
        index = conn.execute(
            sa.select(sa.func.count()).select_from(base.where(key < here).subquery())
        ).scalar_one()
    return {
        "current": found,
        "previous": previous,
        "next": following,
        "index": index,
        "total": total,
        "past_end": past_end,
    }


def _position_by_recording(
    engine: Engine,
    project_id: int,
    current: int | None,
    recording_id: int | None,
    statuses: Sequence[str] | None,
    flagged_only: bool,
    without_gold: bool = False,
) -> dict[str, Any]:
    """queue_position in time order, using the (recording_id, start) index at every step.

    Recordings are ordered by name in Python (they are few); within a recording, previous and
    next are index range scans, so a step costs the same in a 10-hour recording as in a short one.
    """
    with reading(engine) as conn:
        queue = _TimeQueue(conn, statuses, flagged_only, without_gold)
        every = _recordings_by_name(conn, project_id, recording_id)
        counts = queue.counts(every)
        order = [r for r in every if counts.get(r)]
        if not order:
            return {"current": None, "previous": None, "next": None, "index": 0, "total": 0}
        (rec, start, seg_id), past_end = _landing(queue, current, every, counts, order)
        here = (start, seg_id)
        at = order.index(rec)
        previous = queue.edge(rec, last=True, before=here)
        if previous is None and at > 0:
            previous = queue.edge(order[at - 1], last=True)
        following = queue.following(rec, here)
        if following is None and at + 1 < len(order):
            following = queue.edge(order[at + 1]).id
        within = queue.count_before(rec, here)
    return {
        "current": seg_id,
        "previous": previous.id if previous is not None else None,
        "next": following,
        "index": sum(counts[r] for r in order[:at]) + within,
        "total": sum(counts[r] for r in order),
        "past_end": past_end,
    }


def _step_by_recording(
    engine: Engine,
    project_id: int,
    current: int | None,
    recording_id: int | None,
    statuses: Sequence[str] | None,
    flagged_only: bool,
    without_gold: bool,
) -> dict[str, Any]:
    """queue_position's landing and next in time order, without counting: the first matching
    segment at or after `current` and the one after it (None, None when none is left)."""
    with reading(engine) as conn:
        queue = _TimeQueue(conn, statuses, flagged_only, without_gold)
        every = _recordings_by_name(conn, project_id, recording_id)
        row = (
            conn.execute(
                sa.select(segments.c.recording_id, segments.c.start).where(segments.c.id == current)
            ).first()
            if current is not None
            else None
        )
        at = every.index(row.recording_id) if row is not None and row.recording_id in every else 0
        after = (row.start, current) if row is not None and every[at:] else None
        hit, following = None, None
        for k, rec in enumerate(every[at:]):
            if hit is None:
                hit = queue.edge(rec, after=after if k == 0 else None)
                following = queue.following(rec, (hit.start, hit.id)) if hit else None
            elif following is None:
                edge = queue.edge(rec)
                following = edge.id if edge is not None else None
            if following is not None:
                break
    return {
        "current": hit.id if hit is not None else None,
        "previous": None,
        "next": following,
        "index": None,
        "total": None,
        "past_end": hit is None,
    }


def _recordings_by_name(conn: Connection, project_id: int, recording_id: int | None) -> list[int]:
    """The project's recording ids in the queue's order (by name), or only `recording_id`."""
    every = [
        r.id
        for r in conn.execute(
            sa.select(recordings.c.id)
            .where(recordings.c.project_id == project_id)
            .order_by(recordings.c.original_name, recordings.c.id)
        )
    ]
    if recording_id is not None:
        every = [r for r in every if r == recording_id]
    return every


_time_key = sa.tuple_(segments.c.start, segments.c.id)  # a segment's place within its recording


def _key_of(here: tuple[float, int]):
    return sa.tuple_(*map(sa.literal, here))


@dataclass(frozen=True)
class _TimeQueue:
    """The time-ordered queue's filters on one connection, and the steps within a recording."""

    conn: Connection
    statuses: Sequence[str] | None
    flagged_only: bool
    without_gold: bool

    def matching(self, query):
        """`query` narrowed to the segments that pass the filters."""
        return _filtered(query, self.statuses, self.flagged_only, self.without_gold)

    def counts(self, every: list[int]) -> dict[int, int]:
        """Recording id -> how many of its segments match (recordings with none left out)."""
        if not every:
            return {}
        return dict(
            self.conn.execute(
                self.matching(
                    sa.select(segments.c.recording_id, sa.func.count())
                    .where(segments.c.recording_id.in_(every))
                    .group_by(segments.c.recording_id)
                )
            ).all()
        )

    def edge(self, rec: int, last: bool = False, after=None, before=None):
        """First (or last) matching segment of a recording, optionally past a key."""
        query = self.matching(
            sa.select(segments.c.id, segments.c.start).where(segments.c.recording_id == rec)
        )
        if after is not None:
            query = query.where(_time_key >= _key_of(after))
        if before is not None:
            query = query.where(_time_key < _key_of(before))
        if last:
            query = query.order_by(segments.c.start.desc(), segments.c.id.desc())
        else:
            query = query.order_by(segments.c.start, segments.c.id)
        return self.conn.execute(query.limit(1)).first()

    def following(self, rec: int, here: tuple[float, int]) -> int | None:
        """The matching segment right after `here` in the same recording."""
        return self.conn.execute(
            self.matching(
                sa.select(segments.c.id).where(
                    segments.c.recording_id == rec, _time_key > _key_of(here)
                )
            )
            .order_by(segments.c.start, segments.c.id)
            .limit(1)
        ).scalar()

    def count_before(self, rec: int, here: tuple[float, int]) -> int:
        """How many matching segments of the recording come before `here`."""
        return self.conn.execute(
            self.matching(
                sa.select(sa.func.count()).where(
                    segments.c.recording_id == rec, _time_key < _key_of(here)
                )
            )
        ).scalar_one()


def _landing(
    queue: _TimeQueue,
    current: int | None,
    every: list[int],
    counts: dict[int, int],
    order: list[int],
) -> tuple[tuple[int, float, int], bool]:
    """Where a step lands, as (recording, start, segment id), and whether it is past the end:
    the first matching segment at or after `current`'s place, the last one when none is after
    it, or the queue's first when there is no current one (or it is not in the queue's
    recordings)."""
    row = None
    if current is not None:
        row = queue.conn.execute(
            sa.select(segments.c.recording_id, segments.c.start).where(segments.c.id == current)
        ).first()
    if row is None or row.recording_id not in every:
        hit = queue.edge(order[0])
        return (order[0], hit.start, hit.id), False
    at = every.index(row.recording_id)
    for k, rec in enumerate(every[at:]):
        if not counts.get(rec):
            continue
        hit = queue.edge(rec, after=(row.start, current) if k == 0 else None)
        if hit is not None:
            return (rec, hit.start, hit.id), False
    hit = queue.edge(order[-1], last=True)  # past the end: the last one
    return (order[-1], hit.start, hit.id), True


def counts_by_recording(engine: Engine, project_id: int) -> dict[int, dict[str, int]]:
    """Segments per recording and status in a project: {recording_id: {status: count}}."""
    with reading(engine) as conn:
        rows = conn.execute(
            sa.select(segments.c.recording_id, segments.c.status, sa.func.count())
            .join(recordings, recordings.c.id == segments.c.recording_id)
            .where(recordings.c.project_id == project_id)
            .group_by(segments.c.recording_id, segments.c.status)
        ).all()
    out: dict[int, dict[str, int]] = {}
    for rec, status, n in rows:
        out.setdefault(rec, {})[status] = n
    return out
