"""Hardening: a dead draft worker never blocks drafting, and the command line turns a full
disk, a read-only home, a locked database or a missing working copy into one `error:` line."""

from __future__ import annotations

import datetime
import errno
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL, FakeEngine, tone
from workbench import store
from workbench.asr import TranscribeOptions
from workbench.cli import error_line, main
from workbench.core.errors import Kind, WorkbenchError
from workbench.drafts.draft_job import (
    cancel_draft_job,
    draft_progress,
    run_draft_job,
    start_draft_job,
)
from workbench.intake.audio_files import import_paths
from workbench.jobs import workers
from workbench.jobs.workers import Worker, gone_reason, pid_alive
from workbench.projects.settings import ensure_project


def _dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def project(wb, tones):
    project = ensure_project(wb, "p")
    import_paths(wb, project, tones)
    return project


def _job_of(wb, project, pid, host=None, silent=datetime.timedelta(0)):
    """A running draft job as a worker `pid` on `host` (this one by default) left it."""
    job = store.start_job(wb.db, project.id, "draft", {}, 5.5, pid, host or workers.host_id())
    with wb.db.begin() as conn:
        conn.execute(
            sa.update(store.jobs)
            .where(store.jobs.c.id == job.id)
            .values(updated_at=store.now() - silent)
        )
    return store.get_job(wb.db, job.id)


# ---------------------------------------------------------------- dead workers


def test_gone_reason_trusts_the_pid_here_and_the_heartbeat_elsewhere(wb, project):
    here = Worker(1, "this-host")
    job = _job_of(wb, project, 4242, "this-host")
    now = store.now()
    assert gone_reason(job, now, here, alive=lambda pid: True) is None
    assert "process 4242 is gone" in gone_reason(job, now, here, alive=lambda pid: False)
    elsewhere = Worker(1, "another-host")  # its pid means nothing here: only the heartbeat
    assert gone_reason(job, now, elsewhere, alive=lambda pid: False) is None
    late = now + workers.STALE_AFTER + datetime.timedelta(seconds=1)
    assert "no heartbeat" in gone_reason(job, late, elsewhere, alive=lambda pid: True)
    assert "no heartbeat" in gone_reason(job, late, here, alive=lambda pid: True)


def test_pid_alive_sees_a_dead_and_a_zombie_process():
    assert pid_alive(workers.this_worker().pid)
    assert not pid_alive(_dead_pid())
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        child.kill()
        for _ in range(500):  # until the kernel has made it a zombie (not reaped: no wait())
            if not pid_alive(child.pid):
                break
            time.sleep(0.01)
        assert not pid_alive(child.pid)
    finally:
        child.wait()


def test_a_dead_workers_job_does_not_block_drafting(wb, project):
    dead = _job_of(wb, project, _dead_pid())
    fresh = start_draft_job(wb, project, {})  # at once, not after minutes
    assert fresh.id != dead.id and fresh.worker_pid == workers.this_worker().pid
    old = store.get_job(wb.db, dead.id)
    assert old.state == "failed" and "is gone" in old.error


def test_a_live_worker_still_blocks_and_a_silent_one_elsewhere_does_not(wb, project):
    _job_of(wb, project, workers.this_worker().pid)
    with pytest.raises(Exception, match="already running"):
        start_draft_job(wb, project, {})
    other = ensure_project(wb, "q")
    silent = _job_of(wb, other, 1, "another-host", silent=workers.STALE_AFTER * 2)
    start_draft_job(wb, other, {})
    assert store.get_job(wb.db, silent.id).state == "failed"


def test_progress_shows_a_dead_workers_job_as_failed(wb, project):
    _job_of(wb, project, _dead_pid())
    progress = draft_progress(wb, project)
    assert not progress.running and progress.job.state == "failed"


def test_cancel_clears_a_dead_workers_job_at_once_and_asks_a_live_one(wb, project, tmp_path):
    dead = _job_of(wb, project, _dead_pid())
    job = cancel_draft_job(wb, project)
    assert (job.id, job.state) == (dead.id, "cancelled") and "is gone" in job.message
    live = _job_of(wb, project, workers.this_worker().pid)
    job = cancel_draft_job(wb, project)
    assert (job.id, job.state) == (live.id, "running") and store.cancel_requested(wb.db, live.id)


def test_cli_cancel_says_a_dead_workers_job_is_cleared(wb, project, home, capsys):
    dead = _job_of(wb, project, _dead_pid())
    assert main(["cancel", "--project", "p", "--home", str(home), "--db", wb.settings.db_url]) == 0
    out = capsys.readouterr().out
    assert f"job {dead.id}" in out and "marked cancelled" in out


def test_heartbeat_touches_a_running_job(wb, project):
    job = _job_of(wb, project, workers.this_worker().pid, silent=datetime.timedelta(hours=1))
    with workers.Heartbeat(wb.db, job.id, every=0.01):
        for _ in range(500):
            beat = store.get_job(wb.db, job.id).updated_at
            if store.now() - beat < datetime.timedelta(minutes=1):
                break
            time.sleep(0.01)
    assert store.now() - store.get_job(wb.db, job.id).updated_at < datetime.timedelta(minutes=1)


def test_a_full_disk_ends_the_job_as_failed_instead_of_failing_each_recording(
    wb, project, monkeypatch
):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "/srv/home/workbench.db")

    monkeypatch.setattr(store, "add_drafted_segments", full)
    engine = FakeEngine()
    job = start_draft_job(wb, project, {})
    with pytest.raises(OSError):
        run_draft_job(wb, job, engine, TranscribeOptions())
    assert engine.calls == 1  # stopped at the first recording
    ended = store.get_job(wb.db, job.id)
    assert ended.state == "failed" and ended.error == "no space left on device"  # no path


def test_a_job_ended_by_someone_else_stops(wb, project):
    job = start_draft_job(wb, project, {})
    store.stop_job(wb.db, job.id, "failed", error="taken for dead")
    engine = FakeEngine()
    assert run_draft_job(wb, job, engine, TranscribeOptions()).state == "failed"
    assert engine.calls == 0


def test_a_missing_working_copy_fails_its_recording_only(wb, project):
    first = store.undrafted_recordings(wb.db, project.id)[0]
    wb.path(first.working_path).unlink()
    job = run_draft_job(wb, start_draft_job(wb, project, {}), FakeEngine(), TranscribeOptions())
    assert job.state == "done" and "working copy is missing" in job.error
    assert "/" not in job.error


# ---------------------------------------------------------------- one-line errors


@pytest.mark.parametrize(
    "exc,expected",
    [
        (
            OSError(errno.ENOSPC, "No space left on device", "/h/audio/x.flac"),
            "no space left on device (writing /h/audio/x.flac)",
        ),
        (OSError(errno.EDQUOT, "Disk quota exceeded"), "no space left on device"),
        (OSError(errno.EROFS, "Read-only file system", "/h"), "read-only file system: /h"),
        (PermissionError(errno.EACCES, "Permission denied", "/h/tmp"), "permission denied: /h/tmp"),
        (
            FileNotFoundError(errno.ENOENT, "No such file", "/elsewhere/a.wav"),
            "no such file or directory: /elsewhere/a.wav",
        ),
        (
            FileNotFoundError(errno.ENOENT, "No such file", "/h/audio/ab/abc.flac"),
            "a recording's working copy is missing: /h/audio/ab/abc.flac",
        ),
    ],
)
def test_error_line_names_the_cause(exc, expected):
    message, status = error_line(exc, Path("/h"))
    assert message.startswith(expected) and status == 2


@pytest.mark.parametrize("kind", list(Kind))
def test_error_line_exits_2_for_every_kind_of_workbench_error(kind):
    assert error_line(WorkbenchError("no project named 'x'\n(projects: demo)", kind=kind)) == (
        "no project named 'x' (projects: demo)",
        2,
    )


def test_error_line_follows_the_cause_and_calls_a_bug_a_bug():
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as inner:
            raise RuntimeError("writing failed") from inner
    except RuntimeError as exc:
        assert error_line(exc) == ("no space left on device", 2)
    message, status = error_line(TypeError("unsupported operand\nsecond line"))
    assert status == 1 and message.startswith("internal error (TypeError: unsupported operand")
    assert "\n" not in message


def _locked(path: Path) -> sa.exc.OperationalError:
    """The error SQLAlchemy raises for a write while another connection holds the lock."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})
        with pytest.raises(sa.exc.OperationalError) as caught, engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        engine.dispose()
    finally:
        holder.rollback()
        holder.close()
    return caught.value


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's lock")
def test_error_line_for_a_locked_database(tmp_path):
    message, status = error_line(_locked(tmp_path / "x.db"))
    assert message.startswith("the database is locked by another process") and status == 2


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's lock")
def test_a_save_while_another_process_holds_the_lock_is_refused_in_words(
    drafted, home, tmp_path, monkeypatch
):
    """Another process (a backup, a second server) writes past the wait: the labeller is told
    the save failed and why, and nothing of it is written."""
    from tests.conftest import as_user
    from workbench.core.errors import Kind, WorkbenchError
    from workbench.labelling.editor_actions import apply_action
    from workbench.labelling.labeller_edits import save_segment
    from workbench.projects.settings import open_workbench

    monkeypatch.setattr("workbench.store.engine.SQLITE_BUSY_TIMEOUT", 0.2)
    monkeypatch.chdir(tmp_path)  # open_store makes the folder of "file:..." relative to here
    # a new engine (one per address), which waits 0.2 s for a lock
    bench = open_workbench(home, f"sqlite:///file:{home / 'workbench.db'}?uri=true")
    lab = as_user(bench, "lab")
    first = store.segment_queue(bench.db, drafted.id)[0]
    before = store.get_segment(bench.db, first["id"])
    save = {
        "type": "save",
        "segment_id": before.id,
        "version": before.version,
        "text": "typed",
        "start": before.start,
        "end": before.end,
    }
    holder = sqlite3.connect(home / "workbench.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing for a long time
    try:
        with pytest.raises(WorkbenchError) as caught:
            save_segment(lab, before.id, before.version, "typed", before.start, before.end)
        outcome = apply_action(lab, save, shown=before.id)
    finally:
        holder.rollback()
        holder.close()
    assert caught.value.kind is Kind.UNAVAILABLE
    assert caught.value.message == (
        "the database is locked by another process, which did not finish in time; nothing was "
        "saved: try again in a moment"
    )
    assert (outcome.kind, outcome.message) == ("error", f"Not saved: {caught.value.message}")
    after = store.get_segment(bench.db, before.id)
    assert (after.version, after.status) == (before.version, before.status)
    assert len(store.list_revisions(bench.db, before.id)) == 1  # the draft alone


@pytest.mark.skipif(bool(PG_URL), reason="a SQLite file opened read-only")
def test_an_export_the_database_cannot_record_is_not_put_in_place(
    drafted, home, tmp_path, monkeypatch
):
    """The export's folder and its record agree: neither, when the record cannot be written."""
    from workbench.formats.corpus_export import export_batch
    from workbench.projects.settings import open_workbench

    monkeypatch.chdir(tmp_path)  # open_store makes the folder of "file:..." relative to here
    read_only = open_workbench(home, f"sqlite:///file:{home / 'workbench.db'}?mode=ro&uri=true")
    out = tmp_path / "exports" / "corpus"
    with pytest.raises(sa.exc.OperationalError, match="readonly database"):
        export_batch(read_only, drafted, out, status="any")
    assert list((tmp_path / "exports").iterdir()) == []
    assert store.list_exports(read_only.db, drafted.id) == []


def test_a_full_disk_under_an_import_says_so(wb, tmp_path, monkeypatch):
    """libsndfile says only "System error." when the disk fills under the working copy."""
    import soundfile as sf

    from workbench.jobs.failures import describe

    def full(self, data):
        raise sf.LibsndfileError(2)

    files = [tone(tmp_path / f"{n}.wav", 1.0, freq=300.0 + 50 * n) for n in range(2)]
    monkeypatch.setattr(sf.SoundFile, "write", full)
    monkeypatch.setattr(
        shutil,
        "disk_usage",
        lambda folder: shutil._ntuple_diskusage(10 << 30, (10 << 30) - 4096, 4096),
    )
    with pytest.raises(OSError) as caught:  # the batch stops: the next file would fail too
        import_paths(wb, ensure_project(wb, "full"), files)
    assert describe(caught.value, paths=False) == "no space left on device"
    assert not list(wb.settings.audio_dir.rglob("*.part-*"))


def test_a_job_whose_end_cannot_be_written_ends_failed_with_its_reason(wb, project, monkeypatch):
    """The database's disk is full: the job cannot even be marked failed. It is shown failed
    with the reason at once, and recorded so as soon as the database takes writes again."""
    full = sa.exc.OperationalError(
        "UPDATE jobs", {}, sqlite3.OperationalError("database or disk is full")
    )

    def cannot(*args, **kwargs):
        raise full

    job = start_draft_job(wb, project, {})
    writable = store.stop_job
    monkeypatch.setattr(store, "add_drafted_segments", cannot)
    monkeypatch.setattr(store, "stop_job", cannot)
    with pytest.raises(sa.exc.OperationalError):
        run_draft_job(wb, job, FakeEngine(), TranscribeOptions())
    assert store.get_job(wb.db, job.id).state == "running"  # as the database has it
    reason = "no space left on device: the database cannot grow"
    shown = draft_progress(wb, project).job
    assert (shown.id, shown.state, shown.error) == (job.id, "failed", reason)

    monkeypatch.setattr(store, "stop_job", writable)  # room again
    assert draft_progress(wb, project).job.state == "failed"
    recorded = store.get_job(wb.db, job.id)
    assert (recorded.state, recorded.error) == ("failed", reason)


@pytest.fixture
def run(home, capsys):
    def _run(*argv, db=None):
        code = main([*argv, "--home", str(home), *(["--db", db] if db else [])])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def _one_error(code: int, err: str, cause: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: ") and cause in last, err


def test_cli_full_disk_during_export(run, tmp_path, fake_engine, monkeypatch):
    run("import", str(tone(tmp_path / "one.wav", 2.0)), "--project", "d")
    run("transcribe", "--project", "d", "--engine", "fake")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "x"))

    monkeypatch.setattr("workbench.formats.corpus_export.write_manifests", full)
    code, _, err = run(
        "export", "--project", "d", "--out", str(tmp_path / "out"), "--status", "drafted"
    )
    _one_error(code, err, "no space left on device")
    assert not (tmp_path / "out").exists()


def test_cli_full_disk_during_import_stops_the_batch_in_one_line(run, tmp_path, monkeypatch):
    calls = []

    def full(source, working, *args, **kwargs):
        calls.append(source)
        raise OSError(errno.ENOSPC, "No space left on device", str(working))

    monkeypatch.setattr("workbench.intake.audio_files.convert", full)
    files = [str(tone(tmp_path / f"{n}.wav", 1.0, freq=300.0 + 50 * n)) for n in range(3)]
    code, _, err = run("import", *files, "--project", "full")
    _one_error(code, err, "no space left on device")
    assert len(calls) == 1  # stopped at the first file, not one failure line per file


def test_cli_read_only_home(run, monkeypatch, home):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(home))

    monkeypatch.setattr("workbench.cli.open_workbench", read_only)
    code, _, err = run("status", "--project", "p")
    _one_error(code, err, f"read-only file system: {home}")


def test_cli_wrong_limit_variable(run, monkeypatch):
    monkeypatch.setenv("WORKBENCH_MAX_ZIP_MEMBERS", "-3")
    code, _, err = run("status", "--project", "demo")
    _one_error(code, err, "WORKBENCH_MAX_ZIP_MEMBERS='-3' is not a positive whole number")


@pytest.mark.skipif(bool(PG_URL), reason="a SQLite file opened read-only")
def test_cli_read_only_database(run, tmp_path, home, monkeypatch):
    run("import", str(tone(tmp_path / "one.wav", 1.0)), "--project", "r")
    monkeypatch.chdir(tmp_path)  # open_store makes the folder of "file:..." relative to here
    url = f"sqlite:///file:{home / 'workbench.db'}?mode=ro&uri=true"
    code, _, err = run(
        "import", str(tone(tmp_path / "two.wav", 1.0, freq=300)), "--project", "r", db=url
    )
    _one_error(code, err, "the database is read-only")


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's lock")
def test_cli_locked_database(run, tmp_path, home, monkeypatch):
    monkeypatch.setattr("workbench.store.engine.SQLITE_BUSY_TIMEOUT", 0.1)
    run("import", str(tone(tmp_path / "one.wav", 1.0)), "--project", "l")
    monkeypatch.chdir(tmp_path)  # open_store makes the folder of "file:..." relative to here
    holder = sqlite3.connect(home / "workbench.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing for a long time
    try:
        # a new engine: the one opened above waits as long as it was told when it was made
        url = f"sqlite:///file:{home / 'workbench.db'}?uri=true"
        code, _, err = run("import", str(tone(tmp_path / "two.wav", 1.0)), "--project", "l", db=url)
    finally:
        holder.rollback()
        holder.close()
    _one_error(code, err, "the database is locked by another process")


def test_cli_missing_working_copy(run, tmp_path, home, fake_engine):
    run("import", str(tone(tmp_path / "one.wav", 2.0)), "--project", "m")
    run("transcribe", "--project", "m", "--engine", "fake")
    copies = list((home / "audio").rglob("*.flac"))
    assert copies
    for copy in copies:
        copy.unlink()
    code, _, err = run(
        "export", "--project", "m", "--out", str(tmp_path / "out"), "--status", "drafted"
    )
    _one_error(code, err, "a recording's working copy is missing: ")
    assert not (tmp_path / "out").exists()

    run("import", str(tone(tmp_path / "two.wav", 1.5, freq=200)), "--project", "m")
    for copy in (home / "audio").rglob("*.flac"):
        copy.unlink()
    code, out, err = run("transcribe", "--project", "m", "--engine", "fake")
    assert code == 1 and "Traceback" not in err
    assert "failed: two.wav: its working copy is missing" in out
