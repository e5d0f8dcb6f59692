"""A workbench with rows in every table of the schema (`fill_every_table`), made through the use
cases where they exist: for the tests that copy a whole database (the move to PostgreSQL,
backups restored across engines). It asserts that no table is left empty, so a table added to
the schema later fails these tests until this helper fills it too.

The `drafted`-style project 'demo' (two recordings drafted by the fake engine) with
`build_work` done (labels, reviews, answers by lena, otto and rita), then: the first owner olga
signed in; gold in the test, a double, a cap, a lifted pause, otto's claim (the project hands
out segment claims: he holds his rejected segment), a term and a suggested rule, a model
version, a measure, a second opinion, an export record; preferences with a JSON null, and text
in Korean.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.conftest import as_user
from tests.helpers.dashboard_data import build_work
from workbench import store
from workbench.asr import TranscribeOptions
from workbench.core.records import Project, QueueFilter, Word
from workbench.crowd.claims import claim_next, set_cap
from workbench.crowd.gold import mark_gold
from workbench.crowd.qualification import lift_pause
from workbench.drafts.draft_job import run_draft_job, start_draft_job
from workbench.intake.audio_files import import_paths
from workbench.learning.learn import add_term
from workbench.projects import people
from workbench.projects.settings import ensure_project
from workbench.projects.speakers import add_speaker


def fill_every_table(wb, sources: list[Path], engine) -> tuple[Project, dict]:
    """Fill every table of `wb` (see the module); the project and its segment ids by
    (recording index, segment index)."""
    project = ensure_project(wb, "demo", "en")
    project = store.update_project(wb.db, project.id, asr_engine="fake", asr_model="fake-1")
    import_paths(wb, project, sources)
    run_draft_job(wb, start_draft_job(wb, project, {}), engine, TranscribeOptions(language="en"))
    people.create_first_owner(wb, "olga", "owner-pass-1")
    people.sign_in(wb, "olga", "owner-pass-1")
    ids = build_work(wb, project)
    _crowd(wb, project, ids)
    _learning(wb, project, ids)
    store.set_pref(wb.db, "lena", "queue", None)  # stored as JSON null, not SQL NULL
    store.set_pref(wb.db, "lena", "zoom", {"seconds": 2.5, "label": "가까이"})
    _timings(wb)
    add_speaker(wb, project, "화자01", gender="여", age="30대", region="경상도", notes="=주의")
    empty = [name for name, n in store.describe_store(wb.db).rows.items() if not n]
    assert not empty, f"fill_every_table leaves these tables empty: {empty}; fill them"
    return store.get_project(wb.db, project.id), ids


def _timings(wb) -> None:
    """Word timings of one saved revision, and the reason another could not be aligned."""
    todo = store.untimed_revisions(wb.db, store.get_project(wb.db, 1).id)[:2]
    (first, _rec), (second, _rec2) = todo
    words = [Word(w, 0.1 * i, 0.1 * i + 0.08, 1.0) for i, w in enumerate(first.text.split())]
    store.add_word_timing(wb.db, first.id, words, "faster-whisper:base")
    store.add_word_timing(wb.db, second.id, None, "faster-whisper:base", error="too long (31 s)")


def _crowd(wb, project: Project, ids: dict) -> None:
    mark_gold(wb, ids[(0, 0)], "w0 x0", in_test=True)
    store.draw_doubles(wb.db, project.id, [ids[(1, 1)]])
    set_cap(wb, project.id, "lena", 50)
    lift_pause(wb, project.id, "otto")
    store.update_project(wb.db, project.id, assignment="segment")
    otto = as_user(wb, "otto")  # his rejected segment is handed back to him
    assert claim_next(otto, project.id, QueueFilter()).segment_id == ids[(0, 2)]


def _learning(wb, project: Project, ids: dict) -> None:
    add_term(wb, project.id, "카카오톡")
    store.save_found_rewrites(wb.db, project.id, [("w1 x1", "w1 y1", 2, 2)])
    store.add_model(
        wb.db,
        project.id,
        engine="faster-whisper",
        path="models/project-1/v{n}",
        base="base",
        method="lora",
        params={"steps": 10, "lr": 1e-4},
        state="failed",
        created_by="olga",
    )
    store.add_measure(
        wb.db,
        project.id,
        step="baseline",
        metric="wer",
        error=0.25,
        segments=2,
        seconds=2.0,
        detail={"per_segment": [0.5, 0.0]},
        created_by="olga",
    )
    segment = ids[(0, 1)]
    revision = store.list_revisions(wb.db, segment)[-1]
    store.save_opinion(wb.db, segment, revision.id, "w1 y1", "base", "en", -0.2, 0.0, 0.0, 0.0)
    store.record_export(
        wb.db,
        project_id=project.id,
        format="nemo",
        path="exports/demo",
        filters={"status": ["approved"]},
        counts={"segments": 4},
        hours=0.001,
        checksum="0" * 64,
        created_by="olga",
    )


def all_rows(wb, skip_actions: tuple[str, ...] = ()) -> dict[str, list]:
    """Every row of every table as SQLAlchemy reads it, sorted by primary key here (the
    engines' collations sort text keys differently); audit lines of `skip_actions` left out."""
    found = {}
    with wb.db.connect() as conn:
        for table in store.metadata.sorted_tables:
            keys = [c.name for c in table.primary_key.columns]
            rows = conn.execute(sa.select(table)).all()
            rows.sort(key=lambda r: tuple(r._mapping[k] for k in keys))
            if table.name == "events":
                rows = [r for r in rows if r.action not in skip_actions]
            found[table.name] = [tuple(r) for r in rows]
    return found


def drop_everything(url: str) -> None:
    """Drop every table of the database at `url` (the tests' PostgreSQL, emptied)."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = sa.MetaData()
        tables.reflect(conn)
        for name in tables.tables:  # CASCADE: whatever refers to what
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}" CASCADE')
    engine.dispose()
