"""Recordings: add, find by content hash, list, and those still to draft."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.core.errors import Kind, WorkbenchError
from workbench.core.records import Recording
from workbench.store.engine import now, reading
from workbench.store.records import all_records, fetch, first_record, inserted_id
from workbench.store.schema import recordings


class DuplicateRecording(WorkbenchError):
    """The project has a recording of the same content already (`existing`): another import of
    the same audio was recorded first."""

    kind = Kind.CONFLICT

    def __init__(self, existing: Recording):
        super().__init__(f"the project has this audio already, as {existing.original_name}")
        self.existing = existing


def add_recording(engine: Engine, **values: Any) -> Recording:
    """Insert a recording from its columns (`metadata` is stored as `meta`); DuplicateRecording
    when the project holds its sha256 already (the table's unique constraint decides, so two
    imports racing each other record it once)."""
    values = {**values, "meta": values.pop("metadata", {}) or {}, "created_at": now()}
    try:
        with engine.begin() as conn:
            new_id = inserted_id(conn.execute(sa.insert(recordings).values(**values)))
            return fetch(conn, Recording, recordings, new_id)
    except sa.exc.IntegrityError:
        existing = find_recording_by_hash(engine, values["project_id"], values["sha256"])
        if existing is None:  # another constraint: a bug, not a race
            raise
        raise DuplicateRecording(existing) from None


def find_recording_by_hash(engine: Engine, project_id: int, sha256: str) -> Recording | None:
    """The project's recording with this content hash, or None."""
    query = sa.select(recordings).where(
        recordings.c.project_id == project_id, recordings.c.sha256 == sha256
    )
    return first_record(engine, Recording, query)


def get_recording(engine: Engine, recording_id: int) -> Recording:
    """The recording `recording_id`; NoResultFound when there is none."""
    with reading(engine) as conn:
        return fetch(conn, Recording, recordings, recording_id)


def list_recordings(engine: Engine, project_id: int) -> list[Recording]:
    """A project's recordings, by name."""
    query = (
        sa.select(recordings)
        .where(recordings.c.project_id == project_id)
        .order_by(recordings.c.original_name, recordings.c.id)
    )
    return all_records(engine, Recording, query)


def undrafted_recordings(engine: Engine, project_id: int) -> list[Recording]:
    """Recordings of a project that no drafting run has finished yet."""
    query = (
        sa.select(recordings)
        .where(recordings.c.project_id == project_id, recordings.c.drafted_at.is_(None))
        .order_by(recordings.c.id)
    )
    return all_records(engine, Recording, query)


def empty_drafts(engine: Engine, project_id: int) -> list[Recording]:
    """Recordings of a project that were drafted but have no segment at all (the engine heard
    nothing it could write down): candidates for a second draft."""
    from workbench.store.schema import segments

    has_any = sa.select(segments.c.id).where(segments.c.recording_id == recordings.c.id).exists()
    query = (
        sa.select(recordings)
        .where(
            recordings.c.project_id == project_id, recordings.c.drafted_at.is_not(None), ~has_any
        )
        .order_by(recordings.c.original_name, recordings.c.id)
    )
    return all_records(engine, Recording, query)


def reopen_draft(engine: Engine, recording_id: int) -> bool:
    """Mark a drafted recording without segments as not drafted, so the next draft job takes
    it again; False when it has segments (or is not drafted), and nothing changes."""
    from workbench.store.schema import segments

    has_any = sa.select(segments.c.id).where(segments.c.recording_id == recording_id).exists()
    with engine.begin() as conn:
        done = conn.execute(
            sa.update(recordings)
            .where(recordings.c.id == recording_id, recordings.c.drafted_at.is_not(None), ~has_any)
            .values(drafted_at=None)
        )
    return done.rowcount == 1
