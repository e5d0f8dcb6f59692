"""AI Hub's three label shapes and KsponSpeech as distributed: export, import, round trips, the
text options of the ESPnet and kospeech recipes, and a corpus audit of an imported tree."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import tone
from tests.helpers.corpus import label, same, segments_of
from workbench import store
from workbench.asr import DraftSegment, TranscribeOptions, Transcript
from workbench.cli import main
from workbench.core.errors import WorkbenchError
from workbench.formats.corpus_export import ExportOptions, export_batch
from workbench.formats.kspon import clip_path
from workbench.intake.transcripts import AudioScope, detect, import_any, import_upload
from workbench.projects.settings import ensure_project
from workbench.projects.speakers import add_speaker, registry
from workbench.review.corpus_audit import (
    audit_options,
    audit_report,
    run_audit_job,
    start_audit_job,
)
from workbench.text import load_profile

SERVER = AudioScope.server()

# the six segments of `noisy_project` in KsponSpeech notation, with AI Hub speaker ids
KOREAN = [
    ("b/ 아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 n/", "0001"),
    ("네 (11월)/(십일월) 둘째 주부터요.", "0001"),
    ("음/ 그래서 u/ 했어요", None),
    ("네 안녕하세요.", "0002"),
    ("(SNS)/(에스엔에스)에 올렸어요", "0002"),
    ("마지막 문장.", None),
]
PRONUNCIATION_FIRST = (
    "extends: kspon\nname: aihub-pron\nexport: {dual_order: pronunciation-first}\n"
)


@pytest.fixture
def korean(wb, noisy_project):
    """`noisy_project` under the kspon conventions, labelled with KOREAN, its two speakers in
    the registry (two segments name no speaker)."""
    project = store.update_project(wb.db, noisy_project.id, language="ko", conventions="kspon")
    label(wb, project, KOREAN)
    add_speaker(wb, project, "0001", gender="여", age="20대", region="서울", role="사회자")
    add_speaker(wb, project, "0002", gender="male", age="41", region="경상", role="참석자")
    return project


def _described(wb, project) -> list[tuple[str, str, str, str, str]]:
    return [(s.name, s.gender, s.age, s.region, s.role) for s in registry(wb, project)]


def _pron_first(wb, project, tmp_path: Path):
    profile = tmp_path / "aihub-pron.yaml"
    profile.write_text(PRONUNCIATION_FIRST, encoding="utf-8")
    return store.update_project(wb.db, project.id, conventions=str(profile))


def _round_trip(wb, project, tmp_path, fmt, clips, target_conventions="kspon", **options):
    out = tmp_path / fmt
    options.setdefault("missing_speakers", "blank")  # two segments name no speaker
    export_batch(wb, project, out, fmt, options=ExportOptions(**options))
    target = ensure_project(wb, f"back-{fmt}", "ko", "kspon")
    if target_conventions != "kspon":
        target = store.update_project(wb.db, target.id, conventions=target_conventions)
    result = import_any(wb, target, [out], audio_from=SERVER)
    assert not result.report.failed, result.report.failed
    assert not [i for i in result.report.items if i.outcome == "noted"]
    return out, target, result


# ---------------------------------------------------------------- round trips: export, import


@pytest.mark.parametrize(
    "fmt,clips", [("aihub-doc", False), ("aihub-dialogs", True), ("aihub-stt", True)]
)
def test_ai_hub_shapes_round_trip(wb, korean, tmp_path, fmt, clips):
    _, target, result = _round_trip(wb, korean, tmp_path, fmt, clips)
    assert result.segments == 6
    same(segments_of(wb, target), segments_of(wb, korean), clips)
    first = store.export_rows(wb.db, target.id, None)[0]["segment_id"]
    revisions = store.list_revisions(wb.db, first)
    assert [(r.source, r.author) for r in revisions] == [("import", f"import:{fmt}")]
    # the speakers come back into the registry with what the shape carries of them
    carried = {"aihub-doc": (1, 2, 4), "aihub-dialogs": (1, 2, 3), "aihub-stt": (1, 2)}[fmt]
    assert _described(wb, target) == [
        tuple(v if i in (0, *carried) else "" for i, v in enumerate(s))
        for s in _described(wb, korean)
    ]


def test_kspon_round_trips_text_and_lengths(wb, korean, tmp_path):
    _, target, result = _round_trip(wb, korean, tmp_path, "kspon", True)
    assert result.segments == 6
    want = [(s, e, t, None) for s, e, t, _ in segments_of(wb, korean)]  # no speakers in the layout
    same(segments_of(wb, target), want, clips=True)
    assert {r.sample_rate for r in store.list_recordings(wb.db, target.id)} == {16000}


def test_the_kspon_layout_as_distributed(wb, korean, tmp_path):
    out = tmp_path / "k"
    export_batch(wb, korean, out, "kspon")
    first = out / "KsponSpeech_01" / "KsponSpeech_0001" / "KsponSpeech_000001.pcm"
    samples = np.frombuffer(first.read_bytes(), dtype="<i2")
    rows = store.export_rows(wb.db, korean.id, None)
    assert len(samples) == pytest.approx((rows[0]["end"] - rows[0]["start"]) * 16000, abs=1)
    assert first.with_suffix(".txt").read_bytes() == KOREAN[0][0].encode("cp949")
    lines = (out / "scripts" / "train.trn").read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"KsponSpeech_01/KsponSpeech_0001/KsponSpeech_000001.pcm :: {KOREAN[0][0]}"
    assert len(lines) == 6
    assert clip_path(124_000) == "KsponSpeech_01/KsponSpeech_0124/KsponSpeech_124000.pcm"
    assert clip_path(124_001) == "KsponSpeech_02/KsponSpeech_0125/KsponSpeech_124001.pcm"
    assert clip_path(124_001 + 124 * 1000) == (
        "KsponSpeech_03/KsponSpeech_0249/KsponSpeech_248001.pcm"
    )


def test_kspon_split_corpus_lists_each_split(wb, korean, tmp_path):
    out = tmp_path / "k"
    export_batch(wb, korean, out, "kspon", options=ExportOptions(split="0.5,0.5"))
    assert (out / "train" / "scripts" / "train.trn").is_file()
    assert (out / "test" / "scripts" / "test.trn").is_file()
    result = import_any(
        wb, ensure_project(wb, "split-back", "ko", "kspon"), [out], audio_from=SERVER
    )
    assert result.segments == 6 and not result.report.failed


def test_headerless_pcm_clips_are_16_khz(wb, korean, tmp_path):
    with pytest.raises(WorkbenchError, match="16000 Hz"):
        export_batch(wb, korean, tmp_path / "x", "kspon", options=ExportOptions(sample_rate=8000))


def test_the_ai_hub_document_as_written(wb, korean, tmp_path):
    out = tmp_path / "doc"
    options = ExportOptions(missing_speakers="blank")
    export_batch(wb, _pron_first(wb, korean, tmp_path), out, "aihub-doc", options=options)
    first = sorted(out.glob("*.json"))[0]
    assert first.with_suffix(".wav").is_file()
    doc = json.loads(first.read_text(encoding="utf-8"))
    assert list(doc) == ["metadata", "speaker", "utterance"]
    assert doc["metadata"]["speaker_num"] == 1 and doc["metadata"]["date"] == ""
    assert doc["speaker"] == [  # as the registry has it
        {"id": "0001", "name": "", "age": "20대", "occupation": "", "role": "사회자", "sex": "여성"}
    ]
    u = doc["utterance"][0]
    assert u["id"] == f"{first.stem}.1" and u["speaker_id"] == "0001"
    # as the profile says
    assert u["form"] == "b/ 아/ 모+ 몬 소리야 (칠십 퍼센트)/(70%) 확률이라니 n/"
    assert u["original_form"] == KOREAN[0][0]  # as the labeller wrote it
    assert u["end"] > u["start"] >= 0


def test_pronunciation_first_files_come_back_in_the_profile_order(wb, korean, tmp_path):
    project = _pron_first(wb, korean, tmp_path)
    _, target, _ = _round_trip(
        wb, project, tmp_path, "aihub-stt", True, target_conventions=project.conventions
    )
    texts = {t for _, _, t, _ in segments_of(wb, target)}
    assert texts == {t for t, _ in KOREAN}
    label_file = next((tmp_path / "aihub-stt" / "clips").glob("*.json"))
    assert label_file.with_suffix(".wav").is_file()
    stt = {
        json.loads(p.read_text(encoding="utf-8"))["발화정보"]["stt"]
        for p in (tmp_path / "aihub-stt" / "clips").glob("*.json")
    }
    assert "(에스엔에스)/(SNS)에 올렸어요" in stt


def test_the_dialogs_session_names_a_wav_and_a_txt_per_utterance(wb, korean, tmp_path):
    out = tmp_path / "dialogs"
    export_batch(wb, korean, out, "aihub-dialogs", options=ExportOptions(missing_speakers="blank"))
    sessions = sorted(out.glob("*.json"))
    assert len(sessions) == 2  # one per recording
    session = json.loads(sessions[0].read_text(encoding="utf-8"))["dataSet"]
    assert set(session) == {"version", "date", "typeInfo", "dialogs"}
    assert session["typeInfo"]["speakers"] == [
        {"id": "0001", "age": "20대", "gender": "여", "residence": "서울"}
    ]
    dialog = session["dialogs"][0]
    assert (out / dialog["audioPath"]).is_file() and dialog["speaker"] == "0001"
    assert (out / dialog["textPath"]).read_text(encoding="utf-8").strip() == KOREAN[0][0]


# ---------------------------------------------------------------- text options of the recipes


def _trn(wb, project, tmp_path, name, **options) -> list[str]:
    export_batch(wb, project, tmp_path / name, "kspon", options=ExportOptions(**options))
    lines = (tmp_path / name / "scripts" / "train.trn").read_text(encoding="utf-8").splitlines()
    return [line.split(" :: ", 1)[1] for line in lines]


def test_espnet_and_kospeech_text_options(wb, korean, tmp_path):
    # ESPnet's ksponspeech recipe: spelling side, noise tags removed, u/ as [unk], fillers kept
    espnet = _trn(wb, korean, tmp_path, "espnet", text_form="spelling", tags="map")
    assert espnet[0] == "아 모 몬 소리야 70% 확률이라니"
    assert espnet[2] == "음 그래서 [unk] 했어요"
    # its fluent transcription ('fl'): fillers and repeated fragments left out
    fluent = _trn(wb, korean, tmp_path, "fl", text_form="spelling", tags="map", fillers="drop")
    assert fluent[0] == "몬 소리야 70% 확률이라니" and fluent[2] == "그래서 [unk] 했어요"
    # kospeech's phonetic transcripts: pronunciation side, every tag removed
    kospeech = _trn(wb, korean, tmp_path, "kospeech", text_form="pronunciation", tags="strip")
    assert kospeech[0] == "아 모 몬 소리야 칠십 퍼센트 확률이라니"
    assert kospeech[4] == "에스엔에스에 올렸어요"
    # segments with an unintelligible part left out
    assert len(_trn(wb, korean, tmp_path, "drop", text_form="spelling", tags="drop")) == 5


def test_tags_spelled_as_the_profile_maps_them(wb, korean, tmp_path):
    profile = tmp_path / "noise.yaml"
    profile.write_text(
        'extends: kspon\nexport: {tag_map: {n: "<noise>", b: ""}}\n', encoding="utf-8"
    )
    project = store.update_project(wb.db, korean.id, conventions=str(profile))
    lines = _trn(wb, project, tmp_path, "mapped", tags="map")
    assert lines[0] == "아/ 모+ 몬 소리야 (70%)/(칠십 퍼센트) 확률이라니 <noise>"
    assert lines[2] == "음/ 그래서 [unk] 했어요"  # kspon's own mapping, merged


@pytest.mark.parametrize(
    "export,field",
    [
        ("{dual_order: backwards}", "export.dual_order"),
        ("{tag_map: {x: '[x]'}}", "export.tag_map.x"),
        ("{tag_map: {u: 'two words'}}", "export.tag_map.u"),
    ],
)
def test_bad_delivery_options_name_their_field(tmp_path, export, field):
    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: kspon\nexport: {export}\n", encoding="utf-8")
    with pytest.raises(WorkbenchError, match=re.escape(field)):
        load_profile(str(path))


def test_fillers_are_dropped_from_a_side_only(wb, korean, tmp_path):
    with pytest.raises(WorkbenchError, match="spelling or pronunciation form only"):
        export_batch(wb, korean, tmp_path / "x", "kspon", options=ExportOptions(fillers="drop"))


def test_cli_exports_kspon_with_the_recipe_options(home, wb, korean, tmp_path, capsys):
    code = main(
        [
            "export",
            "--project",
            "demo",
            "--format",
            "kspon",
            "--out",
            str(tmp_path / "c"),
            "--text-form",
            "pronunciation",
            "--tags",
            "map",
            "--fillers",
            "drop",
            "--home",
            str(home),
        ]
    )
    assert code == 0, capsys.readouterr()
    text = (tmp_path / "c" / "scripts" / "train.trn").read_text(encoding="utf-8")
    assert ":: 몬 소리야 칠십 퍼센트 확률이라니\n" in text


# ---------------------------------------------------------------- documented layouts, imported


def _pcm(path: Path, seconds: float, freq: float) -> Path:
    t = np.arange(int(seconds * 16000)) / 16000
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((0.3 * np.sin(2 * np.pi * freq * t) * 32767).astype("<i2").tobytes())
    return path


def _document(utterances: list[dict]) -> dict:
    return {
        "metadata": {
            "title": "회의",
            "creator": "NIA",
            "distributor": "AI Hub",
            "year": 2021,
            "category": "회의",
            "sampling": "16kHz",
            "date": "2021-10-08",
            "topic": "예산",
            "media": "대면",
            "communication": "다자",
            "type": "회의",
            "domain": "공공",
            "speaker_num": 2,
            "organization": "x",
            "annotation_level": "전사",
        },
        "speaker": [
            {
                "id": "0001",
                "name": "화자1",
                "age": "40",
                "occupation": "공무원",
                "role": "사회자",
                "sex": "남",
            },
            {
                "id": "0002",
                "name": "화자2",
                "age": "30",
                "occupation": "회사원",
                "role": "참석자",
                "sex": "여",
            },
        ],
        "utterance": utterances,
    }


def test_a_document_set_imports_and_exports_as_it_came(wb, tmp_path):
    src = tmp_path / "set"
    tone(src / "A220002.wav", 6.0)
    utterances = [
        {
            "id": "A220002.1",
            "start": 0.5,
            "end": 2.25,
            "form": "네 (십일월)/(11월) 둘째 주부터요.",
            "original_form": "네 11월 둘째 주부터요.",
            "speaker_id": "0001",
            "environment": "",
            "isIdiom": False,
            "hangeulToEnglish": [],
            "hangeulToNumber": [],
            "term": "",
        },
        {
            "id": "A220002.2",
            "start": 3.0,
            "end": 5.5,
            "form": "안녕하세요.",
            "original_form": "안녕하세요.",
            "speaker_id": "0002",
            "environment": "",
            "isIdiom": False,
            "hangeulToEnglish": [],
            "hangeulToNumber": [],
            "term": "",
        },
    ]
    (src / "A220002.json").write_text(
        json.dumps(_document(utterances), ensure_ascii=False), encoding="utf-8"
    )
    assert detect(src / "A220002.json") == "aihub-doc"
    project = _pron_first(wb, ensure_project(wb, "meeting", "ko", "kspon"), tmp_path)
    result = import_any(wb, project, [src], audio_from=SERVER)
    assert result.segments == 2 and not result.report.failed
    assert not [i for i in result.report.items if i.outcome == "noted"]
    assert segments_of(wb, project) == [
        (0.5, 2.25, "네 (11월)/(십일월) 둘째 주부터요.", "0001"),
        (3.0, 5.5, "안녕하세요.", "0002"),
    ]
    out = tmp_path / "again"
    export_batch(wb, project, out, "aihub-doc", status="drafted")  # as imported
    again = json.loads(next(out.glob("*.json")).read_text(encoding="utf-8"))
    assert [(u["start"], u["end"], u["form"], u["speaker_id"]) for u in again["utterance"]] == [
        (u["start"], u["end"], u["form"], u["speaker_id"]) for u in utterances
    ]


def test_fields_the_layout_lacks_or_does_not_know_are_noted_per_file(wb, tmp_path):
    src = tmp_path / "set"
    tone(src / "talk.wav", 4.0)
    doc = _document(
        [
            {
                "id": "t.1",
                "start": 0.0,
                "end": 1.0,
                "form": "하나",
                "speaker_id": "0009",
                "emotion": "joy",
            },
            {"id": "t.2", "start": 1.0, "end": 2.0, "original_form": "둘"},
            {
                "id": "t.3",
                "start": 2.0,
                "end": 3.0,
                "form": "셋",
                "original_form": "셋",
                "speaker_id": "0001",
            },
        ]
    )
    del doc["metadata"]["date"]
    doc["extra"] = 1
    (src / "talk.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    project = ensure_project(wb, "notes", "ko", "kspon")
    result = import_any(wb, project, [src], audio_from=SERVER)
    assert result.segments == 2
    notes = [
        i.reason for i in result.report.items if i.outcome == "noted" and i.name == "talk.json"
    ]
    assert any(
        "lacks the documented fields" in n
        and "metadata.date" in n
        and "utterance.original_form" in n
        for n in notes
    ), notes
    assert any("extra" in n and "utterance.emotion" in n and "(ignored)" in n for n in notes), notes
    assert any("speaker_id 0009 not in the speaker list" in n for n in notes), notes
    failed = [(i.name, i.reason) for i in result.report.failed]
    assert failed == [("talk.json", "utterance 2: no form (its transcript)")]


def test_a_dialogs_session_imports_its_wav_and_txt(wb, tmp_path):
    src = tmp_path / "call"
    for n, seconds in ((1, 1.5), (2, 2.0)):
        tone(src / "wav" / f"S0001_{n}.wav", seconds)
    (src / "wav" / "S0001_1.txt").write_bytes("여보세요 (3시)/(세 시)에 뵐게요".encode("cp949"))
    (src / "wav" / "S0001_2.txt").write_text("네 알겠습니다\n", encoding="utf-8")
    session = {
        "dataSet": {
            "version": "1.0",
            "date": "2021-09-01",
            "typeInfo": {
                "category": "상담",
                "subcategory": "금융",
                "place": "콜센터",
                "inputType": "전화",
                "speakers": [{"id": "A", "age": "30", "gender": "여", "residence": "서울"}],
            },
            "dialogs": [
                {"speaker": "A", "audioPath": "wav/S0001_1.wav", "textPath": "wav/S0001_1.txt"},
                {"speaker": "B", "audioPath": "wav/S0001_2.wav", "textPath": "wav/S0001_2.txt"},
                {"speaker": "B", "audioPath": "wav/S0001_1.wav", "textPath": "../../secret.txt"},
            ],
        }
    }
    (tmp_path / "secret.txt").write_text("server file", encoding="utf-8")
    (src / "S0001.json").write_text(json.dumps(session, ensure_ascii=False), encoding="utf-8")
    project = ensure_project(wb, "call", "ko", "kspon")
    result = import_any(wb, project, [src], audio_from=SERVER)
    assert result.segments == 2
    assert sorted(t for _, _, t, _ in segments_of(wb, project)) == [
        "네 알겠습니다",
        "여보세요 (3시)/(세 시)에 뵐게요",
    ]
    assert [i.reason for i in result.report.failed] == [
        "dialog 3: text file '…/secret.txt' not found beside the JSON"
    ]


def test_a_korean_keys_label_imports_with_its_recorder(wb, tmp_path):
    src = tmp_path / "free"
    tone(src / "일반남여_001.wav", 2.0)
    label = {
        "발화정보": {
            "stt": "안녕하세요. 연습입니다.",
            "scriptId": "s1",
            "fileNm": "일반남여_001.wav",
            "recrdTime": "2.000",
            "recrdQuality": "16K",
            "recrdDt": "2021-01-01 10:00:00",
            "scriptSetNo": "w01",
        },
        "대화정보": {
            "recrdEnvrn": "실내",
            "colctUnitCode": "집",
            "cityCode": "서울",
            "recrdUnit": "휴대폰",
            "convrsThema": "일상",
        },
        "녹음자정보": {"gender": "여", "recorderId": "R042", "age": 31},
    }
    (src / "일반남여_001.json").write_text(
        json.dumps(label, ensure_ascii=False), encoding="utf-8-sig"
    )
    project = ensure_project(wb, "free", "ko", "kspon")
    result = import_any(wb, project, [src], audio_from=SERVER)
    assert not result.report.failed and result.segments == 1
    assert segments_of(wb, project) == [(0.0, 2.0, "안녕하세요. 연습입니다.", "R042")]
    assert not [i for i in result.report.items if i.outcome == "noted"]
    # a fileNm naming another file is noted; the WAV of the JSON's own name is taken
    tone(src / "일반남여_002.wav", 1.0, freq=300)
    label["발화정보"]["fileNm"] = "일반남여_wwww.wavp"
    (src / "일반남여_002.json").write_text(json.dumps(label, ensure_ascii=False), encoding="utf-8")
    result = import_any(wb, project, [src / "일반남여_002.json"], audio_from=SERVER)
    assert result.segments == 1
    assert [(i.name, i.outcome) for i in result.report.items if "fileNm" in i.reason] == [
        ("일반남여_002.json", "noted")
    ]


def _kspon_tree(root: Path) -> Path:
    """Two utterances as distributed: CP949 and UTF-8 transcripts, and a list naming one."""
    part = root / "KsponSpeech_01" / "KsponSpeech_0001"
    _pcm(part / "KsponSpeech_000001.pcm", 1.5, 300)
    _pcm(part / "KsponSpeech_000002.pcm", 2.0, 500)
    (part / "KsponSpeech_000001.txt").write_bytes(
        "b/ 아/ 몬 소리야 (70%)/(칠십 퍼센트)\n".encode("cp949")
    )
    (part / "KsponSpeech_000002.txt").write_text("그+ 그래서 u/ 했어요\n", encoding="utf-8")
    (root / "KsponSpeech_scripts").mkdir(parents=True)
    (root / "KsponSpeech_scripts" / "train.trn").write_text(
        "KsponSpeech_01/KsponSpeech_0001/KsponSpeech_000001.pcm :: "
        "b/ 아/ 몬 소리야 (70%)/(칠십 퍼센트)\n",
        encoding="utf-8",
    )
    return root


def test_a_kspon_tree_imports_once_per_utterance(wb, tmp_path):
    root = _kspon_tree(tmp_path / "KsponSpeech")
    assert detect(root) == "kspon"
    project = ensure_project(wb, "tree", "ko", "kspon")
    result = import_any(wb, project, [root], audio_from=SERVER)
    assert not result.report.failed and result.segments == 2
    got = segments_of(wb, project)
    assert [(round(e - s, 3), t) for s, e, t, _ in got] == [
        (1.5, "b/ 아/ 몬 소리야 (70%)/(칠십 퍼센트)"),
        (2.0, "그+ 그래서 u/ 했어요"),
    ]
    # a list given apart from its audio folder holds the same transcript: taken once
    other = ensure_project(wb, "apart", "ko", "kspon")
    result = import_any(
        wb,
        other,
        [root / "KsponSpeech_01", root / "KsponSpeech_scripts"],
        audio_from=AudioScope.server(root),
    )
    assert result.segments == 2 and len(segments_of(wb, other)) == 2


def test_a_kspon_zip_upload_imports(wb, tmp_path):
    root = _kspon_tree(tmp_path / "KsponSpeech")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(root.parent).as_posix())
    project = ensure_project(wb, "upload", "ko", "kspon")
    result = import_upload(wb, project, [("KsponSpeech.zip", archive.getvalue())])
    assert not result.report.failed and result.segments == 2


class SayEngine:
    """Answers the same words for any audio: a second opinion to disagree with."""

    name, model = "say", "say-1"

    def transcribe(self, audio, options: TranscribeOptions) -> Transcript:
        seconds = len(audio) / 16000
        return Transcript(
            "ko", iter([DraftSegment(0.0, seconds, " 아 몬 소리야 칠십 퍼센트", -0.2, 0.01, 1.2)])
        )


def test_the_corpus_audit_runs_on_an_imported_kspon_tree(wb, tmp_path):
    project = ensure_project(wb, "audit", "ko", "kspon")
    import_any(wb, project, [_kspon_tree(tmp_path / "KsponSpeech")], audio_from=SERVER)
    job = run_audit_job(wb, start_audit_job(wb, project, {}), SayEngine(), audit_options(project))
    assert (job.state, job.done, job.total) == ("done", 2.0, 2.0)
    report = audit_report(wb, project)
    assert (report.judged, report.todo, report.metric) == (2, 0, "CER")
    ranked = sorted(report.rows, key=lambda r: r.disagreement or 0)
    assert ranked[0].text.startswith("b/ 아/ 몬 소리야")  # agrees with the opinion
    assert ranked[0].disagreement < ranked[1].disagreement
