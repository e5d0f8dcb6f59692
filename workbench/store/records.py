"""Rows to records: one mapper from a result row to a frozen dataclass of `workbench.corpus`,
and the queries' ways to read records (`fetch` by id, `first_record`, `all_records`) and the id
of a row just inserted (`inserted_id`).

A record's fields are read from the row's columns of the same name, except where `RENAMED`
says otherwise; a field in `CONVERTED` goes through its function, and any other NULL becomes
the field's default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, CursorResult, Engine

from workbench.core.records import Job, Project, Recording, Role, Segment, Status, User
from workbench.store.engine import reading

R = TypeVar("R")

# record -> {field: column} where the two names differ
RENAMED: dict[type, dict[str, str]] = {Recording: {"metadata": "meta"}}

# record -> {field: function of the column's value, NULL included}
CONVERTED: dict[type, dict[str, Callable[[Any], Any]]] = {
    Project: {
        "per_channel": bool,
        "lint_blocks": bool,
        "speakers": lambda value: tuple(value or ()),
        "review_required": bool,
        "review_reasons": lambda value: tuple(value or ()),
        "qualify_required": bool,
        "pay_weighted": bool,
        "pay_answers": bool,
    },
    Segment: {"status": Status},
    Job: {"params": lambda value: value or {}},
    User: {"role": Role, "active": bool, "display_name": lambda value: value or ""},
}


def to_record(record: type[R], row: Any) -> R:
    """The `record` (a corpus dataclass) holding `row`, a result row of its table."""
    values = row._mapping
    kind: type = record  # a plain type for the cache: mypy does not take type[R] as Hashable
    return record(**{name: fill(values[column]) for name, column, fill in _plan(kind)})


def fetch(conn: Connection, record: type[R], table: sa.Table, row_id: int) -> R:
    """The `record` of `table`'s row `row_id`; NoResultFound when there is none."""
    return to_record(record, conn.execute(sa.select(table).where(table.c.id == row_id)).one())


def first_record(engine: Engine, record: type[R], query: sa.Select) -> R | None:
    """The `record` of the first row `query` returns, or None."""
    with reading(engine) as conn:
        row = conn.execute(query).first()
    return to_record(record, row) if row else None


def all_records(engine: Engine, record: type[R], query: sa.Select) -> list[R]:
    """The `record` of every row `query` returns."""
    with reading(engine) as conn:
        return [to_record(record, row) for row in conn.execute(query)]


def inserted_id(result: CursorResult[Any]) -> int:
    """The id of the row a one-row INSERT made."""
    key = result.inserted_primary_key
    assert key is not None, "a one-row INSERT makes a row"
    return key[0]


@cache
def _plan(record: type) -> tuple[tuple[str, str, Callable[[Any], Any]], ...]:
    """(field, column, function making the field's value from the column's) for each field."""
    renamed = RENAMED.get(record, {})
    converted = CONVERTED.get(record, {})
    return tuple(
        (f.name, renamed.get(f.name, f.name), converted.get(f.name) or _or_default(f))
        for f in dataclasses.fields(record)
    )


def _or_default(field: dataclasses.Field) -> Callable[[Any], Any]:
    if field.default is not dataclasses.MISSING:
        return lambda value: field.default if value is None else value
    factory = field.default_factory
    if callable(factory):  # else MISSING: the field has no default factory
        return lambda value: factory() if value is None else value
    return lambda value: value
