"""WER and CER over normalised text, empty references, and the headline metric per language."""

from __future__ import annotations

import unicodedata

import jiwer
import pytest

from workbench.text import Score, cer, headline_metric, normalise, score, wer

NORMALISED = [
    ("Hello, World!", "hello world"),
    ("  don't   STOP ", "dont stop"),
    ("그래서... 그랬어요?", "그래서 그랬어요"),
    ("그래서,그리고", "그래서 그리고"),
    ("ＡＢＣ １２３", "abc 123"),  # full-width forms (NFKC)
    (unicodedata.normalize("NFD", "한국어"), "한국어"),
    ("Straße", "strasse"),  # casefold
    ("₩5,000 + $3 «quoted» — dash", "₩5000 + $3 quoted dash"),  # symbols (S*) stay
    ("70%", "70"),  # % is Unicode punctuation (Po)
    ("3.5 1,000,000", "35 1000000"),
    ("zero\u200bwidth", "zerowidth"),
    ("", ""),
    (None, ""),
]


@pytest.mark.parametrize("text, expected", NORMALISED)
def test_normalise(text, expected):
    assert normalise(text) == expected


WER_CASES = [
    (["a b c d"], ["a b c d"], 0.0),
    (["a b c d"], ["a x c d"], 0.25),
    (["a b c d"], ["a c d"], 0.25),
    (["a b c d"], ["a b c d e"], 0.25),
    (["Hello, world."], ["hello world"], 0.0),
    (["a b", "c d"], ["a b", "c x"], 0.25),  # pooled: 1 error over 4 words
    (["안녕 하세요 여러분"], ["안녕하세요 여러분"], 2 / 3),
    ("one two", "one three", 0.5),  # single strings are fine
]


@pytest.mark.parametrize("refs, hyps, expected", WER_CASES)
def test_wer(refs, hyps, expected):
    assert wer(refs, hyps) == pytest.approx(expected)


CER_CASES = [
    # refs, hyps, ignoring spaces (default), counting spaces
    (["안녕 하세요"], ["안녕하세요"], 0.0, 1 / 6),
    (["안녕하세요"], ["안녕 하세요"], 0.0, 1 / 5),
    (["감사합니다"], ["감사함니다"], 1 / 5, 1 / 5),
    (["abc"], ["ABC!"], 0.0, 0.0),
    (["ab cd"], ["ab ce"], 1 / 4, 1 / 5),
]


@pytest.mark.parametrize("refs, hyps, no_spaces, with_spaces", CER_CASES)
def test_cer_with_and_without_spaces(refs, hyps, no_spaces, with_spaces):
    assert cer(refs, hyps) == pytest.approx(no_spaces)
    assert cer(refs, hyps, ignore_spaces=True) == pytest.approx(no_spaces)
    assert cer(refs, hyps, ignore_spaces=False) == pytest.approx(with_spaces)


@pytest.mark.parametrize(
    "refs, hyps",
    [
        (["the cat sat on the mat", "hello there"], ["the cat sat on a mat", "hello"]),
        (["그래서 우리는 갔어요", "네"], ["그래서 우린 갔어요", "네 네"]),
    ],
)
def test_agrees_with_jiwer_on_normalised_text(refs, hyps):
    assert wer(refs, hyps) == pytest.approx(jiwer.wer(refs, hyps))
    assert cer(refs, hyps, ignore_spaces=False) == pytest.approx(jiwer.cer(refs, hyps))


EMPTY = [
    # refs, hyps, wer, cer (spaces ignored)
    ([""], [""], 0.0, 0.0),
    ([""], ["a b"], 2.0, 2.0),  # as jiwer: the number of inserted units
    (["", ""], ["", ""], 0.0, 0.0),
    (["...", "?"], ["", ""], 0.0, 0.0),  # empty after normalisation
    (["", "a b"], ["x", "a b"], 0.5, 0.5),  # pooled over the non-empty reference
    (["a b"], [""], 1.0, 1.0),
    ([None], ["a"], 1.0, 1.0),
    ([], [], 0.0, 0.0),
]


@pytest.mark.parametrize("refs, hyps, expected_wer, expected_cer", EMPTY)
def test_empty_references_do_not_crash(refs, hyps, expected_wer, expected_cer):
    assert wer(refs, hyps) == pytest.approx(expected_wer)
    assert cer(refs, hyps) == pytest.approx(expected_cer)


def test_lengths_must_match():
    with pytest.raises(ValueError, match="2 references but 1 hypotheses"):
        wer(["a", "b"], ["a"])


def test_score_counts():
    s = score(["a b c d"], ["a x c d e"])
    assert s == Score("word", hits=3, substitutions=1, deletions=0, insertions=1)
    assert (s.reference_length, s.errors, s.rate) == (4, 2, 0.5)
    assert score("ab", "ac", unit="char").substitutions == 1
    with pytest.raises(ValueError):
        score("a", "a", unit="phone")


@pytest.mark.parametrize(
    "ref, hyp, metric, expected",
    [
        (
            "o/ (70%)/(칠십 퍼센트) 정도 b/ 되는 것 같아요 음/ 그+ 그래서",
            "70% 정도 되는 것 같아요 음 그 그래서",
            wer,
            0.0,
        ),
        ("(3시)/(세 시)에 만나요 u/", "3시에 만나요", cer, 0.0),
        ("[noise] Um, I think so.", "um i think so", wer, 0.0),
    ],
)
def test_markup_is_resolved_with_a_profile(ref, hyp, metric, expected):
    profile = "verbatim-en" if "[" in ref else "kspon"
    assert metric([ref], [hyp], profile=profile) == pytest.approx(expected)
    assert metric([ref], [hyp]) > 0  # without the profile the markup counts as errors


@pytest.mark.parametrize(
    "language, metric",
    [
        ("ko", "CER"),
        ("ja", "CER"),
        ("zh", "CER"),
        ("th", "CER"),
        ("ko-KR", "CER"),
        ("zh_Hans", "CER"),
        ("KO", "CER"),
        ("yue", "CER"),
        ("en", "WER"),
        ("de", "WER"),
        ("fr", "WER"),
        ("auto", "WER"),
        ("", "WER"),
        (None, "WER"),
    ],
)
def test_headline_metric(language, metric):
    assert headline_metric(language) == metric
