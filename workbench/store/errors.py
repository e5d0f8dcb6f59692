"""A database failure in plain words: locked, full, read-only, unreachable.

The store raises SQLAlchemy's exceptions; `database_trouble` says which of them the operator
can act on (another process holds the lock, the disk is full, the server is down) and how,
so the command line and the pages print one line instead of a traceback.
"""

from __future__ import annotations

import sqlalchemy.exc as sa_exc

# words of the driver's message -> what the operator reads (SQLite's messages, then PostgreSQL's)
_KNOWN = (
    ("database is locked", "the database is locked by another process; try again when it has "
                           "finished"),
    ("database table is locked", "the database is locked by another process; try again when "
                                 "it has finished"),
    ("database or disk is full", "no space left on device: the database cannot grow"),
    ("readonly database", "the database is read-only (check the permissions of its file and "
                          "folder)"),
    ("unable to open database file", "cannot open the database file (its folder is missing, "
                                     "read-only or full)"),
    ("disk i/o error", "a disk I/O error while using the database"),
    ("no space left on device", "no space left on device: the database cannot grow"),
    ("could not extend file", "no space left on device: the database cannot grow"),
    ("read-only transaction", "the database is read-only"),
    ("lock timeout", "the database is locked by another process; try again when it has "
                     "finished"),
)


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
