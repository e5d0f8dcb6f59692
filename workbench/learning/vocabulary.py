"""Learn a project's vocabulary from approved work, and the prompt drafts get from it (pure).

A term is a word labellers keep writing where the draft had something else: a name, a product,
jargon. Each approved segment gives (draft, final, author); drafts and finals are compared in
the spelling form of the project's conventions with tags and disfluencies left out (`plain`), so
the conventions' markup is never learned. Words are whitespace tokens (for Korean, eojeols)
without the punctuation at their ends. A word counts once per segment; it is kept when enough
segments and enough distinct people show it, and dropped when the draft already writes it right
far more often than it is fixed (common words the engine knows).
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from workbench.learning.records import Term
from workbench.text.conventions import Profile
from workbench.text.forms import spelling
from workbench.text.markup import is_punct, nfc

__all__ = [
    "Example",
    "Learned",
    "plain",
    "tokens",
    "learn",
    "prompt_text",
    "prompt_limit",
    "ordered",
    "PROMPT_CHARS",
    "CJK_PROMPT_CHARS",
]

# Whisper reads at most 223 prompt tokens (half its 448-token context); the limits keep the
# prompt well inside that, since a long prompt also shortens the text decoded.
PROMPT_CHARS = 400  # characters of prompt for alphabetic scripts: about 100 tokens
CJK_PROMPT_CHARS = 100  # Korean, Japanese, Chinese: a character is one token or more
CJK_LANGUAGES = ("ko", "ja", "zh", "yue")


@dataclass(frozen=True)
class Example:
    """One approved segment: the engine's draft, the final text, the labeller."""

    draft: str
    final: str
    author: str


@dataclass(frozen=True)
class Learned:
    """A term found in approved work, with its evidence."""

    term: str
    segments: int
    people: int


def plain(text: str, profile: Profile) -> str:
    """`text` as terms are learned from it: the spelling form, tags stripped, fillers and
    repetitions dropped (the conventions' markup is never a term)."""
    return spelling(text or "", profile, tags="strip", disfluencies="drop") or ""


def tokens(text: str) -> list[str]:
    """The words of `text`: whitespace tokens (eojeols in Korean), NFC, without punctuation at
    their ends; a token of punctuation only is left out."""
    out = []
    for raw in nfc(text or "").split():
        start, end = 0, len(raw)
        while start < end and is_punct(raw[start]):
            start += 1
        while end > start and is_punct(raw[end - 1]):
            end -= 1
        if start < end:
            out.append(raw[start:end])
    return out


# English function words: labellers insert them where a draft dropped them, but as terms they
# teach nothing and a prompt of them invites Whisper to copy the list (bench/adaptation.py
# learned "in" before this). Other languages' are rarely separate tokens (Korean particles
# are part of the word) or are caught by `common_ratio`.
FUNCTION_WORDS = frozenset(
    """
a an the and or but nor so yet if then than that this these those there here
in on at to of for from by with without into onto over under about above below after before
between through during until up down out off again
is am are was were be been being do does did done have has had having will would shall should
can could may might must it its it's i me my we us our you your he him his she her they them
their what which who whom whose when where why how not no yes all any some each both few more
most other such only own same too very just also as well oh uh um okay ok
""".split()  # noqa: SIM905 (a word list reads best as text)
)


def learn(
    examples: Iterable[Example],
    min_segments: int = 2,
    min_people: int = 2,
    common_ratio: float = 3.0,
    min_chars: int = 2,
) -> list[Learned]:
    """Terms labellers wrote over the draft, most evidenced first.

    A token of the final text counts for a segment when the alignment of draft and final
    tokens puts it in an inserted or replaced span. Kept: at least `min_segments` segments and
    `min_people` distinct authors, at least `min_chars` characters, and not written right by
    the draft in more than `common_ratio` times as many segments as it was fixed in, nor an
    English function word (`FUNCTION_WORDS`).
    """
    fixed: dict[str, set[int]] = defaultdict(set)
    people: dict[str, set[str]] = defaultdict(set)
    right: Counter[str] = Counter()
    for k, example in enumerate(examples):
        draft, final = tokens(example.draft), tokens(example.final)
        matcher = difflib.SequenceMatcher(a=draft, b=final, autojunk=False)
        seen_right: set[str] = set()
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                seen_right.update(draft[i1:i2])
                continue
            for token in final[j1:j2]:
                if token not in draft:  # moved, not missing: the draft had it
                    fixed[token].add(k)
                    people[token].add(example.author)
        right.update(seen_right)
    found = [
        Learned(token, len(segs), len(people[token]))
        for token, segs in fixed.items()
        if len(segs) >= min_segments
        and len(people[token]) >= min_people
        and len(token) >= min_chars
        and right[token] <= common_ratio * len(segs)
        and not token.isdigit()
        and token.casefold() not in FUNCTION_WORDS
    ]
    return sorted(found, key=lambda t: (-t.people, -t.segments, t.term))


def ordered(terms: Iterable[Term]) -> list[Term]:
    """The enabled terms as the prompt takes them: the owner's first, then the most evidenced
    (people, then segments), then by name."""
    return sorted(
        (t for t in terms if t.enabled),
        key=lambda t: (t.source != "owner", -t.people, -t.segments, t.term),
    )


def prompt_limit(language: str | None) -> int:
    """How many characters of prompt a language gets (see PROMPT_CHARS)."""
    return CJK_PROMPT_CHARS if (language or "").split("-")[0] in CJK_LANGUAGES else PROMPT_CHARS


def prompt_text(
    terms: Iterable[Term], base_prompt: str | None = None, limit: int = PROMPT_CHARS
) -> str:
    """The initial prompt for drafts: the owner's `base_prompt`, then the enabled terms
    (`ordered`) joined by ", " while the whole stays within `limit` characters. The base
    prompt is kept whole even when it is longer; a term that does not fit is left out and
    the shorter ones after it may still go in."""
    text = " ".join((base_prompt or "").split())
    picked: list[str] = []
    for term in ordered(terms):
        if term.term in picked:
            continue
        joined = ", ".join([*picked, term.term])
        candidate = f"{text} {joined}".strip() if text else joined
        if len(candidate) <= limit:
            picked.append(term.term)
    if not picked:
        return text
    joined = ", ".join(picked)
    return f"{text} {joined}" if text else joined
