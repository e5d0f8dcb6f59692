"""Connecting to a store (`open_store`: SQLite files run in WAL mode), a connection to read
with (`reading`: on PostgreSQL outside a transaction) and `now` for timestamps.

A process's threads take pooled connections, and on SQLite the write lock, in the order they
asked (`turns`): with more labellers than connections none waits for ever."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workbench.store.migrations import migrate
from workbench.store.turns import FairQueuePool, fair_sqlite_writes

SQLITE_BUSY_TIMEOUT = 30.0  # seconds a write waits for another process's lock, then "locked"
# connections a process keeps open: one for each page run at once (a labeller's key) of 20
# labellers, so none waits for a connection in turn; a save takes and returns one about 15
# times, and with 15 connections (SQLAlchemy's 5 + 10) 20 labellers saved half as fast on
# PostgreSQL (bench/load.py)
POOL_SIZE = 20


def reading(engine: Engine) -> Connection:
    """A connection to read with: every `with reading(engine) as conn:` of the store only
    reads (writes go through `engine.begin()`). On PostgreSQL it reads outside a transaction:
    each statement sees what was committed when it began, as inside one at READ COMMITTED,
    without the BEGIN and the ROLLBACK that would frame it, two round trips of a store call's
    three (the editor makes about 70 store calls a key)."""
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        conn.execution_options(isolation_level="AUTOCOMMIT")
    return conn


def now() -> datetime:
    """Naive UTC, as every timestamp is stored."""
    return datetime.now(UTC).replace(tzinfo=None)


def open_store(url: str) -> Engine:
    """Connect to `url`, creating or upgrading the schema; SQLite files run in WAL mode."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url,
            poolclass=FairQueuePool,
            pool_size=POOL_SIZE,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT},
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        fair_sqlite_writes(engine, SQLITE_BUSY_TIMEOUT)
    else:  # SQLite in memory keeps SQLAlchemy's pool for it (one connection)
        pool = (
            {} if url.startswith("sqlite") else {"poolclass": FairQueuePool, "pool_size": POOL_SIZE}
        )
        engine = sa.create_engine(url, **pool)
        if not url.startswith("sqlite"):
            sa.event.listen(engine.pool, "checkin", _idle_since)
            sa.event.listen(engine.pool, "checkout", _ping_if_idle)
    migrate(engine)
    return engine


PING_AFTER = 10.0  # seconds a pooled server connection may sit idle before it is tested


def _idle_since(dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Test a server connection idle for over PING_AFTER seconds before it is used (the
    database may have restarted meanwhile): a dead one is replaced, unseen. A connection in
    steady use is not tested: SQLAlchemy's `pool_pre_ping` tests every checkout, a round trip
    that cost 0.2 ms of CPU and 0.8 ms of wall time each, about 70 times a key (a connection
    that dies in use fails that one call, and the pool is renewed)."""
    if time.monotonic() - record.info.get("idle_since", time.monotonic()) <= PING_AFTER:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()  # the test's own transaction, ended before use
    except Exception as exc:  # the driver's own error: the connection is gone
        raise sa.exc.DisconnectionError() from exc


def write_lock(conn: Connection, key: int) -> None:
    """Make the transaction `conn` has just begun (before any statement) exclusive: SQLite's
    write lock taken now (BEGIN IMMEDIATE), or on PostgreSQL the advisory lock `key` held to
    its end, so a check and the insert it guards act as one (two racing callers queue)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
