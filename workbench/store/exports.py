"""The log of exports written: record one (or forget it), list a project's."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.store.engine import now, reading
from workbench.store.records import inserted_id
from workbench.store.schema import exports


def record_export(engine: Engine, **values: Any) -> int:
    """Log an export (format, path, filters, counts, hours, checksum, created_by); its id."""
    with engine.begin() as conn:
        return inserted_id(conn.execute(sa.insert(exports).values(created_at=now(), **values)))


def forget_export(engine: Engine, export_id: int) -> None:
    """Remove the record of an export that was not put in place after all."""
    with engine.begin() as conn:
        conn.execute(sa.delete(exports).where(exports.c.id == export_id))


def list_exports(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    """A project's exports, newest first, as dicts of their columns."""
    query = (
        sa.select(exports).where(exports.c.project_id == project_id).order_by(exports.c.id.desc())
    )
    with reading(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
