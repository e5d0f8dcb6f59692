"""A corpus of bad annotation input, one case per kind of fault: each names the file (and row)
and why, while the good files of the same batch, and the good rows of the same file, import.

Every case is generated here, as readable text. Each batch also holds `good.wav` with a good
sidecar `good.srt` (two cues), which must import whatever its neighbours hold.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import tone
from workbench import store
from workbench.intake.transcripts import AudioScope, import_any
from workbench.projects.settings import ensure_project

GOOD_SRT = (
    "1\n00:00:00,000 --> 00:00:01,000\ngood one\n\n2\n00:00:01,000 --> 00:00:02,000\ngood two\n"
)
EAF_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<ANNOTATION_DOCUMENT>\n<TIME_ORDER>\n'
EAF_TYPE = '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="t"/>\n</ANNOTATION_DOCUMENT>\n'


def eaf(slots: dict[str, str | None], annotations: list[tuple[str, str, str, str]]) -> str:
    """An ELAN document: time slots (id -> ms, None: unaligned) and (id, ref1, ref2, text) on
    one tier 'A'."""
    order = "".join(
        f'<TIME_SLOT TIME_SLOT_ID="{k}"'
        + (f' TIME_VALUE="{v}"/>' if v is not None else "/>")
        + "\n"
        for k, v in slots.items()
    )
    anns = "".join(
        f'<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="{i}" TIME_SLOT_REF1="{a}" '
        f'TIME_SLOT_REF2="{b}"><ANNOTATION_VALUE>{t}</ANNOTATION_VALUE>'
        "</ALIGNABLE_ANNOTATION></ANNOTATION>\n"
        for i, a, b, t in annotations
    )
    return (
        f'{EAF_HEAD}{order}</TIME_ORDER>\n<TIER TIER_ID="A" LINGUISTIC_TYPE_REF="t">\n'
        f"{anns}</TIER>\n{EAF_TYPE}"
    )


def textgrid(intervals: list[tuple[str, str, str]], size: str | None = None) -> str:
    """A long-format TextGrid with one tier 'A' of (xmin, xmax, text) intervals."""
    body = "".join(
        f"        intervals [{n}]:\n            xmin = {a}\n            xmax = {b}\n"
        f'            text = "{t}"\n'
        for n, (a, b, t) in enumerate(intervals, 1)
    )
    return (
        'File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = 0\nxmax = 3\n'
        'tiers? <exists>\nsize = 1\nitem []:\n    item [1]:\n        class = "IntervalTier"\n'
        '        name = "A"\n        xmin = 0\n        xmax = 3\n'
        f"        intervals: size = {size or len(intervals)}\n{body}"
    )


def nemo(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


@dataclass(frozen=True)
class Case:
    """Files of one batch beside good.wav and good.srt, the audio they name (3 s tones), the
    failed items expected (name, reason), and how many segments the case's own files give."""

    files: dict[str, str | bytes]
    failed: list[tuple[str, str]]
    segments: int = 0
    audio: tuple[str, ...] = ("bad.wav",)
    texts: tuple[str, ...] = field(default=())  # segment texts expected among the imported


CASES = {
    # ---- malformed XML, and XML that is not ELAN
    "eaf-malformed-xml": Case(
        {"bad.eaf": "<ANNOTATION_DOCUMENT><TIER></ANNOTATION_DOCUMENT>"},
        [("bad.eaf", "cannot read eaf: not valid XML (line 1, column 29: mismatched tag)")],
    ),
    "eaf-not-elan": Case(
        {"bad.eaf": "<html><body>hi</body></html>"},
        [("bad.eaf", "cannot read eaf: not an ELAN annotation document")],
    ),
    "eaf-entity-bomb": Case(
        {
            "bad.eaf": '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
            + "".join(
                f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            )
            + "]><ANNOTATION_DOCUMENT>&i;</ANNOTATION_DOCUMENT>"
        },
        [("bad.eaf", "cannot read eaf: not valid XML (line 1, column *")],
    ),  # expat's own words
    # ---- a slot without a time, a time that is not a number: the annotation alone is skipped
    "eaf-bad-slots": Case(
        {
            "bad.eaf": eaf(
                {"t1": "0", "t2": "1000", "t3": None, "t4": "soon"},
                [
                    ("a1", "t1", "t2", "fine"),
                    ("a2", "t2", "t3", "unaligned"),
                    ("a3", "t1", "t4", "wordy"),
                    ("a4", "t1", "t9", "nowhere"),
                ],
            )
        },
        [
            (
                "bad.eaf",
                "annotation 'a2' on tier 'A': its time slot 't3' has no time (ELAN "
                "interpolates it; the importer cannot)",
            ),
            (
                "bad.eaf",
                "annotation 'a3' on tier 'A': the time of slot 't4' 'soon' is not a number",
            ),
            ("bad.eaf", "annotation 'a4' on tier 'A': its time slot 't9' is not in the time order"),
        ],
        segments=1,
        texts=("fine",),
    ),
    # ---- fields of the wrong type
    "nemo-wrong-types": Case(
        {
            "m.json": nemo(
                {"audio_filepath": "bad.wav", "offset": [1, 2], "duration": 1, "text": "a"},
                {"audio_filepath": "bad.wav", "offset": 0, "duration": 1, "text": {"x": 1}},
                {"audio_filepath": ["bad.wav"], "text": "b"},
                {"audio_filepath": "bad.wav", "offset": True, "duration": 1, "text": "c"},
                {"audio_filepath": "bad.wav", "offset": 1, "duration": "1e999", "text": "d"},
                [1, 2, 3],
                "{not json",
                {"audio_filepath": "bad.wav", "offset": 2, "duration": 0.5, "text": 7},
            )
        },
        [
            ("m.json", "line 1: offset is a list, not a number"),
            ("m.json", "line 2: text is an object, not text"),
            ("m.json", "line 3: audio_filepath is a list, not text"),
            ("m.json", "line 4: offset is true or false, not a number"),
            ("m.json", "line 5: duration '1e999' is not a finite number"),
            ("m.json", "line 6: the line is a list, not a JSON object"),
            ("m.json", "line 7: not valid JSON"),
        ],
        segments=1,
        texts=("7",),
    ),
    "hf-wrong-types": Case(
        {
            "hf/metadata.jsonl": nemo(
                {"file_name": "bad.wav", "transcription": ["a", "b"]},
                {"file_name": 12, "transcription": "twelve"},
                {"transcription": "no file"},
            )
        },
        [
            ("hf", "line 1: transcription is a list, not text"),
            ("hf", "line 3: has no file_name"),
            ("12", "hf line 2: audio '12': no such audio file"),
        ],
        audio=("hf/bad.wav",),
    ),
    "lhotse-wrong-types": Case(
        {
            "lh/recordings.jsonl": nemo(
                {"id": "r", "sources": [{"type": "file", "source": "bad.wav"}]},
                {"id": "s", "sources": "nothing"},
            ),
            "lh/supervisions.jsonl": nemo(
                {"id": "1", "recording_id": "r", "start": 0, "duration": 1, "text": "ok"},
                {"id": "2", "recording_id": "r", "start": "x", "duration": 1},
                {"id": "3", "recording_id": "q", "start": 0, "duration": 1},
                {"id": "4", "recording_id": "r", "duration": 1},
            ),
        },
        [
            ("lh", "recordings line 2: recording 's' has no audio file source"),
            ("lh", "supervisions line 2: start 'x' is not a number"),
            ("lh", "supervisions line 3: supervision '3' names an unknown recording 'q'"),
            ("lh", "supervisions line 4: a supervision needs a start and a duration"),
        ],
        segments=1,
        audio=("lh/bad.wav",),
        texts=("ok",),
    ),
    "kaldi-duplicates-and-bad-numbers": Case(
        {
            "k/wav.scp": "r bad.wav\n",
            "k/text": "u1 one\nu2 two\nu1 again\nu3 three\nu4 four\n",
            "k/segments": "u1 r 0.0 1.0\nu2 r zero 1.0\nu3 q 0 1\nu4 r 1\n",
        },
        [
            ("k", "text line 3: 'u1' is written again (first on line 1); this line is skipped"),
            ("k", "text line 2: start 'zero' is not a number"),
            ("k", "text line 4: recording 'q' of utterance 'u3' is not in wav.scp"),
            ("k", "text line 5: segments line 4 has no recording, start and end"),
        ],
        segments=1,
        audio=("k/bad.wav",),
        texts=("one",),
    ),
    # ---- huge fields
    "csv-huge-text": Case(
        {"t.csv": "file,text\nbad.wav," + "x" * 20_000 + "\nbad.wav,short\n"},
        [("t.csv", "line 2: the text is 20000 characters long, more than 10000")],
        segments=1,
        texts=("short",),
    ),
    "csv-field-over-the-csv-limit": Case(
        {"t.csv": 'file,text\nbad.wav,"' + "y" * 200_000 + '"\n'},
        [
            (
                "t.csv",
                "cannot read csv: line 2: field larger than field limit (131072) (a quote "
                "left open?)",
            )
        ],
    ),
    "textgrid-huge-count": Case(
        {"bad.TextGrid": textgrid([("0", "1", "a")], size="99999999999")},
        [
            (
                "bad.TextGrid",
                "cannot read textgrid: tier 1's size '99999999999' is not a count of "
                "what the file holds",
            )
        ],
    ),
    # ---- unbalanced quotes: the file fails, naming the line, rather than merging rows
    "csv-quote-left-open": Case(
        {"t.csv": 'file,text\nbad.wav,"hello\nbad.wav,world\n'},
        [("t.csv", "cannot read csv: line 3: unexpected end of data (a quote left open?)")],
    ),
    "csv-quote-swallows-rows": Case(
        {"t.csv": 'file,text\nbad.wav,"hello\nbad.wav,world\nbad.wav,"\nbad.wav,last\n'},
        [
            (
                "t.csv",
                "cannot read csv: line 2: a quoted cell runs on to line 4 over what look "
                "like rows (a quote left open?)",
            )
        ],
    ),
    "csv-many-bad-rows": Case(  # the first 20 one by one, then a count
        {"t.csv": "file,start,end,text\n" + "bad.wav,2,1,x\n" * 25 + "bad.wav,0,1,kept\n"},
        [("t.csv", f"line {n}: end 1.000 s is before start 2.000 s") for n in range(2, 22)]
        + [("t.csv", "and 5 more rows skipped")],
        segments=1,
        texts=("kept",),
    ),
    # ---- missing columns
    "csv-missing-cells": Case(
        {"t.csv": "file,start,end,text\nbad.wav,0,1\nbad.wav,1,2,ok,extra\nbad.wav,2,3,fine\n"},
        [
            (
                "t.csv",
                "line 2: has 3 cells, the header 4 (a delimiter in an unquoted cell, or a "
                "cell missing?)",
            ),
            (
                "t.csv",
                "line 3: has 5 cells, the header 4 (a delimiter in an unquoted cell, or a "
                "cell missing?)",
            ),
        ],
        segments=1,
        texts=("fine",),
    ),
    "hf-csv-without-file-name": Case(
        {"hf/metadata.csv": "path,text\nbad.wav,hi\n"},
        [("hf", "cannot read hf: metadata.csv has no file_name column")],
        audio=("hf/bad.wav",),
    ),
    "kaldi-without-text": Case(
        {"k/wav.scp": "r bad.wav\n", "k/segments": "u1 r 0 1\n", "k/text": ""},
        [("k", "holds no utterances")],
        audio=("k/bad.wav",),
    ),
    # ---- UTF-16 files import as UTF-8 ones do
    "utf16-files": Case(
        {
            "bad.srt": GOOD_SRT.replace("good", "wide").encode("utf-16"),
            "bad.TextGrid": textgrid([("0", "1", "ㅎㅏ")]).encode("utf-16"),
            "t.csv": "file,text\nbad.wav,넓은\n".encode("utf-16-le"),
            "m.json": nemo({"audio_filepath": "bad.wav", "text": "큰"}).encode("utf-16-be"),
        },
        [],
        segments=5,
        texts=("wide one", "ㅎㅏ", "넓은", "큰"),
    ),
    "undecodable": Case(
        {"bad.vtt": b"WEBVTT\n\n00:00.000 --> 00:01.000\n\xff\xfe\x00caf\xe9\n"},
        [("bad.vtt", "cannot read vtt: the text is neither UTF-8 nor UTF-16")],
    ),
    "truncated-gzip": Case(
        {
            "lh/recordings.jsonl.gz": gzip.compress(b'{"id": "r"}\n')[:12],
            "lh/supervisions.jsonl.gz": gzip.compress(b""),
        },
        [
            (
                "lh",
                "cannot read lhotse: recordings.jsonl.gz: the file is truncated or not valid gzip",
            )
        ],
    ),
    # ---- subtitles without cues
    "srt-without-cues": Case(
        {"bad.srt": "just some text\nand more\n"},
        [
            (
                "bad.srt",
                "cannot read srt: holds no cues (no line such as 00:00:01,000 --> 00:00:02,500)",
            )
        ],
    ),
    "vtt-header-only": Case(
        {"bad.vtt": "WEBVTT\n\nNOTE nothing here\n"},
        [
            (
                "bad.vtt",
                "cannot read vtt: holds no cues (no line such as 00:00:01,000 --> 00:00:02,500)",
            )
        ],
    ),
    "textgrid-no-intervals": Case(
        {"bad.TextGrid": textgrid([("0", "3", "")])},
        [("bad.TextGrid", "holds no non-empty intervals")],
    ),
    # ---- negative, reversed and past-the-end times: the row alone is skipped
    "srt-bad-times": Case(
        {
            "bad.srt": "1\n-00:00:01,000 --> 00:00:02,000\nnegative\n\n"
            "2\n00:00:02,000 --> 00:00:01,000\nreversed\n\n"
            "3\n00:00:01,000 --> 00:00:09,000\npast the end\n\n"
            "4\n00:00:01,000 --> 00:00:01,000\nno time\n\n"
            "5\n00:00:01,000 --> 00:00:02,000\nkept\n"
        },
        [
            (
                "bad.srt",
                "cue 1 (line 2): the timing '-00:00:01,000 --> 00:00:02,000' is not "
                "HH:MM:SS,mmm --> HH:MM:SS,mmm",
            ),
            ("bad.srt", "cue 2 (line 6): end 1.000 s is before start 2.000 s"),
            ("bad.srt", "cue 4 (line 14): end 1.000 s is at start 1.000 s"),
            ("bad.srt", "cue 3 (line 10): end 9.000 s is after the recording ends (3.000 s)"),
        ],
        segments=1,
        texts=("kept",),
    ),
    "nemo-negative-offset": Case(
        {
            "m.json": nemo(
                {"audio_filepath": "bad.wav", "offset": -1, "duration": 2, "text": "x"},
                {"audio_filepath": "bad.wav", "offset": 0, "duration": -1, "text": "y"},
                {"audio_filepath": "bad.wav", "offset": 2.9, "duration": 5, "text": "z"},
                {"audio_filepath": "bad.wav", "offset": 1, "duration": 1, "text": "ok"},
            )
        },
        [
            ("m.json", "line 1: start -1.000 s is negative"),
            ("m.json", "line 2: end -1.000 s is before start 0.000 s"),
            ("m.json", "line 3: end 7.900 s is after the recording ends (3.000 s)"),
        ],
        segments=1,
        texts=("ok",),
    ),
    "textgrid-reversed-and-truncated": Case(
        {
            "a.TextGrid": textgrid(
                [("0", "1", "fine"), ("2", "1", "reversed"), ("1e999", "1", "infinite")]
            ),
            "bad.TextGrid": textgrid([("0", "1", "a"), ("1", "2", "b")])[:-40],
        },
        [
            ("a.TextGrid", "tier 1 interval 2: end 1.000 s is before start 2.000 s"),
            ("a.TextGrid", "tier 1 interval 3: xmin '1e999' is not a finite number"),
            (
                "bad.TextGrid",
                "cannot read textgrid: tier 1's size '2' is not a count of what the file holds",
            ),
        ],
        segments=1,
        audio=("a.wav", "bad.wav"),
        texts=("fine",),
    ),
    # ---- the same row twice: one segment, the other reported
    "csv-exact-duplicate-rows": Case(
        {
            "t.csv": "file,start,end,text,speaker\nbad.wav,0,1,same,Bo\nbad.wav,0,1,same,Bo\n"
            "bad.wav,0,1,same,Al\nbad.wav,1,2,other,Bo\n"
        },
        [("t.csv", "line 3: the same segment as t.csv line 2 (times, text and speaker); skipped")],
        segments=3,
        texts=("same", "other"),
    ),
    # ---- control characters and bidi overrides in text are stripped
    "control-characters": Case(
        {
            "bad.srt": "1\n00:00:00,000 --> 00:00:01,000\nK\x01im\u202e: he\x00l\x1b\x7flo\u2066 "
            "there\x85now\tand\x1fthen\n"
        },
        [],
        segments=1,
        texts=("hello there now and then",),
    ),
}


def build(folder: Path, case: Case) -> list[Path]:
    """The batch of `case` in `folder`: good.wav, good.srt, the case's files and audio."""
    tone(folder / "good.wav", 3.0)
    (folder / "good.srt").write_text(GOOD_SRT, encoding="utf-8")
    for name in case.audio:
        tone(folder / name, 3.0, freq=220 + 10 * len(name))
    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes) and content:
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
    return sorted(folder.iterdir())


def texts_of(wb, project) -> list[tuple[str, str | None]]:
    return [(r["text"], r["speaker"]) for r in store.export_rows(wb.db, project.id, None)]


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_named_and_the_rest_imports(wb, tmp_path, name):
    case = CASES[name]
    project = ensure_project(wb, name)
    result = import_any(
        wb, project, build(tmp_path / "batch", case), audio_from=AudioScope.server()
    )
    failed = sorted((i.name, i.reason) for i in result.report.failed)
    want = sorted(case.failed)
    assert [
        (n, r[: len(w) - 1] + "*" if w.endswith("*") else r)
        for (n, r), (_, w) in zip(failed, want, strict=True)
    ] == want
    assert all("\n" not in reason and "Traceback" not in reason for _, reason in failed)
    texts = [t for t, _ in texts_of(wb, project)]
    assert {"good one", "good two"} <= set(texts)  # the good neighbour imported
    assert set(case.texts) <= set(texts)
    assert result.segments == 2 + case.segments


def test_a_bad_row_leaves_the_rest_of_an_upload_and_names_no_server_path(wb, tmp_path):
    case = CASES["nemo-negative-offset"]
    project = ensure_project(wb, "upload")
    from workbench.intake.transcripts import import_upload

    audio = tone(tmp_path / "bad.wav", 3.0)
    result = import_upload(
        wb, project, [("bad.wav", audio.read_bytes()), ("m.json", case.files["m.json"].encode())]
    )
    assert sorted((i.name, i.reason) for i in result.report.failed) == sorted(case.failed)
    assert result.segments == 1
    assert str(tmp_path) not in repr(result.report)


def test_a_speaker_with_control_characters_is_cleaned(wb, tmp_path):
    tone(tmp_path / "a.wav", 2.0)
    (tmp_path / "a.vtt").write_text(
        "WEBVTT\n\n00:00.000 --> 00:01.000\n<v \u202eBo\x07b>hi\x0b there\n", encoding="utf-8"
    )
    project = ensure_project(wb, "speaker")
    import_any(wb, project, [tmp_path / "a.vtt"], audio_from=AudioScope.server())
    assert texts_of(wb, project) == [("hi there", "Bob")]


UNRECOGNISED = {  # a file named like a transcript that is none -> why, as the report says
    "long.json": (
        '{"audio_filepath": "good.wav", "text": "' + "x" * 70_000 + '"}\n',
        "not a transcript the importer reads: its first line is longer than 64 KB",
    ),
    "notext.csv": (
        "file,speaker\ngood.wav,Bo\n",
        "not a transcript the importer reads: a table needs a file and a text "
        "column (its header: file,speaker)",
    ),
    "empty.json": ("", "not a transcript the importer reads: the file is empty"),
    "sub/wav.scp": (
        "r good.wav\n",
        "not a transcript the importer reads: a Kaldi folder needs wav.scp and text together",
    ),
}


def _with_unrecognised(folder: Path) -> Path:
    tone(folder / "good.wav", 3.0)
    (folder / "good.srt").write_text(GOOD_SRT, encoding="utf-8")
    for name, (content, _) in UNRECOGNISED.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def test_unrecognised_transcripts_in_a_folder_are_reported(wb, tmp_path):
    folder = _with_unrecognised(tmp_path / "batch")
    result = import_any(wb, ensure_project(wb, "folder"), [folder], audio_from=AudioScope.server())
    assert sorted((i.name, i.reason) for i in result.report.failed) == sorted(
        (name.rsplit("/", 1)[-1], why) for name, (_, why) in UNRECOGNISED.items()
    )
    assert result.segments == 2  # good.srt, beside them


def test_unrecognised_transcripts_in_an_uploaded_zip_are_reported(wb, tmp_path):
    import zipfile

    from workbench.intake.transcripts import import_upload

    folder = _with_unrecognised(tmp_path / "batch")
    with zipfile.ZipFile(tmp_path / "up.zip", "w") as zf:
        for file in folder.rglob("*"):
            zf.write(file, file.relative_to(folder).as_posix())
    result = import_upload(
        wb, ensure_project(wb, "zip"), [("up.zip", (tmp_path / "up.zip").read_bytes())]
    )
    assert sorted((i.name, i.reason) for i in result.report.failed) == sorted(
        (f"up.zip/{name}", why) for name, (_, why) in UNRECOGNISED.items()
    )
    assert result.segments == 2


def test_an_unrecognised_transcript_uploaded_alone_is_reported_the_same_way(wb, tmp_path):
    from workbench.intake.transcripts import import_upload

    content, why = UNRECOGNISED["notext.csv"]
    result = import_upload(wb, ensure_project(wb, "alone"), [("notext.csv", content.encode())])
    assert [(i.name, i.reason) for i in result.report.items] == [("notext.csv", why)]


# ---------------------------------------------------------------- fuzzing the readers

SEEDS = {  # format -> (file names the fuzzed text goes into, a valid file to mutate)
    "srt": (("x.srt",), GOOD_SRT),
    "vtt": (("x.vtt",), "WEBVTT\n\nc1\n00:00.000 --> 00:01.000 align:start\n<v Bo>hi &amp; bye\n"),
    "textgrid": (("x.TextGrid",), textgrid([("0", "1", "a"), ("1", "3", 'say ""hi""')])),
    "eaf": (("x.eaf",), eaf({"t1": "0", "t2": "1000"}, [("a1", "t1", "t2", "hi")])),
    "nemo": (
        ("x.json",),
        nemo(
            {"audio_filepath": "a.wav", "offset": 0.5, "duration": 1, "text": "hi", "speaker": "Bo"}
        ),
    ),
    "csv": (("x.csv",), 'file,start,end,text,speaker\na.wav,0,1,"one, two",Bo\n'),
    "tsv": (("x.tsv",), "path\tsentence\tclient_id\na.wav\thi\tBo\n"),
    "hf": (("metadata.jsonl",), nemo({"file_name": "a.wav", "transcription": "hi"})),
    "hf-csv": (("metadata.csv",), "file_name,transcription\na.wav,hi\n"),
    "kaldi": (("wav.scp", "text", "segments"), "u1 r 0.0 1.0\nr a.wav\n"),
    "lhotse": (
        ("recordings.jsonl", "supervisions.jsonl"),
        nemo(
            {
                "id": "r",
                "sources": [{"type": "file", "source": "a.wav"}],
                "recording_id": "r",
                "start": 0,
                "duration": 1,
                "text": "hi",
            }
        ),
    ),
}
NASTY = [
    '"',
    "'",
    "-->",
    "<",
    ">",
    "&",
    "-1",
    "1e999",
    "nan",
    "[1, 2]",
    "{}",
    "null",
    "\x00",
    "\u202e",
    "\r",
    "\n",
    "\t",
    ",",
    "<exists>",
    "99999999999",
    "\ufeff",
    "\ud800",
    "]]>",
]


def _mutated(seed: str):
    """`seed` with a few splices: a cut of up to 20 characters, something nasty put in."""
    from hypothesis import strategies as st

    edit = st.tuples(
        st.integers(0, len(seed)), st.integers(0, 20), st.sampled_from(NASTY) | st.text(max_size=6)
    )

    def apply(edits: list[tuple[int, int, str]]) -> str:
        text = seed
        for at, cut, put in edits:
            at = min(at, len(text))
            text = text[:at] + put + text[at + cut :]
        return text

    return st.lists(edit, max_size=6).map(apply)


def _encoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding, "surrogatepass")


def _fuzz_input(fmt: str):
    from hypothesis import strategies as st

    seed = SEEDS[fmt][1]
    return st.one_of(
        st.binary(max_size=400),
        st.text(max_size=300).map(lambda t: _encoded(t, "utf-8")),
        _mutated(seed).map(lambda t: _encoded(t, "utf-8")),
        _mutated(seed).map(lambda t: _encoded(t, "utf-16")),
    )


def _source(folder: Path, fmt: str, data: bytes):
    from workbench.intake.transcripts import Source

    names = SEEDS[fmt][0]
    for name in names:
        (folder / name).write_bytes(data)
    kind = {"tsv": "csv", "hf-csv": "hf"}.get(fmt, fmt)
    folder_formats = ("hf", "kaldi", "lhotse")
    return Source(kind, folder if kind in folder_formats else folder / names[0])


@pytest.mark.parametrize("fmt", list(SEEDS))
def test_readers_raise_nothing_but_annotation_errors(fmt, tmp_path_factory):
    """Whatever bytes a file holds, reading it gives annotations that make sense, each bad row
    as an AnnotationError, or raises AnnotationError: nothing else escapes."""
    import math
    import tempfile

    from hypothesis import HealthCheck, given, settings

    from workbench.intake.transcripts import AnnotationError, read_source
    from workbench.text.clean import UNWANTED

    root = tmp_path_factory.mktemp(fmt)

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(_fuzz_input(fmt))
    def check(data: bytes) -> None:
        with tempfile.TemporaryDirectory(dir=root) as folder:
            try:
                read, _ = read_source(_source(Path(folder), fmt, data))
            except AnnotationError as exc:
                assert "\n" not in str(exc)
                return
        for a in read.annotations:
            assert a.start is None or (math.isfinite(a.start) and a.start >= 0)
            assert a.end is None or (math.isfinite(a.end) and a.end > (a.start or 0.0))
            assert not UNWANTED.search(a.text) and "\n" not in a.text
            assert a.speaker is None or not UNWANTED.search(a.speaker)
        assert all(isinstance(p, AnnotationError) and "\n" not in str(p) for p in read.problems)

    check()
