"""The database side of a backup: a consistent snapshot, the files it points at, and loading one.

SQLite goes through the sqlite3 online backup API (`snapshot_sqlite`, `load_sqlite`): a copy
taken in one read transaction, consistent while the app writes, WAL included. PostgreSQL goes
through `pg_dump` / `pg_restore`, which must be on PATH: `dump_postgres` holds a repeatable-read
transaction, reads the referenced files and row counts in it and has `pg_dump` dump that same
snapshot (`--snapshot`), so the dump and the file list agree.
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


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DumpToolMissing(
            f"{name} was not found on PATH: install PostgreSQL's client tools (the package "
            f"postgresql-client of the server's major version) to back up or restore a "
            "PostgreSQL workbench"
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


def dump_postgres(engine: Engine, dest: Path) -> Snapshot:
    """`pg_dump` the PostgreSQL database of `engine` to `dest` (custom format), and describe it.

    A repeatable-read transaction exports its snapshot; the description is read in it and
    pg_dump dumps exactly that snapshot, so the files listed are those the dump points at.
    """
    tool = _pg_tool("pg_dump")
    _pg_tool("pg_restore")  # a backup nobody here can restore is not worth making
    target, env = _pg_target(engine)
    with (
        engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
        conn.begin(),
    ):
        exported = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
        snapshot = describe(conn)
        _run(
            [
                tool,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={exported}",
                f"--file={dest}",
                f"--dbname={target}",
            ],
            env,
            "pg_dump",
        )
    return snapshot


def load_postgres(engine: Engine, dump: Path) -> None:
    """Replace the workbench's tables by those of `dump` with `pg_restore`, in one transaction
    (its tables are dropped and made again; on any error nothing changes)."""
    tool = _pg_tool("pg_restore")
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
