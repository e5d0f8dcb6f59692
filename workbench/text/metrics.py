"""Word and character error rates (jiwer 4) on normalised text, and which one to headline.

Normalisation (`normalise`) makes the rates ignore what transcribers and ASR disagree on
without a difference in what was said: Unicode form (NFKC: full-width Latin, composed
Hangul), case (casefold), punctuation (Unicode categories P*: apostrophes and separators
between digits are removed, `don't` = `dont`, `5,000` = `5000`; other punctuation becomes a
space) and spacing. Symbols (Unicode S*: $, ₩, +) are kept; %, # and @ are Unicode
punctuation (Po) and go.
With `profile=`, both sides are first rendered in the profile's spelling form with tags
stripped, so `(70%)/(칠십 퍼센트) b/` is scored as `70%`.

CER and spaces: Korean spacing (띄어쓰기) is inconsistent between transcribers and against
ASR output, and a space error is no error in what was heard, so `cer` ignores spaces by
default (`ignore_spaces=True`: spaces are removed before counting characters). Published
KsponSpeech results are commonly given as CER counted with spaces (the space being one
character); pass `ignore_spaces=False` to compare with those or with `jiwer.cer`.

Rates are pooled over all pairs: total edits / total reference units. An empty reference
does not crash: as in jiwer, when every reference is empty the rate is the number of
inserted units (0.0 when the hypotheses are empty too).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import jiwer

from workbench.text.conventions import Profile, load_profile
from workbench.text.forms import render

__all__ = ["Score", "CER_LANGUAGES", "normalise", "score", "wer", "cer", "headline_metric"]

# Scripts written without spaces between words, or Korean with its unreliable spacing.
CER_LANGUAGES = frozenset({"ko", "ja", "zh", "th", "yue", "lo", "km", "my", "bo"})
_APOSTROPHES = "'’ʼ＇"

Texts = str | Sequence[str | None]


@dataclass(frozen=True)
class Score:
    unit: str  # "word" | "char"
    hits: int
    substitutions: int
    deletions: int
    insertions: int

    @property
    def reference_length(self) -> int:
        return self.hits + self.substitutions + self.deletions

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def rate(self) -> float:
        if self.reference_length == 0:
            return float(self.insertions)
        return self.errors / self.reference_length


def normalise(text: str | None) -> str:
    """Text as the metrics compare it: NFKC, casefolded, no punctuation, single spaces."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    out = []
    for i, ch in enumerate(text):
        category = unicodedata.category(ch)
        if ch in _APOSTROPHES or (category[0] == "C" and not ch.isspace()):
            continue
        if category[0] == "P":
            in_number = 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
            out.append("" if in_number else " ")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def score(
    refs: Texts,
    hyps: Texts,
    *,
    unit: str = "word",
    ignore_spaces: bool = True,
    profile: Profile | str | None = None,
) -> Score:
    """Edit counts between references and hypotheses, pooled; `ignore_spaces` is for "char"."""
    if unit not in ("word", "char"):
        raise ValueError(f"unit must be 'word' or 'char', got {unit!r}")
    ref_texts, hyp_texts = _prepare(refs, profile), _prepare(hyps, profile)
    if len(ref_texts) != len(hyp_texts):
        raise ValueError(f"{len(ref_texts)} references but {len(hyp_texts)} hypotheses")
    if unit == "char" and ignore_spaces:
        ref_texts = [r.replace(" ", "") for r in ref_texts]
        hyp_texts = [h.replace(" ", "") for h in hyp_texts]
    if not ref_texts:
        return Score(unit, 0, 0, 0, 0)
    out = (
        jiwer.process_words(ref_texts, hyp_texts)
        if unit == "word"
        else jiwer.process_characters(ref_texts, hyp_texts)
    )
    return Score(unit, out.hits, out.substitutions, out.deletions, out.insertions)


def wer(refs: Texts, hyps: Texts, *, profile: Profile | str | None = None) -> float:
    """Word error rate over normalised text (see the module's notes)."""
    return score(refs, hyps, unit="word", profile=profile).rate


def cer(
    refs: Texts, hyps: Texts, *, ignore_spaces: bool = True, profile: Profile | str | None = None
) -> float:
    """Character error rate over normalised text; spaces ignored unless told otherwise."""
    return score(refs, hyps, unit="char", ignore_spaces=ignore_spaces, profile=profile).rate


def headline_metric(language: str | None) -> str:
    """ "CER" for ko, ja, zh, th (and other languages written without spaces), else "WER"."""
    code = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return "CER" if code in CER_LANGUAGES else "WER"


def _prepare(texts: Texts, profile: Profile | str | None) -> list[str]:
    items = [texts] if isinstance(texts, str) or texts is None else list(texts)
    if profile is not None:
        profile = load_profile(profile)
        items = [render(t or "", profile, "spelling", "strip") for t in items]
    return [normalise(t) for t in items]
