"""Threads take pooled connections and SQLite's write lock in the order they asked
(store.turns): with more labellers than connections none waits for ever (bench/load.py)."""

import threading
import time

import sqlalchemy as sa

from workbench.store import open_store
from workbench.store.turns import FairQueuePool, Turns


def _waiting(turns: Turns, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(turns._waiting) < count:
        assert time.monotonic() < deadline, "the threads never queued"
        time.sleep(0.005)


def test_turns_are_handed_over_in_the_order_asked():
    turns, order = Turns(), []
    assert turns.acquire(1)

    def ask(k: int) -> None:
        assert turns.acquire(5)
        order.append(k)
        turns.release()

    threads = []
    for k in range(4):
        threads.append(threading.Thread(target=ask, args=(k,)))
        threads[-1].start()
        _waiting(turns, k + 1)
    turns.release()
    for th in threads:
        th.join(5)
    assert order == [0, 1, 2, 3]


def test_a_turn_not_given_in_time_is_refused_and_not_kept():
    turns = Turns()
    assert turns.acquire(1)
    assert turns.acquire(0.05) is False
    turns.release()
    assert turns.acquire(0) is True  # the one that gave up holds no place in the queue


def test_a_thread_waiting_for_the_pool_is_not_passed_by_one_asking_again(tmp_path):
    """One connection, one thread using and returning it in a loop: a second thread asking
    gets it at the next return (SQLAlchemy's QueuePool: after 0.8 to 9 s, when the loop's
    thread happens to be descheduled between a return and its next checkout)."""
    engine = sa.create_engine(
        f"sqlite:///{tmp_path / 'pool.db'}",
        poolclass=FairQueuePool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=3,
    )
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")

    looping = threading.Thread(target=loop)
    looping.start()
    try:
        time.sleep(0.05)
        asked = time.monotonic()
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        waited = time.monotonic() - asked
    finally:
        stop.set()
        looping.join(5)
    assert waited < 0.5


def test_sqlite_writers_take_the_lock_in_the_order_they_came(tmp_path):
    """Four writers line up behind an open write; SQLite's busy handler alone lets the one
    that came last (it polls most often) go first."""
    engine = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE came (k INTEGER)")

    def write(k: int) -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"INSERT INTO came VALUES ({k})")

    threads = []
    with engine.begin() as conn:  # holds the lock while the writers line up
        conn.exec_driver_sql("INSERT INTO came VALUES (-1)")
        for k in range(4):
            threads.append(threading.Thread(target=write, args=(k,)))
            threads[-1].start()
            time.sleep(0.3)  # it waits for its turn (or, without turns, in SQLite's handler)
    for th in threads:
        th.join(10)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT k FROM came ORDER BY rowid").scalars().all() == [
            -1,
            0,
            1,
            2,
            3,
        ]
