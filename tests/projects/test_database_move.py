"""Moving a SQLite workbench's database to PostgreSQL (`move-database`): every table, counts and
checksums equal, the app working on the moved database, a target with rows refused, a failure
leaving nothing behind.

The target is the PostgreSQL of WORKBENCH_TEST_PG (emptied), or without it a second SQLite file
(the copy is the same code; what only PostgreSQL does is skipped there, with the reason)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL, as_user, tone
from tests.helpers.every_table import all_rows, drop_everything, fill_every_table
from workbench import store
from workbench.cli import main
from workbench.core.access import Forbidden
from workbench.core.errors import Kind, WorkbenchError
from workbench.core.records import QueueFilter
from workbench.labelling.history import history
from workbench.labelling.labeller_edits import save_segment
from workbench.labelling.queue import open_segment
from workbench.projects import people
from workbench.projects.database_move import move_database
from workbench.projects.settings import ensure_project, open_workbench

MOVED = ("database moved",)  # the audit line the move adds to the new database

needs_pg = pytest.mark.skipif(not PG_URL, reason="needs WORKBENCH_TEST_PG (a PostgreSQL)")


@pytest.fixture
def source(tmp_path, fake_engine):
    """A SQLite workbench with rows in every table: (workbench, project, segment ids)."""
    home = tmp_path / "home"
    wb = open_workbench(home, f"sqlite:///{home / 'workbench.db'}")
    sources = [
        tone(tmp_path / "src" / "a.wav", 3.0),
        tone(tmp_path / "src" / "b.flac", 2.5, 48000, channels=2, freq=330),
    ]
    project, ids = fill_every_table(wb, sources, fake_engine)
    return wb, project, ids


@pytest.fixture
def target_url(tmp_path):
    """An empty database: the PostgreSQL of WORKBENCH_TEST_PG emptied, or a new SQLite file."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'target.db'}"
        return
    drop_everything(PG_URL)
    yield PG_URL
    drop_everything(PG_URL)


def test_every_table_moves_with_equal_counts_and_checksums(source, target_url):
    wb, _, _ = source
    before = all_rows(wb)
    heard: list[tuple[str, int]] = []
    result = move_database(wb, target_url, progress=lambda t, n: heard.append((t, n)))

    assert [t for t, _ in heard] == [t.name for t in store.metadata.sorted_tables]
    assert dict(heard) == {name: len(rows) for name, rows in before.items()}
    with store.consistent_read(wb.db) as conn:
        assert result.tables == store.table_sums(conn)  # the source, summed again
    moved = open_workbench(wb.settings.home, target_url)
    assert all_rows(moved, skip_actions=MOVED) == before
    line = store.list_events(moved.db)[0]
    assert line["action"] == "database moved" and line["detail"]["rows"] == result.rows
    assert all_rows(wb) == before  # the source is untouched


def test_the_app_works_on_the_moved_database(source, target_url):
    wb, project, ids = source
    move_database(wb, target_url)
    moved = open_workbench(wb.settings.home, target_url)  # the same home: audio stays there

    segment = ids[(0, 1)]
    assert history(moved, segment) == history(wb, segment)
    otto = as_user(moved, "otto")
    state = open_segment(otto, project.id, None, QueueFilter())
    assert state is not None and state.view.segment.id == ids[(0, 2)]  # his claim moved
    view = state.view
    held = store.holder(moved.db, view.segment.id, "segment")  # renewed by the opening
    assert held is not None and held["user_name"] == "otto"
    seg = view.segment
    revision = save_segment(otto, seg.id, seg.version, "otto again", seg.start, seg.end)
    newest = max(r.id for s in ids.values() for r in store.list_revisions(wb.db, s))
    assert revision.id == newest + 1  # ids go on after the moved ones (sequences moved)
    assert moved.path(view.recording.working_path).is_file()
    assert people.sign_in(moved, "olga", "owner-pass-1").user.name == "olga"
    assert ensure_project(moved, "second", "ko").id == project.id + 1


def test_a_target_with_rows_is_refused_and_left_as_it_was(source, target_url):
    wb, _, _ = source
    move_database(wb, target_url)
    moved = open_workbench(wb.settings.home, target_url)
    rows = all_rows(moved)
    held = r"already holds rows \(events: \d+, prefs: 2, projects: 1 and \d+ more tables\)"
    with pytest.raises(store.TransferError, match=held) as err:
        move_database(wb, target_url)
    assert err.value.kind is Kind.CONFLICT
    assert all_rows(moved) == rows


def test_an_empty_workbench_database_is_a_target(source, target_url):
    wb, _, _ = source
    open_workbench(wb.settings.home / "new", target_url)  # the app started on it once: empty
    assert move_database(wb, target_url).tables["revisions"].rows > 0


@needs_pg
def test_a_table_the_target_refuses_rolls_back_everything_and_is_named(source, target_url):
    wb, _, _ = source
    users = store.users
    with wb.db.begin() as conn:  # SQLite keeps a name longer than VARCHAR(100); PostgreSQL not
        conn.execute(users.update().where(users.c.name == "otto").values(name="o" * 101))
    with pytest.raises(store.TransferError) as err:
        move_database(wb, target_url)
    message = str(err.value)
    assert "copying the table users failed" in message and "nothing was written" in message
    assert "too long" in message  # what PostgreSQL said
    engine = sa.create_engine(target_url)
    with engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == []  # not even the schema stayed
    engine.dispose()


def test_only_an_owner_moves_the_database(source, target_url):
    wb, _, _ = source
    with pytest.raises(Forbidden):
        move_database(as_user(wb, "lena"), target_url)


def test_not_a_url_is_refused(source):
    wb, _, _ = source
    with pytest.raises(WorkbenchError, match="is not a database URL"):
        move_database(wb, "not a url")


def test_cli_move_database(source, target_url, capsys):
    wb, _, _ = source
    home = str(wb.settings.home)
    assert main(["move-database", target_url, "--home", home]) == 0
    out, _ = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith("moving sqlite:///") and "revisions" in out
    assert sum(1 for line in lines if line.startswith("  ")) == len(store.metadata.tables)
    assert "row counts and checksums equal" in out and f"stay in {home}" in out

    assert main(["move-database", target_url, "--home", home]) == 2
    _, err = capsys.readouterr()
    assert err.startswith("error: ") and "already holds rows" in err
    assert main(["move-database", "db.example.org/workbench", "--home", home]) == 2
    out, err = capsys.readouterr()
    assert not out and "'db.example.org/workbench' is not a database URL" in err
    assert main(["move-database", "pg://db.example.org/workbench", "--home", home]) == 2
    assert "Can't load plugin: sqlalchemy.dialects:pg" in capsys.readouterr().err
