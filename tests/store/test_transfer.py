"""Copying a whole database (`store.copy_tables`) and its checksums (`store.table_sums`): what
they tell apart, and that a copy that does not check out is rolled back. The whole move, on
a workbench with rows in every table, is in tests/projects/test_database_move.py."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from workbench import store
from workbench.store import transfer


def _bench(path) -> sa.Engine:
    """A SQLite workbench database with a few rows: a project, preferences (one a JSON null),
    audit lines in Korean."""
    engine = store.open_store(f"sqlite:///{path}")
    store.create_project(engine, "demo", "ko")
    store.set_pref(engine, "lena", "queue", None)
    store.set_pref(engine, "lena", "zoom", {"seconds": 2.5})
    for i in range(3):
        store.log_event(engine, "olga", "note", None, {"text": f"메모 {i}", "n": i / 3})
    return engine


def _sums(engine: sa.Engine) -> dict[str, store.TableSum]:
    with store.consistent_read(engine) as conn:
        return store.table_sums(conn)


def test_checksums_tell_json_null_from_sql_null_and_any_changed_value(tmp_path):
    engine = _bench(tmp_path / "a.db")
    before = _sums(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE prefs SET value = NULL WHERE key = 'queue'")  # SQL NULL
    after = _sums(engine)
    assert after["prefs"].rows == before["prefs"].rows
    assert after["prefs"].checksum != before["prefs"].checksum
    assert after["events"] == before["events"]
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE events SET at = datetime(at, '+1 second') WHERE id = 2")
    assert _sums(engine)["events"].checksum != before["events"].checksum


def test_checksums_do_not_depend_on_the_order_rows_were_written(tmp_path):
    a, b = _bench(tmp_path / "a.db"), store.open_store(f"sqlite:///{tmp_path / 'b.db'}")
    with a.connect() as conn:
        rows = conn.execute(sa.select(store.events)).mappings().all()
    with b.begin() as conn:  # the same rows, the other way round
        conn.execute(store.events.insert(), [dict(r) for r in reversed(rows)])
    assert _sums(a)["events"] == _sums(b)["events"]


def test_a_copy_that_does_not_check_out_is_rolled_back(tmp_path, monkeypatch):
    source = _bench(tmp_path / "a.db")
    target = sa.create_engine(f"sqlite:///{tmp_path / 'b.db'}")
    copy_table = transfer._copy_table

    def losing_a_row(source, conn, table):  # as a driver that dropped a row would
        copied = copy_table(source, conn, table)
        if table.name == "events":
            conn.execute(table.delete().where(table.c.id == 2))
        return copied

    monkeypatch.setattr(transfer, "_copy_table", losing_a_row)
    differs = "the table events differs after the copy"
    with pytest.raises(store.TransferError, match=differs), store.consistent_read(source) as conn:
        store.copy_tables(conn, target)
    with target.connect() as conn:
        assert sa.inspect(conn).get_table_names() == []


def test_a_target_at_another_schema_version_is_refused(tmp_path):
    source = _bench(tmp_path / "a.db")
    target = store.open_store(f"sqlite:///{tmp_path / 'b.db'}")
    with target.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0005'")
    refused = pytest.raises(store.TransferError, match="at schema version 0005")
    with refused, store.consistent_read(source) as conn:
        store.copy_tables(conn, target)


def test_a_restore_replaces_what_the_target_held(tmp_path):
    source = _bench(tmp_path / "a.db")
    target = store.open_store(f"sqlite:///{tmp_path / 'b.db'}")
    store.create_project(target, "other", "en")
    with store.consistent_read(source) as conn:
        store.copy_tables(conn, target, replace=True)
    assert [p.name for p in store.list_projects(target)] == ["demo"]
    assert _sums(target) == _sums(source)
