"""Moving a workbench's database to another (a team that started on SQLite with `make run` goes
on with PostgreSQL), owners only.

Every table moves (projects, recordings, segments, revisions, reviews, accounts, sessions, the
audit log, jobs, claims, gold, answers, terms, models...: whatever `store.metadata` holds, in
dependency order), with the same primary keys, in one transaction on the target, which must
hold no rows; PostgreSQL's id sequences are moved past the copied ids; every table's row count
and checksum are compared on both sides before the transaction commits, and a failure leaves the
target as it was, naming the table (see `workbench.store.transfer`). The source is read as one
moment saw it, but saves made after that moment do not move: stop the app first.

Files are not moved: the database names the working copies, peaks, model versions and profiles
by their path in the home, so the app goes on with the same home and the new database URL. The
old database is left as it was.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from workbench import store
from workbench.core.access import Action, require
from workbench.core.errors import WorkbenchError
from workbench.core.workbench import Workbench

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MoveResult:
    """What `move_database` copied: from and to which database (passwords hidden), and each
    table's row count and checksum, equal in both."""

    source: str
    target: str
    tables: dict[str, store.TableSum]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables.values())


def database_url(text: str) -> sa.URL:
    """The database URL `text` names; a WorkbenchError when it names none."""
    try:
        return sa.make_url(text)
    except (ArgumentError, ValueError) as exc:
        raise WorkbenchError(f"{text!r} is not a database URL ({exc})") from None


def masked_url(url: sa.URL) -> str:
    """A database URL with its password hidden."""
    return url.render_as_string(hide_password=True)


def move_database(
    wb: Workbench, target_url: str, progress: store.TransferProgress | None = None
) -> MoveResult:
    """Copy every table of the workbench's database into the empty database at `target_url`
    and check that both hold the same rows (see the module); `progress` hears of each table
    as it is copied. The move is written to the new database's audit log."""
    user = require(wb, Action.MOVE_DATABASE)
    url = database_url(target_url)
    try:
        target = sa.create_engine(url)
    except ArgumentError as exc:  # a driver that is not installed, say
        raise WorkbenchError(f"{masked_url(url)}: {exc}") from None
    source, to = masked_url(wb.db.url), masked_url(target.url)
    if target.url == wb.db.url:
        raise WorkbenchError(f"{to} is this workbench's own database: name another")
    try:
        with store.consistent_read(wb.db) as reading:
            tables = store.copy_tables(reading, target, progress=progress)
    except SQLAlchemyError as exc:  # the target cannot be reached, or refused the schema
        raise store.TransferError(f"{to}: {store.reason(exc)}; nothing was written") from exc
    else:
        rows = sum(t.rows for t in tables.values())
        detail = {"from": source, "tables": len(tables), "rows": rows}
        store.log_event(target, user.name, "database moved", None, detail)
    finally:
        target.dispose()
    log.info("database of %s moved from %s to %s", wb.settings.home, source, to)
    return MoveResult(source, to, tables)


def next_step(wb: Workbench, result: MoveResult) -> str:
    """What the owner does after a move: run the app on the same home with the new URL."""
    return (
        f"the audio, peaks, models and profiles stay in {wb.settings.home}: run the app and "
        f"the commands with that home and WORKBENCH_DB_URL={result.target} (the password as "
        f"you gave it); the old database is left as it was"
    )
