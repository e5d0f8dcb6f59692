"""The interface in Korean (AppTest): a person picks the language on the Account page; a member
who never picked sees the project's default (Korean for a Korean project, else what the owner
set); the editor sends its component the Korean words; the sign-in page has its own picker."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests.conftest import APP, as_user, open_page, session_token
from tests.helpers.pages import _act, _no_errors, said
from workbench import store
from workbench.labelling.labeller_edits import save_segment
from workbench.ui.common import SIGN_IN_LANGUAGE, form_key

EDITOR = "workbench/pages/editor.py"
ACCOUNT = "workbench/pages/account.py"
PROJECTS = "workbench/pages/projects.py"


def _data(at) -> dict:
    """The editor component's data as the page sent it."""
    (editor,) = [e for e in at.get("bidi_component") if e.proto.component_name.endswith("editor")]
    return json.loads(editor.proto.json)


def test_a_person_switches_their_interface_to_korean_and_back(home, wb, drafted):
    at = open_page(home, ACCOUNT, drafted.id, user=("lena", "labeler"))
    _no_errors(at)
    assert at.title[0].value == "Account"
    at.radio(key="account_language").set_value("ko").run()
    _no_errors(at)
    assert at.title[0].value == "내 계정"
    assert "역할: 전사자" in at.text[0].value
    assert [b.label for b in at.sidebar.button] == ["로그아웃"]
    assert store.get_prefs(wb.db, "lena")["language"] == "ko"

    later = open_page(home, EDITOR, drafted.id, user=("lena", "labeler"))  # a new session
    _no_errors(later)
    assert later.title[0].value == "전사 편집기"  # an English project: her choice wins
    assert _data(later)["ui"]["Save & next"] == "저장 후 다음"
    other = open_page(home, EDITOR, drafted.id, user=("mia", "labeler"))
    assert other.title[0].value == "Editor" and _data(other)["ui"] == {}

    at.radio(key="account_language").set_value("en").run()
    assert at.title[0].value == "Account"


def test_a_member_of_a_korean_project_who_never_chose_works_in_korean(home, wb, drafted):
    store.update_project(wb.db, drafted.id, language="ko")
    at = open_page(home, EDITOR, drafted.id, user=("lena", "labeler"))
    _no_errors(at)
    assert at.title[0].value == "전사 편집기"
    data = _data(at)
    assert data["ui"]["Save & next"] == "저장 후 다음"
    save_next = next(s for s in data["shortcuts"] if s["action"] == "save_next")
    assert save_next["label"] == "저장 후 다음"
    assert at.multiselect(key=f"ed_status_{drafted.id}").label == "상태"
    _act(at, wb, "save", text="안녕하세요")
    assert said(at, "success").startswith("구간 #")  # the status line speaks Korean too


def test_the_owner_sets_the_project_default_for_members_who_never_chose(home, wb, drafted):
    owner = open_page(home, PROJECTS, drafted.id)
    _no_errors(owner)
    owner.selectbox(key=form_key(drafted, "set_interface_language")).set_value("ko").run()
    _no_errors(owner)
    assert store.get_project(wb.db, drafted.id).interface_language == "ko"
    assert owner.title[0].value == "프로젝트"  # the owner never chose either

    member = open_page(home, EDITOR, drafted.id, user=("mia", "labeler"))
    assert member.title[0].value == "전사 편집기"


def test_the_sign_in_page_has_its_own_language(home, wb):
    session_token(home, "olga")  # an account exists: strangers get the sign-in page
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state[SIGN_IN_LANGUAGE] = "ko"
    at.run()
    _no_errors(at)
    assert at.title[0].value == "음성 전사 작업대"
    at.text_input(key="sign_in_name").input("olga")
    at.text_input(key="sign_in_password").input("wrong-pass-1")
    at.button(key="sign_in_button").click().run()
    assert any("비밀번호가 틀렸" in e.value for e in [*at.error, *at.warning])


def test_a_reviewer_of_a_korean_project_reviews_in_korean(home, wb, drafted):
    store.update_project(wb.db, drafted.id, language="ko", conventions="kspon")
    session_token(home, "lena", "labeler")
    lena = as_user(wb, "lena", "labeler")
    queue = store.segment_queue(wb.db, drafted.id)
    save_segment(lena, queue[0]["id"], 1, "어제 3시에", queue[0]["start"], queue[0]["end"])
    at = open_page(home, "workbench/pages/review.py", drafted.id, user=("rita", "reviewer"))
    _no_errors(at)
    assert at.title[0].value == "검수"
    assert "검수할 구간 1 / 1" in at.markdown[0].value
    assert any("숫자가 있습니다" in m.value and "<mark>3</mark>" in m.value for m in at.markdown)
    stem = f"{queue[0]['id']}_{store.get_segment(wb.db, queue[0]['id']).version}"
    at.button(key=f"rv_approve_{stem}").click().run()
    assert any("승인했습니다" in s.value for s in at.success)
