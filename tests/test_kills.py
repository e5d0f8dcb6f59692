"""SIGKILL an import, a drafting run and an export at a random (seeded) point: afterwards the
database is consistent, the dead draft job is seen dead and a new run finishes the work,
nothing half-written stays where it counts, and no saved revision is missing."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PG_URL, ROOT, FakeEngine, as_user, tone
from workbench import store
from workbench.asr import TranscribeOptions
from workbench.core.records import Edit
from workbench.drafts.draft_job import run_draft_job, start_draft_job
from workbench.formats.corpus_export import CHECKSUMS, export_batch
from workbench.intake.audio_files import import_paths
from workbench.labelling.labeller_edits import save
from workbench.projects.settings import ensure_project

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(PG_URL), reason="checks the SQLite file's integrity"),
]

SEEDS = [3, 17]


def _sources(folder: Path, count: int = 6) -> list[Path]:
    return [tone(folder / f"t{i}.wav", 2.0 + i * 0.25, freq=200 + 40 * i) for i in range(count)]


def _killed(home: Path, argv: list[str], ready, seed: int, within: float) -> None:
    """Run the command line on `home` in a process, and SIGKILL it at a point chosen by `seed`
    in the `within` seconds after `ready()` says it is under way (or when it has ended)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.killable", *argv, "--home", str(home)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(3000):
            if child.poll() is not None or ready():
                break
            time.sleep(0.01)
        time.sleep(random.Random(seed).uniform(0.0, within))
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()


def _consistent(home: Path) -> None:
    """The SQLite file is sound and the rows hang together."""
    with sqlite3.connect(home / "workbench.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert (
            db.execute(
                "SELECT s.id FROM segments s LEFT JOIN revisions r ON r.id = s.latest_revision_id "
                "WHERE r.id IS NULL OR r.segment_id != s.id"
            ).fetchall()
            == []
        )
        chains = db.execute(
            "SELECT s.id, s.version, COUNT(r.id), MAX(r.n) FROM segments s "
            "JOIN revisions r ON r.segment_id = s.id GROUP BY s.id"
        ).fetchall()
        assert all(version == count == top for _, version, count, top in chains)
        assert db.execute("SELECT COUNT(*) FROM segments").fetchone()[0] == len(chains)
        undrafted_with_segments = db.execute(
            "SELECT COUNT(*) FROM recordings r JOIN segments s ON s.recording_id = r.id "
            "WHERE r.drafted_at IS NULL"
        ).fetchone()[0]
        assert undrafted_with_segments == 0  # a recording's drafts come whole or not at all


def _rows(wb, sql: str) -> list[tuple]:
    with wb.db.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql)]


@pytest.mark.parametrize("seed", SEEDS)
def test_killed_import(wb, home, tmp_path, seed):
    sources = _sources(tmp_path / "src", 12)
    ensure_project(wb, "k")
    _killed(
        home,
        ["import", *map(str, sources), "--project", "k"],
        lambda: any((home / "audio").glob("*/*")),
        seed,
        0.1,
    )
    _consistent(home)
    for working, peaks in _rows(wb, "SELECT working_path, peaks_path FROM recordings"):
        assert (home / working).is_file() and (home / peaks).is_file()  # no recording half-made
    report = import_paths(wb, store.find_project(wb.db, "k"), sources)  # again: the rest comes
    assert not report.failed
    assert len(_rows(wb, "SELECT id FROM recordings")) == len(sources)


@pytest.mark.parametrize("seed", SEEDS)
def test_killed_drafting_resumes(wb, home, tmp_path, seed):
    project = ensure_project(wb, "k")
    sources = _sources(tmp_path / "src")
    import_paths(wb, project, sources)
    _killed(
        home,
        ["transcribe", "--project", "k", "--engine", "slow"],
        lambda: bool(_rows(wb, "SELECT id FROM jobs WHERE done > 0")),
        seed,
        0.6,
    )
    _consistent(home)
    before = set(_rows(wb, "SELECT id, recording_id FROM segments"))
    killed = store.latest_job(wb.db, project.id, "draft")
    job = start_draft_job(wb, project, {})  # at once: its worker is known dead
    if killed.state == "running":
        assert store.get_job(wb.db, killed.id).state == "failed"
    run_draft_job(wb, job, FakeEngine(), TranscribeOptions())
    _consistent(home)
    after = set(_rows(wb, "SELECT id, recording_id FROM segments"))
    assert before <= after  # what was drafted before the kill is kept
    assert not store.undrafted_recordings(wb.db, project.id)
    reference = ensure_project(wb, "never killed")  # the same audio drafted in one go
    import_paths(wb, reference, sources)
    run_draft_job(wb, start_draft_job(wb, reference, {}), FakeEngine(), TranscribeOptions())
    counts = (
        "SELECT r.original_name, COUNT(s.id) FROM recordings r JOIN segments s "
        "ON s.recording_id = r.id WHERE r.project_id = {} GROUP BY r.id ORDER BY 1"
    )
    # every recording drafted once: none twice, none missing
    assert _rows(wb, counts.format(project.id)) == _rows(wb, counts.format(reference.id))


@pytest.mark.parametrize("seed", SEEDS)
def test_killed_export(wb, home, tmp_path, seed):
    project = ensure_project(wb, "k")
    import_paths(wb, project, _sources(tmp_path / "src", 8))
    run_draft_job(wb, start_draft_job(wb, project, {}), FakeEngine(), TranscribeOptions())
    ann = as_user(wb, "ann")
    for (seg_id,) in _rows(wb, "SELECT id FROM segments ORDER BY id LIMIT 5"):
        s = store.get_segment(wb.db, seg_id)
        save(ann, seg_id, s.version, Edit(f"saved {seg_id}", s.start, s.end))
    saved = set(_rows(wb, "SELECT id, segment_id, n, text FROM revisions"))
    out = tmp_path / "corpus"
    _killed(
        home,
        ["export", "--project", "k", "--out", str(out), "--status", "drafted", "--clips", "wav"],
        lambda: any(tmp_path.glob(".corpus.part-*")),
        seed,
        0.05,
    )
    _consistent(home)
    assert saved <= set(_rows(wb, "SELECT id, segment_id, n, text FROM revisions"))
    if out.exists():  # the kill came after the corpus was moved into place: it is whole
        assert (out / CHECKSUMS).is_file()
    result = export_batch(wb, project, tmp_path / "again", fmt="nemo", status="drafted")
    assert result.segments == len(_rows(wb, "SELECT id FROM segments WHERE status = 'drafted'"))
