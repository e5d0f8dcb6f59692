"""Draft batches: each labelled segment with the job that drafted its recording (its batch),
for the drafts' error batch by batch ("draft CER by batch")."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.corpus import Status
from workbench.store.dashboard import _labels
from workbench.store.schema import jobs, recordings, revisions, segments


def batch_rows(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    """Every live segment a person labelled whose draft the ASR wrote, and every drafted
    segment a person deleted (final ''): segment_id, status, seconds, draft (revision 1),
    final (the current text: a reviewer's fix counts), job (the draft job of its recording,
    None before 0011 recorded it), drafted_at (when its recording was drafted) and params
    (the job's: engine, model...)."""
    current = revisions.alias("current")
    query = (
        _labels(project_id)
        .add_columns(current.c.text.label("final"), recordings.c.draft_job.label("job"),
                     recordings.c.drafted_at, jobs.c.params)
        .join(current, current.c.id == segments.c.latest_revision_id)
        .outerjoin(jobs, jobs.c.id == recordings.c.draft_job)
        .order_by(recordings.c.drafted_at, segments.c.id)
    )
    draft, last = revisions.alias("draft"), revisions.alias("last")
    deleted = (  # a draft a person deleted (text over silence, a loop): all of it was wrong
        sa.select(segments.c.id.label("segment_id"), segments.c.status,
                  (segments.c.end - segments.c.start).label("seconds"),
                  draft.c.text.label("draft"), sa.literal("").label("final"),
                  recordings.c.draft_job.label("job"), recordings.c.drafted_at, jobs.c.params)
        .select_from(segments)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .join(draft, sa.and_(draft.c.segment_id == segments.c.id, draft.c.n == 1,
                             draft.c.source == "asr"))
        .join(last, last.c.id == segments.c.latest_revision_id)
        .outerjoin(jobs, jobs.c.id == recordings.c.draft_job)
        .where(recordings.c.project_id == project_id,
               segments.c.status == Status.DELETED.value,
               last.c.op == "delete")  # not one merged into its neighbour
    )
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query) if r.draft is not None]
        rows += [dict(r._mapping) for r in conn.execute(deleted)]
    return sorted(rows, key=lambda r: (r["drafted_at"] is None, r["drafted_at"] or 0,
                                       r["segment_id"]))
