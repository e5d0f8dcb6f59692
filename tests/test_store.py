import threading

import pytest
import sqlalchemy as sa

from workbench import store
from workbench.corpus import StaleEdit, Status
from workbench.service import save_segment

from tests.conftest import PG_URL
from tests.conftest import as_user


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


def test_newer_schema_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'future.db'}"
    engine = store.open_store(url)
    with engine.begin() as conn:
        conn.execute(sa.update(store.schema_version).values(version=store.SCHEMA_VERSION + 1))
    with pytest.raises(RuntimeError, match="newer than this workbench"):
        store.migrate(engine)


def test_drafted_segments_written_once(drafted, wb):
    recordings = store.list_recordings(wb.db, drafted.id)
    queue = store.segment_queue(wb.db, drafted.id)
    assert len(queue) == 6  # 3 one-second segments + 3 for 2.5 s (last one 0.5 s)
    assert store.add_drafted_segments(wb.db, recordings[0].id, [{"start": 0, "end": 1, "text": "x"}], "a") == 0
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
    assert view.segment.status is Status.LABELED and view.segment.version == 3
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


def test_version_1_database_is_upgraded_without_loss(tmp_path):
    """A database made by the first release (schema 1) gains the later columns, keeps its rows."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = store.open_store(url)
    store.create_project(engine, "old project", language="ko")
    with engine.begin() as conn:  # take it back to schema 1
        for table, column in [("projects", "prompt"), ("projects", "max_segment"),
                              ("projects", "min_segment"), ("projects", "per_channel"),
                              ("recordings", "channels_path"), ("segments", "flags"),
                              ("projects", "speakers"), ("projects", "guidelines"),
                              ("projects", "lint_blocks"), ("segments", "tags"),
                              ("segments", "comment"), ("revisions", "op"), ("revisions", "status"),
                              ("revisions", "speaker"), ("revisions", "tags"),
                              ("revisions", "comment"), ("revisions", "active_seconds")]:
            conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
        conn.execute(sa.update(store.schema_version).values(version=1))
    engine.dispose()
    upgraded = store.open_store(url)
    with upgraded.connect() as conn:
        assert store.current_version(conn) == store.SCHEMA_VERSION
    project = store.find_project(upgraded, "old project")
    assert (project.language, project.max_segment, project.min_segment, project.per_channel) == (
        "ko", 20.0, 0.5, False)


@pytest.mark.parametrize("statuses", [None, ["drafted"], ["labeled"], ["drafted", "labeled"]])
@pytest.mark.parametrize("order", ["time", "flags first"])
def test_queue_position_agrees_with_the_full_listing(wb, tmp_path, statuses, order):
    from tests.conftest import tone
    from workbench.importing import import_paths
    from workbench.service import ensure_project

    project = ensure_project(wb, "q")
    # names out of id order, so the recording order matters
    import_paths(wb, project, [tone(tmp_path / "z.wav", 1.0), tone(tmp_path / "a.wav", 1.2, freq=300),
                               tone(tmp_path / "m.wav", 1.4, freq=500)])
    for i, rec in enumerate(store.list_recordings(wb.db, project.id)):
        drafts = [{"start": s / 10, "end": s / 10 + 0.1, "text": f"{rec.original_name} {s}",
                   "flags": ["repetition"] if (s + i) % 4 == 0 else []} for s in range(0, 9, 2)]
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
        assert nav == {"current": seg_id, "previous": ids[i - 1] if i else None,
                       "next": ids[i + 1] if i + 1 < len(ids) else None, "index": i,
                       "total": len(ids)}
    if order == "time":
        # a segment outside the filter: the first at or after its place
        everything = [q["id"] for q in store.segment_queue(wb.db, project.id)]
        for pos, seg_id in enumerate(everything):
            if seg_id in ids:
                continue
            later = [s for s in everything[pos:] if s in ids]
            expected = later[0] if later else ids[-1]
            assert store.queue_position(wb.db, project.id, seg_id, statuses=statuses)["current"] == expected
    assert store.queue_position(wb.db, project.id, None, statuses=statuses, order=order)["current"] == ids[0]
