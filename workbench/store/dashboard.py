"""Queries of the owner's dashboard and the pay report: when segments were first labelled, and
each labelled segment with its labeller, label and ASR draft (final ones with the time they
became final)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.core.records import Status
from workbench.store.engine import reading
from workbench.store.schema import recordings, reviews, revisions, segments

NOT_LABELLED = (Status.NEW.value, Status.DRAFTED.value, Status.DELETED.value)


def first_labels(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    """Every live segment a person labelled (not new, drafted or deleted): segment_id,
    `first` (the time of its first 'human' revision) and `seconds` (its length now). By
    time."""
    first = sa.func.min(revisions.c.created_at).label("first")
    query = (
        sa.select(
            revisions.c.segment_id, first, (segments.c.end - segments.c.start).label("seconds")
        )
        .join(segments, segments.c.id == revisions.c.segment_id)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .where(
            recordings.c.project_id == project_id,
            revisions.c.source == "human",
            segments.c.status.not_in(NOT_LABELLED),
        )
        .group_by(revisions.c.segment_id, segments.c.start, segments.c.end)
        .order_by(first, revisions.c.segment_id)
    )
    with reading(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def with_draft(query: sa.Select, outer: bool = True) -> tuple[sa.Select, Any, Any]:
    """`query` (over `segments`) joined to each segment's draft as `editing.drafts_of` reads
    it: its latest revision the ASR wrote (a job's draft, or one drafted alone in the
    editor), or that holds the draft text of the part the segment is since a split or merge
    (asr_meta draft_text). Returns (query, the draft text, that revision's op: None for a
    job's draft, 'draft' for one drafted alone, else the split or merge). `outer`: keep
    segments without a draft."""
    mine = revisions.alias("carries")
    carries = sa.or_(mine.c.source == "asr", mine.c.asr_meta["draft_text"].as_string().is_not(None))
    last = (
        sa.select(sa.func.max(mine.c.n))
        .where(mine.c.segment_id == segments.c.id, carries)
        .correlate(segments)
        .scalar_subquery()
    )  # per segment, by the (segment_id, n) key
    base = revisions.alias("draft")
    query = (query.outerjoin if outer else query.join)(
        base, sa.and_(base.c.segment_id == segments.c.id, base.c.n == last)
    )
    text = sa.case(
        (base.c.source == "asr", base.c.text), else_=base.c.asr_meta["draft_text"].as_string()
    )
    return query, text, base.c.op


def _labels(project_id: int) -> sa.Select:
    """Live segments a person labelled (not new, drafted or deleted: a split or a merge alone
    is no label): segment_id, status, seconds, labeller (the author of the latest 'human'
    revision), label (its text), label_at (its time), draft (the draft text it is compared
    with, see `with_draft`; None when the ASR never drafted it) and draft_op (see `with_draft`)."""
    latest = (
        sa.select(revisions.c.segment_id, sa.func.max(revisions.c.n).label("n"))
        .where(revisions.c.source == "human")
        .group_by(revisions.c.segment_id)
        .subquery()
    )
    label = revisions.alias("label")
    query = (
        sa.select(
            segments.c.id.label("segment_id"),
            segments.c.status,
            (segments.c.end - segments.c.start).label("seconds"),
            label.c.author.label("labeller"),
            label.c.text.label("label"),
            label.c.created_at.label("label_at"),
        )
        .select_from(segments)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .join(latest, latest.c.segment_id == segments.c.id)
        .join(label, sa.and_(label.c.segment_id == latest.c.segment_id, label.c.n == latest.c.n))
        .where(recordings.c.project_id == project_id, segments.c.status.not_in(NOT_LABELLED))
    )
    query, draft, op = with_draft(query)
    return query.add_columns(draft.label("draft"), op.label("draft_op"))


def label_drafts(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    """Every live labelled segment of a project with its labeller, label and ASR draft (see
    `_labels` for the columns). By segment id."""
    with reading(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(_labels(project_id).order_by(segments.c.id))]


def final_work(
    engine: Engine, project_id: int, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Final segments (approved, or passed: not drawn for review) that became final in
    [start, end), with their labeller, label and draft (as `label_drafts`), `status` and
    `final_at`: an approved segment's latest approval, a passed one's latest save by a person.
    By that time.

    A segment approved, labelled again and approved again counts once, at its latest
    approval. Segments no person labelled (an approved import) have no labeller: left out.
    """
    approval = (
        sa.select(reviews.c.segment_id, sa.func.max(reviews.c.id).label("id"))
        .where(reviews.c.verdict == "approve")
        .group_by(reviews.c.segment_id)
        .subquery()
    )
    approved = (
        _labels(project_id)
        .add_columns(reviews.c.created_at.label("final_at"))
        .join(approval, approval.c.segment_id == segments.c.id)
        .join(reviews, reviews.c.id == approval.c.id)
        .where(
            segments.c.status == Status.APPROVED.value,
            reviews.c.created_at >= start,
            reviews.c.created_at < end,
        )
    )
    labelled = _labels(project_id)
    saved = labelled.selected_columns.label_at.element  # the latest human revision's time
    passed = labelled.add_columns(saved.label("final_at")).where(
        segments.c.status == Status.PASSED.value, saved >= start, saved < end
    )
    with reading(engine) as conn:
        rows = [dict(r._mapping) for query in (approved, passed) for r in conn.execute(query)]
    return sorted(rows, key=lambda r: (r["final_at"], r["segment_id"]))
