"""Gold segments, blind answers and labellers' standings (see `workbench.quality`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.core.records import FINISHED, Status
from workbench.store.engine import now, reading
from workbench.store.records import inserted_id
from workbench.store.reviews import last_labeller
from workbench.store.schema import (
    answers,
    doubles,
    gold,
    recordings,
    reviews,
    revisions,
    segments,
    standings,
)

FINISHED_VALUES = tuple(s.value for s in FINISHED)


def set_gold(
    engine: Engine, project_id: int, segment_id: int, text: str, in_test: bool, by: str
) -> None:
    """Make a segment gold with its reference `text` (or change it)."""
    values = {"text": text, "in_test": bool(in_test), "created_by": by, "created_at": now()}
    with engine.begin() as conn:
        done = conn.execute(
            sa.update(gold).where(gold.c.segment_id == segment_id).values(**values)
        ).rowcount
        if not done:
            conn.execute(
                sa.insert(gold).values(segment_id=segment_id, project_id=project_id, **values)
            )


def drop_gold(engine: Engine, segment_id: int) -> bool:
    """A segment is gold no more (its answers stay); False when it was not gold."""
    with engine.begin() as conn:
        return bool(conn.execute(sa.delete(gold).where(gold.c.segment_id == segment_id)).rowcount)


def gold_of(engine: Engine, segment_id: int) -> dict[str, Any] | None:
    """A gold segment's row (segment_id, project_id, text, in_test...), or None."""
    with reading(engine) as conn:
        row = conn.execute(sa.select(gold).where(gold.c.segment_id == segment_id)).first()
    return dict(row._mapping) if row else None


def list_gold(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    """A project's gold segments with their recording and time, by recording and time."""
    query = (
        sa.select(
            gold.c.segment_id,
            gold.c.text,
            gold.c.in_test,
            gold.c.created_by,
            recordings.c.original_name.label("recording"),
            segments.c.start,
            segments.c.end,
            segments.c.status,
        )
        .join(segments, segments.c.id == gold.c.segment_id)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .where(gold.c.project_id == project_id)
        .order_by(recordings.c.original_name, segments.c.start, gold.c.segment_id)
    )
    with reading(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def gold_ids(engine: Engine, project_id: int) -> set[int]:
    """The ids of a project's gold segments."""
    with reading(engine) as conn:
        return set(
            conn.execute(
                sa.select(gold.c.segment_id).where(gold.c.project_id == project_id)
            ).scalars()
        )


def add_answer(engine: Engine, **values: Any) -> int | None:
    """Keep a blind answer; None when the same person answered the same item already (the
    unique key refused it: a double submit, or a second label someone else gave first)."""
    if values.get("kind") == "second":
        with reading(engine) as conn:  # one second label a segment
            taken = conn.execute(
                sa.select(answers.c.id).where(
                    answers.c.segment_id == values["segment_id"], answers.c.kind == "second"
                )
            ).first()
        if taken:
            return None
    try:
        with engine.begin() as conn:
            return inserted_id(conn.execute(sa.insert(answers).values(created_at=now(), **values)))
    except sa.exc.IntegrityError:
        return None


def list_answers(
    engine: Engine,
    project_id: int,
    *,
    user: str | None = None,
    kind: str | None = None,
    attempt: int | None = None,
    since: datetime | None = None,
    segment_id: int | None = None,
) -> list[dict[str, Any]]:
    """A project's answers (oldest first), narrowed to a person, kind, attempt, a time or a
    segment."""
    query = sa.select(answers).where(answers.c.project_id == project_id)
    for column, value in (
        (answers.c.segment_id, segment_id),
        (answers.c.user_name, user),
        (answers.c.kind, kind),
        (answers.c.attempt, attempt),
    ):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(answers.c.created_at >= since)
    with reading(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(query.order_by(answers.c.id))]


def get_standing(engine: Engine, project_id: int, user: str) -> dict[str, Any]:
    """A labeller's standing row in a project (attempt 0, never passed, no pause lifted when
    there is none)."""
    with reading(engine) as conn:
        row = conn.execute(
            sa.select(standings).where(
                standings.c.project_id == project_id, standings.c.user_name == user
            )
        ).first()
    if row is None:
        return {
            "project_id": project_id,
            "user_name": user,
            "attempt": 0,
            "passed_at": None,
            "lifted_at": None,
        }
    return dict(row._mapping)


def set_standing(engine: Engine, project_id: int, user: str, **values: Any) -> None:
    """Change a labeller's standing row (made on first use)."""
    with engine.begin() as conn:
        done = conn.execute(
            sa.update(standings)
            .where(standings.c.project_id == project_id, standings.c.user_name == user)
            .values(**values)
        ).rowcount
        if not done:
            conn.execute(
                sa.insert(standings).values(project_id=project_id, user_name=user, **values)
            )


def list_standings(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    """Every standing row of a project."""
    with reading(engine) as conn:
        return [
            dict(r._mapping)
            for r in conn.execute(sa.select(standings).where(standings.c.project_id == project_id))
        ]


def _live_gold(project_id: int):
    return (
        sa.select(gold.c.segment_id)
        .join(segments, segments.c.id == gold.c.segment_id)
        .where(gold.c.project_id == project_id, segments.c.status != Status.DELETED.value)
    )


def test_items(engine: Engine, project_id: int) -> list[int]:
    """The qualification test: the live gold segments marked for it, in a fixed order."""
    query = _live_gold(project_id).where(gold.c.in_test.is_(True)).order_by(gold.c.segment_id)
    with reading(engine) as conn:
        return list(conn.execute(query).scalars())


def hidden_gold_todo(engine: Engine, project_id: int, user: str) -> list[int]:
    """Live gold segments `user` never answered nor labelled, oldest first."""
    answered = sa.select(answers.c.segment_id).where(
        answers.c.user_name == user, answers.c.project_id == project_id
    )
    labelled = sa.select(revisions.c.segment_id).where(revisions.c.author == user)
    query = (
        _live_gold(project_id)
        .where(gold.c.segment_id.not_in(answered), gold.c.segment_id.not_in(labelled))
        .order_by(gold.c.segment_id)
    )
    with reading(engine) as conn:
        return list(conn.execute(query).scalars())


def labelled_count(engine: Engine, project_id: int, user: str) -> int:
    """How many segments of a project `user` saved as a labeller."""
    query = (
        sa.select(sa.func.count(sa.distinct(revisions.c.segment_id)))
        .join(segments, segments.c.id == revisions.c.segment_id)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .where(
            recordings.c.project_id == project_id,
            revisions.c.author == user,
            revisions.c.source == "human",
        )
    )
    with reading(engine) as conn:
        return int(conn.execute(query).scalar() or 0)


def draw_doubles(
    engine: Engine, project_id: int, segment_ids: list[int], replace: bool = False
) -> None:
    """Keep `segment_ids` as drawn for double labelling (those kept already stay). With
    `replace`, the project's drawn segments without a second label are forgotten first (the
    share changed: the draw is made again)."""
    with engine.begin() as conn:
        if replace:
            seconded = sa.select(answers.c.segment_id).where(answers.c.kind == "second")
            conn.execute(
                sa.delete(doubles).where(
                    doubles.c.project_id == project_id, doubles.c.segment_id.not_in(seconded)
                )
            )
        kept = (
            set(
                conn.execute(
                    sa.select(doubles.c.segment_id).where(doubles.c.segment_id.in_(segment_ids))
                ).scalars()
            )
            if segment_ids
            else set()
        )
        new = [{"segment_id": i, "project_id": project_id} for i in segment_ids if i not in kept]
        if new:
            conn.execute(sa.insert(doubles), new)


def project_segment_ids(engine: Engine, project_id: int) -> list[int]:
    """Every segment id of a project."""
    with reading(engine) as conn:
        return list(
            conn.execute(
                sa.select(segments.c.id)
                .join(recordings, recordings.c.id == segments.c.recording_id)
                .where(recordings.c.project_id == project_id)
            ).scalars()
        )


def second_candidates(
    engine: Engine, project_id: int, user: str, limit: int = 1
) -> list[dict[str, Any]]:
    """Segments drawn for double labelling and labelled (labeled, passed, approved) that are
    not gold, have no second label, and that `user` never touched: id, the label text and its
    labeller. By id, at most `limit`."""
    seconded = sa.select(answers.c.segment_id).where(
        answers.c.kind == "second", answers.c.project_id == project_id
    )
    touched = sa.select(revisions.c.segment_id).where(revisions.c.author == user)
    query = (
        sa.select(segments.c.id, revisions.c.text)
        .join(doubles, doubles.c.segment_id == segments.c.id)
        .join(revisions, revisions.c.id == segments.c.latest_revision_id)
        .where(
            doubles.c.project_id == project_id,
            segments.c.status.in_(FINISHED_VALUES),
            segments.c.id.not_in(seconded),
            segments.c.id.not_in(touched),
            segments.c.id.not_in(sa.select(gold.c.segment_id)),
        )
        .order_by(segments.c.id)
        .limit(limit)
    )
    with reading(engine) as conn:
        found = [dict(r._mapping) for r in conn.execute(query)]
        for row in found:
            row["labeller"] = last_labeller(conn, row["id"])
    return found


def verdicts_since(
    engine: Engine, project_id: int, author: str, since: datetime
) -> tuple[int, int]:
    """Reviews since `since` of `author`'s revisions in a project, and the rejections among
    them."""
    query = (
        sa.select(reviews.c.verdict, sa.func.count())
        .join(revisions, revisions.c.id == reviews.c.revision_id)
        .join(segments, segments.c.id == reviews.c.segment_id)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .where(
            recordings.c.project_id == project_id,
            revisions.c.author == author,
            reviews.c.created_at >= since,
        )
        .group_by(reviews.c.verdict)
    )
    with reading(engine) as conn:
        counts: dict[str, int] = dict(conn.execute(query).tuples().all())
    return sum(counts.values()), counts.get("reject", 0)


def send_to_review(engine: Engine, segment_id: int) -> bool:
    """A 'passed' segment goes to review after all (its labels disagree); False when it is
    not 'passed'. The status alone changes: no revision, no version bump (an open editor
    on it may still save)."""
    with engine.begin() as conn:
        return bool(
            conn.execute(
                sa.update(segments)
                .where(segments.c.id == segment_id, segments.c.status == Status.PASSED.value)
                .values(status=Status.LABELLED.value)
            ).rowcount
        )
