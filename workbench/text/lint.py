"""As-you-type checks of a transcript against its profile: pure functions, no state.

`lint(text, profile)` returns Findings sorted by position. Each rule's level (error or
warning) comes from the profile; rules the profile leaves out are off. The rule ids and what
they check are in `conventions.RULES`.

Offsets index the NFC form of the text (what the store keeps); when the input was not NFC
(decomposed Hangul from a macOS IME) the `unicode-form` warning says so, and the editor
should normalise before highlighting.

Decisions where the KsponSpeech conventions say nothing checkable:
- a filler mark on a word outside the profile's filler list is a warning (`filler-unknown`),
  not an error: the list cannot be complete. A known filler without its mark is not flagged,
  because most fillers (그, 저, 이, 뭐, 막) are also ordinary words.
- marks go directly after the word (`그+`, `음/`, `아마*`), before any sentence punctuation
  (`음/.`); a word may carry different marks (`그+*`), never the same one twice.
- a dual transcription may have text glued to it (`(5분)/(오 분)만`, particles), and marks
  after it; digits and Latin letters are fine on its spelling side only.
- inside and after a malformed dual transcription, other rules stay quiet, so one mistake
  gives one finding.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from workbench.core.messages import Phrase, phrase
from workbench.text.conventions import Profile, load_profile
from workbench.text.markup import DUAL_SLOT, Parsed, is_punct, parse, word_marks

__all__ = ["Finding", "lint", "has_errors"]

QUOTE_CHARS = 40  # longest span quoted in a message, in characters
_INVISIBLE = "\u200b\u2060\ufeff"  # zero-width space, word joiner, byte order mark
_DOUBLE_SPACE = re.compile(r" {2,}")


@dataclass(frozen=True)
class Finding:
    rule: str  # a key of conventions.RULES
    level: str  # "error" | "warning"
    message: str  # in English: starts with the rule id and quotes the span (the CLI's)
    start: int  # character offsets in the NFC text
    end: int
    advice: Phrase | None = None  # what is wrong and what to do, in any language (`said()`)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.level == "error" for f in findings)


def lint(text: str, profile: Profile | str) -> list[Finding]:
    """Findings for `text` under `profile` (a Profile or a profile name), sorted by start."""
    profile = load_profile(profile)
    parsed = parse(text, profile)
    raw = [*_unicode_form(text, parsed.text), *_spaces(parsed.text)]
    raw += [(p.rule, p.start, p.end, p.message) for p in parsed.problems]
    for check in (_tags, _marks, _digits, _latin, _filler_words):
        raw += [r for r in check(parsed, profile) if not _in_malformed(r[1], parsed)]
    findings = {
        Finding(
            rule,
            level,
            f"{rule}: {message}: {_quote(parsed.text, start, end)}",
            start,
            end,
            message,
        )
        for rule, start, end, message in raw
        if (level := profile.level(rule))
    }
    return sorted(findings, key=lambda f: (f.start, f.end, f.rule))


Raw = tuple[str, int, int, Phrase]  # rule, start, end, message without the rule or the quote


def _quote(text: str, start: int, end: int) -> str:
    span = text[start:end]
    if len(span) > QUOTE_CHARS:
        span = span[: QUOTE_CHARS - 1] + "…"
    return repr(span) if span.strip() else f"{span!r} at {start}"


def _in_malformed(at: int, parsed: Parsed) -> bool:
    return any(a <= at < b for a, b in parsed.malformed)


def _unicode_form(original: str, text: str) -> Iterator[Raw]:
    if original != text:
        yield (
            "unicode-form",
            0,
            len(text),
            phrase("not NFC (decomposed characters); it is stored as NFC"),
        )


def _spaces(text: str) -> Iterator[Raw]:
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip())
    if text.strip():
        if lead:
            yield "edge-space", 0, lead, phrase("space at the start")
        if trail:
            yield "edge-space", len(text) - trail, len(text), phrase("space at the end")
    elif text:
        yield "edge-space", 0, len(text), phrase("only spaces")
    for m in _DOUBLE_SPACE.finditer(text, lead, len(text) - trail):
        n = len(m.group())
        yield "double-space", m.start(), m.end(), phrase("{n} spaces between words", n=n)
    for i, ch in enumerate(text):
        if (ch.isspace() and ch != " ") or ch in _INVISIBLE:
            name = unicodedata.name(ch, f"U+{ord(ch):04X}").lower()
            yield "odd-space", i, i + 1, phrase("{name} instead of a plain space", name=name)


def _tags(parsed: Parsed, profile: Profile) -> Iterator[Raw]:
    known = sorted(profile.tag_names)
    listed = ", ".join(profile.tag_text(n) for n in known) or "none"
    for word in parsed.words:
        for tag in word.tags:
            if tag.name not in profile.tag_names:
                same_case = [n for n in known if n.lower() == tag.name.lower()]
                hint = same_case or difflib.get_close_matches(tag.name, known, n=1, cutoff=0.6)
                yield "unknown-tag", tag.start, tag.end, _unknown_tag(profile, listed, hint)
            if not word.is_tag:
                glued = phrase("tag glued to a word; a tag stands alone")
                yield "tag-placement", tag.start, tag.end, glued


def _marks(parsed: Parsed, profile: Profile) -> Iterator[Raw]:
    if not profile.marks:
        return
    for word in parsed.words:
        if word.is_tag:
            continue
        core, suffix = word_marks(parsed, word, profile)
        yield from _mark_placement(core, suffix, profile)
        if profile.filler_mark in {c for c, _ in suffix} and core and not _is_filler(core, profile):
            end = suffix[-1][1] + 1
            yield (
                "filler-unknown",
                word.start,
                end,
                phrase("filler mark on a word that is not a known filler"),
            )


def _unknown_tag(profile: Profile, listed: str, hint: list[str]) -> Phrase:
    if hint:
        return phrase(
            "not a tag of {profile} (tags: {tags}); did you mean {hint}?",
            profile=profile.name,
            tags=listed,
            hint=profile.tag_text(hint[0]),
        )
    return phrase("not a tag of {profile} (tags: {tags})", profile=profile.name, tags=listed)


def _mark_placement(
    core: list[tuple[str, int]], suffix: list[tuple[str, int]], profile: Profile
) -> Iterator[Raw]:
    marks = profile.marks
    if suffix and not [c for c, _ in core if not is_punct(c) or c in marks]:
        alone = phrase("mark with no word before it")
        yield "mark-placement", suffix[0][1], suffix[-1][1] + 1, alone
    for ch, at in core:
        if ch in marks:
            yield (
                "mark-placement",
                at,
                at + 1,
                phrase(
                    "mark {mark} inside or before a word; it goes right after it", mark=repr(ch)
                ),
            )
    seen: set[str] = set()
    for ch, at in suffix:
        if ch in seen:
            yield "mark-placement", at, at + 1, phrase("mark {mark} written twice", mark=repr(ch))
        seen.add(ch)


def _is_filler(core: list[tuple[str, int]], profile: Profile) -> bool:
    word = "".join(c for c, _ in core if c != DUAL_SLOT and not is_punct(c))
    if DUAL_SLOT in {c for c, _ in core} or not profile.fillers:
        return True
    singles = {f for f in profile.fillers if len(f) == 1}
    return word in profile.fillers or (bool(word) and all(c in singles for c in word))


def _digits(parsed: Parsed, profile: Profile) -> Iterator[Raw]:
    if profile.numbers != "words":
        return
    said = (
        phrase(
            "digits outside the spelling side of a dual transcription; write the number as words"
        )
        if profile.dual
        else phrase("digits; write the number as words")
    )
    for start, end in _checked_spans(parsed):
        for m in re.finditer(r"\d+", parsed.text[start:end]):
            yield "digits", start + m.start(), start + m.end(), said


def _latin(parsed: Parsed, profile: Profile) -> Iterator[Raw]:
    said = (
        phrase("Latin letters; write what was said in Hangul (spelling)/(pronunciation)")
        if profile.dual
        else phrase("Latin letters; write what was said in Hangul")
    )
    for start, end in _checked_spans(parsed):
        for m in re.finditer(r"[^\W\d_]+", parsed.text[start:end]):
            at = start + m.start()
            for a, b in _latin_runs(m.group()):
                yield "latin-letters", at + a, at + b, said


def _latin_runs(letters: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of Latin letters in a run of letters."""
    run = None
    for i, ch in enumerate(letters + " "):
        latin = "LATIN" in unicodedata.name(ch, "")
        if latin and run is None:
            run = i
        elif not latin and run is not None:
            yield run, i
            run = None


def _checked_spans(parsed: Parsed) -> Iterator[tuple[int, int]]:
    """Text that must follow the spelling rules: plain text and pronunciation sides."""
    for word in parsed.words:
        for piece in word.pieces:
            if piece.kind == "text":
                yield piece.start, piece.end
            elif piece.kind == "dual":
                yield piece.pronunciation


def _filler_words(parsed: Parsed, profile: Profile) -> Iterator[Raw]:
    fillers = {f.casefold() for f in profile.fillers}
    for word in parsed.words:
        core, _ = word_marks(parsed, word, profile)
        bare = "".join(c for c, _ in core if not is_punct(c)).casefold()
        if bare in fillers:
            yield (
                "filler-word",
                word.start,
                word.end,
                phrase("filler word; clean verbatim leaves fillers out"),
            )
