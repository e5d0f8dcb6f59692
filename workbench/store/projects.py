"""Projects: create, find, list, change settings."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.core.records import Project
from workbench.store.engine import now, reading
from workbench.store.records import all_records, fetch, first_record, inserted_id
from workbench.store.schema import projects


def create_project(
    engine: Engine, name: str, language: str = "auto", **settings: str | None
) -> Project:
    """Insert a project; `settings` may set conventions, asr_engine, asr_model and time_zone."""
    with engine.begin() as conn:
        new_id = inserted_id(
            conn.execute(
                sa.insert(projects).values(
                    name=name, language=language, created_at=now(), **settings
                )
            )
        )
        return fetch(conn, Project, projects, new_id)


def find_project(engine: Engine, name: str) -> Project | None:
    """The project called `name`, or None."""
    return first_record(engine, Project, sa.select(projects).where(projects.c.name == name))


def get_project(engine: Engine, project_id: int) -> Project:
    """The project `project_id`; NoResultFound when there is none."""
    with reading(engine) as conn:
        return fetch(conn, Project, projects, project_id)


def list_projects(engine: Engine) -> list[Project]:
    """Every project, by name."""
    return all_records(engine, Project, sa.select(projects).order_by(projects.c.name))


def update_project(engine: Engine, project_id: int, **values: Any) -> Project:
    """Set a project's columns (settings, prompt, speakers...); returns the project as saved."""
    with engine.begin() as conn:
        conn.execute(sa.update(projects).where(projects.c.id == project_id).values(**values))
    return get_project(engine, project_id)
