"""A project's fine-tuned model versions: register one (numbered 1, 2, ... per project),
update it as its job goes, read one or all."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.core.records import ModelVersion
from workbench.store.engine import now
from workbench.store.records import all_records, fetch, first_record, inserted_id
from workbench.store.schema import models


def add_model(db: Engine, project_id: int, **values: Any) -> ModelVersion:
    """Register the project's next version (engine, path, base, method, params, state,
    created_by, ...); `path` may use '{n}', filled with the version's number. (The
    database is `db`: `engine` is a column.)"""
    with db.begin() as conn:
        last = conn.execute(
            sa.select(sa.func.max(models.c.n)).where(models.c.project_id == project_id)
        ).scalar()
        n = (last or 0) + 1
        values["path"] = values["path"].format(n=n)
        new_id = inserted_id(
            conn.execute(
                sa.insert(models).values(project_id=project_id, n=n, created_at=now(), **values)
            )
        )
        return fetch(conn, ModelVersion, models, new_id)


def update_model(engine: Engine, model_id: int, **values: Any) -> ModelVersion:
    """Set a version's fields (state, counts, errors, promoted_at); the version as it is now."""
    with engine.begin() as conn:
        conn.execute(sa.update(models).where(models.c.id == model_id).values(**values))
        return fetch(conn, ModelVersion, models, model_id)


def get_model(engine: Engine, project_id: int, n: int) -> ModelVersion | None:
    """The project's version `n`, or None."""
    return first_record(
        engine,
        ModelVersion,
        sa.select(models).where(models.c.project_id == project_id, models.c.n == n),
    )


def model_of_job(engine: Engine, job_id: int) -> ModelVersion | None:
    """The version a fine-tune job produces, or None."""
    return first_record(engine, ModelVersion, sa.select(models).where(models.c.job_id == job_id))


def list_models(engine: Engine, project_id: int) -> list[ModelVersion]:
    """The project's versions, newest first."""
    return all_records(
        engine,
        ModelVersion,
        sa.select(models).where(models.c.project_id == project_id).order_by(models.c.n.desc()),
    )
