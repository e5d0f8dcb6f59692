"""Importing files, folders and zip archives, through `import_paths` and the CLI."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.conftest import tone
from workbench import store
from workbench.cli import main
from workbench.intake.audio_files import import_paths
from workbench.projects.settings import ensure_project, open_workbench

# ---------------------------------------------------------------- helpers


def _bad_files(folder: Path) -> dict[str, Path]:
    """A text file named .wav, an empty .wav and a WAV cut to a third of its bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    text = folder / "notes.wav"
    text.write_text("not a recording at all\n" * 30)
    empty = folder / "empty.wav"
    empty.write_bytes(b"")
    full = tone(folder.parent / "scratch-full.wav", 3.0, freq=700).read_bytes()
    cut = folder / "cut.wav"
    cut.write_bytes(full[: len(full) // 3])
    return {"notes.wav": text, "empty.wav": empty, "cut.wav": cut}


def _good_files(folder: Path) -> dict[str, Path]:
    return {
        "one.wav": tone(folder / "one.wav", 1.0, 16000, freq=440),
        "two.flac": tone(folder / "two.flac", 1.5, 48000, channels=2, freq=330),
        "sub/three.ogg": tone(
            folder / "sub" / "three.ogg", 1.2, 22050, freq=550, fmt="OGG", subtype="VORBIS"
        ),
    }


def _mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    _good_files(folder)
    _bad_files(folder)
    (folder / "readme.txt").write_text("ignored: not an audio suffix")
    return folder


def _part_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.part*"))


def _names(wb, project) -> list[str]:
    return sorted(r.original_name for r in store.list_recordings(wb.db, project.id))


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name), data)
    return path


def _stdout_lines(capsys) -> tuple[list[str], str]:
    captured = capsys.readouterr()
    return [line for line in captured.out.splitlines() if line.strip()], captured.err


# ---------------------------------------------------------------- files and folders


def test_folder_with_good_and_bad_files(wb, home, tmp_path):
    folder = _mixed_folder(tmp_path)
    project = ensure_project(wb, "demo")
    seen = []

    report = import_paths(wb, project, [folder], progress=lambda d, t, n: seen.append((d, t, n)))

    outcomes = {item.name: item for item in report.items}
    good = {"batch/one.wav", "batch/two.flac", "batch/sub/three.ogg"}
    bad = {"batch/notes.wav", "batch/empty.wav", "batch/cut.wav"}
    assert set(outcomes) == good | bad  # readme.txt is not audio and is not listed
    for name in good:
        assert outcomes[name].outcome == "imported", outcomes[name]
        assert outcomes[name].recording_id is not None
    for name in bad:
        assert outcomes[name].outcome == "failed", outcomes[name]
        assert outcomes[name].reason.strip()
        assert outcomes[name].recording_id is None
    assert "empty" in outcomes["batch/empty.wav"].reason
    assert "truncated" in outcomes["batch/cut.wav"].reason
    assert "not a readable audio file" in outcomes["batch/notes.wav"].reason
    assert report.count("imported") == 3 and report.count("failed") == 3
    assert report.summary().startswith("3 imported (")
    assert report.summary().endswith("0 duplicate, 3 failed")

    assert _names(wb, project) == sorted(good)
    for recording in store.list_recordings(wb.db, project.id):
        assert wb.path(recording.working_path).is_file()
        assert wb.path(recording.peaks_path).is_file()
        assert sf.info(str(wb.path(recording.working_path))).samplerate == 16000
    # only the good files were converted; no half-written files, no scratch left behind
    working = [p for p in (home / "audio").rglob("*.flac") if not p.name.endswith(".channels.flac")]
    assert len(working) == 3
    assert len(list((home / "peaks").rglob("*.npy"))) == 3
    assert _part_files(home) == []
    assert list((home / "tmp").rglob("*")) == []

    assert seen[-1] == (6, 6, "")
    assert [d for d, _, _ in seen] == list(range(7))
    assert {n for _, _, n in seen[:-1]} == good | bad


def test_files_given_one_by_one_are_named_by_file_name(wb, tmp_path):
    files = _good_files(tmp_path / "src")
    project = ensure_project(wb, "demo")
    report = import_paths(wb, project, [files["one.wav"], str(files["two.flac"])])
    assert [(i.name, i.outcome) for i in report.items] == [
        ("one.wav", "imported"),
        ("two.flac", "imported"),
    ]
    recordings = store.list_recordings(wb.db, project.id)
    assert {r.source_path for r in recordings} == {str(files["one.wav"]), str(files["two.flac"])}


def test_folder_without_audio_is_reported(wb, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("text")
    report = import_paths(wb, ensure_project(wb, "demo"), [folder])
    assert [(i.name, i.outcome) for i in report.items] == [("docs", "failed")]
    assert "no audio" in report.items[0].reason


def test_missing_path_is_reported_as_failed(wb, tmp_path):
    project = ensure_project(wb, "demo")
    good = tone(tmp_path / "ok.wav", 1.0)
    missing = tmp_path / "nowhere" / "gone.wav"
    report = import_paths(wb, project, [missing, good])
    assert [(i.name, i.outcome) for i in report.items] == [
        (str(missing), "failed"),
        ("ok.wav", "imported"),
    ]
    assert "no such file" in report.items[0].reason
    assert _names(wb, project) == ["ok.wav"]


@pytest.mark.parametrize(
    "make,rate,channels,seconds",
    [
        (lambda d: tone(d / "st48.wav", 2.5, 48000, channels=2), 48000, 2, 2.5),
        (lambda d: tone(d / "m44.flac", 1.7, 44100), 44100, 1, 1.7),
        (lambda d: tone(d / "m8.wav", 1.25, 8000), 8000, 1, 1.25),
        (
            lambda d: tone(d / "st22.ogg", 2.0, 22050, channels=2, fmt="OGG", subtype="VORBIS"),
            22050,
            2,
            2.0,
        ),
    ],
    ids=["wav-48k-stereo", "flac-44k1-mono", "wav-8k-mono", "ogg-22k-stereo"],
)
def test_recording_metadata_is_stored(wb, tmp_path, make, rate, channels, seconds):
    source = make(tmp_path / "src")
    project = ensure_project(wb, "demo")
    report = import_paths(wb, project, [source])
    assert report.items[0].outcome == "imported"
    [recording] = store.list_recordings(wb.db, project.id)
    assert recording.sample_rate == rate
    assert recording.channels == channels
    assert recording.duration == pytest.approx(seconds, abs=0.05)
    assert recording.num_samples == sf.info(str(wb.path(recording.working_path))).frames
    assert recording.duration == pytest.approx(recording.num_samples / 16000)
    assert report.items[0].duration == pytest.approx(recording.duration)
    assert recording.original_name == source.name
    assert len(recording.sha256) == 64
    peaks = np.load(str(wb.path(recording.peaks_path)))
    assert len(peaks) == -(-recording.num_samples // 160)


# ---------------------------------------------------------------- duplicates


def test_duplicates_are_reported_and_not_added(wb, home, tmp_path, monkeypatch):
    source = tone(tmp_path / "src" / "a.wav", 2.0)
    renamed = tmp_path / "elsewhere" / "renamed.wav"
    renamed.parent.mkdir()
    shutil.copyfile(source, renamed)
    first = ensure_project(wb, "first")

    assert import_paths(wb, first, [source]).items[0].outcome == "imported"
    again = import_paths(wb, first, [source, renamed])
    assert [(i.name, i.outcome) for i in again.items] == [
        ("a.wav", "duplicate"),
        ("renamed.wav", "duplicate"),
    ]
    assert all("a.wav" in i.reason for i in again.items)  # names the recording it repeats
    assert again.count("failed") == 0
    [original] = store.list_recordings(wb.db, first.id)
    assert {i.recording_id for i in again.items} == {original.id}

    # the same file in another project imports, reusing the working copy (no second decode)
    import workbench.intake.audio_files as importing

    calls = []
    real_convert = importing.convert
    monkeypatch.setattr(importing, "convert", lambda *a: calls.append(a) or real_convert(*a))
    second = ensure_project(wb, "second")
    report = import_paths(wb, second, [renamed])
    assert [(i.name, i.outcome) for i in report.items] == [("renamed.wav", "imported")]
    assert calls == []
    [copy] = store.list_recordings(wb.db, second.id)
    assert copy.working_path == original.working_path
    assert copy.peaks_path == original.peaks_path
    assert (copy.sample_rate, copy.channels, copy.num_samples) == (
        original.sample_rate,
        original.channels,
        original.num_samples,
    )
    assert copy.duration == pytest.approx(original.duration)
    assert len(list((home / "audio").rglob("*.flac"))) == 1
    assert len(store.list_recordings(wb.db, first.id)) == 1


def test_duplicate_within_one_batch(wb, tmp_path):
    folder = tmp_path / "batch"
    source = tone(folder / "a.wav", 1.0)
    shutil.copyfile(source, folder / "b.wav")
    project = ensure_project(wb, "demo")
    report = import_paths(wb, project, [folder])
    assert [(i.name, i.outcome) for i in report.items] == [
        ("batch/a.wav", "imported"),
        ("batch/b.wav", "duplicate"),
    ]
    assert _names(wb, project) == ["batch/a.wav"]


def test_reimporting_after_a_failure_works(wb, home, tmp_path):
    """A file that failed leaves nothing that would make its fixed version a 'duplicate'."""
    path = tmp_path / "src" / "x.wav"
    path.parent.mkdir()
    path.write_text("oops")
    project = ensure_project(wb, "demo")
    assert import_paths(wb, project, [path]).items[0].outcome == "failed"
    tone(path, 1.0)
    assert import_paths(wb, project, [path]).items[0].outcome == "imported"
    assert _part_files(home) == []


# ---------------------------------------------------------------- zip archives


def test_zip_with_nested_folders(wb, home, tmp_path):
    src = tmp_path / "src"
    entries = {
        "top.wav": tone(src / "top.wav", 1.0, freq=300).read_bytes(),
        "dir/x.wav": tone(src / "x.wav", 1.0, freq=400).read_bytes(),
        "dir/deeper/y.flac": tone(src / "y.flac", 1.0, 44100, channels=2, freq=500).read_bytes(),
        "dir/readme.txt": b"not audio",
    }
    archive = _zip(tmp_path / "in" / "archive.zip", entries)
    project = ensure_project(wb, "demo")

    report = import_paths(wb, project, [archive])

    assert sorted((i.name, i.outcome) for i in report.items) == [
        ("archive.zip/dir/deeper/y.flac", "imported"),
        ("archive.zip/dir/x.wav", "imported"),
        ("archive.zip/top.wav", "imported"),
    ]
    recordings = store.list_recordings(wb.db, project.id)
    assert sorted(r.original_name for r in recordings) == sorted(i.name for i in report.items)
    # the extracted copies were scratch files: not recorded as sources, and cleaned up
    assert all(r.source_path == r.original_name for r in recordings)
    assert list((home / "tmp").rglob("*")) == []
    assert {r.channels for r in recordings if r.original_name.endswith("y.flac")} == {2}


def test_zip_entries_that_would_escape_are_refused(wb, home, tmp_path):
    good = tone(tmp_path / "src" / "ok.wav", 1.0).read_bytes()
    other = tone(tmp_path / "src" / "other.wav", 1.0, freq=880).read_bytes()
    abs_target = Path("/abs.wav")
    abs_existed = abs_target.exists()
    unsafe = ["../escape.wav", "/abs.wav", "dir/../../escape2.wav", "..\\escape3.wav"]
    archive = _zip(
        tmp_path / "in" / "evil.zip", {**dict.fromkeys(unsafe, other), "inside/ok.wav": good}
    )
    project = ensure_project(wb, "demo")

    report = import_paths(wb, project, [archive])

    outcomes = {i.name: i for i in report.items}
    assert outcomes["evil.zip/inside/ok.wav"].outcome == "imported"
    for name in unsafe:
        item = outcomes[f"evil.zip/{name}"]
        assert item.outcome == "failed"
        assert "unsafe path" in item.reason
    assert _names(wb, project) == ["evil.zip/inside/ok.wav"]
    # nothing was written anywhere outside the home's scratch folder (which is gone too)
    for escaped in ("escape.wav", "escape2.wav", "escape3.wav", "..\\escape3.wav"):
        assert list(tmp_path.rglob(escaped)) == []
        assert not (tmp_path.parent / escaped).exists()
    assert abs_target.exists() == abs_existed
    assert list((home / "tmp").rglob("*")) == []


def test_corrupt_zip_is_reported(wb, tmp_path):
    corrupt = tmp_path / "broken.zip"
    corrupt.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    good = _zip(tmp_path / "good.zip", {"a.wav": tone(tmp_path / "a.wav", 1.0).read_bytes()})
    cut = tmp_path / "cut.zip"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    project = ensure_project(wb, "demo")

    report = import_paths(wb, project, [corrupt, cut])

    assert [(i.name, i.outcome) for i in report.items] == [
        ("broken.zip", "failed"),
        ("cut.zip", "failed"),
    ]
    assert all("not a valid zip archive" in i.reason for i in report.items)
    assert _names(wb, project) == []


def test_zip_without_audio_is_reported(wb, tmp_path):
    archive = _zip(tmp_path / "docs.zip", {"a.txt": b"hello", "dir/b.pdf": b"%PDF"})
    report = import_paths(wb, ensure_project(wb, "demo"), [archive])
    assert [(i.name, i.outcome) for i in report.items] == [("docs.zip", "failed")]
    assert "no audio" in report.items[0].reason


def test_bad_audio_inside_a_zip_is_reported_by_entry(wb, home, tmp_path):
    archive = _zip(
        tmp_path / "mixed.zip",
        {
            "good.wav": tone(tmp_path / "g.wav", 1.0).read_bytes(),
            "bad/notes.wav": b"not audio at all" * 10,
            "bad/empty.wav": b"",
        },
    )
    report = import_paths(wb, ensure_project(wb, "demo"), [archive])
    assert sorted((i.name, i.outcome) for i in report.items) == [
        ("mixed.zip/bad/empty.wav", "failed"),
        ("mixed.zip/bad/notes.wav", "failed"),
        ("mixed.zip/good.wav", "imported"),
    ]
    assert _part_files(home) == []


# ---------------------------------------------------------------- the CLI


def test_cli_import_reports_each_failure_and_exits_1(home, tmp_path, capsys):
    folder = _mixed_folder(tmp_path)

    code = main(["import", "--home", str(home), "--project", "demo", str(folder)])

    lines, err = _stdout_lines(capsys)
    assert code == 1
    failures = [line for line in lines if line.startswith("failed: ")]
    assert len(failures) == 3
    for name in ("batch/notes.wav", "batch/empty.wav", "batch/cut.wav"):
        [line] = [f for f in failures if f.startswith(f"failed: {name}: ")]
        assert len(line) > len(f"failed: {name}: ")  # a reason follows the name
    assert len(lines) == 4
    assert lines[-1].startswith("demo: 3 imported (")
    assert lines[-1].endswith("0 duplicate, 3 failed")
    assert "Traceback" not in err

    wb = open_workbench(home)
    project = store.find_project(wb.db, "demo")
    assert _names(wb, project) == ["batch/one.wav", "batch/sub/three.ogg", "batch/two.flac"]
    assert _part_files(home) == []


def test_cli_import_all_good_exits_0(home, tmp_path, capsys):
    files = _good_files(tmp_path / "src")
    code = main(
        ["import", "--home", str(home), "--project", "demo", *(str(p) for p in files.values())]
    )
    lines, _ = _stdout_lines(capsys)
    assert code == 0
    assert lines == [lines[-1]]
    assert lines[-1].startswith("demo: 3 imported (")
    assert lines[-1].endswith("0 duplicate, 0 failed")

    # importing again: all duplicates, nothing failed, still exit 0
    code = main(
        ["import", "--home", str(home), "--project", "demo", *(str(p) for p in files.values())]
    )
    lines, _ = _stdout_lines(capsys)
    assert code == 0
    assert sum(line.startswith("duplicate: ") for line in lines) == 3
    assert lines[-1].startswith("demo: 0 imported (0.0 s), 3 duplicate, 0 failed")


def test_cli_import_missing_path_fails(home, tmp_path, capsys):
    missing = tmp_path / "gone.wav"
    code = main(["import", "--home", str(home), "--project", "demo", str(missing)])
    lines, err = _stdout_lines(capsys)
    assert code == 1
    assert lines[0] == f"failed: {missing}: no such file or folder"
    assert lines[-1].endswith("0 duplicate, 1 failed")
    assert "Traceback" not in err


def test_cli_home_before_the_command_is_honoured(home, tmp_path, capsys, monkeypatch):
    """`python -m workbench --home H import ...`: the top-level --home must not be dropped."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("WORKBENCH_HOME", raising=False)
    monkeypatch.delenv("WORKBENCH_DB_URL", raising=False)
    source = tone(tmp_path / "src" / "a.wav", 1.0)

    code = main(["--home", str(home), "import", "--project", "demo", str(source)])

    assert code == 0
    assert not (cwd / "data").exists(), "--home was ignored: the default home was used"
    wb = open_workbench(home)
    assert _names(wb, store.find_project(wb.db, "demo")) == ["a.wav"]


@pytest.mark.parametrize(
    "argv",
    [
        ["status", "--project", "nope"],
        ["status", "--project", "nope", "--json"],
        ["export", "--project", "nope", "--out", "OUT"],
    ],
    ids=["status", "status-json", "export"],
)
def test_cli_unknown_project_is_a_one_line_error(home, tmp_path, capsys, argv):
    ensure_project(open_workbench(home), "demo")
    out = tmp_path / "export-out"
    argv = [str(out) if a == "OUT" else a for a in argv]

    code = main([argv[0], "--home", str(home), *argv[1:]])

    captured = capsys.readouterr()
    assert code == 2
    err_lines = captured.err.strip().splitlines()
    assert len(err_lines) == 1
    assert err_lines[0].startswith("error: ")
    assert "nope" in err_lines[0] and "demo" in err_lines[0]  # names the projects there are
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert not out.exists()


def _zip_without_utf8_flag(path: Path, entries: dict[str, bytes], encoding: str) -> Path:
    """A zip whose entry names are `encoding` bytes with no UTF-8 flag, as Windows (CP949) and
    Linux `zip` (UTF-8) write them: written under ASCII stand-ins of the same byte length,
    then the stand-ins replaced in the local headers and the central directory."""
    stand_ins = {}
    for n, name in enumerate(entries):
        raw = name.encode(encoding)
        stand_in = f"{n:02d}".encode() + b"x" * (len(raw) - 6) + b".wav"
        assert len(stand_in) == len(raw)
        stand_ins[stand_in] = raw
    _zip(path, {k.decode(): v for k, v in zip(stand_ins, entries.values(), strict=True)})
    data = path.read_bytes()
    for stand_in, raw in stand_ins.items():
        assert data.count(stand_in) == 2
        data = data.replace(stand_in, raw)
    path.write_bytes(data)
    with zipfile.ZipFile(path) as zf:  # as zipfile reads it: cp437, garbled
        assert not any(i.flag_bits & 0x800 for i in zf.infolist())
        assert "가나다.wav" not in zf.namelist()
    return path


@pytest.mark.parametrize("encoding", ["cp949", "utf-8"])
def test_zip_with_korean_names_without_the_utf8_flag(wb, tmp_path, encoding):
    src = tmp_path / "src"
    entries = {
        "가나다.wav": tone(src / "a.wav", 1.0, freq=300).read_bytes(),
        "회의 녹음/발화01.wav": tone(src / "b.wav", 1.0, freq=400).read_bytes(),
    }
    archive = _zip_without_utf8_flag(tmp_path / "in" / "한국어.zip", entries, encoding)
    project = ensure_project(wb, "demo")

    report = import_paths(wb, project, [archive])

    assert sorted((i.name, i.outcome) for i in report.items) == [
        ("한국어.zip/가나다.wav", "imported"),
        ("한국어.zip/회의 녹음/발화01.wav", "imported"),
    ]
    assert _names(wb, project) == ["한국어.zip/가나다.wav", "한국어.zip/회의 녹음/발화01.wav"]
