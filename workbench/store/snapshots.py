"""The database side of a backup: a consistent snapshot, the files it points at, and loading one.

Every snapshot is a SQLite file, whatever the engine, so an archive restores into either.
SQLite goes through the sqlite3 online backup API (`snapshot_sqlite`, `load_sqlite`): a copy
taken in one read transaction, consistent while the app writes, WAL included. PostgreSQL is
copied table by table (`copy_to_sqlite`) in one repeatable-read transaction, which also reads
the referenced files and row counts, so the copy and the file list agree; a SQLite snapshot is
loaded into PostgreSQL the same way (`load_into`), in one transaction. Archives that earlier
versions made of PostgreSQL with `pg_dump` are loaded with `pg_restore` (`load_postgres`),
which must then be on PATH.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workbench.core.errors import Kind, WorkbenchError
from workbench.store.migrations import current_version, is_known_version
from workbench.store.schema import metadata, models, projects, recordings
from workbench.store.transfer import consistent_read, copy_tables


class DumpToolMissing(WorkbenchError):
    """pg_dump or pg_restore is not on PATH."""

    kind = Kind.UNAVAILABLE


@dataclass(frozen=True)
class Snapshot:
    """What a database snapshot holds: its schema revision, rows per table, the home files
    (relative paths) its recordings point at, and the home folders of its fine-tuned model
    versions that are ready (a project may draft with one)."""

    schema: str | None
    rows: dict[str, int]
    files: tuple[str, ...]
    models: tuple[str, ...] = ()


def sqlite_file(engine: Engine) -> Path | None:
    """The database file of a SQLite engine; None for an in-memory one."""
    name = engine.url.database
    return Path(name) if name and name != ":memory:" else None


def describe(conn: Connection) -> Snapshot:
    """The schema revision, the rows per table and the referenced files, as `conn` sees them."""
    rows = {
        t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
        for t in metadata.sorted_tables
    }
    found = conn.execute(
        sa.select(recordings.c.working_path, recordings.c.peaks_path, recordings.c.channels_path)
    ).all()
    files = sorted({path for row in found for path in row if path})
    ready = conn.execute(sa.select(models.c.path).where(models.c.state == "ready")).scalars()
    return Snapshot(current_version(conn), rows, tuple(files), tuple(sorted(set(ready))))


def known_schema(revision: str | None) -> bool:
    """Whether this workbench can open a database at schema `revision` (None: empty)."""
    return revision is None or is_known_version(revision)


def describe_store(engine: Engine) -> Snapshot:
    """`describe` on a connection of `engine`."""
    with engine.connect() as conn:
        return describe(conn)


def has_rows(engine: Engine) -> dict[str, int]:
    """The tables that hold rows, with their counts (empty for a fresh database)."""
    return {name: n for name, n in describe_store(engine).rows.items() if n}


def snapshot_sqlite(engine: Engine, dest: Path) -> Snapshot:
    """Copy the SQLite database of `engine` to the file `dest` with the online backup API.

    The copy is made in one step under one read transaction, so it is the database as one
    moment saw it, even while other connections (other processes) write; WAL mode lets them go
    on writing meanwhile.
    """
    with _sqlite_and_file(engine, dest) as (database, target):
        database.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    copy = sa.create_engine(f"sqlite:///{dest}")
    try:
        return describe_store(copy)
    finally:
        copy.dispose()


def load_sqlite(engine: Engine, snapshot: Path) -> None:
    """Replace the whole SQLite database of `engine` by the file `snapshot`, in one transaction
    (the backup API again, the other way), so no connection ever sees half of it."""
    with _sqlite_and_file(engine, snapshot) as (database, source):
        source.backup(database)


@contextlib.contextmanager
def _sqlite_and_file(engine: Engine, path: Path) -> Iterator[tuple[Any, sqlite3.Connection]]:
    """The sqlite3 connection under one of `engine`'s, and one to the database file `path`:
    the two ends of a backup; both closed after."""
    pooled = engine.raw_connection()
    try:
        with contextlib.closing(sqlite3.connect(path)) as other:
            driver = pooled.driver_connection
            assert driver is not None  # a connection just checked out of the pool
            yield driver, other
    finally:
        pooled.close()


def pg_tool(name: str) -> str:
    """The path of PostgreSQL's client tool `name`; DumpToolMissing when it is not on PATH."""
    found = shutil.which(name)
    if found is None:
        raise DumpToolMissing(
            f"{name} was not found on PATH: install PostgreSQL's client tools (the package "
            f"postgresql-client of the server's major version) to restore an archive that "
            "an earlier version made with pg_dump"
        )
    return found


def _pg_target(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq URL for the PostgreSQL tools, and an environment carrying the password (never
    on the command line, where `ps` shows it)."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"exit status {done.returncode}"
        raise WorkbenchError(f"{what} failed: {reason}", kind=Kind.UNAVAILABLE)


def copy_to_sqlite(engine: Engine, dest: Path) -> Snapshot:
    """Copy every table of `engine`'s database into a new SQLite file `dest`, and describe it,
    all in one transaction that sees one moment of the database (see `transfer`)."""
    copy = sa.create_engine(f"sqlite:///{dest}")
    try:
        with consistent_read(engine) as conn:
            snapshot = describe(conn)
            copy_tables(conn, copy)
    finally:
        copy.dispose()
    return snapshot


def load_into(engine: Engine, snapshot: Path) -> None:
    """Replace every row of `engine`'s database (PostgreSQL, or any) by those of the SQLite
    file `snapshot`, at the same schema version, in one transaction (see `transfer`)."""
    source = sa.create_engine(f"sqlite:///{snapshot}")
    try:
        with consistent_read(source) as conn:
            copy_tables(conn, engine, replace=True)
    finally:
        source.dispose()


def load_postgres(engine: Engine, dump: Path) -> None:
    """Replace the workbench's tables by those of `dump` (`pg_dump`'s custom format, as earlier
    versions backed up PostgreSQL) with `pg_restore`, in one transaction (its tables are dropped
    and made again; on any error nothing changes)."""
    tool = pg_tool("pg_restore")
    target, env = _pg_target(engine)
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={target}",
            str(dump),
        ],
        env,
        "pg_restore",
    )


def move_profiles(engine: Engine, old_dir: str, new_dir: str) -> int:
    """Point projects whose conventions name a file in `old_dir` at the same file in `new_dir`
    (a restored home's profiles folder); returns how many moved."""
    prefix = old_dir.rstrip("/") + "/"
    moved = 0
    with engine.begin() as conn:
        for pid, conventions in conn.execute(
            sa.select(projects.c.id, projects.c.conventions)
        ).all():
            if conventions.startswith(prefix):
                new = str(Path(new_dir) / conventions.removeprefix(prefix))
                conn.execute(
                    sa.update(projects).where(projects.c.id == pid).values(conventions=new)
                )
                moved += 1
    return moved
