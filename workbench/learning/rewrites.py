"""Recurring fixes of drafts, found in approved work, and their application to new drafts (pure).

Draft and final are aligned word by word (whitespace tokens without the punctuation at their
ends; eojeols in Korean). A replaced span of one to `max_words` words on both sides is a change
(`changes`); the same change made by enough people in enough segments is a suggested rule
(`find`). For Korean, a one-to-one eojeol change that keeps its particle (`쿠버네티스를` ->
`큐버네티스를`) is learned without the particle (`쿠버네티스` -> `큐버네티스`), and the rule then
matches the word before any particle.

`apply` rewrites whole words only (never inside a longer word), in one pass over the text: the
longest rule first where rules overlap, and the text a rule wrote is never rewritten again.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from workbench.learning.vocabulary import Example, tokens

__all__ = ["Found", "changes", "find", "apply", "PARTICLES"]

R = TypeVar("R")

# Korean particles a word may carry after a rule's span (longest first, so "에서" beats "에")
PARTICLES = (
    "에서",
    "으로",
    "한테",
    "께서",
    "까지",
    "부터",
    "처럼",
    "보다",
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "에",
    "의",
    "도",
    "로",
    "와",
    "과",
    "만",
    "요",
)


@dataclass(frozen=True)
class Found:
    """A change seen in approved work: the draft's `before` written as `after`."""

    before: str
    after: str
    segments: int
    people: int


def _hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def _trim_particle(before: str, after: str) -> tuple[str, str]:
    """A one-eojeol Korean change without the particle both sides end with."""
    if " " in before or " " in after or not (_hangul(before[-1]) and _hangul(after[-1])):
        return before, after
    for particle in PARTICLES:
        if before.endswith(particle) and after.endswith(particle):
            b, a = before[: -len(particle)], after[: -len(particle)]
            if b and a and b != a and _hangul(b[-1]) and _hangul(a[-1]):
                return b, a
            break
    return before, after


def changes(draft: str, final: str, max_words: int = 3) -> list[tuple[str, str]]:
    """The replaced spans of `draft` in `final` as (before, after), each side 1..`max_words`
    words; a change of the first letter's case alone (sentence case) is not one."""
    d, f = tokens(draft), tokens(final)
    out = []
    matcher = difflib.SequenceMatcher(a=d, b=f, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace" or not (1 <= i2 - i1 <= max_words and 1 <= j2 - j1 <= max_words):
            continue
        before, after = _trim_particle(" ".join(d[i1:i2]), " ".join(f[j1:j2]))
        if before[:1].casefold() == after[:1].casefold() and before[1:] == after[1:]:
            continue
        out.append((before, after))
    return out


def find(
    examples: Iterable[Example], min_people: int = 2, min_segments: int = 2, max_words: int = 3
) -> list[Found]:
    """Changes made in at least `min_segments` segments by at least `min_people` distinct
    people, the most people first. A change counts once per segment."""
    segments: dict[tuple[str, str], set[int]] = defaultdict(set)
    people: dict[tuple[str, str], set[str]] = defaultdict(set)
    for k, example in enumerate(examples):
        for change in changes(example.draft, example.final, max_words):
            segments[change].add(k)
            people[change].add(example.author)
    found = [
        Found(b, a, len(segments[(b, a)]), len(people[(b, a)]))
        for (b, a) in segments
        if len(segments[(b, a)]) >= min_segments and len(people[(b, a)]) >= min_people
    ]
    return sorted(found, key=lambda r: (-r.people, -r.segments, r.before, r.after))


def _pair(rule: Any) -> tuple[str, str]:
    return (rule[0], rule[1]) if isinstance(rule, tuple) else (rule.before, rule.after)


def _pattern(before: str) -> str:
    words = [re.escape(w) for w in before.split()]
    tail = f"(?=(?:{'|'.join(PARTICLES)})?(?!\\w))" if _hangul(before[-1]) else r"(?!\w)"
    return r"(?<!\w)" + r"\s+".join(words) + tail


def apply(text: str, rules: Sequence[R]) -> tuple[str, list[R]]:
    """`text` with `rules` applied (each a (before, after) pair or a record with `before` and
    `after`), and the rules that changed it, in the order they first did.

    Whole words only; one pass, so no rule rewrites what another wrote; where two rules could
    match at one place the longer `before` wins (then the first by text). Of two rules with the
    same `before`, the first in that order is used.
    """
    chosen: dict[str, tuple[int, R]] = {}
    order = sorted(range(len(rules)), key=lambda i: (-len(_pair(rules[i])[0]), _pair(rules[i])))
    for i in order:
        before, _ = _pair(rules[i])
        if before.strip() and before not in chosen:
            chosen[before] = (i, rules[i])
    if not chosen or not text:
        return text, []
    listed = list(chosen.values())
    regex = re.compile(
        "|".join(f"(?P<r{k}>{_pattern(_pair(rule)[0])})" for k, (_, rule) in enumerate(listed))
    )
    applied: list[R] = []

    def swap(match: re.Match[str]) -> str:
        group = match.lastgroup
        assert group is not None  # every alternative is a named group
        rule = listed[int(group[1:])][1]
        if all(rule is not seen for seen in applied):
            applied.append(rule)
        return _pair(rule)[1]

    return regex.sub(swap, text), applied
