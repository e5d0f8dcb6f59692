"""Draft batches: each labelled segment with the job that drafted its recording (its batch),
for the drafts' error batch by batch ("draft CER by batch")."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.core.records import Status
from workbench.store.dashboard import _labels, with_draft
from workbench.store.engine import reading
from workbench.store.schema import jobs, recordings, revisions, segments


def _by_a_job(op) -> sa.ColumnElement:
    """The draft (its revision's op) came from a draft job, or from the part of one a split
    or merge kept; not drafted alone in the editor ('draft')."""
    return sa.or_(op.is_(None), op != "draft")


def batch_rows(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    """Every live segment a person labelled whose draft a draft job wrote, and every such
    segment a person deleted (final ''): segment_id, status, seconds, draft (the draft text
    it is compared with: a split part's own part, see `store.with_draft`), final (the current
    text: a reviewer's fix counts), job (the draft job of its recording, None before 0011
    recorded it), drafted_at (when its recording was drafted) and params (the job's: engine,
    model...). A segment drafted alone in the editor belongs to no batch."""
    query, deleted = _labelled(project_id), _deleted(project_id)
    with reading(engine) as conn:
        rows = [dict(r._mapping) for r in conn.execute(query) if r.draft is not None]
        rows += [dict(r._mapping) for r in conn.execute(deleted)]
    return sorted(
        rows, key=lambda r: (r["drafted_at"] is None, r["drafted_at"] or 0, r["segment_id"])
    )


def _labelled(project_id: int) -> sa.Select:
    """The project's labelled segments whose draft a draft job wrote, with their batch."""
    current = revisions.alias("current")
    labels = _labels(project_id).subquery("labels")
    return (
        sa.select(
            labels.c.segment_id,
            labels.c.status,
            labels.c.seconds,
            labels.c.draft,
            current.c.text.label("final"),
            recordings.c.draft_job.label("job"),
            recordings.c.drafted_at,
            jobs.c.params,
        )
        .select_from(labels)
        .join(segments, segments.c.id == labels.c.segment_id)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .join(current, current.c.id == segments.c.latest_revision_id)
        .outerjoin(jobs, jobs.c.id == recordings.c.draft_job)
        .where(_by_a_job(labels.c.draft_op))
        .order_by(recordings.c.drafted_at, labels.c.segment_id)
    )


def _deleted(project_id: int) -> sa.Select:
    """The project's segments a person deleted whose draft a draft job wrote, with their
    batch."""
    last = revisions.alias("last")
    deleted, draft, op = with_draft(
        sa.select(
            segments.c.id.label("segment_id"),
            segments.c.status,
            (segments.c.end - segments.c.start).label("seconds"),
        )
        .select_from(segments)
        .join(recordings, recordings.c.id == segments.c.recording_id),
        outer=False,
    )
    return (  # a draft a person deleted (text over silence, a loop): all of it was wrong
        deleted.add_columns(
            draft.label("draft"),
            sa.literal("").label("final"),
            recordings.c.draft_job.label("job"),
            recordings.c.drafted_at,
            jobs.c.params,
        )
        .join(last, last.c.id == segments.c.latest_revision_id)
        .outerjoin(jobs, jobs.c.id == recordings.c.draft_job)
        .where(
            recordings.c.project_id == project_id,
            segments.c.status == Status.DELETED.value,
            _by_a_job(op),
            last.c.op == "delete",
        )  # not one merged into its neighbour
    )
