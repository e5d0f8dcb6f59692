"""First come, first served: a process's threads wait their turn for a pooled connection and,
on SQLite, for the write lock.

Neither waits fairly by itself. SQLAlchemy's QueuePool hands a connection that comes back to
whichever thread asks next, so a thread that returns one and asks again at once passes the
threads already waiting (with more threads than connections some never got one: five of 20
labellers waited a whole run of bench/load.py on PostgreSQL). SQLite's busy handler polls,
sleeping longer the longer a writer has waited (up to 100 ms), so under steady writing a new
writer takes the lock between an old one's polls (one of 20 labellers waited 14 s on SQLite).
`Turns` queues both in the order the threads came; SQLite's busy handler is then left with
the writers of other processes only (the job workers, the command line).
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

__all__ = ["FairQueuePool", "Turns", "fair_sqlite_writes"]

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "BEGIN", "CREATE", "DROP", "ALTER")
_HOLDS = "workbench_write_turn"  # in a connection's info: it holds the write turn


class Turns:
    """A lock handed over in the order it was asked for."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiting: deque[threading.Event] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        """Wait for the turn (at most `timeout` seconds); whether it came."""
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            mine = threading.Event()
            self._waiting.append(mine)
        if mine.wait(timeout):
            return True
        with self._mutex:
            if mine.is_set():  # handed over just as the wait ended
                return True
            self._waiting.remove(mine)
            return False

    def release(self) -> None:
        """Hand the turn to the thread that has waited longest (it stays held), else free it."""
        with self._mutex:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._held = False


class FairQueuePool(QueuePool):
    """SQLAlchemy's QueuePool with checkouts served in the order they were asked for: a
    thread waiting for a connection is never passed by one that asks later."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turns = Turns()
        self._inside = threading.local()  # QueuePool._do_get calls itself again on a race

    def _do_get(self) -> Any:
        if getattr(self._inside, "yes", False):
            return super()._do_get()
        if not self._turns.acquire(self._timeout):
            raise exc.TimeoutError(f"no pooled connection came free within {self._timeout:.0f} s")
        self._inside.yes = True
        try:
            return super()._do_get()
        finally:
            self._inside.yes = False
            self._turns.release()


def fair_sqlite_writes(engine: Engine, timeout: float) -> None:
    """Writers of this process take SQLite's write lock in turn: a connection waits for the
    turn before its first write of a transaction and passes it on when the transaction ends.
    A thread whose other connection holds the turn goes straight to SQLite, as before (which
    then waits `timeout` and says "locked"); so does one that waited `timeout` for its turn."""
    turns = Turns()
    holder: dict[str, int | None] = {"thread": None}

    def take(conn, _cursor, statement: str, *_: Any) -> None:
        info = conn.info
        if info.get(_HOLDS) or not statement.lstrip()[:7].upper().startswith(_WRITES):
            return
        if holder["thread"] == threading.get_ident() or not turns.acquire(timeout):
            return
        holder["thread"] = threading.get_ident()
        info[_HOLDS] = True

    def give(info: dict) -> None:
        if info.pop(_HOLDS, False):
            holder["thread"] = None
            turns.release()

    sa.event.listen(engine, "before_cursor_execute", take)
    sa.event.listen(engine, "commit", lambda conn: give(conn.info))
    sa.event.listen(engine, "rollback", lambda conn: give(conn.info))
    sa.event.listen(engine.pool, "checkin", lambda _dbapi, record: give(record.info))
