"""Convention findings as a crowd worker reads them: their language, the level in words, the
place quoted from the text with the spot marked (never an offset), each problem once."""

from __future__ import annotations

import re

import pytest

from workbench.core.messages import use_language
from workbench.text import lint
from workbench.text.lint_notes import notes
from workbench.ui.text import findings_md

TEXT = "어제  3시에 n/ 그 hello 친구랑  만났어 "


@pytest.fixture
def korean():
    use_language("ko")
    yield
    use_language("en")


def test_a_problem_at_several_places_is_one_note_quoting_each_place(korean):
    found = notes(lint(TEXT, "kspon"), TEXT)
    doubles = [n for n in found if "빈칸이 2개" in n.advice]
    assert len(doubles) == 1  # two double spaces: one note
    assert [(p.before, p.spot, p.after) for p in doubles[0].places] == [
        ("어제", "␣␣", "3시에 n/ 그 hel…"),
        ("… 그 hello 친구랑", "␣␣", "만났어 "),
    ]
    assert len({n.advice for n in found}) == len(found)  # each problem once


def test_notes_say_the_level_in_words_errors_first_and_what_to_do(korean):
    found = notes(lint(TEXT, "kspon"), TEXT)
    assert [n.severity for n in found] == ["오류"] + ["경고"] * (len(found) - 1)
    digits = found[0]
    assert digits.level == "error" and "한글로 풀어 쓰" in digits.advice
    assert digits.places[0].spot == "3"
    assert all(re.search("[가-힣]", n.advice) for n in found)  # no English left for the worker


def test_the_page_shows_the_level_in_colour_and_words_and_no_offset(korean):
    shown = findings_md(lint(TEXT, "kspon"), TEXT)
    assert ":red-badge[오류]" in shown and ":orange-badge[경고]" in shown
    assert "<mark>3</mark>" in shown
    assert " at " not in shown and "digits" not in shown  # no offset, no rule id


def test_places_beyond_the_first_few_are_counted(korean):
    text = " ".join(["1"] * 6)
    (note,) = notes(lint(text, "kspon"), text)
    assert len(note.places) == 3 and note.more == 3
    assert "(외 3곳)" in findings_md(lint(text, "kspon"), text)


def test_in_english_the_note_is_the_linter_s_message_as_a_sentence():
    (note,) = notes(lint("a  b", "plain"), "a  b")
    assert (note.severity, note.advice) == ("Warning", "2 spaces between words.")
    (note,) = notes(lint("7", "kspon"), "7")
    assert note.severity == "Error"
    assert note.advice.startswith("Digits") and note.advice.endswith(".")
    assert (note.places[0].before, note.places[0].spot, note.places[0].after) == ("", "7", "")


def test_user_text_in_a_note_stays_text():
    text = "<b>x</b> **y** 1"
    shown = findings_md(lint(text, "kspon"), text)
    assert "<b>" not in shown and "\\*\\*y" in shown
