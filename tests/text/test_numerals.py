"""Korean numbers read out for dual transcriptions: the readings, the suggestions in a line,
and the editor's entry point that offers them in Korean projects only."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.core.records import Project
from workbench.labelling.numbers import editor_offers, number_suggestions
from workbench.text import lint, spelling
from workbench.text.numerals import (
    NATIVE_COUNTERS,
    SINO_COUNTERS,
    Suggestion,
    native,
    reading,
    sino,
    suggest,
)

# token, what is said
READINGS = [
    # Sino-Korean
    ("0", "영"),
    ("10", "십"),
    ("11", "십일"),
    ("20", "이십"),
    ("100", "백"),
    ("101", "백일"),
    ("1000", "천"),
    ("10000", "만"),
    ("100000000", "일억"),
    ("1200000", "백이십만"),
    ("123456789", "일억 이천삼백사십오만 육천칠백팔십구"),
    # native before counters, Sino-Korean from 100 up
    ("1개", "한 개"),
    ("2명", "두 명"),
    ("3마리", "세 마리"),
    ("4살", "네 살"),
    ("20살", "스무 살"),
    ("21살", "스물한 살"),
    ("12시", "열두 시"),
    ("99개", "아흔아홉 개"),
    ("100개", "백 개"),
    ("101개", "백한 개"),
    ("120명", "백스무 명"),
    ("10001명", "만 한 명"),
    ("2시간", "두 시간"),
    ("3달", "세 달"),
    ("2잔", "두 잔"),
    ("5권", "다섯 권"),
    ("0개", "영 개"),
    ("2대", "두 대"),
    ("20대", "이십 대"),
    # Sino-Korean counters: a counter whose name starts like a native one
    ("3개월", "삼 개월"),
    ("3시즌", "삼 시즌"),
    ("14시", "십사 시"),
    ("3번", "삼 번"),
    ("5층", "오 층"),
    ("20세", "이십 세"),
    ("제3장", "제삼 장"),
    # ordinals
    ("1번째", "첫 번째"),
    ("2번째", "두 번째"),
    ("20번째", "스무 번째"),
    ("101번째", "백한 번째"),
    # percent
    ("70%", "칠십 퍼센트"),
    ("3.5%", "삼 점 오 퍼센트"),
    ("100%", "백 퍼센트"),
    ("70프로", "칠십 프로"),
    # money
    ("5,000원", "오천 원"),
    ("1,000,000원", "백만 원"),
    ("1만 원", "만 원"),
    ("3만 5000원", "삼만 오천 원"),
    ("1만 2천 원", "만 이천 원"),
    ("2억 5천만 원", "이억 오천만 원"),
    ("$20", "이십 달러"),
    ("20달러", "이십 달러"),
    ("₩5,000", "오천 원"),
    # dates and years
    ("2024년 3월 1일", "이천이십사 년 삼 월 일 일"),
    ("2024년", "이천이십사 년"),
    ("1990년대", "천구백구십 년대"),
    ("6월", "유월"),
    ("10월", "시월"),
    ("2024년 10월 9일", "이천이십사 년 시월 구 일"),
    # decimals, fractions, other units
    ("3.14", "삼 점 일사"),
    ("0.05", "영 점 영오"),
    ("1.5시간", "일 점 오 시간"),
    ("1/2", "이분의 일"),
    ("5km", "오 킬로미터"),
    ("36.5℃", "삼십육 점 오 도"),
    # times
    ("3시 10분", "세 시 십 분"),
    ("오후 2시 30분", "오후 두 시 삼십 분"),
    ("3시10분 20초", "세 시 십 분 이십 초"),
    ("2:30", "두 시 삼십 분"),
    ("14:05", "십사 시 오 분"),
    ("1년 2개월", "일 년 이 개월"),
    # digit by digit
    ("010-1234-5678", "공일공 일이삼사 오육칠팔"),
    ("007", "공공칠"),
    ("05분", "오 분"),  # a leading zero before a unit is not a code
    # particles stay glued after the counter
    ("5분만", "오 분만"),
    ("3시쯤에", "세 시쯤에"),
    ("1만 원이에요", "만 원이에요"),
]

# digits this module does not read: nothing is better than a guess
UNREAD = [
    "",
    "안녕하세요",
    "3~4개",
    "5G",
    "mp3",
    "2024.3.1",
    "2024-03-01",
    "3/15",
    "2째",
    "3:75",
    "1.2.3",
    "1" + "0" * 20,
]


@pytest.mark.parametrize("token, said", READINGS)
def test_reading(token, said):
    assert reading(token) == said


def test_the_table_covers_each_category():
    assert len(READINGS) >= 40


@pytest.mark.parametrize("token", UNREAD)
def test_what_is_not_read(token):
    assert reading(token) is None


def test_sino_and_native_words():
    assert [sino(n) for n in (0, 10000, 100000000, 10100)] == ["영", "만", "일억", "만 백"]
    assert [native(n) for n in (1, 4, 10, 20, 21, 99, 100, 101)] == [
        "한",
        "네",
        "열",
        "스무",
        "스물한",
        "아흔아홉",
        "백",
        "백한",
    ]


def test_a_native_counter_before_an_unknown_ending_is_not_guessed():
    # 살구 (apricot) is not 살 + 구: a native counter glued to an ending not known here gets
    # no reading rather than a wrong one; apart from the digits it is not a counter at all
    assert reading("3살구") is None
    assert reading("3마리아") is None
    assert reading("3 시작") == "삼 시작"


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**12), st.sampled_from(sorted(NATIVE_COUNTERS | SINO_COUNTERS)))
def test_every_number_with_a_counter_becomes_a_clean_dual_form(n, counter):
    token = f"{n}{counter}"
    [found] = suggest(token)
    assert (found.start, found.end, found.original) == (0, len(token), token)
    said = reading(token)
    assert said and re.fullmatch(r"[가-힣]+( [가-힣]+)*", said)
    assert found.dual_form == f"({token})/({said})"
    assert lint(found.dual_form, "kspon") == []


# ---- suggestions in a line


def test_one_number_with_its_position():
    assert suggest("70% 정도 되는 것 같아요") == [Suggestion(0, 3, "70%", "(70%)/(칠십 퍼센트)")]


def test_several_numbers_in_one_line():
    line = "사과 3개랑 배 2개, 모두 5,000원"
    found = suggest(line)
    assert [(s.start, s.end, s.original) for s in found] == [
        (3, 5, "3개"),
        (9, 11, "2개"),
        (16, 22, "5,000원"),
    ]
    assert [line[s.start : s.end] for s in found] == [s.original for s in found]
    assert [s.dual_form for s in found] == ["(3개)/(세 개)", "(2개)/(두 개)", "(5,000원)/(오천 원)"]


def test_digits_before_a_word_not_known_as_a_counter_are_read_alone():
    assert suggest("3단원 끝") == [Suggestion(0, 1, "3", "(3)/(삼)")]


def test_a_date_and_a_time_are_one_suggestion_each():
    found = suggest("2024년 3월 1일에 3시 10분까지")
    assert [s.dual_form for s in found] == [
        "(2024년 3월 1일)/(이천이십사 년 삼 월 일 일)",
        "(3시 10분)/(세 시 십 분)",
    ]


def test_numbers_already_in_a_dual_form_are_skipped():
    line = "(70%)/(칠십 퍼센트) 정도 (3시)/(세 시)에 2명"
    assert [s.original for s in suggest(line)] == ["2명"]
    assert suggest("(1/2)/(이분의 일) 정도") == []


def test_a_dual_form_being_typed_is_left_alone():
    assert suggest("(70%)/(칠") == []
    assert suggest("(70%) 정도") == []


def test_the_caret_picks_the_number_it_is_in_or_after():
    line = "사과 3개랑 배 2개"
    assert [s.original for s in suggest(line, caret=5)] == ["3개"]
    assert [s.original for s in suggest(line, caret=3)] == ["3개"]
    assert [s.original for s in suggest(line, caret=len(line))] == ["2개"]
    assert suggest(line, caret=7) == []


def test_the_dual_syntax_is_the_profiles():
    with pytest.raises(ValueError, match="no dual transcription"):
        suggest("70%", profile="verbatim-en")


# the conventions' own examples (workbench/conventions/kspon.md, tests/test_lint.py), with the
# digits as a labeller types them
KSPON = [
    (
        "o/ 70% 정도 b/ 되는 것 같아요 음/ 그+ 그래서",
        "o/ (70%)/(칠십 퍼센트) 정도 b/ 되는 것 같아요 음/ 그+ 그래서",
    ),
    (
        "n/ 어/ 그러니까 3시에 만나기로 했는데 l/",
        "n/ 어/ 그러니까 (3시)/(세 시)에 만나기로 했는데 l/",
    ),
    ("5분만 기다려 주세요", "(5분)/(오 분)만 기다려 주세요"),
    ("1/2 정도", "(1/2)/(이분의 일) 정도"),
]


@pytest.mark.parametrize("typed, written", KSPON)
def test_accepting_every_suggestion_gives_the_conventions_example(typed, written):
    text = typed
    for s in reversed(suggest(typed)):
        text = text[: s.start] + s.dual_form + text[s.end :]
    assert text == written
    assert lint(text, "kspon") == []
    assert spelling(text, "kspon") == spelling(typed, "kspon")


# ---- the editor's entry point


def _project(language: str, conventions: str) -> Project:
    return Project(1, "p", language, conventions, "fake", "fake-1", datetime(2024, 1, 1))


def test_a_korean_project_is_offered_dual_forms():
    project = _project("ko", "kspon")
    assert number_suggestions(project, "3시 10분에") == suggest("3시 10분에")
    assert [s.original for s in number_suggestions(project, "1개 2개", caret=5)] == ["2개"]
    auto = replace(project, language="auto")  # Korean by its conventions
    assert number_suggestions(auto, "70%") == suggest("70%")


@pytest.mark.parametrize(
    "language, conventions",
    [("en", "verbatim-en"), ("en", "kspon"), ("auto", "plain"), ("ko", "plain"), ("ja", "plain")],
)
def test_other_projects_are_offered_nothing(language, conventions):
    assert number_suggestions(_project(language, conventions), "70% 3시") == []


def test_the_editor_gets_offers_in_javascript_string_offsets():
    project = _project("ko", "kspon")
    assert editor_offers(project, "약 70% 정도") == [
        {"start": 2, "end": 5, "text": "70%", "dual": "(70%)/(칠십 퍼센트)"}
    ]
    # a character outside the BMP counts two UTF-16 units in the browser's string
    [offer] = editor_offers(project, "🙂 3시에")
    assert (offer["start"], offer["end"], offer["text"]) == (3, 5, "3시")
    assert editor_offers(_project("en", "verbatim-en"), "70%") == []
    assert editor_offers(project, "(70%)/(칠십 퍼센트)") == []  # written out already
