"""As-you-type lint: clean lines stay clean, each rule catches its mistakes and names itself."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.text import RULES, Finding, has_errors, lint, load_profile

KSPON_CLEAN = [
    "o/ (70%)/(칠십 퍼센트) 정도 b/ 되는 것 같아요 음/ 그+ 그래서",
    "b/ 아/ 몬 소리야 그건 또.",
    "n/ 어/ 그러니까 (3시)/(세 시)에 만나기로 했는데 l/",
    "(5분)/(오 분)만 기다려 주세요",
    "(SNS)/(에스엔에스) 하세요?",
    "(그래가지고)/(그래갖고) 저+ 저희가 아마* 갔을 거예요",
    "(1/2)/(이분의 일) 정도",
    "(A/S)/(에이에스) 받았어요!",
    "u/ 했어요",
    "음/. 어어/ 그+* 맞아요",
    "그거 (TV)/(티비)* 에서 봤어",
    "",
    "네",
]

VERBATIM_CLEAN = [
    "[noise] I think it's well-known, isn't it?",
    "So we went there at 5 [laughter] and [inaudible] left.",
    "Mm-hmm, yeah.",
]

PLAIN_CLEAN = ["Anything (with) brackets [x] b/ 음/ 그+ and 70% goes.", "안녕하세요"]


@pytest.mark.parametrize(
    "profile, text",
    [("kspon", t) for t in KSPON_CLEAN]
    + [("verbatim-en", t) for t in VERBATIM_CLEAN]
    + [("plain", t) for t in PLAIN_CLEAN],
)
def test_clean_lines_have_no_findings(profile, text):
    assert lint(text, profile) == []


# profile, text, rule, level, the offending span
MISTAKES = [
    # dual transcription
    ("kspon", "(70%)/칠십 퍼센트", "dual-transcription", "error", "(70%)/"),
    ("kspon", "(70%)(칠십 퍼센트)", "dual-transcription", "error", "(70%)(칠십 퍼센트)"),
    ("kspon", "(70%) 칠십 퍼센트", "dual-transcription", "error", "(70%)"),
    ("kspon", "(70%) /(칠십 퍼센트) 정도", "dual-transcription", "error", "(70%) /(칠십 퍼센트)"),
    ("kspon", "(70%)/(칠십 퍼센트 정도", "dual-transcription", "error", "(70%)/(칠십 퍼센트 정도"),
    ("kspon", "(70%/(칠십 퍼센트)", "dual-transcription", "error", "(70%/(칠십 퍼센트)"),
    ("kspon", "70%)/(칠십 퍼센트)", "dual-transcription", "error", ")"),
    ("kspon", "()/(칠십)", "dual-transcription", "error", "()/(칠십)"),
    ("kspon", "(70%)/( )", "dual-transcription", "error", "(70%)/( )"),
    ("kspon", "((70)%)/(칠십 퍼센트)", "dual-transcription", "error", "((70)%)/(칠십 퍼센트)"),
    ("kspon", "(70%)/((칠십) 퍼센트)", "dual-transcription", "error", "(70%)/((칠십) 퍼센트)"),
    # tags
    ("kspon", "x/ 그래서", "unknown-tag", "error", "x/"),
    ("kspon", "그래서 B/", "unknown-tag", "error", "B/"),
    ("verbatim-en", "[nois] hello", "unknown-tag", "error", "[nois]"),
    ("verbatim-en", "[Noise] hello", "unknown-tag", "error", "[Noise]"),
    ("verbatim-en", "[background noise] hello", "unknown-tag", "error", "[background noise]"),
    ("verbatim-en", "hello [noise", "unknown-tag", "error", "[noise"),
    ("verbatim-en", "hello noise]", "unknown-tag", "error", "]"),
    ("kspon", "안녕b/ 하세요", "tag-placement", "error", "b/"),
    ("kspon", "b/안녕 하세요", "tag-placement", "error", "b/"),
    ("kspon", "b/n/ 하세요", "tag-placement", "error", "n/"),
    ("verbatim-en", "hello[noise] there", "tag-placement", "error", "[noise]"),
    # digits
    ("kspon", "7시에 만나요", "digits", "error", "7"),
    ("kspon", "(7시)/(일곱 시) 30분", "digits", "error", "30"),
    ("kspon", "(70%)/(70 퍼센트)", "digits", "error", "70"),
    ("kspon", "１２시", "digits", "error", "１２"),
    # marks
    ("kspon", "+그 그래서", "mark-placement", "error", "+"),
    ("kspon", "그+래서", "mark-placement", "error", "+"),
    ("kspon", "그++ 그래서", "mark-placement", "error", "+"),
    ("kspon", "그 + 그래서", "mark-placement", "error", "+"),
    ("kspon", "*아마 그랬을걸", "mark-placement", "error", "*"),
    ("kspon", "아마** 그랬을걸", "mark-placement", "error", "*"),
    ("kspon", "/음 그래서", "mark-placement", "error", "/"),
    ("kspon", "음// 그래서", "mark-placement", "error", "/"),
    ("kspon", "그/래서", "mark-placement", "error", "/"),
    ("kspon", "사과/ 먹었어", "filler-unknown", "warning", "사과/"),
    # words and letters
    ("kspon", "그거 TV에서 봤어", "latin-letters", "warning", "TV"),
    ("kspon", "(TV)/(tv) 봤어", "latin-letters", "warning", "tv"),
    ("verbatim-en", "Um, I think so", "filler-word", "warning", "Um,"),
    ("verbatim-en", "I uh think so", "filler-word", "warning", "uh"),
    # spacing and Unicode
    ("kspon", "그래서  그랬어", "double-space", "warning", "  "),
    ("plain", "so   what", "double-space", "warning", "   "),
    ("plain", " hello", "edge-space", "warning", " "),
    ("plain", "hello ", "edge-space", "warning", " "),
    ("plain", "   ", "edge-space", "warning", "   "),
    ("plain", "hello\tthere", "odd-space", "warning", "\t"),
    ("plain", "hello\u00a0there", "odd-space", "warning", "\u00a0"),
    ("kspon", "그래서\u3000그랬어", "odd-space", "warning", "\u3000"),
    ("plain", "hello\u200bthere", "odd-space", "warning", "\u200b"),
    ("plain", "line\nbreak", "odd-space", "warning", "\n"),
]


@pytest.mark.parametrize("profile, text, rule, level, span", MISTAKES)
def test_each_rule_finds_its_mistake(profile, text, rule, level, span):
    findings = lint(text, profile)
    hits = [f for f in findings if f.rule == rule]
    assert hits, findings
    assert any(text[f.start : f.end] == span and f.level == level for f in hits), hits
    for f in hits:
        assert f.message.startswith(f"{rule}: ")
        assert repr(text[f.start : f.end][:39]).rstrip("'") in f.message


@pytest.mark.parametrize("profile, text, rule, level, span", MISTAKES)
def test_errors_and_warnings_per_level(profile, text, rule, level, span):
    findings = lint(text, profile)
    assert has_errors(findings) == any(f.level == "error" for f in findings)
    if level == "error":
        assert has_errors(findings)


def test_every_rule_is_exercised():
    assert {rule for _, _, rule, _, _ in MISTAKES} | {"unicode-form"} == set(RULES)


def test_one_mistake_one_finding_inside_a_broken_dual_transcription():
    # the digits and the stray slash inside the broken marker are not reported again
    assert [f.rule for f in lint("(70%) /(칠십 퍼센트) 정도", "kspon")] == ["dual-transcription"]
    assert [f.rule for f in lint("((7))/(칠) 정도", "kspon")] == ["dual-transcription"]


def test_unknown_tag_suggests_the_close_one():
    (finding,) = lint("[Noise] hi", "verbatim-en")
    assert "did you mean [noise]?" in finding.message
    (finding,) = lint("B/ 그래서", "kspon")
    assert "did you mean b/?" in finding.message


def test_several_findings_sorted_by_position():
    text = " x/ 7시에  안녕b/ 그++ "
    findings = lint(text, "kspon")
    assert [f.rule for f in findings] == [
        "edge-space",
        "unknown-tag",
        "digits",
        "double-space",
        "tag-placement",
        "mark-placement",
        "edge-space",
    ]
    assert findings == sorted(findings, key=lambda f: f.start)


def test_nfd_input_is_linted_as_nfc():
    line = "o/ (70%)/(칠십 퍼센트) 정도 b/ 되는 것 같아요 음/ 그+ 그래서"
    decomposed = unicodedata.normalize("NFD", line)
    assert decomposed != line
    (finding,) = lint(decomposed, "kspon")
    assert finding.rule == "unicode-form" and finding.level == "warning"
    assert finding.end == len(line)  # offsets index the NFC text
    findings = lint(unicodedata.normalize("NFD", "사과/ 먹었어"), "kspon")
    nfc = "사과/ 먹었어"
    (unknown,) = [f for f in findings if f.rule == "filler-unknown"]
    assert nfc[unknown.start : unknown.end] == "사과/"


def test_profile_by_object_or_name_and_rules_off():
    kspon = load_profile("kspon")
    assert lint("7시", kspon) == lint("7시", "kspon")
    assert lint("7시  TV", "plain") == [lint("7시  TV", "plain")[0]]  # only the double space
    assert lint("[nois] 7", "plain") == []


def test_finding_is_frozen():
    finding = Finding("digits", "error", "digits: '7'", 0, 1)
    with pytest.raises(AttributeError):
        finding.level = "warning"  # type: ignore[misc]


MARKUP = st.text(alphabet="()/+*[] 음어그7a b/u/x/\t가", max_size=40)


@settings(max_examples=300, deadline=None)
@given(MARKUP, st.sampled_from(["kspon", "verbatim-en", "plain"]))
def test_lint_never_fails_and_offsets_stay_in_the_text(text, profile):
    for f in lint(text, profile):
        assert 0 <= f.start <= f.end <= len(text)
        assert f.rule in RULES and f.level in ("error", "warning")
        assert f.message.startswith(f.rule + ": ")
