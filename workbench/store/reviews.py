"""Reviews: a reviewer's verdict on a segment's latest revision, written with the version bump
(and, for a fix, the reviewer's revision) in one transaction; the queries about them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workbench.core.records import Edit, Status
from workbench.store.engine import now, reading
from workbench.store.records import inserted_id
from workbench.store.schema import recordings, reviews, revisions, segments
from workbench.store.segments import _bump, _revise, _segment_state


def record_review(
    engine: Engine,
    segment_id: int,
    expected_version: int,
    reviewer: str,
    verdict: str,
    status: Status,
    *,
    reason: str | None = None,
    comment: str = "",
    fix: Edit | None = None,
    assignee: str | None = None,
) -> int:
    """Give a segment at `expected_version` its verdict (StaleEdit if it moved on); its id.

    The review names the revision reviewed (the latest before it). `fix` appends the reviewer's
    revision (source 'review'); without it no revision is added, only the version and status
    move. `assignee`: who the segment goes back to (a rejection).
    """
    with engine.begin() as conn:
        reviewed = conn.execute(
            sa.select(segments.c.latest_revision_id).where(segments.c.id == segment_id)
        ).scalar_one()
        values: dict[str, Any] = (
            _segment_state(fix) if fix is not None else {"status": status.value}
        )
        values["status"] = status.value
        if assignee is not None:
            values["assignee"] = assignee
        _bump(conn, segment_id, expected_version, **values)
        if fix is not None:
            _revise(conn, segment_id, fix, reviewer, "review")
        return inserted_id(
            conn.execute(
                sa.insert(reviews).values(
                    segment_id=segment_id,
                    revision_id=reviewed,
                    reviewer=reviewer,
                    verdict=verdict,
                    reason=reason,
                    comment=comment,
                    created_at=now(),
                )
            )
        )


def last_review(engine: Engine, segment_id: int) -> dict[str, Any] | None:
    """The latest review of a segment as a dict (verdict, reason, comment, reviewer...), or None."""
    with reading(engine) as conn:
        row = conn.execute(
            sa.select(reviews)
            .where(reviews.c.segment_id == segment_id)
            .order_by(reviews.c.id.desc())
            .limit(1)
        ).first()
    return dict(row._mapping) if row else None


def rejected_for(
    engine: Engine, project_id: int, assignee: str, recording_id: int | None = None
) -> list[int]:
    """The rejected segments given back to `assignee`, in the editor's time order."""
    query = (
        sa.select(segments.c.id)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .where(
            recordings.c.project_id == project_id,
            segments.c.status == Status.REJECTED.value,
            segments.c.assignee == assignee,
        )
        .order_by(recordings.c.original_name, recordings.c.id, segments.c.start, segments.c.id)
    )
    if recording_id is not None:
        query = query.where(segments.c.recording_id == recording_id)
    with reading(engine) as conn:
        return list(conn.execute(query).scalars())


def last_labeller(conn: Connection, segment_id: int) -> str | None:
    """The author of a segment's latest labeller ('human') revision."""
    return conn.execute(
        sa.select(revisions.c.author)
        .where(revisions.c.segment_id == segment_id, revisions.c.source == "human")
        .order_by(revisions.c.n.desc())
        .limit(1)
    ).scalar()


def labeller_of(engine: Engine, segment_id: int) -> str | None:
    """The author of a segment's latest labeller revision (None: never labelled by a person)."""
    with reading(engine) as conn:
        return last_labeller(conn, segment_id)


def review_stats(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    """Per labeller: their segments awaiting review, approved and rejected now, and the verdicts
    on their revisions (reviews, rejections)."""
    latest = (
        sa.select(revisions.c.segment_id, sa.func.max(revisions.c.n).label("n"))
        .where(revisions.c.source == "human")
        .group_by(revisions.c.segment_id)
        .subquery()
    )
    by_status = (
        sa.select(revisions.c.author, segments.c.status, sa.func.count())
        .join(
            latest,
            sa.and_(latest.c.segment_id == revisions.c.segment_id, latest.c.n == revisions.c.n),
        )
        .join(segments, segments.c.id == revisions.c.segment_id)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .where(recordings.c.project_id == project_id)
        .group_by(revisions.c.author, segments.c.status)
    )
    verdicts = (
        sa.select(revisions.c.author, reviews.c.verdict, sa.func.count())
        .join(revisions, revisions.c.id == reviews.c.revision_id)
        .join(segments, segments.c.id == reviews.c.segment_id)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .where(recordings.c.project_id == project_id)
        .group_by(revisions.c.author, reviews.c.verdict)
    )
    out: dict[str, dict[str, Any]] = {}

    def row(author: str) -> dict[str, Any]:
        return out.setdefault(
            author,
            {
                "labeller": author,
                "awaiting": 0,
                "passed": 0,
                "approved": 0,
                "rejected": 0,
                "reviews": 0,
                "rejections": 0,
            },
        )

    with reading(engine) as conn:
        for author, status, count in conn.execute(by_status):
            if status == Status.LABELLED.value:
                row(author)["awaiting"] += count
            elif status in (Status.APPROVED.value, Status.REJECTED.value, Status.PASSED.value):
                row(author)[status] += count
        for author, verdict, count in conn.execute(verdicts):
            row(author)["reviews"] += count
            if verdict == "reject":
                row(author)["rejections"] += count
    for r in out.values():
        r["rejection_rate"] = r["rejections"] / r["reviews"] if r["reviews"] else 0.0
    return [out[name] for name in sorted(out)]


def verdicts_on(engine: Engine, project_id: int, author: str) -> tuple[int, int]:
    """How many reviews judged `author`'s revisions in a project, and how many rejected them."""
    query = (
        sa.select(reviews.c.verdict, sa.func.count())
        .join(revisions, revisions.c.id == reviews.c.revision_id)
        .join(segments, segments.c.id == reviews.c.segment_id)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .where(recordings.c.project_id == project_id, revisions.c.author == author)
        .group_by(reviews.c.verdict)
    )
    with reading(engine) as conn:
        counts: dict[str, int] = dict(conn.execute(query).tuples().all())
    return sum(counts.values()), counts.get("reject", 0)


def work_log(
    engine: Engine, project_id: int | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Labellers' saves and reviewers' verdicts as audit-log lines (at, actor, action,
    project_id, detail), newest first, at most `limit`: read from the revisions and reviews,
    which are append-only, so the hot path of a save writes no second row."""
    saves, verdicts = _saves(limit), _verdicts(limit)
    if project_id is not None:
        saves = saves.where(recordings.c.project_id == project_id)
        verdicts = verdicts.where(recordings.c.project_id == project_id)
    with reading(engine) as conn:
        lines = [
            {
                "at": r.at,
                "actor": r.actor,
                "project_id": r.project_id,
                "action": "save" if r.op in (None, "edit") else f"save: {r.op}",
                "detail": {"segment_id": r.segment_id, "revision": r.n, "status": r.status},
            }
            for r in conn.execute(saves)
        ]
        lines += [
            {
                "at": r.at,
                "actor": r.actor,
                "project_id": r.project_id,
                "action": f"review: {r.verdict}",
                "detail": {"segment_id": r.segment_id, "reason": r.reason},
            }
            for r in conn.execute(verdicts)
        ]
    return sorted(lines, key=lambda line: line["at"], reverse=True)[:limit]


def _saves(limit: int) -> sa.Select:
    """The latest saves by people, newest first."""
    return (
        sa.select(
            revisions.c.created_at.label("at"),
            revisions.c.author.label("actor"),
            revisions.c.op,
            revisions.c.segment_id,
            revisions.c.n,
            revisions.c.status,
            recordings.c.project_id,
        )
        .join(segments, segments.c.id == revisions.c.segment_id)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .where(revisions.c.source == "human")
        .order_by(revisions.c.id.desc())
        .limit(limit)
    )


def _verdicts(limit: int) -> sa.Select:
    """The latest reviewers' verdicts, newest first."""
    return (
        sa.select(
            reviews.c.created_at.label("at"),
            reviews.c.reviewer.label("actor"),
            reviews.c.verdict,
            reviews.c.reason,
            reviews.c.segment_id,
            recordings.c.project_id,
        )
        .join(segments, segments.c.id == reviews.c.segment_id)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .order_by(reviews.c.id.desc())
        .limit(limit)
    )
