"""A database failure in plain words: locked, full, read-only, unreachable.

The store raises SQLAlchemy's exceptions; `database_trouble` says which of them the operator
can act on (another process holds the lock, the disk is full, the server is down) and how,
so the command line and the pages print one line instead of a traceback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy.exc as sa_exc

from workbench.core.errors import Kind, WorkbenchError

LOCKED = "the database is locked by another process; try again when it has finished"

# words of the driver's message -> what the operator reads (SQLite's messages, then PostgreSQL's)
_KNOWN = (
    ("database is locked", LOCKED),
    ("database table is locked", LOCKED),
    ("database or disk is full", "no space left on device: the database cannot grow"),
    (
        "readonly database",
        "the database is read-only (check the permissions of its file and folder)",
    ),
    (
        "unable to open database file",
        "cannot open the database file (its folder is missing, read-only or full)",
    ),
    ("disk i/o error", "a disk I/O error while using the database"),
    ("no space left on device", "no space left on device: the database cannot grow"),
    ("could not extend file", "no space left on device: the database cannot grow"),
    ("read-only transaction", "the database is read-only"),
    ("lock timeout", LOCKED),
)


class DatabaseLocked(WorkbenchError):
    """A write gave up waiting for another process's lock on the database; nothing of it was
    written (its transaction was rolled back)."""

    kind = Kind.UNAVAILABLE


@contextlib.contextmanager
def refused_while_locked(what: str = "nothing was saved") -> Iterator[None]:
    """Within the block, a write that gives up waiting for another process's lock raises
    DatabaseLocked, saying so and `what` (what became of the work), rather than the driver's
    OperationalError (kept as its cause)."""
    try:
        yield
    except sa_exc.OperationalError as exc:
        if database_trouble(exc) != LOCKED:
            raise
        raise DatabaseLocked(
            f"the database is locked by another process, which did not finish "
            f"in time; {what}: try again in a moment"
        ) from exc


def database_trouble(exc: BaseException) -> str | None:
    """One line for a database failure the operator can act on, or None for anything else
    (a constraint violated by a bug is not theirs to fix)."""
    if not isinstance(exc, (sa_exc.OperationalError, sa_exc.InternalError, sa_exc.TimeoutError)):
        return None
    detail = str(getattr(exc, "orig", None) or exc).strip()
    lowered = detail.lower()
    for words, message in _KNOWN:
        if words in lowered:
            return message
    if isinstance(exc, sa_exc.TimeoutError):
        return "no database connection came free in time; try again"
    first = detail.splitlines()[0] if detail else type(exc).__name__
    return f"the database cannot be used: {first}"
