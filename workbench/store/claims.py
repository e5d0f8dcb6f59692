"""Claims: who works on which item now (a segment, or a whole recording), taken atomically.

A claim is one row per item (`claims.segment_id` and `claims.recording_id` are unique) and is
live until `expires_at`. Taking an item is one INSERT ... ON CONFLICT DO UPDATE that overwrites
only a claim that has expired or is the taker's own, so of two people racing for one item
exactly one gets it, on SQLite and PostgreSQL alike. A claiming transaction first takes
SQLite's write lock (BEGIN IMMEDIATE: claims are handed out one at a time), and on PostgreSQL
locks its candidate rows with FOR UPDATE SKIP LOCKED, so racing labellers pass each other
instead of queueing for the same item.

`segments.assignee` names the one person an item is handed to (an owner's assignment, or the
labeller a rejected segment went back to); items assigned to someone else are never handed out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypedDict

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from workbench.core.records import Status
from workbench.store.engine import now, reading
from workbench.store.queue import _queue_order, _queue_query
from workbench.store.schema import caps, claims, recordings, revisions, segments

TRIES = 50  # candidates tried before giving up (each failed one was taken meanwhile)


def _claiming(conn: Connection) -> None:
    """Start a claiming transaction: SQLite's write lock now, not at the first write."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _take(
    conn: Connection,
    project_id: int,
    user: str,
    at: datetime,
    until: datetime,
    *,
    segment_id: int | None = None,
    recording_id: int | None = None,
) -> bool:
    """Claim one item for `user` until `until` if nobody else holds it live; whether it did."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(claims).values(
        project_id=project_id,
        segment_id=segment_id,
        recording_id=recording_id,
        user_name=user,
        claimed_at=at,
        expires_at=until,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["segment_id" if segment_id is not None else "recording_id"],
        set_={"project_id": project_id, "user_name": user, "claimed_at": at, "expires_at": until},
        where=sa.or_(claims.c.expires_at <= at, claims.c.user_name == user),
    ).returning(claims.c.id)
    return conn.execute(stmt).first() is not None


def _free_for(user: str, at: datetime, unit: str):
    """The condition on a segment row: no live claim by anyone else on it (or its recording)
    and not assigned to anyone else."""
    item = (
        claims.c.segment_id == segments.c.id
        if unit == "segment"
        else claims.c.recording_id == segments.c.recording_id
    )
    taken = sa.exists().where(item, claims.c.expires_at > at, claims.c.user_name != user)
    return sa.and_(~taken, sa.or_(segments.c.assignee.is_(None), segments.c.assignee == user))


def _place(conn: Connection, columns: Sequence, segment_id: int | None):
    """The queue key of `segment_id` (the values of `columns`), its recording, and whether it
    is rejected; None when there is no such segment."""
    if segment_id is None:
        return None
    return conn.execute(
        sa.select(
            *columns,
            segments.c.recording_id,
            segments.c.status,
            segments.c.assignee,
            segments.c.start.label("seg_start"),
            segments.c.id.label("seg_id"),
        )
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .where(segments.c.id == segment_id)
    ).first()


def _past(columns: Sequence, place) -> Any:
    """The condition: a segment comes after `place` in the queue."""
    values = tuple(place)[: len(columns)]
    return sa.tuple_(*columns) > sa.tuple_(*map(sa.literal, values))


def _given_back(user: str):
    """The condition: a rejected segment given back to `user`."""
    return sa.and_(segments.c.status == Status.REJECTED.value, segments.c.assignee == user)


def _order(columns: Sequence, user: str, place) -> tuple:
    """The order of the queue for a claim: the rejected segments given back to `user` first
    (past the one skipped, when it was one of them), then the rest past the one skipped, then
    the rest from the start (wrapping round)."""
    if place is None:
        return (sa.case((_given_back(user), 0), else_=1), *columns)
    past = _past(columns, place)
    skipped_mine = place.status == Status.REJECTED.value and place.assignee == user
    mine = (
        sa.case((sa.and_(_given_back(user), past), 0), (_given_back(user), 3), else_=1)
        if skipped_mine
        else sa.case((_given_back(user), 0), else_=1)
    )
    return (mine, sa.case((past, 0), else_=2), *columns)


def _labelled_by(project_id: int, user: str):
    """The segments of a project with a labeller revision by `user`."""
    return (
        sa.select(revisions.c.segment_id)
        .join(segments, segments.c.id == revisions.c.segment_id)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .where(
            recordings.c.project_id == project_id,
            revisions.c.author == user,
            revisions.c.source == "human",
        )
        .distinct()
    )


def _share(conn: Connection, project_id: int, user: str, at: datetime, unit: str) -> int:
    """What counts against a cap: segments `user` labelled, plus (segment claims) the live
    claims on segments they have not labelled yet."""
    labelled = _labelled_by(project_id, user)
    count = conn.execute(sa.select(sa.func.count()).select_from(labelled.subquery())).scalar_one()
    if unit == "segment":
        count += conn.execute(
            sa.select(sa.func.count())
            .select_from(claims)
            .where(
                claims.c.project_id == project_id,
                claims.c.user_name == user,
                claims.c.expires_at > at,
                claims.c.segment_id.is_not(None),
                claims.c.segment_id.not_in(labelled),
            )
        ).scalar_one()
    return count


def get_cap(conn_or_engine: Connection | Engine, project_id: int, user: str) -> int | None:
    """The most segments `user` may label in the project; None: no cap."""
    query = sa.select(caps.c.cap).where(caps.c.project_id == project_id, caps.c.user_name == user)
    if isinstance(conn_or_engine, Engine):
        with reading(conn_or_engine) as conn:
            return conn.execute(query).scalar()
    return conn_or_engine.execute(query).scalar()


def set_cap(engine: Engine, project_id: int, user: str, cap: int | None) -> None:
    """Set (or with None remove) a person's cap in a project."""
    with engine.begin() as conn:
        conn.execute(
            sa.delete(caps).where(caps.c.project_id == project_id, caps.c.user_name == user)
        )
        if cap is not None:
            conn.execute(sa.insert(caps).values(project_id=project_id, user_name=user, cap=cap))


class _Ask(TypedDict):
    """What `claim_next` looks for: the arguments its queries share."""

    project_id: int
    user: str
    at: datetime
    until: datetime
    recording_id: int | None
    statuses: Sequence[str]
    flagged_only: bool
    order: str
    after: int | None


def claim_next(
    engine: Engine,
    project_id: int,
    user: str,
    minutes: float,
    *,
    unit: str,
    recording_id: int | None = None,
    statuses: Sequence[str] = (),
    flagged_only: bool = False,
    order: str = "time",
    after: int | None = None,
) -> tuple[int | None, str]:
    """Claim the next item of the queue for `user` (for `minutes`) and return (segment, why).

    The queue is the editor's (`recording_id`, `statuses`, `flagged_only`, `order`), less the
    segments someone else holds or is assigned. First come the segments `user` holds already
    (still in the queue), then the rejected ones given back to them, then the rest, starting
    after the segment `after` (a skip) and wrapping round. With `unit` 'recording', a claim
    takes a whole recording and its segments are handed out in turn; a recording is released
    when its last segment in the queue is passed. `why` is '' with a segment, else 'cap' (the
    person's cap is reached), 'taken' (what is left is held or assigned by others) or 'none'.
    """
    at = now()
    until = at + timedelta(minutes=minutes)
    args = _Ask(
        project_id=project_id,
        user=user,
        at=at,
        until=until,
        recording_id=recording_id,
        statuses=statuses,
        flagged_only=flagged_only,
        order=order,
        after=after,
    )
    with engine.begin() as conn:
        _claiming(conn)
        found = (_next_segment if unit == "segment" else _next_in_recording)(conn, **args)
        if found is not None:
            return found, ""
        return None, _why_none(conn, **args, unit=unit)


def claim_ahead(
    engine: Engine,
    project_id: int,
    user: str,
    minutes: float,
    *,
    after: int,
    recording_id: int | None = None,
    statuses: Sequence[str] = (),
    flagged_only: bool = False,
    order: str = "time",
) -> int | None:
    """Claim for `user` the first segment of the queue past `after` that nobody else holds
    (by segment: the editor's window holds a few ahead of the one shown, past colleagues'
    claims). None at the person's cap, or when nothing is left past `after`."""
    at = now()
    until = at + timedelta(minutes=minutes)
    with engine.begin() as conn:
        _claiming(conn)
        columns = _queue_order(order)
        place = _place(conn, columns, after)
        if place is None or _capped(conn, project_id, user, at, "segment"):
            return None
        base = _queue_query(project_id, recording_id, statuses, flagged_only, without_gold=True)
        free = base.where(_free_for(user, at, "segment"), _past(columns, place))

        def take(segment_id: int) -> bool:
            return _take(conn, project_id, user, at, until, segment_id=segment_id)

        if order == "time":  # past `after` only: no round again
            return _first_by_time(conn, project_id, recording_id, free, place, take, wrap=False)
        return _first_taken(conn, free.order_by(*columns), segments, take)


def _capped(conn: Connection, project_id: int, user: str, at: datetime, unit: str) -> bool:
    cap = get_cap(conn, project_id, user)
    return cap is not None and _share(conn, project_id, user, at, unit) >= cap


def _next_segment(
    conn: Connection,
    *,
    project_id: int,
    user: str,
    at: datetime,
    until: datetime,
    recording_id: int | None,
    statuses: Sequence[str],
    flagged_only: bool,
    order: str,
    after: int | None,
) -> int | None:
    base = _queue_query(project_id, recording_id, statuses, flagged_only, without_gold=True)
    columns = _queue_order(order)
    mine = sa.select(claims.c.segment_id).where(
        claims.c.project_id == project_id, claims.c.user_name == user, claims.c.expires_at > at
    )
    held = conn.execute(base.where(segments.c.id.in_(mine)).order_by(*columns).limit(1)).scalar()
    if held is not None:
        _take(conn, project_id, user, at, until, segment_id=held)  # renewed
        return held
    free = base.where(_free_for(user, at, "segment"))
    place = _place(conn, columns, after)

    def take(segment_id: int) -> bool:
        return _take(conn, project_id, user, at, until, segment_id=segment_id)

    if _capped(conn, project_id, user, at, "segment"):  # only their rejected segments
        free = free.where(_given_back(user))
    elif order == "time":  # the given-back ones first, then recording by recording
        found = _first_taken(
            conn,
            free.where(_given_back(user)).order_by(*_order(columns, user, place)),
            segments,
            take,
        )
        return (
            found
            if found is not None
            else _first_by_time(conn, project_id, recording_id, free, place, take)
        )
    return _first_taken(conn, free.order_by(*_order(columns, user, place)), segments, take)


def _first_by_time(
    conn: Connection,
    project_id: int,
    recording_id: int | None,
    free,
    place,
    take,
    wrap: bool = True,
) -> int | None:
    """The first of the `free` segments that `take` claims, in time order past `place` and
    (`wrap`) round again, asking one recording at a time so that each query is a range of the
    (recording_id, start) index, not a sort of the whole queue."""
    recs = (
        conn.execute(
            sa.select(recordings.c.id)
            .where(
                recordings.c.project_id == project_id,
                *([recordings.c.id == recording_id] if recording_id is not None else []),
            )
            .order_by(recordings.c.original_name, recordings.c.id)
        )
        .scalars()
        .all()
    )
    every: list[tuple[int, Any]] = [(rec, None) for rec in recs]
    steps = every
    if place is not None and place.recording_id in recs:
        at = recs.index(place.recording_id)
        here = sa.tuple_(segments.c.start, segments.c.id) > sa.tuple_(
            sa.literal(place.seg_start), sa.literal(place.seg_id)
        )
        steps = [(recs[at], here), *every[at + 1 :]]
        if wrap:
            steps += [*every[:at], (recs[at], ~here)]
    for rec, where in steps:
        query = free.where(segments.c.recording_id == rec)
        if where is not None:
            query = query.where(where)
        found = _first_taken(conn, query.order_by(segments.c.start, segments.c.id), segments, take)
        if found is not None:
            return found
    return None


def _first_taken(conn: Connection, candidates: sa.Select, table, take) -> int | None:
    """The first of `candidates` (ids of `table`) that `take` claims, locking one at a time.

    On PostgreSQL a candidate another claimer is trying is locked (FOR UPDATE) and skipped
    (SKIP LOCKED); one taken by a claimer that committed since the query began fails `take`,
    and the next query no longer finds it. SQLite ignores FOR UPDATE: its write lock has made
    this claimer the only one.
    """
    for _ in range(TRIES):
        found = conn.execute(
            candidates.limit(1).with_for_update(skip_locked=True, of=table)
        ).scalar()
        if found is None or take(found):
            return found
    return None


def _next_in_recording(
    conn: Connection,
    *,
    project_id: int,
    user: str,
    at: datetime,
    until: datetime,
    recording_id: int | None,
    statuses: Sequence[str],
    flagged_only: bool,
    order: str,
    after: int | None,
) -> int | None:
    base = _queue_query(project_id, recording_id, statuses, flagged_only, without_gold=True)
    columns = _queue_order(order)
    place = _place(conn, columns, after)
    mine = base.where(_given_back(user))
    if place is not None and place.status == Status.REJECTED.value and place.assignee == user:
        mine = mine.where(_past(columns, place))
    found = conn.execute(mine.order_by(*columns).limit(1)).scalar()
    if found is not None:  # given back to them: theirs whoever holds the recording
        return found
    capped = _capped(conn, project_id, user, at, "recording")
    held = (
        conn.execute(
            sa.select(claims.c.recording_id)
            .join(recordings, recordings.c.id == claims.c.recording_id)
            .where(
                claims.c.project_id == project_id,
                claims.c.user_name == user,
                claims.c.expires_at > at,
            )
            .order_by(recordings.c.original_name, recordings.c.id)
        )
        .scalars()
        .all()
    )
    free = base.where(_free_for(user, at, "recording"))
    for rec in held:
        query = free.where(segments.c.recording_id == rec)
        if place is not None and place.recording_id == rec:
            query = query.where(_past(columns, place))
        found = None if capped else conn.execute(query.order_by(*columns).limit(1)).scalar()
        if found is None:  # finished, or skipped past its last segment
            _release(conn, user, recording_id=rec)
            continue
        _take(conn, project_id, user, at, until, recording_id=rec)  # renewed
        return found
    if capped:
        return None
    return _new_recording(conn, project_id, user, at, until, free, columns, place)


def _new_recording(
    conn: Connection,
    project_id: int,
    user: str,
    at: datetime,
    until: datetime,
    free,
    columns: Sequence,
    place,
) -> int | None:
    """Claim the first free recording (after the one of `place`, wrapping round) with a
    segment in the queue; its first such segment."""
    outer = recordings.alias("candidate")
    key = (outer.c.original_name, outer.c.id)
    wrap: sa.ColumnElement[int] = sa.literal(0)
    if place is not None:
        row = conn.execute(
            sa.select(recordings.c.original_name, recordings.c.id).where(
                recordings.c.id == place.recording_id
            )
        ).one()
        wrap = sa.case((sa.tuple_(*key) > sa.tuple_(*map(sa.literal, row)), 0), else_=1)
    candidates = (
        sa.select(outer.c.id)
        .where(
            outer.c.project_id == project_id,
            sa.exists(free.where(segments.c.recording_id == outer.c.id)),
        )
        .order_by(wrap, *key)
    )
    rec = _first_taken(
        conn,
        candidates,
        outer,
        lambda rec: _take(conn, project_id, user, at, until, recording_id=rec),
    )
    if rec is None:
        return None
    return conn.execute(
        free.where(segments.c.recording_id == rec).order_by(*columns).limit(1)
    ).scalar()


def _why_none(
    conn: Connection,
    *,
    project_id: int,
    user: str,
    at: datetime,
    recording_id: int | None,
    statuses: Sequence[str],
    flagged_only: bool,
    unit: str,
    **_: Any,
) -> str:
    """Why nothing can be handed out: 'cap', 'taken' or 'none'."""
    if _capped(conn, project_id, user, at, unit):
        return "cap"
    left = conn.execute(
        sa.select(sa.func.count()).select_from(
            _queue_query(
                project_id, recording_id, statuses, flagged_only, without_gold=True
            ).subquery()
        )
    ).scalar_one()
    return "taken" if left else "none"


def why_none(
    engine: Engine,
    project_id: int,
    user: str,
    *,
    unit: str,
    recording_id: int | None = None,
    statuses: Sequence[str] = (),
    flagged_only: bool = False,
    **_: Any,
) -> str:
    """Why `claim_next` would hand `user` nothing now ('cap', 'taken', 'none'), read only."""
    with reading(engine) as conn:
        return _why_none(
            conn,
            project_id=project_id,
            user=user,
            at=now(),
            recording_id=recording_id,
            statuses=statuses,
            flagged_only=flagged_only,
            unit=unit,
        )


def claim_item(
    engine: Engine, project_id: int, segment_id: int, user: str, minutes: float, unit: str
) -> bool:
    """Claim one segment (or, by recording, its recording) for `user`, e.g. opened by a link:
    whether they hold it now. Refused when someone else holds it, is taking it this moment,
    it is assigned to someone else, or (a new claim) the person's cap is reached."""
    at = now()
    with engine.begin() as conn:
        _claiming(conn)
        row = conn.execute(
            sa.select(segments.c.recording_id, segments.c.assignee).where(
                segments.c.id == segment_id
            )
        ).one()
        if row.assignee not in (None, user):
            return False
        item = (
            {"segment_id": segment_id} if unit == "segment" else {"recording_id": row.recording_id}
        )
        if not _lock_item(conn, unit, segment_id if unit == "segment" else row.recording_id):
            return False
        mine = conn.execute(
            sa.select(claims.c.id).where(
                claims.c.user_name == user,
                claims.c.expires_at > at,
                *[claims.c[k] == v for k, v in item.items()],
            )
        ).first()
        if mine is None and _capped(conn, project_id, user, at, unit):
            return False
        return _take(conn, project_id, user, at, at + timedelta(minutes=minutes), **item)


def _release(
    conn: Connection, user: str, *, segment_id: int | None = None, recording_id: int | None = None
) -> None:
    item = (
        claims.c.segment_id == segment_id
        if segment_id is not None
        else claims.c.recording_id == recording_id
    )
    conn.execute(sa.delete(claims).where(item, claims.c.user_name == user))


def _lock_item(conn: Connection, unit: str, item_id: int) -> bool:
    """Lock an item's row before a claim on it is written, as the claimers walking the queue
    lock their candidates (`_first_taken`); False when one of them holds it (PostgreSQL; SQLite's
    write lock has made this claimer the only one). Without it, the claim's foreign key check
    waits on that claimer's lock while it waits on this claim's row: a deadlock, which failed
    the editor of one of six labellers opening at once."""
    table = segments if unit == "segment" else recordings
    query = sa.select(table.c.id).where(table.c.id == item_id)
    return conn.execute(query.with_for_update(skip_locked=True, of=table)).first() is not None


def release(
    engine: Engine, user: str, *, segment_id: int | None = None, recording_id: int | None = None
) -> None:
    """Give up `user`'s claim on a segment or a recording (nothing when they hold none)."""
    with engine.begin() as conn:
        _release(conn, user, segment_id=segment_id, recording_id=recording_id)


def release_segments(engine: Engine, project_id: int, user: str) -> int:
    """Give up every claim `user` holds on a segment of the project; how many there were."""
    with engine.begin() as conn:
        return conn.execute(
            sa.delete(claims).where(
                claims.c.project_id == project_id,
                claims.c.user_name == user,
                claims.c.segment_id.is_not(None),
            )
        ).rowcount


def renew(engine: Engine, project_id: int, user: str, minutes: float, *, recording_id: int) -> bool:
    """Extend `user`'s claim on a recording (a save in it); whether they still hold it."""
    at = now()
    with engine.begin() as conn:
        _claiming(conn)
        return _take(
            conn, project_id, user, at, at + timedelta(minutes=minutes), recording_id=recording_id
        )


def holder(engine: Engine, segment_id: int, unit: str) -> dict[str, Any] | None:
    """The live claim on a segment (unit 'segment') or its recording: user_name, expires_at."""
    at = now()
    with reading(engine) as conn:
        if unit == "segment":
            item = claims.c.segment_id == segment_id
        else:
            item = (
                claims.c.recording_id
                == sa.select(segments.c.recording_id)
                .where(segments.c.id == segment_id)
                .scalar_subquery()
            )
        row = conn.execute(
            sa.select(claims.c.user_name, claims.c.expires_at).where(item, claims.c.expires_at > at)
        ).first()
    return dict(row._mapping) if row else None


def free_versions(engine: Engine, segment_ids: Sequence[int], user: str) -> dict[int, int]:
    """The version of each of `segment_ids` that no one but `user` holds a live claim on
    (by segment or by its recording), in one query; the others are left out."""
    at = now()
    theirs = sa.select(claims.c.id).where(
        claims.c.expires_at > at,
        claims.c.user_name != user,
        sa.or_(
            claims.c.segment_id == segments.c.id, claims.c.recording_id == segments.c.recording_id
        ),
    )
    with reading(engine) as conn:
        rows = conn.execute(
            sa.select(segments.c.id, segments.c.version).where(
                segments.c.id.in_(list(segment_ids)), ~theirs.exists()
            )
        )
        return {row.id: row.version for row in rows}


def todo_left(engine: Engine, recording_id: int, statuses: Sequence[str]) -> int:
    """How many segments of a recording have one of `statuses`."""
    with reading(engine) as conn:
        return conn.execute(
            sa.select(sa.func.count()).where(
                segments.c.recording_id == recording_id, segments.c.status.in_(list(statuses))
            )
        ).scalar_one()


def assign(engine: Engine, project_id: int, segment_ids: Sequence[int], user: str | None) -> int:
    """Hand the project's segments `segment_ids` to `user` alone (None: to anyone); others'
    claims on them are released. Returns how many segments were assigned."""
    with engine.begin() as conn:
        _claiming(conn)
        in_project = (
            sa.select(segments.c.id)
            .join(recordings, recordings.c.id == segments.c.recording_id)
            .where(recordings.c.project_id == project_id, segments.c.id.in_(list(segment_ids)))
        )
        ids = conn.execute(in_project).scalars().all()
        if not ids:
            return 0
        conn.execute(sa.update(segments).where(segments.c.id.in_(ids)).values(assignee=user))
        if user is not None:
            conn.execute(
                sa.delete(claims).where(claims.c.segment_id.in_(ids), claims.c.user_name != user)
            )
        return len(ids)


def segments_of(
    engine: Engine, project_id: int, recording_id: int | None = None, statuses: Sequence[str] = ()
) -> list[int]:
    """The ids of a project's segments (of one recording; with one of `statuses`)."""
    query = _queue_query(project_id, recording_id, statuses, False, without_gold=True).order_by(
        segments.c.id
    )
    with reading(engine) as conn:
        return list(conn.execute(query).scalars())


def workload(engine: Engine, project_id: int, statuses: Sequence[str]) -> list[dict[str, Any]]:
    """Per person with work in the project: assigned (items with one of `statuses` assigned to
    them), labelled (segments), claims (live) and cap."""
    at = now()
    out: dict[str, dict[str, Any]] = {}

    def row(name: str) -> dict[str, Any]:
        return out.setdefault(
            name, {"user": name, "assigned": 0, "labelled": 0, "claims": 0, "cap": None}
        )

    in_project = sa.and_(
        recordings.c.id == segments.c.recording_id, recordings.c.project_id == project_id
    )
    with reading(engine) as conn:
        for name, count in conn.execute(
            sa.select(segments.c.assignee, sa.func.count())
            .select_from(segments)
            .join(recordings, in_project)
            .where(segments.c.assignee.is_not(None), segments.c.status.in_(list(statuses)))
            .group_by(segments.c.assignee)
        ):
            row(name)["assigned"] = count
        for name, count in conn.execute(
            sa.select(revisions.c.author, sa.func.count(sa.distinct(revisions.c.segment_id)))
            .join(segments, segments.c.id == revisions.c.segment_id)
            .join(recordings, in_project)
            .where(revisions.c.source == "human")
            .group_by(revisions.c.author)
        ):
            row(name)["labelled"] = count
        for name, count in conn.execute(
            sa.select(claims.c.user_name, sa.func.count())
            .where(claims.c.project_id == project_id, claims.c.expires_at > at)
            .group_by(claims.c.user_name)
        ):
            row(name)["claims"] = count
        for name, cap in conn.execute(
            sa.select(caps.c.user_name, caps.c.cap).where(caps.c.project_id == project_id)
        ):
            row(name)["cap"] = cap
    return [out[name] for name in sorted(out)]
