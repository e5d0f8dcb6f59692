"""Text forms (written, spelling, pronunciation), tag handling, NFC, and display width."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.text import display_width, lint, pad, pronunciation, render, spelling, written
from workbench.text.width import char_width

LINE = "o/ (70%)/(칠십 퍼센트) 정도 b/ 되는 것 같아요 음/ 그+ 그래서"

# profile, text, spelling form, pronunciation form (tags stripped)
FORMS = [
    (
        "kspon",
        LINE,
        "70% 정도 되는 것 같아요 음 그 그래서",
        "칠십 퍼센트 정도 되는 것 같아요 음 그 그래서",
    ),
    ("kspon", "b/ 아/ 몬 소리야 그건 또.", "아 몬 소리야 그건 또.", "아 몬 소리야 그건 또"),
    (
        "kspon",
        "n/ 어/ 그러니까 (3시)/(세 시)에 만나기로 했는데 l/",
        "어 그러니까 3시에 만나기로 했는데",
        "어 그러니까 세 시에 만나기로 했는데",
    ),
    (
        "kspon",
        "(그래가지고)/(그래갖고) 저+ 저희가 아마* 갔을 거예요",
        "그래가지고 저 저희가 아마 갔을 거예요",
        "그래갖고 저 저희가 아마 갔을 거예요",
    ),
    ("kspon", "(SNS)/(에스엔에스) 하세요?", "SNS 하세요?", "에스엔에스 하세요"),
    ("kspon", "(1/2)/(이분의   일) 정도", "1/2 정도", "이분의 일 정도"),
    ("kspon", "음/. 그+* 맞아요", "음. 그 맞아요", "음 그 맞아요"),
    ("kspon", "  u/  했어요  ", "했어요", "했어요"),
    (
        "kspon",
        "안녕b/ 하세요",  # a glued tag still comes off
        "안녕 하세요",
        "안녕 하세요",
    ),
    ("kspon", "b/ l/", "", ""),
    (
        "verbatim-en",
        "[noise] I think it's WELL-known, isn't it?",
        "i think it's well-known isn't it",
        "i think it's well-known isn't it",
    ),
    (
        "verbatim-en",
        "So we went there at 5 [laughter] and... left—fast.",
        "so we went there at 5 and left fast",
        "so we went there at 5 and left fast",
    ),
    ("verbatim-en", "Rock ’n’ roll’s fine", "rock n roll’s fine", "rock n roll’s fine"),
    (
        "plain",
        "Anything (with) brackets [x] b/ 음/ 그+ and 70% goes.",
        "Anything (with) brackets [x] b/ 음/ 그+ and 70% goes.",
        "Anything (with) brackets [x] b/ 음/ 그+ and 70% goes.",
    ),
]


@pytest.mark.parametrize("profile, text, spelled, pronounced", FORMS)
def test_spelling_and_pronunciation(profile, text, spelled, pronounced):
    assert spelling(text, profile) == spelled
    assert pronunciation(text, profile) == pronounced
    assert render(text, profile, "spelling") == spelled
    assert render(text, profile, "pronunciation", "strip") == pronounced


@pytest.mark.parametrize("profile, text, spelled, pronounced", FORMS)
def test_forms_are_idempotent(profile, text, spelled, pronounced):
    assert spelling(spelled, profile) == spelled
    assert pronunciation(pronounced, profile) == pronounced


# profile, form, tags, text, expected
TAGGED = [
    ("kspon", "spelling", "keep", LINE, "o/ 70% 정도 b/ 되는 것 같아요 음 그 그래서"),
    ("kspon", "pronunciation", "keep", LINE, "o/ 칠십 퍼센트 정도 b/ 되는 것 같아요 음 그 그래서"),
    ("kspon", "written", "keep", LINE, LINE),
    ("kspon", "written", "strip", LINE, "(70%)/(칠십 퍼센트) 정도 되는 것 같아요 음/ 그+ 그래서"),
    ("kspon", "written", "drop", LINE, "(70%)/(칠십 퍼센트) 정도 되는 것 같아요 음/ 그+ 그래서"),
    ("kspon", "spelling", "drop", LINE, "70% 정도 되는 것 같아요 음 그 그래서"),
    ("kspon", "spelling", "drop", "u/ 했어요", None),
    ("kspon", "pronunciation", "drop", "그래서 u/", None),
    ("kspon", "written", "drop", "그래서 u/", None),
    ("kspon", "spelling", "keep", "u/ 했어요", "u/ 했어요"),
    ("kspon", "spelling", "keep", "안녕b/ 하세요", "안녕 b/ 하세요"),
    ("kspon", "spelling", "drop", "x/ 했어요", "했어요"),  # unknown tags are not unusable
    (
        "verbatim-en",
        "spelling",
        "keep",
        "Hello [NOISE]? [noise] there",
        "hello [NOISE] [noise] there",
    ),
    ("verbatim-en", "spelling", "drop", "Hello [inaudible] there", None),
    ("verbatim-en", "pronunciation", "drop", "Hello [noise] there", "hello there"),
    ("verbatim-en", "written", "strip", "Hello, [laughter] there.", "Hello, there."),
    ("plain", "spelling", "drop", "u/ [inaudible] 그래", "u/ [inaudible] 그래"),
]


@pytest.mark.parametrize("profile, form, tags, text, expected", TAGGED)
def test_render_with_tags(profile, form, tags, text, expected):
    assert render(text, profile, form, tags) == expected


DISFLUENCIES = [
    ("kspon", "spelling", LINE, "70% 정도 되는 것 같아요 그래서"),
    ("kspon", "pronunciation", "음/ 저+ 저희가 아마* 갔어요", "저희가 아마 갔어요"),
    ("verbatim-en", "spelling", "Um, I uh think so", "i think so"),
    ("plain", "spelling", "음 그 그래서", "음 그 그래서"),
]


@pytest.mark.parametrize("profile, form, text, expected", DISFLUENCIES)
def test_disfluencies_can_be_dropped(profile, form, text, expected):
    assert render(text, profile, form, disfluencies="drop") == expected


def test_marks_can_be_kept():
    assert spelling(LINE, "kspon", marks="keep") == "70% 정도 되는 것 같아요 음/ 그+ 그래서"
    assert pronunciation("아마* 그래", "kspon", marks="keep") == "아마* 그래"


@pytest.mark.parametrize("form", ["written", "spelling", "pronunciation"])
@pytest.mark.parametrize("tags", ["keep", "strip", "drop"])
def test_nfd_in_nfc_out(form, tags):
    decomposed = unicodedata.normalize("NFD", LINE)
    out = render(decomposed, "kspon", form, tags)
    assert out == render(LINE, "kspon", form, tags)
    assert out == unicodedata.normalize("NFC", out)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("  안녕   하세요 ", "안녕 하세요"),
        ("a\tb\nc\u3000d", "a b c d"),
        (unicodedata.normalize("NFD", "한국어"), "한국어"),
        ("", ""),
        ("b/ (7)/(칠)", "b/ (7)/(칠)"),
    ],
)
def test_written(text, expected):
    assert written(text) == expected
    assert render(text, "kspon", "written", "keep") == expected


@pytest.mark.parametrize(
    "kwargs", [{"form": "spoken"}, {"tags": "remove"}, {"marks": "drop"}, {"disfluencies": "strip"}]
)
def test_bad_options_are_refused(kwargs):
    with pytest.raises(ValueError):
        render("안녕", "kspon", **kwargs)


@pytest.mark.parametrize(
    "text",
    ["(70%)/칠십", "(70%)(칠십)", "((7))/(칠)", "(70%)/(칠십", "a) b", "[noise", "+", "/", "*"],
)
def test_malformed_text_gets_a_best_effort(text):
    for form in ("written", "spelling", "pronunciation"):
        assert isinstance(render(text, "kspon", form), str)
        assert isinstance(render(text, "verbatim-en", form), str)


MARKUP = st.text(alphabet="()/+*[] 음어그7aU b/u/x/\t가.,", max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    MARKUP,
    st.sampled_from(["kspon", "verbatim-en", "plain"]),
    st.sampled_from(["written", "spelling", "pronunciation"]),
    st.sampled_from(["keep", "strip", "drop"]),
)
def test_render_never_fails_and_is_tidy(text, profile, form, tags):
    out = render(text, profile, form, tags)
    assert out is None or out == " ".join(out.split())


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="음어그 가나다", max_size=30))
def test_plain_hangul_is_left_alone(text):
    assert spelling(text, "kspon") == pronunciation(text, "kspon") == written(text)
    assert lint(written(text), "kspon") == []


# ---- display width

WIDTHS = [
    ("", 0),
    ("abc", 3),
    ("안녕", 4),
    ("안녕 abc", 8),
    (unicodedata.normalize("NFD", "안녕"), 4),
    ("\u1100\u1161\u11a8", 2),  # conjoining jamo that NFC cannot compose still count once
    ("日本語", 6),
    ("ＡＢ", 4),  # full-width Latin
    ("ｱｲ", 2),  # half-width katakana
    ("e\u0301", 1),  # combining accent
    ("a\u200bb", 2),  # zero-width space
    ("\t", 0),
    ("😀", 2),
    ("ㅋㅋ", 4),  # compatibility jamo are wide
]


@pytest.mark.parametrize("text, width", WIDTHS)
def test_display_width(text, width):
    assert display_width(text) == width


@pytest.mark.parametrize(
    "ch, width", [("가", 2), ("a", 1), ("\u0301", 0), ("\u1161", 0), ("\u3000", 2)]
)
def test_char_width(ch, width):
    assert char_width(ch) == width


@pytest.mark.parametrize(
    "align, expected", [("left", "한국  |"), ("right", "  한국|"), ("center", " 한국 |")]
)
def test_pad(align, expected):
    assert pad("한국", 6, align) + "|" == expected
    assert display_width(pad("한국", 6, align)) == 6
    assert pad("한국어", 2, align) == "한국어"
