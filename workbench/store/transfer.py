"""Copying every table of a workbench database into another, on any two engines (SQLite to
PostgreSQL, or back), and the checksums that show the copy is equal.

`copy_tables` reads the source through one connection that sees one moment of it
(`consistent_read`) and writes the target in one transaction: it takes the target's schema
lock, refuses a target that holds rows (or, for a restore, empties it), creates the schema where
there is none, copies the tables of `schema.metadata` in dependency order (a table added to the
schema later is copied with no change here) keeping every primary key, moves PostgreSQL's
sequences past the copied keys, and compares every table's row count and checksum on both sides
before it commits. A failure rolls the whole target back and names the table.

Values are copied as stored: a column whose type rewrites values (`CommaList`) is read and
written through its stored type, and a JSON column keeps SQL NULL apart from JSON `null`.

Checksums (`table_sums`): each row's values, read the same way, are written in one plain form
(floats by `repr`, times in ISO form, JSON with sorted keys), hashed with SHA-256, and the row
hashes summed modulo 2**256. The sum does not depend on the order rows come in, as the two
engines sort text keys by different collations; primary keys make every row distinct.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import SQLAlchemyError

from workbench.core.errors import Kind, WorkbenchError
from workbench.store.migrations import SCHEMA_VERSION, create_schema, current_version, lock_schema
from workbench.store.schema import metadata

BATCH = 1000  # rows read, and inserted, at a time
SQL_NULL = "_sql_null_"  # the label prefix of a JSON column's "is SQL NULL" in a copy's select
BIND = "_v_"  # the prefix of an insert's parameter names (a column's own name is reserved)

TransferProgress = Callable[[str, int], None]  # after each table: its name, the rows copied


class TransferError(WorkbenchError):
    """A copy between two databases that could not be made; nothing was written."""

    kind = Kind.UNAVAILABLE


@dataclass(frozen=True)
class TableSum:
    """A table's row count and the checksum of its rows (64 hex digits)."""

    rows: int
    checksum: str


@contextlib.contextmanager
def consistent_read(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see one moment of the database while others write: a
    repeatable-read transaction (PostgreSQL), or a read transaction begun at once (SQLite, in
    WAL mode); it is rolled back after."""
    if engine.dialect.name == "postgresql":
        with (
            engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
            conn.begin(),
        ):
            yield conn
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("BEGIN")  # pysqlite would otherwise leave every read on its own
        try:
            yield conn
        finally:
            conn.rollback()


def copy_tables(
    source: Connection,
    target: Engine,
    replace: bool = False,
    progress: TransferProgress | None = None,
) -> dict[str, TableSum]:
    """Copy every table from `source` into the database of `target` in one transaction, and
    return each table's count and checksum, found equal on both sides.

    The target must hold no rows (a `TransferError` of kind conflict otherwise) unless
    `replace`, which empties its tables first, in the same transaction. Both databases must be
    at this workbench's schema version (a target without the workbench's tables gets them).
    """
    version = current_version(source)
    if version != SCHEMA_VERSION:
        raise TransferError(
            f"the source database is at schema version {version}, not {SCHEMA_VERSION}: "
            "open it with this workbench once (that upgrades it), then copy it"
        )
    with target.begin() as conn:
        _prepare_target(conn, replace)
        read = {}  # the sums of the rows read from the source
        for table in metadata.sorted_tables:
            read[table.name] = _copy_table(source, conn, table)
            if progress:
                progress(table.name, read[table.name].rows)
        _move_sequences(conn)
        return _verify(read, conn)


def _prepare_target(conn: Connection, replace: bool) -> None:
    """Lock the target; create the schema in a database without it, or check that the one it
    has is this workbench's and holds no rows (or empty it, when `replace`)."""
    lock_schema(conn)
    if not set(sa.inspect(conn).get_table_names()) & set(metadata.tables):
        create_schema(conn)
        return
    version = current_version(conn)
    if version != SCHEMA_VERSION:
        raise TransferError(
            f"the target database holds workbench tables at schema version {version}, not "
            f"{SCHEMA_VERSION}: name an empty database",
            kind=Kind.CONFLICT,
        )
    held = {t.name: n for t in metadata.sorted_tables if (n := _count(conn, t))}
    if held and not replace:
        listed = ", ".join(f"{name}: {n}" for name, n in list(held.items())[:3])
        if len(held) > 3:
            listed += f" and {len(held) - 3} more tables"
        raise TransferError(
            f"the target database already holds rows ({listed}): name an empty database; "
            "nothing was written",
            kind=Kind.CONFLICT,
        )
    for table in reversed(metadata.sorted_tables):
        conn.execute(table.delete())


def _count(conn: Connection, table: sa.Table) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def _copy_table(source: Connection, target: Connection, table: sa.Table) -> TableSum:
    """Insert `table`'s rows from `source` into `target`, in batches; the count and checksum
    of the rows read."""
    insert = table.insert().values(
        {c.name: sa.bindparam(BIND + c.name, type_=_stored_type(c)) for c in table.columns}
    )
    keys = [BIND + c.name for c in table.columns]
    summed = _Sum(table)
    try:
        for batch in _batches(source, table):
            target.execute(insert, [dict(zip(keys, row, strict=True)) for row in batch])
            summed.add(batch)
    except SQLAlchemyError as exc:
        raise TransferError(
            f"copying the table {table.name} failed after {summed.rows} of its rows, so "
            f"nothing was written: {reason(exc)}"
        ) from exc
    return summed.result()


def reason(exc: BaseException) -> str:
    """The first line of what the database driver said, without SQLAlchemy's wrapping."""
    said = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return said[0] if said else type(exc).__name__


def _stored_type(column: sa.Column) -> sa.types.TypeEngine:
    """The type a column's values are copied as: what a TypeDecorator stores (so the stored
    value is copied, not a rewritten one), JSON with SQL NULL kept apart from JSON null."""
    kind = column.type
    if isinstance(kind, sa.types.TypeDecorator):
        return kind.impl_instance
    if isinstance(kind, sa.JSON):
        return sa.JSON(none_as_null=True)  # None: SQL NULL; JSON.NULL: JSON null
    return kind


def _batches(conn: Connection, table: sa.Table) -> Iterator[list[list[Any]]]:
    """`table`'s rows as stored, `BATCH` at a time in primary-key order: each a list of values
    in the order of the table's columns, JSON null as `sa.JSON.NULL` and SQL NULL as None."""
    json_at = [i for i, c in enumerate(table.columns) if isinstance(c.type, sa.JSON)]
    width = len(table.columns)
    query = sa.select(
        *(sa.type_coerce(c, _stored_type(c)).label(c.name) for c in table.columns),
        *(table.columns[i].is_(None).label(SQL_NULL + str(i)) for i in json_at),
    ).order_by(*table.primary_key.columns)
    result = conn.execute(query, execution_options={"yield_per": BATCH})
    for part in result.partitions():
        yield [_as_stored(row, width, json_at) for row in part]


def _as_stored(row: Row, width: int, json_at: list[int]) -> list[Any]:
    values = list(row[:width])
    for n, i in enumerate(json_at):
        if values[i] is None and not row[width + n]:  # None, but not SQL NULL
            values[i] = sa.JSON.NULL
    return values


def _move_sequences(conn: Connection) -> None:
    """On PostgreSQL, set each table's id sequence past the largest id copied, so the next
    insert takes a new one (SQLite takes the largest rowid plus one by itself)."""
    if conn.dialect.name != "postgresql":
        return
    for table in metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        after = sa.select(sa.func.coalesce(sa.func.max(column), 0) + 1).scalar_subquery()
        sequence = sa.func.pg_get_serial_sequence(table.name, column.name)
        conn.execute(sa.select(sa.func.setval(sequence, after, False)))


def _verify(expected: dict[str, TableSum], target: Connection) -> dict[str, TableSum]:
    """The target's sums, if every table's count and checksum are those `expected`."""
    found = table_sums(target)
    for name, want in expected.items():
        got = found[name]
        if got != want:
            raise TransferError(
                f"the table {name} differs after the copy ({want.rows} rows, checksum "
                f"{want.checksum[:12]} in the source; {got.rows}, {got.checksum[:12]} in the "
                "target), so nothing was written"
            )
    return found


def table_sums(conn: Connection) -> dict[str, TableSum]:
    """Every table's row count and checksum, as `conn` sees them (see the module's text)."""
    sums = {}
    for table in metadata.sorted_tables:
        summed = _Sum(table)
        for batch in _batches(conn, table):
            summed.add(batch)
        sums[table.name] = summed.result()
    return sums


class _Sum:
    """The count and checksum of a table's rows, added batch by batch (see the module)."""

    def __init__(self, table: sa.Table):
        self.plain = [_plain_form(_stored_type(c)) for c in table.columns]
        self.rows = 0
        self.total = 0

    def add(self, batch: list[list[Any]]) -> None:
        for values in batch:
            plain = zip(self.plain, values, strict=True)
            line = json.dumps([None if v is None else f(v) for f, v in plain])
            self.total += int.from_bytes(hashlib.sha256(line.encode()).digest())
        self.rows += len(batch)

    def result(self) -> TableSum:
        return TableSum(self.rows, f"{self.total % 2**256:064x}")


def _plain_form(kind: sa.types.TypeEngine) -> Callable[[Any], Any]:
    """How a stored value of type `kind` is written for the checksum: in one form whatever
    the engine gave back (an int for a boolean, a float for an integral REAL...)."""
    if isinstance(kind, sa.JSON):
        return lambda v: "null" if v is sa.JSON.NULL else json.dumps(v, sort_keys=True)
    if isinstance(kind, sa.Boolean):
        return bool
    if isinstance(kind, sa.Float):
        return lambda v: repr(float(v))
    if isinstance(kind, sa.Integer):
        return int
    if isinstance(kind, sa.DateTime):
        return lambda v: v.isoformat()
    return str
