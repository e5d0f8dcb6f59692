"""Import of existing annotations, and export -> import round trips over every format."""

from __future__ import annotations

import json

import pytest

from tests.conftest import tone
from tests.helpers.corpus import ROUND_TRIPS, assert_round_trip, segments_of
from workbench import store
from workbench.cli import main
from workbench.formats.corpus_export import ExportOptions, export_batch
from workbench.intake.transcripts import AudioScope, detect, find_sources, import_any
from workbench.projects.settings import ensure_project

SERVER = AudioScope.server()  # these import files on the server, as the command line does


@pytest.mark.parametrize("fmt,clips", ROUND_TRIPS, ids=[f"{f}-{c}" for f, c in ROUND_TRIPS])
def test_round_trip(wb, labelled, tmp_path, fmt, clips):
    out = tmp_path / "corpus"
    export_batch(wb, labelled, out, fmt, options=ExportOptions(clips=clips))
    target = ensure_project(wb, f"back-{fmt}")
    result = import_any(wb, target, [out], audio_from=SERVER)
    assert_round_trip(wb, labelled, target, result, fmt, clips)
    first = store.export_rows(wb.db, target.id, None)[0]
    revisions = store.list_revisions(wb.db, first["segment_id"])
    assert [(r.n, r.source, r.author) for r in revisions] == [(1, "import", f"import:{fmt}")]
    assert set(store.status_counts(wb.db, target.id)["segments"]) == {"drafted"}


def test_split_corpus_round_trips(wb, labelled, tmp_path):
    out = tmp_path / "corpus"
    export_batch(wb, labelled, out, "kaldi", options=ExportOptions(clips="none", split="0.5,0.5"))
    found, others = find_sources([out])
    assert sorted(s.path.name for s in found) == ["test", "train"] and others == []
    target = ensure_project(wb, "back")
    result = import_any(wb, target, [out], audio_from=SERVER)
    assert result.segments == 6 and not result.report.failed


def test_detect(tmp_path):
    (tmp_path / "m.json").write_text(json.dumps({"audio_filepath": "x.wav", "text": "hi"}) + "\n")
    (tmp_path / "other.json").write_text('{"name": 1}\n')
    (tmp_path / "t.tsv").write_text("path\tsentence\nx.wav\thi\n")
    (tmp_path / "n.csv").write_text("a,b\n1,2\n")
    (tmp_path / "x.TextGrid").write_text("")
    assert detect(tmp_path / "m.json") == "nemo" and detect(tmp_path / "other.json") is None
    assert detect(tmp_path / "t.tsv") == "csv" and detect(tmp_path / "n.csv") is None
    assert detect(tmp_path / "x.TextGrid") == "textgrid" and detect(tmp_path) is None


def test_csv_with_speakers_and_a_sidecar_srt(wb, tmp_path):
    audio = tone(tmp_path / "talk.wav", 4.0)
    (tmp_path / "talk.srt").write_text(
        "1\n00:00:00,500 --> 00:00:01,250\nKim Min-su: 안녕\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\nno speaker here\n\n",
        encoding="utf-8",
    )
    project = ensure_project(wb, "sidecar")
    result = import_any(wb, project, [tmp_path / "talk.srt"], audio_from=SERVER)
    assert result.segments == 2
    assert segments_of(wb, project) == [
        (0.5, 1.25, "안녕", "Kim Min-su"),
        (2.0, 3.0, "no speaker here", None),
    ]
    other = tone(tmp_path / "call.wav", 2.0, freq=220)
    (tmp_path / "list.csv").write_text(
        f'file,start,end,text,speaker\n{other.name},0.1,0.9,"one, two",Anne O\'Neil\n'
        f"{other.name},1.0,1.5,three,\n",
        encoding="utf-8",
    )
    project = ensure_project(wb, "table")
    assert import_any(wb, project, [tmp_path / "list.csv"], audio_from=SERVER).segments == 2
    assert segments_of(wb, project)[0] == (0.1, 0.9, "one, two", "Anne O'Neil")
    assert audio.is_file()


def test_duplicate_audio_gets_segments_only_when_it_has_none(wb, tmp_path):
    audio = tone(tmp_path / "a.wav", 3.0)
    project = ensure_project(wb, "dup")
    main_report = import_any(wb, project, [audio], audio_from=SERVER).report
    assert main_report.count("imported") == 1
    (tmp_path / "a.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\n<v Bo>hi &amp; bye\n\n")
    result = import_any(wb, project, [tmp_path / "a.vtt"], audio_from=SERVER)
    assert result.segments == 1 and result.report.items[0].outcome == "duplicate"
    assert segments_of(wb, project) == [(0.0, 1.0, "hi & bye", "Bo")]
    again = import_any(wb, project, [tmp_path / "a.vtt"], audio_from=SERVER)
    assert again.segments == 0 and "not attached" in again.report.items[0].reason


def test_missing_audio_and_bad_files_are_reported(wb, tmp_path):
    (tmp_path / "m.jsonl").write_text(
        json.dumps({"audio_filepath": "gone.wav", "text": "x"}) + "\n"
    )
    (tmp_path / "lonely.eaf").write_text(
        '<ANNOTATION_DOCUMENT><TIME_ORDER><TIME_SLOT TIME_SLOT_ID="t1" TIME_VALUE="0"/>'
        '<TIME_SLOT TIME_SLOT_ID="t2" TIME_VALUE="500"/></TIME_ORDER>'
        '<TIER TIER_ID="A" LINGUISTIC_TYPE_REF="x"><ANNOTATION><ALIGNABLE_ANNOTATION '
        'ANNOTATION_ID="a1" TIME_SLOT_REF1="t1" TIME_SLOT_REF2="t2"><ANNOTATION_VALUE>hi'
        "</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION></TIER>"
        '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="x"/></ANNOTATION_DOCUMENT>'
    )
    (tmp_path / "empty.eaf").write_text("<ANNOTATION_DOCUMENT/>")
    (tmp_path / "broken.TextGrid").write_text("nonsense")
    tone(tmp_path / "broken.wav", 1.0)
    project = ensure_project(wb, "bad")
    result = import_any(
        wb,
        project,
        [
            tmp_path / "m.jsonl",
            tmp_path / "lonely.eaf",
            tmp_path / "broken.TextGrid",
            tmp_path / "empty.eaf",
        ],
        audio_from=SERVER,
    )
    reasons = {i.name: i.reason for i in result.report.failed}
    assert "no such audio file" in reasons["gone.wav"]
    assert "no audio file named lonely" in reasons["lonely.eaf"]
    assert "cannot read textgrid" in reasons["broken.TextGrid"]
    assert reasons["empty.eaf"] == "holds no time-aligned annotations"


def test_segments_outside_the_audio_are_skipped(wb, tmp_path):
    tone(tmp_path / "s.wav", 2.0)
    (tmp_path / "s.srt").write_text(
        "1\n00:00:00,000 --> 00:00:01,000\nin\n\n2\n00:00:01,500 --> 00:00:09,000\nout\n\n"
    )
    project = ensure_project(wb, "skip")
    result = import_any(wb, project, [tmp_path / "s.srt"], audio_from=SERVER)
    assert result.segments == 1
    assert "1 that do not fit in the audio" in result.report.items[0].reason
    assert [(i.name, i.reason) for i in result.report.failed] == [
        ("s.srt", "cue 2 (line 6): end 9.000 s is after the recording ends (2.000 s)")
    ]


def test_cli_import_routes_annotations_and_audio(home, wb, labelled, tmp_path, capsys):
    out = tmp_path / "corpus"
    export_batch(wb, labelled, out, "nemo", options=ExportOptions(clips="none"))
    plain = tone(tmp_path / "plain.wav", 1.0)
    code = main(["import", str(out), str(plain), "--project", "cli-back", "--home", str(home)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "3 imported" in printed and "6 segments from annotations" in printed
    assert "segments from manifest.json (nemo)" in printed
