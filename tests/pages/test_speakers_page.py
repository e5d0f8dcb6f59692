"""The Speakers page (AppTest, by widget key): owners add speakers, change and remove them in
the table, and see a value the registry cannot take refused with why; labellers read it."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.conftest import as_user, open_page
from workbench import store
from workbench.labelling.labeller_edits import save_segment
from workbench.projects import speakers
from workbench.projects.settings import ensure_project


@pytest.fixture
def project(wb):
    """A Korean project whose owner keeps the interface in English (these tests read its words)."""
    created = ensure_project(wb, "calls", "ko", "kspon")
    return store.update_project(wb.db, created.id, interface_language="en")


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _plain(shown: str) -> str:
    """A message as the reader sees it (`md` escapes its punctuation)."""
    return shown.replace("\\", "")


def _registry(wb, project) -> list[tuple[str, ...]]:
    return [(s.name, s.gender, s.age, s.region, s.role) for s in speakers.registry(wb, project)]


def test_owner_adds_changes_and_removes_speakers(home, wb, project):
    pid = project.id
    at = open_page(home, "workbench/pages/speakers.py", pid)
    _no_errors(at)
    assert "No speakers in the registry yet" in at.info[0].value
    at.text_input(key=f"spk_add_name_{pid}").input("F01")
    at.selectbox(key=f"spk_add_gender_{pid}").select("female")
    at.selectbox(key=f"spk_add_age_{pid}").select("20대")
    at.text_input(key=f"spk_add_region_{pid}").input("서울")
    at.button(key=f"spk_add_go_{pid}").click().run()
    _no_errors(at)
    assert "F01 added to the registry." in at.success[0].value
    speakers.add_speaker(wb, project, "M02")
    at.run()
    [table] = at.data_editor
    assert list(table.value["name"]) == ["F01", "M02"]
    at.session_state[table.key] = {
        "edited_rows": {0: {"role": "상담사"}, 1: {"remove": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key=f"spk_save_{pid}").click().run()
    _no_errors(at)
    assert "2 speaker(s) changed." in at.success[0].value
    assert _registry(wb, project) == [("F01", "female", "20대", "서울", "상담사")]


def test_a_value_the_registry_cannot_take_is_refused_with_why(home, wb, project):
    pid = project.id
    speakers.add_speaker(wb, project, "F01")
    speakers.add_speaker(wb, project, "M02")
    at = open_page(home, "workbench/pages/speakers.py", pid)
    [table] = at.data_editor
    at.session_state[table.key] = {
        "edited_rows": {0: {"region": "x" * 101}, 1: {"name": "F01"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key=f"spk_save_{pid}").click().run()
    errors = [_plain(e.value) for e in at.error]
    assert "F01 not changed: the region has at most 100 characters" in errors
    warnings = [_plain(w.value) for w in at.warning]
    assert "M02 not changed: F01 is in the speaker registry already" in warnings
    assert _registry(wb, project) == [("F01", "", "", "", ""), ("M02", "", "", "", "")]
    # a name the registry has already, added again
    at.text_input(key=f"spk_add_name_{pid}").input("F01")
    at.button(key=f"spk_add_go_{pid}").click().run()
    assert "Not added: F01 is in the speaker registry already" in [
        _plain(w.value) for w in at.warning
    ]


def test_labellers_read_the_registry_with_its_keys(home, wb, project):
    speakers.add_speaker(wb, project, "F01", gender="female", age="30대")
    at = open_page(home, "workbench/pages/speakers.py", project.id, user=("ann", "labeler"))
    _no_errors(at)
    [table] = at.dataframe
    assert list(table.value["name"]) == ["F01"] and list(table.value["key"]) == [1]
    assert not at.data_editor and [b.key for b in at.button] == ["sign_out"]


def test_the_editor_offers_the_registry_by_key_and_lists_it_in_the_help(home, wb, drafted):
    speakers.add_speaker(wb, drafted, "M02", gender="male", age="40대")
    speakers.add_speaker(wb, drafted, "F01", gender="여", region="서울")
    at = open_page(home, "workbench/pages/editor.py", drafted.id)
    _no_errors(at)
    (editor,) = [e for e in at.get("bidi_component") if e.proto.component_name.endswith("editor")]
    beside = json.loads(editor.proto.json)["beside"]
    assert beside["speakers"] == ["M02", "F01"]  # the registry's order, not sorted
    assert beside["speaker_titles"] == ["M02 · male, 40대", "F01 · female, 서울"]
    assert "Alt+Shift+1: M02 · male, 40대\nAlt+Shift+2: F01 · female, 서울" in [
        t.value for t in at.text
    ]


def test_the_export_page_names_what_the_registry_lacks_then_writes_it_empty(home, wb, drafted):
    for q in store.segment_queue(wb.db, drafted.id)[:2]:
        save_segment(as_user(wb, "ann"), q["id"], 1, "ok", q["start"], q["end"])
    with wb.db.begin() as conn:
        conn.execute(sa.update(store.segments).values(speaker="F01"))
    speakers.add_speaker(wb, drafted, "F01", gender="female")
    at = open_page(home, "workbench/pages/export.py", drafted.id)
    at.selectbox(key="export_format").select("aihub-stt").run()
    at.button(key="export_button").click().run()
    assert not at.success
    assert any(
        "needs speaker metadata the speaker registry lacks: F01: age group" in _plain(e.value)
        for e in at.error
    ), [e.value for e in at.error]
    at.checkbox(key="export_missing_speakers").check().run()
    at.button(key="export_button").click().run()
    _no_errors(at)
    (done,) = [_plain(s.value) for s in at.success]
    assert "Exported 2 segments" in done and "F01: age group (written empty)" in done
