"""Operators see what failed: a log record naming the file, recording or job wherever an error is
caught, and one stderr handler configured at the entry points at WORKBENCH_LOG_LEVEL."""

import logging

import pytest

from tests.conftest import FakeEngine, tone
from workbench import store
from workbench.asr import TranscribeOptions
from workbench.core import logs
from workbench.drafts.draft_job import run_draft_job, start_draft_job
from workbench.intake.audio_files import import_paths
from workbench.projects.settings import ensure_project


@pytest.fixture
def workbench_logger():
    """The `workbench` logger, put back as it was after the test (configure_logging changes it)."""
    logger = logging.getLogger("workbench")
    handlers, level = list(logger.handlers), logger.level
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)


def _records(caplog, logger: str, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger and r.levelno >= level]


def test_a_failing_recording_in_a_draft_job_is_logged_by_name(wb, tones, caplog):
    project = ensure_project(wb, "p")
    import_paths(wb, project, tones)
    job = start_draft_job(wb, project, {})
    with caplog.at_level(logging.INFO, logger="workbench"):
        job = run_draft_job(wb, job, FakeEngine(fail_on_seconds=3.0), TranscribeOptions())
    assert job.state == "done" and "a.wav" in job.error  # the job goes on with b.flac
    [record] = _records(caplog, "workbench.drafts.draft_job", logging.ERROR)
    message = record.getMessage()
    assert "a.wav" in message and f"draft job {job.id}" in message
    assert record.exc_info and "fails on this length" in str(record.exc_info[1])  # the traceback


def test_a_corrupt_file_in_an_import_is_logged_by_name(wb, tmp_path, caplog):
    project = ensure_project(wb, "imports")
    good = tone(tmp_path / "good.wav", 1.0)
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00not audio at all")
    with caplog.at_level(logging.INFO, logger="workbench"):
        report = import_paths(wb, project, [good, broken])
    assert report.count("imported") == 1 and [i.name for i in report.failed] == ["broken.wav"]
    [record] = _records(caplog, "workbench.intake.audio_files", logging.WARNING)
    assert "broken.wav" in record.getMessage() and "'imports'" in record.getMessage()
    assert report.failed[0].reason in record.getMessage()


def test_a_broken_zip_is_logged_by_name(wb, tmp_path, caplog):
    project = ensure_project(wb, "zips")
    archive = tmp_path / "batch.zip"
    archive.write_bytes(b"PK\x03\x04 not really a zip")
    with caplog.at_level(logging.INFO, logger="workbench"):
        report = import_paths(wb, project, [archive])
    assert [i.name for i in report.failed] == ["batch.zip"]
    assert any(
        "batch.zip" in r.getMessage()
        for r in _records(caplog, "workbench.intake.audio_files", logging.WARNING)
    )


def test_a_crashed_draft_thread_fails_its_job_and_is_logged(wb, tones, caplog, monkeypatch):
    from workbench.ui import jobs

    project = ensure_project(wb, "crash")
    import_paths(wb, project, tones)
    job = start_draft_job(wb, project, {})

    def crash(*args, **kwargs):
        raise RuntimeError("the database went away")

    with caplog.at_level(logging.INFO, logger="workbench"):
        jobs._run(job, crash, (wb, job, FakeEngine(), TranscribeOptions()))
    failed = store.get_job(wb.db, job.id)
    assert failed.state == "failed" and "RuntimeError" in failed.error
    [record] = _records(caplog, "workbench.ui.jobs", logging.ERROR)
    assert f"draft job {job.id}" in record.getMessage()
    assert "the database went away" in str(record.exc_info[1])  # the details: in the log


def test_configure_sends_workbench_records_to_stderr_once(workbench_logger, monkeypatch, capsys):
    monkeypatch.setenv(logs.LEVEL_VARIABLE, "warning")
    logs.configure_logging()
    logs.configure_logging()  # again, as every rerun of the app does: still one handler
    ours = [h for h in workbench_logger.handlers if isinstance(h, logs._Stderr)]
    assert len(ours) == 1 and workbench_logger.level == logging.WARNING
    logging.getLogger("workbench.intake.audio_files").info("not shown at WARNING")
    logging.getLogger("workbench.intake.audio_files").warning("import of %s failed", "x.wav")
    err = capsys.readouterr().err  # the handler writes to the stderr of the moment
    assert "WARNING workbench.intake.audio_files: import of x.wav failed" in err
    assert "not shown" not in err

    monkeypatch.setenv(logs.LEVEL_VARIABLE, "chatty")
    logs.configure_logging()
    assert workbench_logger.level == logging.INFO
    assert "WORKBENCH_LOG_LEVEL='CHATTY' is not a log level" in capsys.readouterr().err


def test_the_cli_logs_a_failed_import_to_stderr(workbench_logger, home, tmp_path, capsys):
    from workbench.cli import main

    broken = tmp_path / "broken.wav"
    broken.write_text("not audio")
    assert main(["import", str(broken), "--project", "cli", "--home", str(home)]) == 1
    out, err = capsys.readouterr()
    assert "failed: broken.wav" in out
    assert "WARNING workbench.intake.audio_files:" in err and "broken.wav" in err
