"""A project's speaker registry (`speakers`): one row per speaker name, in the owner's order."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.core.records import Speaker
from workbench.store.engine import now, reading
from workbench.store.records import all_records, fetch, first_record, inserted_id
from workbench.store.schema import speakers

# the columns a registry entry's values set (name and the fields; not the order or the stamp)
SPEAKER_COLUMNS = ("name", "gender", "age", "region", "role", "notes")


def list_speakers(engine: Engine, project_id: int) -> list[Speaker]:
    """The project's registry, in its order."""
    query = (
        sa.select(speakers)
        .where(speakers.c.project_id == project_id)
        .order_by(speakers.c.position, speakers.c.id)
    )
    return all_records(engine, Speaker, query)


def find_speaker(engine: Engine, project_id: int, name: str) -> Speaker | None:
    """The project's registry entry named `name`, or None."""
    query = sa.select(speakers).where(speakers.c.project_id == project_id, speakers.c.name == name)
    return first_record(engine, Speaker, query)


def get_speaker(engine: Engine, speaker_id: int) -> Speaker:
    """The registry entry `speaker_id`; NoResultFound when there is none."""
    with reading(engine) as conn:
        return fetch(conn, Speaker, speakers, speaker_id)


def add_speaker(engine: Engine, project_id: int, values: dict[str, Any], by: str) -> Speaker:
    """A new entry at the end of the registry (`values`: SPEAKER_COLUMNS); IntegrityError when
    the project has that name already."""
    with engine.begin() as conn:
        last = conn.execute(
            sa.select(sa.func.max(speakers.c.position)).where(speakers.c.project_id == project_id)
        ).scalar()
        new_id = inserted_id(
            conn.execute(
                sa.insert(speakers).values(
                    project_id=project_id,
                    position=(last or 0) + 1,
                    updated_by=by,
                    updated_at=now(),
                    **{k: values.get(k, "") for k in SPEAKER_COLUMNS},
                )
            )
        )
        return fetch(conn, Speaker, speakers, new_id)


def update_speaker(engine: Engine, speaker_id: int, values: dict[str, Any], by: str) -> Speaker:
    """Set an entry's `values` (some of SPEAKER_COLUMNS); IntegrityError on a name taken."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(speakers)
            .where(speakers.c.id == speaker_id)
            .values(updated_by=by, updated_at=now(), **values)
        )
        return fetch(conn, Speaker, speakers, speaker_id)


def remove_speaker(engine: Engine, speaker_id: int) -> None:
    """Drop an entry (the segments keep their speaker names)."""
    with engine.begin() as conn:
        conn.execute(sa.delete(speakers).where(speakers.c.id == speaker_id))
