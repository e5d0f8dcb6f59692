"""The speaker registry's use cases: owners add, change, remove and import speakers with their
values checked; everyone on the project reads it; the editor's offer follows its order."""

from __future__ import annotations

import pytest

from tests.conftest import as_user
from workbench import store
from workbench.core.access import Forbidden
from workbench.core.errors import Kind, WorkbenchError
from workbench.projects import speakers
from workbench.projects.settings import ensure_project


@pytest.fixture
def project(wb):
    return ensure_project(wb, "calls", "ko", "kspon")


def test_owner_adds_changes_and_removes_speakers_in_order(wb, project):
    first = speakers.add_speaker(wb, project, " F01 ", gender="여성", age="27", region="서울")
    second = speakers.add_speaker(wb, project, "M02", gender="M", age="40대", role="상담사")
    assert (first.name, first.gender, first.age, first.region) == ("F01", "female", "20대", "서울")
    assert (second.gender, second.age, second.role) == ("male", "40대", "상담사")
    assert [s.name for s in speakers.registry(wb, project)] == ["F01", "M02"]
    changed = speakers.change_speaker(wb, project, first.id, age="10대 미만", notes="child")
    assert (changed.age, changed.notes, changed.region) == ("10대 미만", "child", "서울")
    speakers.remove_speaker(wb, project, second.id)
    assert [s.name for s in speakers.registry(wb, project)] == ["F01"]
    actions = [e["action"] for e in store.list_events(wb.db)]
    assert {"speaker added", "speaker changed", "speaker removed"} <= set(actions)


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"gender": "maybe"}, "gender 'maybe' is not one of female, male, other"),
        ({"age": "60대 이상"}, "age group '60대 이상' is not one of 10대 미만, 10대, 20대"),
        ({"age": "two"}, "or an age in years, e.g. 34"),
        ({"region": "x" * 101}, "the region has at most 100 characters"),
    ],
)
def test_values_not_understood_are_refused_with_what_is_taken(wb, project, fields, message):
    with pytest.raises(WorkbenchError, match=message) as refused:
        speakers.add_speaker(wb, project, "F01", **fields)
    assert refused.value.kind is Kind.INVALID
    assert speakers.registry(wb, project) == []


def test_names_are_needed_and_unique(wb, project):
    with pytest.raises(WorkbenchError, match="a speaker needs a name"):
        speakers.add_speaker(wb, project, "  ")
    speakers.add_speaker(wb, project, "F01")
    other = speakers.add_speaker(wb, project, "F02")
    with pytest.raises(WorkbenchError, match="F01 is in the speaker registry already") as taken:
        speakers.add_speaker(wb, project, "F01")
    assert taken.value.kind is Kind.CONFLICT
    with pytest.raises(WorkbenchError, match="F01 is in the speaker registry already"):
        speakers.change_speaker(wb, project, other.id, name="F01")


def test_labellers_read_the_registry_and_only_owners_change_it(wb, project):
    entry = speakers.add_speaker(wb, project, "F01", gender="f")
    ann = as_user(wb, "ann")
    assert [s.name for s in speakers.registry(ann, project)] == ["F01"]
    assert not speakers.may_edit(ann, project) and speakers.may_edit(wb, project)
    for attempt in (
        lambda: speakers.add_speaker(ann, project, "M02"),
        lambda: speakers.change_speaker(ann, project, entry.id, gender="male"),
        lambda: speakers.remove_speaker(ann, project, entry.id),
        lambda: speakers.import_csv(ann, project, "name\nM02\n"),
    ):
        with pytest.raises(Forbidden):
            attempt()
    elsewhere = ensure_project(wb, "elsewhere", "ko")  # made after ann joined every project
    with pytest.raises(Forbidden):
        speakers.registry(ann, elsewhere)


def test_a_speaker_of_another_project_is_not_found(wb, project):
    other = ensure_project(wb, "elsewhere", "ko")
    entry = speakers.add_speaker(wb, other, "F01")
    with pytest.raises(WorkbenchError, match="no speaker"):
        speakers.change_speaker(wb, project, entry.id, gender="female")


def test_a_csv_adds_and_changes_speakers_and_names_the_lines_it_skips(wb, project):
    speakers.add_speaker(wb, project, "F01", region="부산", notes="keep")
    text = (
        "\ufeff화자,성별,연령대,지역,extra\n"
        "F01,여,23,,x\n"
        "M02,남,30대,경상,\n"
        "M03,?,40대,,\n"
        ",,,,\n"
        "M04,male,20s,서울,\n"
    )
    done = speakers.import_csv(wb, project, text)
    assert (done.added, done.changed) == (("M02", "M04"), ("F01",))
    assert done.problems == (
        "line 4: gender '?' is not one of female, male, other (or 여, 남, 기타)",
    )
    got = [(s.name, s.gender, s.age, s.region, s.notes) for s in speakers.registry(wb, project)]
    assert got == [
        ("F01", "female", "20대", "부산", "keep"),  # the empty region cell keeps the registry's
        ("M02", "male", "30대", "경상", ""),
        ("M04", "male", "20대", "서울", ""),
    ]
    with pytest.raises(WorkbenchError, match="no name column"):
        speakers.import_csv(wb, project, "gender,age\nf,20대\n")


def test_the_editor_offers_the_registry_in_its_order(wb, project):
    store.update_project(wb.db, project.id, speakers=["Zed", "Amy"])
    project = store.get_project(wb.db, project.id)
    # no registry: the settings' names, sorted, with the segment's own
    assert speakers.offered(wb, project, "Kim") == [("Amy", "Amy"), ("Kim", "Kim"), ("Zed", "Zed")]
    speakers.add_speaker(wb, project, "M02", gender="male", age="40대")
    speakers.add_speaker(wb, project, "F01")
    assert speakers.offered(wb, project, None) == [("M02", "M02 · male, 40대"), ("F01", "F01")]
    assert speakers.offered(wb, project, "Kim")[-1] == ("Kim", "Kim")  # kept, after the registry
