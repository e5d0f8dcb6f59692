import re
import threading

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.dialects import postgresql, sqlite

from tests.conftest import PG_URL, as_user
from workbench import store
from workbench.core.errors import WorkbenchError
from workbench.core.records import Edit, StaleEdit, Status
from workbench.labelling.labeller_edits import save_segment
from workbench.store import migrations


@pytest.mark.skipif(PG_URL is not None, reason="SQLite's journal mode")
def test_schema_created_with_version_and_wal(wb):
    with wb.db.connect() as conn:
        assert store.current_version(conn) == store.SCHEMA_VERSION
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_reopening_keeps_rows_and_version(wb):
    store.create_project(wb.db, "kept")
    again = store.open_store(wb.settings.db_url)
    assert [p.name for p in store.list_projects(again)] == ["kept"]
    assert store.migrate(again) == store.SCHEMA_VERSION


def test_drafted_segments_written_once(drafted, wb):
    recordings = store.list_recordings(wb.db, drafted.id)
    queue = store.segment_queue(wb.db, drafted.id)
    assert len(queue) == 6  # 3 one-second segments + 3 for 2.5 s (last one 0.5 s)
    assert (
        store.add_drafted_segments(
            wb.db, recordings[0].id, [{"start": 0, "end": 1, "text": "x"}], "a"
        )
        == 0
    )
    assert len(store.segment_queue(wb.db, drafted.id)) == 6
    assert store.undrafted_recordings(wb.db, drafted.id) == []


def test_queue_filters_by_recording_and_status(drafted, wb):
    rec = store.list_recordings(wb.db, drafted.id)[0]
    only = store.segment_queue(wb.db, drafted.id, recording_id=rec.id)
    assert {q["recording_id"] for q in only} == {rec.id}
    first = only[0]
    save_segment(as_user(wb, "ann"), first["id"], 1, "done", first["start"], first["end"])
    labeled = store.segment_queue(wb.db, drafted.id, statuses=["labeled"])
    assert [q["id"] for q in labeled] == [first["id"]]
    assert labeled[0]["text"] == "done"


def test_save_appends_revisions_and_keeps_history(drafted, wb):
    seg = store.segment_queue(wb.db, drafted.id)[0]
    save_segment(as_user(wb, "ann"), seg["id"], 1, "first fix", seg["start"], seg["end"])
    save_segment(as_user(wb, "bob"), seg["id"], 2, "second fix", seg["start"], seg["end"] - 0.1)
    revs = store.list_revisions(wb.db, seg["id"])
    assert [(r.n, r.source, r.author, r.text) for r in revs] == [
        (1, "asr", "fake:fake-1", seg["text"]),
        (2, "human", "ann", "first fix"),
        (3, "human", "bob", "second fix"),
    ]
    view = store.segment_view(wb.db, seg["id"])
    assert view.segment.status is Status.LABELLED and view.segment.version == 3
    assert view.segment.end == pytest.approx(seg["end"] - 0.1)
    assert view.draft.n == 1 and view.draft.words  # the ASR draft keeps its word timings


def test_stale_save_is_refused_with_newer_text(drafted, wb):
    seg = store.segment_queue(wb.db, drafted.id)[0]
    save_segment(as_user(wb, "ann"), seg["id"], 1, "tab one", seg["start"], seg["end"])
    with pytest.raises(StaleEdit) as err:
        save_segment(as_user(wb, "ann"), seg["id"], 1, "tab two", seg["start"], seg["end"])
    assert err.value.current_text == "tab one" and "tab one" in str(err.value)
    assert store.segment_view(wb.db, seg["id"]).text == "tab one"


def test_racing_saves_exactly_one_wins(drafted, wb):
    seg = store.segment_queue(wb.db, drafted.id)[0]
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def save(i: int) -> None:
        barrier.wait()
        try:
            save_segment(as_user(wb, f"u{i}"), seg["id"], 1, f"racer {i}", seg["start"], seg["end"])
            outcomes.append("won")
        except StaleEdit:
            outcomes.append("refused")

    threads = [threading.Thread(target=save, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused"] * 3 + ["won"]
    assert len(store.list_revisions(wb.db, seg["id"])) == 2


def test_status_counts(drafted, wb):
    counts = store.status_counts(wb.db, drafted.id)
    assert counts["recordings"] == 2
    assert counts["audio_hours"] == pytest.approx(5.5 / 3600)
    assert counts["segments"] == {"drafted": 6}


@pytest.mark.parametrize("statuses", [None, ["drafted"], ["labeled"], ["drafted", "labeled"]])
@pytest.mark.parametrize("order", ["time", "flags first"])
def test_queue_position_agrees_with_the_full_listing(wb, tmp_path, statuses, order):
    from tests.conftest import tone
    from workbench.intake.audio_files import import_paths
    from workbench.projects.settings import ensure_project

    project = ensure_project(wb, "q")
    # names out of id order, so the recording order matters
    import_paths(
        wb,
        project,
        [
            tone(tmp_path / "z.wav", 1.0),
            tone(tmp_path / "a.wav", 1.2, freq=300),
            tone(tmp_path / "m.wav", 1.4, freq=500),
        ],
    )
    for i, rec in enumerate(store.list_recordings(wb.db, project.id)):
        drafts = [
            {
                "start": s / 10,
                "end": s / 10 + 0.1,
                "text": f"{rec.original_name} {s}",
                "flags": ["repetition"] if (s + i) % 4 == 0 else [],
            }
            for s in range(0, 9, 2)
        ]
        store.add_drafted_segments(wb.db, rec.id, drafts, author="t")
    every = store.segment_queue(wb.db, project.id)
    for q in every[::3]:
        save_segment(as_user(wb, "ann"), q["id"], 1, "done", q["start"], q["end"])
    listing = store.segment_queue(wb.db, project.id, statuses=statuses)
    if order == "flags first":
        serious = lambda q: 0 if "repetition" in q["flags"] else 2  # noqa: E731
        listing = sorted(listing, key=serious)
    ids = [q["id"] for q in listing]
    for i, seg_id in enumerate(ids):
        nav = store.queue_position(wb.db, project.id, seg_id, statuses=statuses, order=order)
        assert nav == {
            "current": seg_id,
            "previous": ids[i - 1] if i else None,
            "next": ids[i + 1] if i + 1 < len(ids) else None,
            "index": i,
            "total": len(ids),
            "past_end": False,
        }
    if order == "time":
        # a segment outside the filter: the first at or after its place
        everything = [q["id"] for q in store.segment_queue(wb.db, project.id)]
        for pos, seg_id in enumerate(everything):
            later = [s for s in everything[pos:] if s in ids]
            if seg_id not in ids:
                place = store.queue_position(wb.db, project.id, seg_id, statuses=statuses)
                assert place["current"] == (later[0] if later else ids[-1])
            # uncounted (the editor's window): where it lands and what follows, or nothing
            step = store.queue_position(wb.db, project.id, seg_id, statuses=statuses, counted=False)
            landing = later[0] if later else None
            following = ids[ids.index(landing) + 1] if landing and landing != ids[-1] else None
            assert (step["current"], step["next"], step["past_end"]) == (
                landing,
                following,
                landing is None,
            )
    first = store.queue_position(wb.db, project.id, None, statuses=statuses, order=order)
    assert first["current"] == ids[0]


# ---------------------------------------------------------------- schema and migrations

# the columns each schema_version added before Alembic (revisions 0002 and 0003 since)
ADDED_IN = {
    2: {
        "projects": ["prompt", "max_segment", "min_segment", "per_channel"],
        "recordings": ["channels_path"],
        "segments": ["flags"],
    },
    3: {
        "projects": ["speakers", "guidelines", "lint_blocks"],
        "segments": ["tags", "comment"],
        "revisions": ["op", "status", "speaker", "tags", "comment", "active_seconds"],
    },
    6: {"projects": ["review_required", "review_reasons"]},
    7: {"projects": ["review_share", "review_raise_above"]},
    8: {"jobs": ["worker_pid", "worker_host"]},
    9: {"projects": ["assignment", "claim_minutes"]},
    10: {
        "projects": [
            "qualify_required",
            "qualify_max_error",
            "qualify_items",
            "gold_share",
            "double_share",
            "agree_max_error",
            "warn_reject",
            "pause_reject",
            "warn_gold",
            "pause_gold",
            "rules_min",
            "rules_days",
            "pay_unit",
            "pay_rate",
            "pay_weighted",
        ]
    },
    11: {
        "projects": ["holdout_share", "queue_order", "use_terms"],
        "recordings": ["draft_job"],
        "segments": ["confidence"],
    },
    13: {"projects": ["pay_answers"]},
    15: {"projects": ["time_zone"]},
    16: {"projects": ["interface_language"]},
}
OLD_TABLES = {"projects", "recordings", "segments", "revisions", "jobs", "exports"}
INDEXES_ADDED = ("ix_revisions_author",)  # on old tables, by later revisions


@pytest.fixture
def empty_url(tmp_path):
    """An empty database: a new SQLite file, or the PostgreSQL of WORKBENCH_TEST_PG emptied."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    _drop_everything(PG_URL)
    yield PG_URL
    _drop_everything(PG_URL)


def _drop_everything(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = sa.MetaData()
        tables.reflect(conn)
        if conn.dialect.name == "postgresql":  # whatever refers to what
            for name in tables.tables:
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}" CASCADE')
        else:
            tables.drop_all(conn)
    engine.dispose()


def _describe(conn) -> dict:
    """Tables, columns, keys and indexes as the database reports them (no version table)."""
    inspector = sa.inspect(conn)

    def kind(column) -> str:  # SQLite ignores VARCHAR lengths, so migrations leave them as were
        text = str(column["type"])
        return re.sub(r"\(\d+\)", "", text) if conn.dialect.name == "sqlite" else text

    return {
        table: {
            "columns": {
                c["name"]: (kind(c), c["nullable"], c.get("default"))
                for c in inspector.get_columns(table)
            },
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign_keys": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"])
                for f in inspector.get_foreign_keys(table)
            ),
            "unique": sorted(
                tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
        }
        for table in inspector.get_table_names()
        if table != "alembic_version"
    }


def _old_style(url: str, version: int) -> None:
    """Make the database at `url` what the workbench before Alembic left at `version`, rows
    included: a drafted segment and a saved one."""
    engine = store.open_store(url)
    project = store.create_project(engine, "old project", language="ko")
    rec = store.add_recording(
        engine,
        project_id=project.id,
        original_name="a.wav",
        sha256="0" * 64,
        source_path="a",
        working_path="a.flac",
        peaks_path="a.npy",
        sample_rate=16000,
        channels=1,
        num_samples=16000,
        duration=1.0,
    )
    store.add_drafted_segments(engine, rec.id, [{"start": 0.0, "end": 0.5, "text": "draft"}], "t")
    with engine.begin() as conn:
        quote = conn.dialect.identifier_preparer.quote
        cascade = " CASCADE" if conn.dialect.name == "postgresql" else ""  # later ones refer
        for table in sorted(set(sa.inspect(conn).get_table_names()) - OLD_TABLES):  # to others
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {quote(table)}{cascade}")
        for index in INDEXES_ADDED:
            conn.exec_driver_sql(f"DROP INDEX {quote(index)}")
        for later in range(version + 1, max(ADDED_IN) + 1):
            for table, columns in ADDED_IN.get(later, {}).items():
                for column in columns:
                    conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {quote(column)}")
        conn.exec_driver_sql("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.exec_driver_sql(f"INSERT INTO schema_version (version) VALUES ({version})")
    engine.dispose()


@pytest.mark.parametrize("version", [1, 2, 3])
def test_database_before_alembic_is_taken_over_without_loss(empty_url, version):
    """A database made before Alembic (schema_version 1..3) is stamped, upgraded, keeps its rows."""
    _old_style(empty_url, version)
    with sa.create_engine(empty_url).connect() as conn:
        assert store.current_version(conn) == f"{version:04d}"
    upgraded = store.open_store(empty_url)
    with upgraded.connect() as conn:
        assert store.current_version(conn) == store.SCHEMA_VERSION
        assert not sa.inspect(conn).has_table("schema_version")  # dropped once stamped
        taken_over = _describe(conn)
    project = store.find_project(upgraded, "old project")
    assert (
        project.language,
        project.max_segment,
        project.min_segment,
        project.per_channel,
        project.speakers,
        project.lint_blocks,
    ) == ("ko", 20.0, 0.5, False, (), False)
    (seg,) = store.segment_queue(upgraded, project.id)
    assert (seg["text"], seg["flags"]) == ("draft", ())
    (draft,) = store.list_revisions(upgraded, seg["id"])
    assert (draft.text, draft.tags, draft.comment, draft.active_seconds) == ("draft", (), "", 0.0)
    store.apply_edit(upgraded, seg["id"], 1, Edit("fixed", 0.0, 0.5, tags=("noise",)), "ann")
    assert store.get_segment(upgraded, seg["id"]).tags == ("noise",)
    assert store.migrate(upgraded) == store.SCHEMA_VERSION  # again: nothing to do
    upgraded.dispose()
    _drop_everything(empty_url)
    fresh = store.open_store(empty_url)
    with fresh.connect() as conn:
        assert taken_over == _describe(conn)
    fresh.dispose()


def test_migrations_reach_the_schema_create_all_makes(empty_url):
    """Upgrading an empty database through every revision gives what schema.py creates."""
    engine = store.open_store(empty_url)  # create_all, stamped at the head
    with engine.connect() as conn:
        created = _describe(conn)
    engine.dispose()
    _drop_everything(empty_url)
    engine = sa.create_engine(empty_url)
    with engine.begin() as conn:
        command.upgrade(migrations.config(conn), "head")
    with engine.connect() as conn:
        assert store.current_version(conn) == store.SCHEMA_VERSION
        assert _describe(conn) == created
    assert set(created) == set(store.metadata.tables)
    engine.dispose()


def test_newer_schema_is_refused(empty_url):
    engine = store.open_store(empty_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(WorkbenchError, match="newer than this workbench"):
        store.migrate(engine)
    with engine.begin() as conn:  # a pre-Alembic version number this code never wrote
        conn.exec_driver_sql("DROP TABLE alembic_version")
        conn.exec_driver_sql("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO schema_version (version) VALUES (4)")
    with pytest.raises(WorkbenchError, match="newer than this workbench"):
        store.migrate(engine)
    engine.dispose()


def test_openers_of_a_fresh_database_at_once_all_succeed(empty_url):
    """Four engines (connections as separate processes have) migrating one empty database."""
    barrier = threading.Barrier(4)
    failures: list[Exception] = []

    def open_it() -> None:
        engine = sa.create_engine(empty_url)  # an engine each, as in separate processes
        barrier.wait()
        try:
            store.migrate(engine)
        except Exception as exc:  # noqa: BLE001
            failures.append(exc)
        engine.dispose()

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    engine = sa.create_engine(empty_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [
            (store.SCHEMA_VERSION,)
        ]
    engine.dispose()


def test_tables_keep_their_names_in_the_package():
    """The query modules `segments`, `jobs`... do not shadow the tables of the same name."""
    for name, table in store.metadata.tables.items():
        assert getattr(store, name, table) is table


def test_comma_lists_store_joined_and_compare_as_strings(wb, drafted):
    first, second = store.segment_queue(wb.db, drafted.id)[:2]
    with wb.db.begin() as conn:
        conn.execute(sa.update(store.segments).values(flags=()))
        conn.execute(
            sa.update(store.segments)
            .where(store.segments.c.id == first["id"])
            .values(flags=("repetition", "low confidence"))
        )
        conn.execute(
            sa.update(store.segments)
            .where(store.segments.c.id == second["id"])
            .values(flags="silence")
        )  # a plain str is stored as it is
        stored = dict(
            conn.execute(
                sa.select(store.segments.c.id, sa.cast(store.segments.c.flags, sa.String))
            ).all()
        )
        flagged = (
            conn.execute(sa.select(store.segments.c.id).where(store.segments.c.flags != ""))
            .scalars()
            .all()
        )
        repeating = (
            conn.execute(
                sa.select(store.segments.c.id).where(store.segments.c.flags.like("%repetition%"))
            )
            .scalars()
            .all()
        )
    assert stored[first["id"]] == "repetition,low confidence" and stored[second["id"]] == "silence"
    assert sorted(flagged) == sorted([first["id"], second["id"]]) and repeating == [first["id"]]
    assert store.get_segment(wb.db, first["id"]).flags == ("repetition", "low confidence")
    plain = sa.Table("segments", sa.MetaData(), sa.Column("flags", sa.String(500)))
    for dialect in (sqlite.dialect(), postgresql.psycopg.dialect()):
        for column in (store.segments.c.flags, plain.c.flags):
            assert str((column != "").compile(dialect=dialect)) == str(
                (plain.c.flags != "").compile(dialect=dialect)
            )
            assert str(column.like("%x%").compile(dialect=dialect)) == str(
                plain.c.flags.like("%x%").compile(dialect=dialect)
            )


@pytest.mark.skipif(PG_URL is None, reason="a database server's connections")
def test_an_idle_server_connection_that_died_is_replaced_unseen(wb, monkeypatch):
    """The database ended the pooled connections (a restart): once idle past PING_AFTER, a
    connection is tested when taken and a dead one replaced; one in steady use is not tested.
    (An engine of its own: the workbench's is shared by the tests, its pool holds several.)"""
    from workbench.store import engine as store_engine

    engine = store.open_store(PG_URL)
    assert engine.pool.checkedin() == 1  # the one connection the schema check used
    killer = sa.create_engine(PG_URL)

    def end_the_pooled_connection() -> int:
        with engine.connect() as conn:
            pid = conn.execute(sa.select(sa.func.pg_backend_pid())).scalar_one()
        with killer.connect() as conn:
            conn.execute(sa.select(sa.func.pg_terminate_backend(pid)))
        return pid

    try:
        end_the_pooled_connection()
        with pytest.raises(sa.exc.OperationalError), engine.connect() as conn:  # not tested
            conn.execute(sa.select(1)).scalar_one()
        pid = end_the_pooled_connection()  # the pool was renewed; its connection ended again
        monkeypatch.setattr(store_engine, "PING_AFTER", 0.0)
        with engine.connect() as conn:  # idle "long": tested, replaced
            assert conn.execute(sa.select(sa.func.pg_backend_pid())).scalar_one() != pid
    finally:
        engine.dispose()
        killer.dispose()
