"""The owner's pages in Korean (AppTest): Drafts, Export, Models, Vocabulary, Corpus audit,
Draft quality, Team and Projects show their titles, labels and messages in Korean to an owner
of a Korean project who never chose a language, and run without an error there."""

from __future__ import annotations

import pytest

from tests.conftest import as_user, open_page, session_token
from tests.helpers.pages import _no_errors
from workbench import store
from workbench.core.messages import use_language
from workbench.labelling.labeller_edits import save_segment


@pytest.fixture
def korean(home, wb, drafted):
    """The drafted project made Korean, one segment labelled; English again afterwards (the
    pages set the language of the test's own thread too)."""
    store.update_project(wb.db, drafted.id, language="ko")
    session_token(home, "lena", "labeler")
    first = store.segment_queue(wb.db, drafted.id)[0]
    save_segment(
        as_user(wb, "lena", "labeler"), first["id"], 1, "안녕하세요", first["start"], first["end"]
    )
    yield drafted
    use_language("en")


def _page(home, project, name):
    at = open_page(home, f"workbench/pages/{name}.py", project.id)
    _no_errors(at)
    assert not at.error, [e.value for e in at.error]
    return at


def test_drafts_in_korean(home, korean):
    at = _page(home, korean, "drafts")
    assert at.title[0].value == "초안"
    assert [s.label for s in at.selectbox][:2] == ["엔진", "모델"]
    assert "초안이 없는 녹음" in at.markdown[0].value


def test_export_in_korean(home, korean):
    at = _page(home, korean, "export")
    assert at.title[0].value == "내보내기"
    fmt = at.selectbox(key="export_format")
    assert fmt.label == "형식" and fmt.format_func("nemo") == "NeMo ASR 매니페스트"
    assert at.button(key="export_button").label == "내보내기"
    at.button(key="export_button").click().run()
    _no_errors(at)
    assert at.success[0].value.startswith("구간 ")  # "Exported {n} segments…" in Korean


def test_models_in_korean(home, korean):
    at = _page(home, korean, "models")
    assert at.title[0].value == "모델"
    assert "초안은 **" in at.markdown[0].value
    assert any(i.value.startswith("아직 미세 조정한 버전이 없습니다") for i in at.info)


def test_vocabulary_in_korean(home, korean):
    at = _page(home, korean, "vocabulary")
    assert at.title[0].value == "어휘"
    assert [h.value for h in at.header] == ["학습된 어휘", "제안된 규칙", "전사자 작업 대기열"]
    order = at.selectbox(key=f"voc_queue_order_{korean.id}_{korean.queue_order}")
    assert order.format_func("uncertain") == "신뢰도 낮은 순"


def test_audit_in_korean(home, korean):
    at = _page(home, korean, "audit")
    assert at.title[0].value == "코퍼스 감사"
    assert at.metric[0].label == "발화 수"
    assert "구간" in at.dataframe[-1].value.columns or "문자" in at.dataframe[-1].value.columns


def test_draft_quality_in_korean(home, korean):
    at = _page(home, korean, "draft_quality")
    assert at.title[0].value == "초안 품질"
    assert at.subheader[0].value.startswith("배치별 초안 ")


def test_team_in_korean(home, korean):
    at = _page(home, korean, "team")
    assert at.title[0].value == "팀"
    assert [h.value for h in at.header] == [
        "작업 배정",
        "자격 시험과 정답 구간",
        "이중 전사",
        "품질 규칙",
    ]
    mode = next(s for s in at.selectbox if s.key.startswith("team_mode_"))
    assert mode.label == "작업 배정" and mode.format_func("segment").startswith("구간 단위")
    assert (
        at.selectbox(key=f"team_assign_rec_to_{korean.id}").format_func(None).startswith("누구나")
    )
    assert at.button(key=f"team_cap_go_{korean.id}").label == "상한 설정"


def test_projects_in_korean(home, korean):
    at = _page(home, korean, "projects")
    assert at.title[0].value == "프로젝트"
    assert [m.label for m in at.metric] == ["녹음", "오디오", "구간", "전사 완료"]
    assert at.button(key="create_project").label == "프로젝트 만들기"
    assert at.subheader[0].value == f"{korean.name}에 오디오 가져오기"
    assert "길이" in at.dataframe[-1].value.columns  # the recordings
    assert at.expander[0].label == "새 프로젝트"
