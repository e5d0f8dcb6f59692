"""The speaker registry in the deliverables: an AI Hub export refused (or written blank, on
request) naming each speaker and the fields it lacks; the formats that carry speaker
metadata (lhotse, Common Voice, Kaldi's spk2gender) filled from the registry; AI Hub label
files filling the registry on import, with what they say that it cannot take noted per file."""

from __future__ import annotations

import csv
import gzip
import json

import pytest

from tests.conftest import tone
from workbench import store
from workbench.core.errors import WorkbenchError
from workbench.formats.corpus_export import ExportOptions, export_batch
from workbench.intake.transcripts import AudioScope, import_any
from workbench.projects.settings import ensure_project
from workbench.projects.speakers import add_speaker, change_speaker, registry

SERVER = AudioScope.server()


@pytest.fixture
def described(wb, labelled):
    """`labelled` (speakers Kim Min-su, Anne O'Neil and two segments with none) with Kim
    fully described and Anne with a gender only."""
    add_speaker(wb, labelled, "Kim Min-su", gender="남", age="34", region="서울", role="사회자")
    add_speaker(wb, labelled, "Anne O'Neil", gender="female")
    return labelled


def test_an_ai_hub_export_names_each_speaker_and_field_it_lacks(wb, described, tmp_path):
    with pytest.raises(WorkbenchError) as refused:
        export_batch(wb, described, tmp_path / "x", "aihub-dialogs")
    message = str(refused.value)
    assert "Anne O'Neil: age group, region" in message
    assert "Kim Min-su" not in message  # nothing lacking
    assert "2 segments with no speaker" in message
    assert not (tmp_path / "x").exists()  # nothing written
    # the same batch without the speakerless segments, in a shape that needs gender and age
    anne = next(s for s in registry(wb, described) if s.name == "Anne O'Neil")
    change_speaker(wb, described, anne.id, age="20대")
    from workbench.formats.select import Filters

    named = Filters(speakers=("Kim Min-su", "Anne O'Neil"))
    result = export_batch(wb, described, tmp_path / "stt", "aihub-stt", filters=named)
    assert result.segments == 4 and not result.warnings
    with pytest.raises(WorkbenchError, match="Anne O'Neil: region"):  # dialogs: residence too
        export_batch(wb, described, tmp_path / "d", "aihub-dialogs", filters=named)


def test_a_speaker_not_in_the_registry_is_named_as_such(wb, described, tmp_path):
    store.remove_speaker(wb.db, registry(wb, described)[1].id)
    with pytest.raises(WorkbenchError, match="Anne O'Neil: not in the registry"):
        export_batch(wb, described, tmp_path / "x", "aihub-doc")


def test_blank_writes_what_is_missing_empty_and_says_so(wb, described, tmp_path):
    out = tmp_path / "doc"
    options = ExportOptions(missing_speakers="blank")
    result = export_batch(wb, described, out, "aihub-doc", options=options)
    (warning,) = result.warnings
    assert "Anne O'Neil: age group" in warning and warning.endswith("(written empty)")
    speakers = {
        s["id"]: s
        for path in out.glob("*.json")
        for s in json.loads(path.read_text(encoding="utf-8"))["speaker"]
    }
    assert speakers["Kim Min-su"] == {
        "id": "Kim Min-su",
        "name": "",
        "age": "30대",
        "occupation": "",
        "role": "사회자",
        "sex": "남성",
    }
    assert (speakers["Anne O'Neil"]["sex"], speakers["Anne O'Neil"]["age"]) == ("여성", "")
    assert store.list_exports(wb.db, described.id)[0]["filters"]  # recorded as usual


def test_a_bad_missing_speakers_choice_is_refused(wb, described, tmp_path):
    with pytest.raises(WorkbenchError, match="missing speakers must be one of refuse, blank"):
        export_batch(
            wb, described, tmp_path / "x", "nemo", options=ExportOptions(missing_speakers="x")
        )


def test_formats_without_needs_export_as_before(wb, labelled, tmp_path):
    result = export_batch(wb, labelled, tmp_path / "n", "nemo")  # no registry at all
    assert result.segments == 6 and not result.warnings


def test_lhotse_supervisions_carry_gender_and_the_rest_in_custom(wb, described, tmp_path):
    export_batch(wb, described, tmp_path / "l", "lhotse")
    with gzip.open(tmp_path / "l" / "supervisions.jsonl.gz", "rt", encoding="utf-8") as f:
        sups = [json.loads(line) for line in f]
    kim = next(s for s in sups if s.get("speaker") == "Kim Min-su")
    assert kim["gender"] == "male"
    assert {k: kim["custom"][k] for k in kim["custom"] if k.startswith("speaker_")} == {
        "speaker_age": "30대",
        "speaker_region": "서울",
        "speaker_role": "사회자",
    }
    anne = next(s for s in sups if s.get("speaker") == "Anne O'Neil")
    assert anne["gender"] == "female" and "speaker_age" not in anne["custom"]
    assert all("gender" not in s for s in sups if "speaker" not in s)


def test_common_voice_columns_age_gender_accents(wb, described, tmp_path):
    export_batch(wb, described, tmp_path / "cv", "cv")
    with open(tmp_path / "cv" / "validated.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    got = {(r["client_id"], r["age"], r["gender"], r["accents"]) for r in rows}
    assert got == {
        ("Kim Min-su", "thirties", "male", "서울"),
        ("Anne O'Neil", "", "female", ""),
        ("", "", "", ""),
    }


def test_kaldi_spk2gender_only_when_every_speaker_has_one(wb, described, tmp_path):
    from workbench.formats.select import Filters

    named = Filters(speakers=("Kim Min-su", "Anne O'Neil"))
    export_batch(wb, described, tmp_path / "k", "kaldi", filters=named)
    lines = (tmp_path / "k" / "spk2gender").read_text(encoding="utf-8").splitlines()
    assert lines == ["Anne_O_Neil f", "Kim_Min_su m"]
    export_batch(wb, described, tmp_path / "all", "kaldi")  # speakerless: recording ids
    assert not (tmp_path / "all" / "spk2gender").exists()


# ---------------------------------------------------------------- the registry filled on import


def _label(recorder: dict) -> dict:
    return {
        "발화정보": {"stt": "안녕하세요.", "fileNm": "", "recrdTime": "1.000"},
        "대화정보": {},
        "녹음자정보": recorder,
    }


def test_label_files_fill_the_registry_and_note_what_it_cannot_take(wb, tmp_path):
    src = tmp_path / "free"
    labels = {
        "a": {"gender": "여", "recorderId": "R1", "age": 67},
        "b": {"gender": "X", "recorderId": "R2", "age": "60대 이상"},
        "c": {"gender": "남", "recorderId": "R1", "age": 67},  # R1 said 여 before
    }
    for n, (stem, recorder) in enumerate(labels.items()):
        tone(src / f"{stem}.wav", 1.0, freq=300 + 50 * n)
        (src / f"{stem}.json").write_text(
            json.dumps(_label(recorder), ensure_ascii=False), encoding="utf-8"
        )
    project = ensure_project(wb, "free", "ko", "kspon")
    owner_entry = add_speaker(wb, project, "R2", region="부산", notes="the owner's")
    result = import_any(wb, project, [src], audio_from=SERVER)
    assert result.segments == 3 and not result.report.failed
    assert [(s.name, s.gender, s.age, s.region, s.notes) for s in registry(wb, project)] == [
        ("R2", "", "", "부산", "the owner's"),  # kept; nothing it could take
        ("R1", "female", "60대", "", ""),
    ]
    assert owner_entry.position < registry(wb, project)[1].position
    noted = {(i.name, i.reason) for i in result.report.items if i.outcome == "noted"}
    assert any(
        name == "b.json" and "speaker R2: gender 'X' is not one of female, male, other" in why
        for name, why in noted
    ), noted
    assert any(
        name == "b.json" and "speaker R2: age group '60대 이상'" in why and "left empty" in why
        for name, why in noted
    ), noted
    assert any(
        name == "c.json" and "speaker R1: gender 'male' here, 'female' in the registry" in why
        for name, why in noted
    ), noted
