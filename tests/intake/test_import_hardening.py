"""Imports that must not trust their input: zip limits, nested and duplicate entries, upload
sizes, file names that are not UTF-8, and what killed imports and exports leave behind."""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import tone
from tests.helpers.killed import killed_while
from workbench import store
from workbench.cli import main
from workbench.core.config import MB, Limits, load_limits, load_settings
from workbench.core.errors import WorkbenchError
from workbench.formats.corpus_export import export_batch
from workbench.intake import audio_files, transcripts
from workbench.intake.audio_files import import_paths
from workbench.intake.transcripts import import_upload
from workbench.jobs.leftovers import owner_tag
from workbench.projects.settings import ensure_project


def _limited(wb, **limits):
    """`wb` with its settings' limits changed."""
    return replace(wb, settings=replace(wb.settings, limits=replace(Limits(), **limits)))


def _zip(path: Path, entries: list[tuple[str, bytes]], method=zipfile.ZIP_STORED) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of a duplicate name
        with zipfile.ZipFile(path, "w", method) as zf:
            for name, data in entries:
                zf.writestr(name, data)
    return path


def _outcomes(report) -> dict[str, tuple[str, str]]:
    return {i.name: (i.outcome, i.reason) for i in report.items}


@pytest.fixture
def extracted(monkeypatch) -> list[str]:
    """The zip entries extracted from now on (by name)."""
    seen: list[str] = []
    real = audio_files._extract_entry

    def spy(zf, info, dest):
        seen.append(info.filename)
        return real(zf, info, dest)

    monkeypatch.setattr(audio_files, "_extract_entry", spy)
    return seen


def _tmp_files(home: Path) -> list[Path]:
    return sorted(p for p in (home / "tmp").rglob("*") if p.is_file())


# ---------------------------------------------------------------- zip limits


def test_a_zip_bomb_is_refused_before_anything_is_extracted(wb, home, tmp_path, extracted):
    """40 MB of zeros packs into some 40 KB: a thousand times, over the ratio of 200."""
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ok.wav", tone(tmp_path / "ok.wav", 1.0).read_bytes())
        with zf.open("zeros.wav", "w") as entry:
            for _ in range(40):
                entry.write(bytes(MB))
    assert bomb.stat().st_size < MB

    report = import_paths(wb, ensure_project(wb, "bomb"), [bomb])

    [item] = report.items
    assert (item.name, item.outcome) == ("bomb.zip", "failed")
    assert "times its own size (the limit is 200 times); nothing was unpacked" in item.reason
    assert extracted == [] and _tmp_files(home) == []


def test_the_unpacked_size_limit_refuses_the_archive_whole(wb, home, tmp_path, extracted):
    archive = _zip(
        tmp_path / "big.zip",
        [("a.wav", tone(tmp_path / "a.wav", 1.0).read_bytes()), ("b.wav", bytes(2 * MB))],
    )
    report = import_paths(_limited(wb, zip_total_mb=1), ensure_project(wb, "big"), [archive])
    assert _outcomes(report) == {
        "big.zip": (
            "failed",
            "the zip archive would unpack to 2.0 MB, more than the limit of 1.0 MB; "
            "nothing was unpacked",
        )
    }
    assert extracted == [] and _tmp_files(home) == []


def test_the_entry_count_limit_refuses_the_archive_whole(wb, home, tmp_path, extracted):
    audio = tone(tmp_path / "a.wav", 0.5).read_bytes()
    archive = _zip(tmp_path / "many.zip", [(f"{n}.wav", audio) for n in range(11)])
    project = ensure_project(wb, "many")
    report = import_paths(_limited(wb, zip_members=10), project, [archive])
    assert _outcomes(report) == {
        "many.zip": (
            "failed",
            "the zip archive holds 11 entries, more than the limit of 10; nothing was unpacked",
        )
    }
    assert extracted == []
    assert import_paths(_limited(wb, zip_members=11), project, [archive]).count("imported") == 1


def test_an_entry_packed_too_tightly_is_refused_alone(wb, tmp_path, extracted):
    """The archive as a whole is within the ratio (most of it is noise), one entry is not."""
    noise = os.urandom(4 * MB)
    with zipfile.ZipFile(tmp_path / "mixed.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("noise.wav", noise)
        zf.writestr("zeros.wav", bytes(20 * MB))
    report = import_paths(wb, ensure_project(wb, "mixed"), [tmp_path / "mixed.zip"])
    outcome, reason = _outcomes(report)["mixed.zip/zeros.wav"]
    assert outcome == "failed" and "times its packed size (the limit is 200 times)" in reason
    assert extracted == ["noise.wav"]  # the other entry went on (and failed as not audio)


def test_an_entry_yielding_more_than_it_declares_is_stopped(wb, home, tmp_path, monkeypatch):
    archive = _zip(tmp_path / "liar.zip", [("a.wav", tone(tmp_path / "a.wav", 1.0).read_bytes())])
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, info: io.BytesIO(bytes(10 * MB)))
    report = import_paths(wb, ensure_project(wb, "liar"), [archive])
    outcome, reason = _outcomes(report)["liar.zip/a.wav"]
    assert outcome == "failed" and "more than the" in reason and "bytes it declares" in reason
    assert _tmp_files(home) == []


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WORKBENCH_MAX_UPLOAD_MB", "12")
    monkeypatch.setenv("WORKBENCH_MAX_ZIP_RATIO", " 50 ")
    assert load_limits() == replace(Limits(), upload_file_mb=12, zip_ratio=50)
    assert load_settings("somewhere").limits.upload_file_mb == 12
    monkeypatch.setenv("WORKBENCH_MAX_ZIP_MEMBERS", "-3")
    with pytest.raises(WorkbenchError, match="WORKBENCH_MAX_ZIP_MEMBERS='-3' is not a positive"):
        load_limits()


# ---------------------------------------------------------------- nested and duplicate entries


def test_a_zip_inside_a_zip_is_reported_by_name_and_not_unpacked(wb, tmp_path):
    inner = _zip(tmp_path / "inner.zip", [("x.wav", tone(tmp_path / "x.wav", 1.0).read_bytes())])
    outer = _zip(
        tmp_path / "outer.zip",
        [
            ("a.wav", tone(tmp_path / "a.wav", 1.0, freq=300).read_bytes()),
            ("more/inner.zip", inner.read_bytes()),
        ],
    )
    project = ensure_project(wb, "nested")
    report = import_paths(wb, project, [outer])
    assert _outcomes(report) == {
        "outer.zip/a.wav": ("imported", ""),
        "outer.zip/more/inner.zip": ("failed", audio_files.NESTED),
    }
    upload = import_upload(wb, ensure_project(wb, "nested2"), [("outer.zip", outer.read_bytes())])
    assert _outcomes(upload.report)["outer.zip/more/inner.zip"] == ("failed", audio_files.NESTED)


def test_entries_of_the_same_name_import_the_first_and_report_the_others(wb, tmp_path):
    first = tone(tmp_path / "1.wav", 1.0, freq=300).read_bytes()
    second = tone(tmp_path / "2.wav", 1.0, freq=600).read_bytes()
    archive = _zip(
        tmp_path / "twice.zip",
        [("a.wav", first), ("a.wav", second), ("dir/b.wav", second), ("dir\\b.wav", first)],
    )
    project = ensure_project(wb, "twice")

    report = import_paths(wb, project, [archive])

    same = "another entry of the zip archive has the same name (the first was taken); skipped"
    assert sorted((i.name, i.outcome, i.reason) for i in report.items) == [
        ("twice.zip/a.wav", "failed", same),
        ("twice.zip/a.wav", "imported", ""),
        ("twice.zip/dir/b.wav", "imported", ""),  # a different recording from the first a.wav
        ("twice.zip/dir\\b.wav", "failed", same),
    ]
    [a] = [r for r in store.list_recordings(wb.db, project.id) if r.original_name.endswith("a.wav")]
    assert a.sha256 == audio_files._sha256(tmp_path / "1.wav")  # the first entry's audio


@pytest.mark.parametrize(
    "bad, why",
    [
        ("x" * 300 + ".wav", "its name is too long for the file system"),
        ("/".join(["d" * 200] * 30) + "/y.wav", "its name is too long for the file system"),
        ("a.wav/y.wav", "its path runs through a file of another entry"),
    ],
)
def test_an_entry_that_cannot_be_written_fails_alone_and_the_rest_imports(wb, tmp_path, bad, why):
    """A name part over 255 bytes, a path too deep for the file system, or a path through a
    file an earlier entry wrote: that entry fails by name, the entries after it import."""
    archive = _zip(
        tmp_path / "odd.zip",
        [
            ("a.wav", tone(tmp_path / "a.wav", 1.0, freq=300).read_bytes()),
            (bad, tone(tmp_path / "b.wav", 1.0, freq=400).read_bytes()),
            ("c.wav", tone(tmp_path / "c.wav", 1.0, freq=500).read_bytes()),
        ],
    )
    report = import_paths(wb, ensure_project(wb, "odd"), [archive])
    outcomes = _outcomes(report)
    assert outcomes.pop(f"odd.zip/{bad}") == (
        "failed",
        f"cannot extract from the zip archive: {why}; skipped",
    )
    assert outcomes == {"odd.zip/a.wav": ("imported", ""), "odd.zip/c.wav": ("imported", "")}


def test_an_entry_whose_path_a_folder_took_fails_alone_in_an_upload(wb, tmp_path):
    archive = _zip(
        tmp_path / "up.zip",
        [
            ("a.wav/y.wav", tone(tmp_path / "y.wav", 1.0, freq=300).read_bytes()),
            ("a.wav", tone(tmp_path / "a.wav", 1.0, freq=400).read_bytes()),
        ],
    )
    result = import_upload(wb, ensure_project(wb, "up"), [("up.zip", archive.read_bytes())])
    assert _outcomes(result.report) == {
        "up.zip/a.wav/y.wav": ("imported", ""),
        "up.zip/a.wav": (
            "failed",
            "cannot extract from the zip archive: another entry's folder has its name; skipped",
        ),
    }


# ---------------------------------------------------------------- truncated files in a batch


def test_truncated_files_fail_alone_with_their_names(wb, tmp_path):
    folder = tmp_path / "batch"
    tone(folder / "good.wav", 1.0)
    for name, kwargs in {
        "a.flac": {},
        "b.ogg": {"fmt": "OGG", "subtype": "VORBIS"},
        "c.opus": {"fmt": "OGG", "subtype": "OPUS", "rate": 48000},
    }.items():
        data = tone(tmp_path / name, 4.0, **kwargs).read_bytes()
        (folder / name).write_bytes(data[: len(data) * 2 // 3])
    report = import_paths(wb, ensure_project(wb, "cut"), [folder])
    outcomes = _outcomes(report)
    assert outcomes.pop("batch/good.wav") == ("imported", "")
    assert sorted(outcomes) == ["batch/a.flac", "batch/b.ogg", "batch/c.opus"]
    assert all(
        o == "failed" and r.startswith("the file is truncated") for o, r in outcomes.values()
    )


# ---------------------------------------------------------------- names that are not UTF-8


@pytest.fixture
def latin1_named(tmp_path) -> Path:
    """A folder holding 'café.wav' with its name in Latin-1 (b'caf\\xe9.wav'), not UTF-8."""
    folder = tmp_path / "names"
    folder.mkdir()
    raw = os.path.join(os.fsencode(folder), b"caf\xe9.wav")
    try:
        with open(raw, "wb") as f:
            f.write(tone(tmp_path / "src.wav", 1.0).read_bytes())
    except OSError:
        pytest.skip("this file system takes only UTF-8 names")
    return folder


def test_a_name_that_is_not_utf8_imports_under_a_printable_name(wb, latin1_named, capsys):
    project = ensure_project(wb, "latin")
    report = import_paths(wb, project, [latin1_named / os.fsdecode(b"caf\xe9.wav")])
    assert _outcomes(report) == {"caf\\xe9.wav": ("imported", "")}
    [recording] = store.list_recordings(wb.db, project.id)
    assert recording.original_name == "caf\\xe9.wav"
    assert recording.source_path.endswith("names/caf\\xe9.wav")


def test_the_cli_prints_such_a_name_without_a_traceback(home, latin1_named, capsys):
    cut = latin1_named / os.fsdecode(b"cut-caf\xe9.wav")
    cut.write_bytes((latin1_named / os.fsdecode(b"caf\xe9.wav")).read_bytes()[:5000])
    code = main(["--home", str(home), "import", "--project", "latin", str(latin1_named)])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "failed: names/cut-caf\\xe9.wav: the file is truncated" in out
    assert "1 imported" in out


# ---------------------------------------------------------------- upload limits


def test_a_file_over_the_upload_limit_is_refused_alone(wb, tmp_path, monkeypatch):
    written: list[str] = []
    real = transcripts.upload_limits.write_upload
    monkeypatch.setattr(
        transcripts.upload_limits,
        "write_upload",
        lambda target, *a: written.append(target.name) or real(target, *a),
    )
    small = tone(tmp_path / "small.wav", 1.0).read_bytes()
    big = tone(tmp_path / "big.wav", 40.0).read_bytes()  # 1.2 MB
    result = import_upload(
        _limited(wb, upload_file_mb=1),
        ensure_project(wb, "up"),
        [("small.wav", small), ("big.wav", io.BytesIO(big))],
    )
    assert _outcomes(result.report) == {
        "small.wav": ("imported", ""),
        "big.wav": (
            "failed",
            "the file is 1.2 MB, more than the limit of 1.0 MB a file; not imported",
        ),
    }
    assert written == ["small.wav"]


def test_an_upload_over_the_batch_limit_writes_nothing(wb, home, tmp_path, monkeypatch):
    monkeypatch.setattr(
        transcripts.upload_limits, "write_upload", lambda *a: pytest.fail("written")
    )
    audio = tone(tmp_path / "a.wav", 20.0).read_bytes()  # 0.6 MB each; 2.4 MB in all
    files = [(f"{n}.wav", audio) for n in range(4)]
    result = import_upload(_limited(wb, upload_batch_mb=2), ensure_project(wb, "batch"), files)
    reason = (
        "the upload holds 2.4 MB in all, more than the limit of 2.0 MB an upload; "
        "nothing was imported"
    )
    assert _outcomes(result.report) == {f"{n}.wav": ("failed", reason) for n in range(4)}
    assert list((home / "tmp").iterdir()) == []


class _Stream(io.RawIOBase):
    """A stream that does not know its length (as a pipe)."""

    def __init__(self, data: bytes):
        self.data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        return self.data.readinto(buffer)


def test_a_stream_of_unknown_length_is_cut_off_at_the_limit(wb, home, tmp_path, monkeypatch):
    big = tone(tmp_path / "big.wav", 40.0).read_bytes()
    left: list[list[Path]] = []
    real = transcripts.import_any
    monkeypatch.setattr(
        transcripts,
        "import_any",
        lambda wb, project, paths, *a, **k: (
            left.append(list(paths)) or real(wb, project, paths, *a, **k)
        ),
    )
    result = import_upload(
        _limited(wb, upload_file_mb=1), ensure_project(wb, "stream"), [("big.wav", _Stream(big))]
    )
    assert _outcomes(result.report) == {
        "big.wav": ("failed", "the file is more than the limit of 1.0 MB a file; not imported")
    }
    assert left == [[]]  # nothing of it was left for the import
    assert list((home / "tmp").iterdir()) == []


def test_ten_concurrent_uploads_of_one_file_import_it_once(wb, home, tmp_path):
    """Streamlit runs each session in a thread of one process: the same file uploaded by ten
    at once is imported once and reported as a duplicate nine times, whichever wins."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    audio = tone(tmp_path / "same.wav", 20.0, 44100, channels=2).read_bytes()
    project = ensure_project(wb, "race")
    start = Barrier(10)

    def upload(n: int):
        start.wait()
        return import_upload(wb, project, [(f"copy{n}.wav", audio)]).report.items

    with ThreadPoolExecutor(10) as pool:
        items = [i for found in pool.map(upload, range(10)) for i in found]
    assert sorted(i.outcome for i in items) == ["duplicate"] * 9 + ["imported"], items
    [recording] = store.list_recordings(wb.db, project.id)
    assert all(i.recording_id == recording.id for i in items)
    assert {i.reason for i in items if i.outcome == "duplicate"} == {
        f"same audio as {recording.original_name}"
    }
    assert not list((home / "audio").rglob("*.part-*"))


def test_a_duplicate_recorded_after_the_check_is_a_duplicate(wb, tmp_path, monkeypatch):
    """The check before converting passes both of two racing imports; the table's unique
    constraint decides, and the second is reported as a duplicate, not an IntegrityError."""
    audio = tone(tmp_path / "a.wav", 1.0)
    project = ensure_project(wb, "late")
    assert import_paths(wb, project, [audio]).count("imported") == 1
    monkeypatch.setattr(store, "find_recording_by_hash", lambda *a: None)  # as if not there yet
    [item] = import_upload(wb, project, [("again.wav", audio.read_bytes())]).report.items
    [recording] = store.list_recordings(wb.db, project.id)
    assert (item.outcome, item.reason, item.recording_id) == (
        "duplicate",
        "same audio as a.wav",
        recording.id,
    )


# ---------------------------------------------------------------- leftovers of killed processes


def test_a_killed_import_leaves_scratch_that_the_next_import_removes(wb, home, tmp_path):
    folder, tag = killed_while(
        """
        from workbench.intake.audio_files import scratch_folder
        from workbench.jobs.leftovers import owner_tag
        with scratch_folder(wb) as scratch:
            open(scratch + "/half.wav", "wb").write(b"RIFF" * 1000)
            print(scratch, owner_tag(), flush=True)
            time.sleep(60)
    """,
        home,
    ).split()
    scratch = Path(folder)
    part = home / "audio" / "ab" / f"abcdef.flac.part-{tag}"  # as convert() names its files
    part.parent.mkdir(parents=True)
    part.write_bytes(b"half a working copy")
    live = home / "tmp" / f"scratch-{owner_tag()}-alive123"  # this process's: in use
    live.mkdir()
    assert (scratch / "half.wav").is_file() and scratch.parent == home / "tmp"

    report = import_paths(wb, ensure_project(wb, "next"), [tone(tmp_path / "a.wav", 1.0)])

    assert report.count("imported") == 1
    assert not scratch.exists() and not part.exists()
    assert live.is_dir()


def test_a_killed_export_leaves_a_part_folder_that_the_next_export_removes(wb, home, tmp_path):
    project = ensure_project(wb, "exp")
    import_paths(wb, project, [tone(tmp_path / "a.wav", 2.0)])
    [recording] = store.list_recordings(wb.db, project.id)
    store.add_drafted_segments(
        wb.db,
        recording.id,
        [{"start": 0.0, "end": 1.0, "text": "hello", "source": "import"}],
        author="test",
    )
    out = tmp_path / "exports" / "first"
    part = Path(
        killed_while(
            f"""
        from pathlib import Path
        from workbench import store
        from workbench.formats import corpus_export as exporting
        def stuck(*args, **kwargs):
            print(next(Path({str(out.parent)!r}).glob(".first.part-*")), flush=True)
            time.sleep(60)
        exporting._write_checksums = stuck
        project = store.find_project(wb.db, "exp")
        exporting.export_batch(wb, project, Path({str(out)!r}), status="any")
    """,
            home,
        )
    )
    assert part.is_dir() and part.name.startswith(".first.part-") and not out.exists()
    live = out.parent / f".other.part-{owner_tag()}"  # this process's: in use
    live.mkdir()
    foreign = out.parent / ".holiday.part-photos"  # not a name the workbench makes
    foreign.mkdir()

    result = export_batch(wb, project, out.parent / "second", status="any")

    assert result.segments == 1
    assert not part.exists()
    assert live.is_dir() and foreign.is_dir()
