import json

import pytest

from tests.conftest import tone
from workbench.cli import main


@pytest.fixture
def run(home, capsys):
    def _run(*argv):
        code = main([*argv, "--home", str(home)])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_import_transcribe_export_status(run, tmp_path, fake_engine):
    src = [tone(tmp_path / "one.wav", 2.0), tone(tmp_path / "two.wav", 1.5, freq=220)]
    code, out, _ = run("import", *map(str, src), "--project", "cli", "--language", "en")
    assert code == 0 and "2 imported" in out

    code, out, err = run("transcribe", "--project", "cli", "--engine", "fake")
    assert code == 0, err
    assert "job done" in out and "draft [" in err  # progress on stderr

    code, out, _ = run("status", "--project", "cli", "--json")
    status = json.loads(out)
    assert status["recordings"] == 2 and status["segments"]["drafted"] == 4
    assert status["audio_hours"] == pytest.approx(3.5 / 3600, abs=1e-4)

    code, out, err = run(
        "export", "--project", "cli", "--out", str(tmp_path / "x"), "--status", "drafted"
    )
    assert code == 0, err
    assert "wrote 4 segments" in out
    assert len((tmp_path / "x" / "manifest.json").read_text().splitlines()) == 4

    code, out, _ = run("status", "--project", "cli")
    assert "drafted" in out and "recordings      2" in out


def test_transcribe_asks_the_engine_with_the_project_prompt(run, tmp_path, fake_engine, wb):
    from workbench import store

    run("import", str(tone(tmp_path / "one.wav", 2.0)), "--project", "hot", "--language", "en")
    store.update_project(wb.db, store.find_project(wb.db, "hot").id, prompt="ComfyUI")
    code, _, err = run("transcribe", "--project", "hot", "--engine", "fake", "--language", "ko")
    assert code == 0, err
    assert [(o.initial_prompt, o.language) for o in fake_engine.asked] == [("ComfyUI", "ko")]


def test_transcribe_again_drafts_nothing_new(run, tmp_path, fake_engine):
    run("import", str(tone(tmp_path / "one.wav", 2.0)), "--project", "again")
    run("transcribe", "--project", "again", "--engine", "fake")
    code, _, _ = run("transcribe", "--project", "again", "--engine", "fake")
    assert code == 0 and fake_engine.calls == 1


@pytest.mark.parametrize(
    "argv,message",
    [
        (("status", "--project", "nope"), "no project named 'nope'"),
        (("transcribe", "--project", "nope"), "no project named 'nope'"),
        (("export", "--project", "nope", "--out", "/tmp/never"), "no project named 'nope'"),
    ],
)
def test_errors_are_one_line_without_traceback(run, argv, message):
    code, _, err = run(*argv)
    assert code == 2
    assert err.strip().startswith("error:") and message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_format_and_missing_model(run, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--project", "x", "--format", "mp4", "--out", "o"])
    assert exit_.value.code == 2
    run("import", str(tone(tmp_path / "one.wav", 1.0)), "--project", "m")
    code, _, err = run(
        "transcribe", "--project", "m", "--engine", "openai-whisper", "--model", "large-v9"
    )
    assert code == 2 and "large-v9" in err
    code, _, err = run("transcribe", "--project", "m", "--model", str(tmp_path / "missing-model"))
    assert code == 2 and "missing-model" in err


def test_cancel_stops_a_running_job(run, tmp_path, fake_engine, wb):
    from workbench import store
    from workbench.drafts.draft_job import start_draft_job

    run("import", str(tone(tmp_path / "one.wav", 1.0)), "--project", "c")
    code, out, _ = run("cancel", "--project", "c")
    assert code == 1 and "no draft job is running" in out
    job = start_draft_job(wb, store.find_project(wb.db, "c"), {})
    code, out, _ = run("cancel", "--project", "c")
    assert code == 0 and f"job {job.id}" in out
    assert store.cancel_requested(wb.db, job.id)


def test_a_new_korean_project_takes_the_kspon_conventions_unless_told(run, home, tmp_path):
    from workbench import store
    from workbench.projects.settings import open_workbench

    wav = str(tone(tmp_path / "one.wav", 1.0))
    code, out, _ = run("import", wav, "--project", "ko1", "--language", "ko")
    assert code == 0 and "conventions: kspon" in out
    code, out, _ = run(
        "import", wav, "--project", "ko2", "--language", "ko", "--conventions", "plain"
    )
    assert code == 0 and "conventions:" not in out
    code, out, _ = run("import", wav, "--project", "en1", "--language", "en")
    assert code == 0 and "conventions:" not in out
    code, out, _ = run("import", wav, "--project", "ko1", "--language", "ko")
    assert "conventions:" not in out  # the project existed: nothing chosen
    wb = open_workbench(home)
    chosen = {p.name: p.conventions for p in store.list_projects(wb.db)}
    assert chosen == {"ko1": "kspon", "ko2": "plain", "en1": "plain"}


def test_names_with_control_characters_stay_on_their_line(run, tmp_path, fake_engine):
    """A file or project name holding a newline, an escape or a bidi override is printed with
    those escaped: it cannot forge a line of output or move the terminal's cursor."""
    hostile = "evil\nimported: fake.wav\x1b[2K\u202e"
    src = tone(tmp_path / f"{hostile}.wav", 1.5)
    code, out, err = run("import", str(src), "--project", hostile, "--language", "en")
    assert code == 0, err
    code, more, err = run("transcribe", "--project", hostile, "--engine", "fake")
    assert code == 0, err
    code, status, _ = run("status", "--project", hostile)
    for printed in (out, more, err, status):
        assert "\x1b" not in printed and "\u202e" not in printed
        assert not any(line.startswith("imported: fake.wav") for line in printed.splitlines())
    assert "evil\\nimported: fake.wav\\x1b[2K\\u202e" in out + status
