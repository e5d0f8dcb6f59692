"""Browser uploads cannot reach the server: a hostile-upload corpus over every annotation format.

An uploaded annotation may name only audio of the same upload (by base name); an absolute path,
a '..' path, a path relative to the server's current folder or a Kaldi command imports nothing
from outside, and no name or reason shows a server path. The command line (trusted) still reads
paths as written; a Kaldi command is refused there too, and never run.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import re
import zipfile
from pathlib import Path

import pytest

from tests.conftest import tone
from tests.helpers.corpus import ROUND_TRIPS, assert_round_trip, segments_of
from workbench import store
from workbench.formats.corpus_export import ExportOptions, export_batch
from workbench.intake import transcripts
from workbench.intake.transcripts import AudioScope, import_any, import_upload, upload_name
from workbench.projects.settings import ensure_project

# a path at the start of a word: /x, \x, ~/x, C:\x
ABSOLUTE = re.compile(r"(?:^|[\s'\"(\[=:,])(?:[A-Za-z]:[\\/]|~?[\\/])\w")


# ---------------------------------------------------------------- the corpus


@pytest.fixture
def secret(tmp_path, monkeypatch) -> Path:
    """An audio file on the server, outside any upload; the server runs in the folder above it."""
    monkeypatch.chdir(tmp_path)
    return tone(tmp_path / "server" / "secret.wav", 1.0, freq=500)


def references(secret: Path) -> dict[str, str]:
    """Hostile references to `secret`, and one to nothing; each as an annotation writes it."""
    down = str(secret).lstrip("/")
    return {
        "absolute": str(secret),
        "dotdot": "../" * 30 + down,
        "backslashes": "..\\" * 30 + down.replace("/", "\\"),
        "cwd": "server/secret.wav",  # relative to the server's current folder
        "missing": "nothing-here.wav",
        "pipe": f"cat {secret} |",
        "shell": f"secret.wav; cp {secret} x.wav",
    }


def _zip(entries: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name), data)
    return buffer.getvalue()


def _table(header: list[str], row: list[str], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows([header, row])
    return out.getvalue()


def _lhotse(ref: str) -> dict[str, str]:
    recording = {
        "id": "r1",
        "sources": [{"type": "file", "channels": [0], "source": ref}],
        "sampling_rate": 16000,
        "num_samples": 16000,
        "duration": 1.0,
    }
    supervision = {"id": "s1", "recording_id": "r1", "start": 0.0, "duration": 0.5, "text": "hello"}
    return {
        "recordings.jsonl": json.dumps(recording) + "\n",
        "supervisions.jsonl": json.dumps(supervision) + "\n",
    }


def _gz(text: str) -> bytes:
    return gzip.compress(text.encode())


UPLOADS = {  # format -> the upload (name, content) of one annotation naming `ref`
    "csv": lambda ref: [("list.csv", _table(["file", "text"], [ref, "hello"]))],
    "tsv": lambda ref: [("list.tsv", f"path\tsentence\n{ref}\thello\n")],
    "commonvoice": lambda ref: [
        ("validated.tsv", f"client_id\tpath\tsentence\nc1\t{ref}\thello\n")
    ],
    "nemo-json": lambda ref: [("manifest.json", json.dumps({"audio_filepath": ref, "text": "hi"}))],
    "nemo-jsonl": lambda ref: [
        (
            "train.jsonl",
            json.dumps({"audio_filepath": ref, "text": "hi", "offset": 0.0, "duration": 0.5}),
        )
    ],
    "hf-jsonl": lambda ref: [("metadata.jsonl", json.dumps({"file_name": ref, "text": "hi"}))],
    "hf-csv": lambda ref: [("metadata.csv", _table(["file_name", "transcription"], [ref, "hi"]))],
    "csv-in-zip": lambda ref: [
        ("corpus.zip", _zip({"list.csv": _table(["file", "text"], [ref, "x"])}))
    ],
    "kaldi-in-zip": lambda ref: [
        ("corpus.zip", _zip({"data/wav.scp": f"u1 {ref}\n", "data/text": "u1 hello\n"}))
    ],
    "kaldi-segments-in-zip": lambda ref: [
        (
            "corpus.zip",
            _zip({"wav.scp": f"r1 {ref}\n", "text": "u1 hello\n", "segments": "u1 r1 0.0 0.5\n"}),
        )
    ],
    "lhotse": lambda ref: list(_lhotse(ref).items()),
    "lhotse-in-zip": lambda ref: [("corpus.zip", _zip(_lhotse(ref)))],
    "lhotse-gz-in-zip": lambda ref: [
        ("corpus.zip", _zip({f"{name}.gz": _gz(text) for name, text in _lhotse(ref).items()}))
    ],
}


def upload(fmt: str, ref: str) -> list[tuple[str, bytes]]:
    return [(name, c.encode() if isinstance(c, str) else c) for name, c in UPLOADS[fmt](ref)]


def assert_nothing_from_outside(wb, project, result, tmp_path) -> None:
    assert store.list_recordings(wb.db, project.id) == []
    assert result.segments == 0
    assert result.report.items and all(i.outcome == "failed" for i in result.report.items)
    assert_no_server_paths(result, tmp_path)


def assert_no_server_paths(result, tmp_path) -> None:
    top = "/" + Path(tmp_path).parts[1]  # '/tmp', say
    for item in result.report.items:
        for text in (item.name, item.reason):
            assert str(tmp_path) not in text and str(Path.home()) not in text, text
            assert top + "/" not in text and not ABSOLUTE.search(text), text
            assert "Errno" not in text and "Traceback" not in text, text


# ---------------------------------------------------------------- hostile references


@pytest.mark.parametrize("kind", list(references(Path("/x/secret.wav"))))
@pytest.mark.parametrize("fmt", list(UPLOADS))
def test_an_upload_cannot_name_server_audio(wb, tmp_path, secret, fmt, kind):
    ref = references(secret)[kind]
    project = ensure_project(wb, "hostile")
    result = import_upload(wb, project, upload(fmt, ref))
    assert_nothing_from_outside(wb, project, result, tmp_path)
    reasons = " ".join(i.reason for i in result.report.items)
    if fmt.startswith("kaldi") and kind in ("pipe", "shell"):
        assert "a command in wav.scp" in reasons and "never run" in reasons
    elif kind == "missing":
        assert "audio 'nothing-here.wav' is not among the uploaded files" in reasons
    elif kind == "cwd":
        assert "audio 'server/secret.wav' is not among the uploaded files" in reasons
    else:  # the folders of a path outside the upload are not repeated, its base name is
        assert "audio '…/secret" in reasons and "is not among the uploaded files" in reasons
    assert not (tmp_path / "x.wav").exists()


@pytest.mark.parametrize("fmt", [f for f in UPLOADS if "zip" not in f])
def test_import_any_takes_only_the_given_files_by_default(wb, tmp_path, secret, fmt):
    """Given the annotation alone, from beside the server's audio: that audio stays out."""
    for name, content in UPLOADS[fmt]("secret.wav"):
        (secret.parent / name).write_text(content)
    project = ensure_project(wb, "beside")
    result = import_any(wb, project, [secret.parent / n for n, _ in UPLOADS[fmt]("secret.wav")])
    assert_nothing_from_outside(wb, project, result, tmp_path)
    assert "audio 'secret.wav' is not among the uploaded files" in result.report.items[-1].reason


SIDECARS = {
    "srt": "1\n00:00:00,000 --> 00:00:00,500\nhello\n\n",
    "vtt": "WEBVTT\n\n00:00.000 --> 00:00.500\n<v Bo>hello\n\n",
    "TextGrid": (
        'File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = 0\nxmax = 1\n'
        'tiers? <exists>\nsize = 1\nitem []:\n    item [1]:\n        class = "IntervalTier"\n'
        '        name = "Bo"\n        xmin = 0\n        xmax = 1\n        intervals: size = 1\n'
        "        intervals [1]:\n            xmin = 0\n            xmax = 0.5\n"
        '            text = "hello"\n'
    ),
    "eaf": (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ANNOTATION_DOCUMENT>\n'
        '<HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"><MEDIA_DESCRIPTOR MEDIA_URL="file://{url}"'
        ' RELATIVE_MEDIA_URL="../server/secret.wav" MIME_TYPE="audio/x-wav"/></HEADER>\n'
        '<TIME_ORDER><TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="0"/>'
        '<TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="500"/></TIME_ORDER>\n'
        '<TIER TIER_ID="Bo" LINGUISTIC_TYPE_REF="lt"><ANNOTATION><ALIGNABLE_ANNOTATION '
        'ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>hello'
        "</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION></TIER>\n"
        '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="lt" TIME_ALIGNABLE="true"/>\n</ANNOTATION_DOCUMENT>\n'
    ),
}


@pytest.mark.parametrize("suffix", list(SIDECARS))
def test_a_sidecar_finds_only_uploaded_audio(wb, tmp_path, secret, suffix):
    text = SIDECARS[suffix].replace("{url}", str(secret))
    sidecar = secret.with_suffix(f".{suffix}")
    sidecar.write_text(text)  # beside the server's secret.wav, where a sidecar looks on the CLI
    project = ensure_project(wb, "sidecar")
    for result in (
        import_upload(wb, project, [(sidecar.name, text.encode())]),
        import_any(wb, project, [sidecar]),
    ):
        assert_nothing_from_outside(wb, project, result, tmp_path)
        [item] = result.report.items
        assert item.name == f"secret.{suffix}"
        assert item.reason == f"secret.{suffix}: no uploaded audio file is named secret.*"
    audio = tone(tmp_path / "up" / "talk.wav", 1.0).read_bytes()
    result = import_upload(wb, project, [(f"talk.{suffix}", text.encode()), ("talk.wav", audio)])
    assert result.segments == 1 and not result.report.failed
    assert [r.original_name for r in store.list_recordings(wb.db, project.id)] == ["talk.wav"]
    assert segments_of(wb, project)[0][2] == "hello"


def test_the_cli_reads_server_paths_but_never_runs_a_command(wb, tmp_path, secret):
    folder = tmp_path / "kaldi"
    folder.mkdir()
    tone(folder / "a.wav", 1.0)
    (folder / "wav.scp").write_text(
        f"u1 a.wav\nu2 touch {tmp_path}/ran |\nu3 a.wav; touch {tmp_path}/ran2\n"
        f"u4 $(touch {tmp_path}/ran3)\nu5 sox {secret} -t wav - |\nu6 {secret}\n"
    )
    (folder / "text").write_text("u1 one\nu2 two\nu3 three\nu4 four\nu5 five\nu6 six\n")
    project = ensure_project(wb, "cli")
    result = import_any(wb, project, [folder], audio_from=AudioScope.server())
    assert not any((tmp_path / f).exists() for f in ("ran", "ran2", "ran3"))
    refused = [i for i in result.report.failed if "a command in wav.scp" in i.reason]
    assert len(refused) == 1 and refused[0].reason.startswith("kaldi text lines 2, 3, 4, 5: ")
    assert sorted(r.original_name for r in store.list_recordings(wb.db, project.id)) == [
        "a.wav",
        "secret.wav",
    ]  # trusted: an absolute path on the server is the operator's
    assert result.segments == 2


def test_the_kaldi_writers_flac_pipe_still_round_trips_on_the_cli(wb, labelled, tmp_path):
    out = tmp_path / "corpus"
    export_batch(wb, labelled, out, "kaldi", options=ExportOptions(clips="flac"))
    assert "flac -c -d -s" in (out / "wav.scp").read_text()
    target = ensure_project(wb, "back")
    result = import_any(wb, target, [out], audio_from=AudioScope.server())
    assert not result.report.failed and result.segments == len(segments_of(wb, labelled))


# ---------------------------------------------------------------- legitimate uploads


def two_tones(tmp_path) -> tuple[bytes, bytes]:
    """The bytes of a 2 s and of a 1 s WAV."""
    return (
        tone(tmp_path / "src" / "a.wav", 2.0).read_bytes(),
        tone(tmp_path / "src" / "b.wav", 1.0, freq=300).read_bytes(),
    )


def test_a_legit_upload_imports_with_its_text(wb, tmp_path):
    a, b = two_tones(tmp_path)
    read = io.BytesIO(b)  # as a file object (Streamlit's UploadedFile is one), already read
    read.read()
    listing = "file,start,end,text,speaker\nclips/a.wav,0.1,0.9,hello,Bo\nb.wav,,,whole,\n"
    project = ensure_project(wb, "legit")
    result = import_upload(
        wb, project, [("list.csv", listing.encode()), ("a.wav", memoryview(a)), ("b.wav", read)]
    )
    assert not result.report.failed and result.segments == 2
    recordings = {r.original_name: r for r in store.list_recordings(wb.db, project.id)}
    assert set(recordings) == {"a.wav", "b.wav"}
    assert all(r.source_path == r.original_name for r in recordings.values())
    assert sorted(segments_of(wb, project)) == [
        (0.0, 1.0, "whole", None),
        (0.1, 0.9, "hello", "Bo"),
    ]
    assert "1 segments from list.csv (csv)" in [i.reason for i in result.report.items]


def test_a_legit_zip_upload_imports_with_its_text(wb, tmp_path):
    a, b = two_tones(tmp_path)
    archive = _zip(
        {
            "set/list.csv": "file,text\nclips/a.wav,hello\n/home/me/set/b.wav,bye\n",
            "set/clips/a.wav": a,
            "set/b.wav": b,
            "set/loose.wav": tone(tmp_path / "src" / "c.wav", 1.5, freq=900).read_bytes(),
            "set/readme.txt": "not extracted",
        }
    )
    project = ensure_project(wb, "zip")
    result = import_upload(wb, project, [("corpus.zip", archive)])
    assert result.segments == 2, result.report.items
    assert sorted(r.original_name for r in store.list_recordings(wb.db, project.id)) == [
        "corpus.zip/set/b.wav",
        "corpus.zip/set/clips/a.wav",
        "corpus.zip/set/loose.wav",
    ]
    assert sorted(t for _, _, t, _ in segments_of(wb, project)) == ["bye", "hello"]


def test_the_message_names_the_row_and_the_reference(wb, tmp_path):
    a, b = two_tones(tmp_path)
    metadata = "file_name,transcription\na.wav,one\nb.wav,two\nx.wav,three\n"
    project = ensure_project(wb, "rows")
    result = import_upload(
        wb, project, [("metadata.csv", metadata.encode()), ("a.wav", a), ("b.wav", b)]
    )
    assert result.segments == 2
    [failed] = result.report.failed
    assert failed.name == "x.wav"
    assert failed.reason == "metadata.csv line 4: audio 'x.wav' is not among the uploaded files"


def test_an_absolute_path_finds_the_uploaded_file_of_its_base_name(wb, tmp_path, secret):
    uploaded = tone(tmp_path / "up" / "secret.wav", 2.0, freq=700).read_bytes()
    project = ensure_project(wb, "base")
    result = import_upload(
        wb, project, [("list.csv", f"file,text\n{secret},hi\n".encode()), ("secret.wav", uploaded)]
    )
    assert result.segments == 1
    [recording] = store.list_recordings(wb.db, project.id)
    assert recording.duration == pytest.approx(2.0)  # the upload's, not the server's (1 s)


def test_an_ambiguous_reference_fails_alone(wb, tmp_path):
    one = tone(tmp_path / "src" / "1.wav", 1.0).read_bytes()
    two = tone(tmp_path / "src" / "2.wav", 2.0, freq=300).read_bytes()
    archive = _zip(
        {"list.csv": "file,text\nx.wav,which\na/x.wav,this one\n", "a/x.wav": one, "b/x.wav": two}
    )
    project = ensure_project(wb, "ambiguous")
    result = import_upload(wb, project, [("corpus.zip", archive)])
    [failed] = result.report.failed
    assert failed.reason == (
        "corpus.zip/list.csv line 2: audio 'x.wav' matches several uploaded "
        "files (corpus.zip/a/x.wav, corpus.zip/b/x.wav)"
    )
    assert result.segments == 1 and segments_of(wb, project)[0][2] == "this one"
    # two uploads of one name are two files, and a reference to that name is ambiguous too
    project = ensure_project(wb, "twice")
    result = import_upload(
        wb, project, [("x.wav", one), ("x.wav", two), ("list.csv", b"file,text\nx.wav,which\n")]
    )
    assert [i.reason for i in result.report.failed] == [
        "list.csv line 2: audio 'x.wav' matches several uploaded files (x.wav, x.wav)"
    ]
    assert sorted(r.duration for r in store.list_recordings(wb.db, project.id)) == [1.0, 2.0]


@pytest.mark.parametrize("fmt,clips", ROUND_TRIPS, ids=[f"{f}-{c}" for f, c in ROUND_TRIPS])
def test_an_exported_corpus_uploaded_as_a_zip_round_trips(wb, labelled, tmp_path, fmt, clips):
    out = tmp_path / "corpus"
    export_batch(wb, labelled, out, fmt, options=ExportOptions(clips=clips))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for file in sorted(out.rglob("*")):
            zf.write(file, f"corpus/{file.relative_to(out).as_posix()}")
    target = ensure_project(wb, f"back-{fmt}")
    result = import_upload(wb, target, [("corpus.zip", buffer.getvalue())])
    assert_round_trip(wb, labelled, target, result, fmt, clips)
    assert all(
        r.original_name.startswith("corpus.zip/corpus/")
        for r in store.list_recordings(wb.db, target.id)
    )


# ---------------------------------------------------------------- names, archives, scratch


@pytest.mark.parametrize(
    "sent,stored",
    [
        ("a.wav", "a.wav"),
        ("../../evil.wav", "evil.wav"),
        ("/etc/passwd", "passwd"),
        ("C:\\Users\\me\\talk.wav", "talk.wav"),
        (".hidden.wav", "hidden.wav"),
        ("..", "upload"),
        ("", "upload"),
        ("a\x00b\nc.wav", "abc.wav"),
        ("dir/ ..  .wav", "wav"),
    ],
)
def test_upload_names_are_safe_base_names(sent, stored):
    assert upload_name(sent) == stored


@pytest.mark.parametrize("stem", ["x" * 300, "한국어" * 100])
def test_long_upload_names_are_cut_keeping_the_suffix(stem):
    name = upload_name(stem + ".wav")
    assert name.endswith(".wav") and len(name.encode()) <= 120 and name.startswith(stem[:10])


def test_hostile_names_stay_inside_the_scratch_folder_which_is_removed(wb, home, tmp_path):
    audio = tone(tmp_path / "src" / "a.wav", 1.0).read_bytes()
    project = ensure_project(wb, "names")
    result = import_upload(
        wb,
        project,
        [("../../../../escape.wav", audio), (str(tmp_path / "abs.wav"), audio[:44] + bytes(100))],
    )
    assert sorted(i.name for i in result.report.items) == ["abs.wav", "escape.wav"]
    assert not list(tmp_path.rglob("escape.wav")) and not (tmp_path / "abs.wav").exists()
    assert list((home / "tmp").iterdir()) == []
    assert_no_server_paths(result, tmp_path)


def test_the_scratch_folder_is_removed_when_the_import_fails(wb, home, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(transcripts, "import_any", boom)
    with pytest.raises(RuntimeError):
        import_upload(wb, ensure_project(wb, "boom"), [("a.wav", b"RIFF")])
    assert list((home / "tmp").iterdir()) == []


def test_zip_entries_that_would_escape_are_refused_in_an_upload(wb, home, tmp_path):
    good = tone(tmp_path / "src" / "ok.wav", 1.0).read_bytes()
    unsafe = [
        "../escape.wav",
        "/abs.wav",
        "dir/../../escape2.wav",
        "..\\escape3.wav",
        "C:/escape4.wav",
        f"{tmp_path}/escape5.wav",
    ]
    archive = _zip(
        {
            **dict.fromkeys(unsafe, good),
            "inside/ok.wav": good,
            "../list.csv": "file,text\nok.wav,hi\n",
        }
    )
    project = ensure_project(wb, "evil")
    result = import_upload(wb, project, [("evil.zip", archive)])
    outcomes = {i.name: i for i in result.report.items}
    assert outcomes["evil.zip/inside/ok.wav"].outcome == "imported"
    for leaf in (
        "escape.wav",
        "abs.wav",
        "escape2.wav",
        "escape3.wav",
        "escape4.wav",
        "escape5.wav",
        "list.csv",
    ):
        item = outcomes[f"evil.zip/…/{leaf}"]
        assert item.outcome == "failed" and "unsafe path" in item.reason
    assert result.segments == 0  # the escaping list.csv was never read
    for leaf in ("escape.wav", "escape2.wav", "escape3.wav", "escape4.wav", "escape5.wav"):
        assert list(tmp_path.rglob(leaf)) == [] and not (tmp_path.parent / leaf).exists()
    assert list((home / "tmp").iterdir()) == []
    assert_no_server_paths(result, tmp_path)


def test_bad_audio_and_bad_transcripts_are_reported_in_plain_words(wb, tmp_path, caplog):
    project = ensure_project(wb, "bad")
    with caplog.at_level(logging.WARNING):
        result = import_upload(
            wb,
            project,
            [
                ("notes.wav", b"not a recording at all\n" * 40),
                ("empty.flac", b""),
                ("m.json", b'{"audio_filepath": "a.wav", "text": "x"}\n{broken'),
                ("t.eaf", b"<ANNOTATION_DOCUMENT><oops></ANNOTATION_DOCUMENT>"),
                ("l.csv", b"file,text\n" + b"\xff\xfe\x00bad,x\n"),
                ("readme.txt", b"hello"),
                ("broken.zip", b"PK\x03\x04" + bytes(300)),
            ],
        )
    reasons = {i.name: i.reason for i in result.report.items}
    assert reasons == {
        "notes.wav": "not a readable audio file",
        "empty.flac": "the file is empty (0 bytes)",
        "m.json": "line 2: not valid JSON",  # line 1 imports, but names no uploaded audio
        "a.wav": "m.json line 1: audio 'a.wav' is not among the uploaded files",
        "t.eaf": "cannot read eaf: not valid XML (line 1, column 29: mismatched tag)",
        "l.csv": "cannot read csv: the text is neither UTF-8 nor UTF-16",
        "readme.txt": "neither audio nor a transcript format the importer reads",
        "broken.zip": "not a valid zip archive",
    }
    assert_no_server_paths(result, tmp_path)
    assert "notes.wav" in caplog.text  # the details went to the server's log
