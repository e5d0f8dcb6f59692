"""Parse a transcript under a profile into words made of text, dual transcriptions and tags.

Both the linter and the text forms read transcripts through `parse`, so they agree on what
is a tag, a dual transcription or a marked word. Parsing never fails: what is malformed is
reported as a `Problem` (for the linter) and otherwise kept as plain text (for the forms).

Offsets index the NFC text (`Parsed.text`), which is what `parse` works on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from workbench.core.messages import Phrase, phrase
from workbench.text.conventions import Dual, Profile

__all__ = ["Piece", "Word", "Problem", "Parsed", "parse", "nfc", "word_marks", "is_punct"]

DUAL_SLOT = "\ue000"  # stands for a whole dual transcription when a word's marks are read


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


@dataclass(frozen=True)
class Piece:
    kind: str  # "text" | "dual" | "tag"
    start: int
    end: int
    text: str  # as written
    name: str = ""  # tag: the name between the syntax's parts ("b", "noise")
    spelling: tuple[int, int] = (0, 0)  # dual: offsets of the inside of each side
    pronunciation: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Word:
    """What stands between two spaces (spaces inside a dual transcription do not split)."""

    start: int
    end: int
    pieces: tuple[Piece, ...]

    @property
    def is_tag(self) -> bool:
        return len(self.pieces) == 1 and self.pieces[0].kind == "tag"

    @property
    def tags(self) -> tuple[Piece, ...]:
        return tuple(p for p in self.pieces if p.kind == "tag")


@dataclass(frozen=True)
class Problem:
    rule: str
    start: int
    end: int
    message: Phrase  # without the rule id; the linter adds it


@dataclass(frozen=True)
class Parsed:
    text: str  # NFC
    words: tuple[Word, ...]
    problems: tuple[Problem, ...]
    malformed: tuple[tuple[int, int], ...]  # spans of broken dual transcriptions

    def side(self, piece: Piece, which: str) -> str:
        """One side of a dual transcription, whitespace collapsed."""
        start, end = getattr(piece, which)
        return " ".join(self.text[start:end].split())


def parse(text: str, profile: Profile) -> Parsed:
    text = nfc(text)
    atoms: list[Piece] = []
    problems: list[Problem] = []
    malformed: list[tuple[int, int]] = []
    if profile.dual:
        _scan_dual(text, profile.dual, atoms, problems, malformed)
    if profile.tag_open and profile.tag_close:
        _scan_bracket_tags(text, profile, atoms, problems)
    atoms.sort(key=lambda p: p.start)
    words = tuple(_split_tags(w, text, profile) for w in _words(text, atoms))
    return Parsed(text, words, tuple(problems), tuple(malformed))


# ---- dual transcriptions: (spelling)/(pronunciation)


def _scan_dual(
    text: str,
    d: Dual,
    atoms: list[Piece],
    problems: list[Problem],
    malformed: list[tuple[int, int]],
) -> None:
    i = 0
    while i < len(text):
        if text[i] == d.close:
            _bad(
                problems,
                malformed,
                i,
                i + 1,
                phrase("'{close}' without an opening '{open}'", close=d.close, open=d.open),
            )
            i += 1
        elif text[i] == d.open:
            i = _dual_at(text, i, d, atoms, problems, malformed)
        else:
            i += 1


def _dual_at(
    text: str,
    i: int,
    d: Dual,
    atoms: list[Piece],
    problems: list[Problem],
    malformed: list[tuple[int, int]],
) -> int:
    """Read the dual transcription opening at `i`; returns where scanning goes on.

    A broken one is reported once, over everything that belongs to it (both sides).
    """
    first_end, problem = _group(text, i, d)
    paired = text.startswith(d.separator + d.open, first_end)
    if problem is None and not paired:
        return _unpaired(text, i, first_end, d, problems, malformed)
    second_end, second_problem = _group(text, first_end + 1, d) if paired else (first_end, None)
    problem = problem or second_problem
    if problem is None:
        spelling, pronunciation = (i + 1, first_end - 1), (first_end + 2, second_end - 1)
        empty = [
            name
            for name, (a, b) in (("spelling", spelling), ("pronunciation", pronunciation))
            if not text[a:b].strip()
        ]
        if not empty:
            atoms.append(
                Piece(
                    "dual",
                    i,
                    second_end,
                    text[i:second_end],
                    spelling=spelling,
                    pronunciation=pronunciation,
                )
            )
            return second_end
        problem = (
            phrase("empty spelling and pronunciation side in dual transcription")
            if len(empty) == 2
            else phrase("empty spelling side in dual transcription")
            if empty == ["spelling"]
            else phrase("empty pronunciation side in dual transcription")
        )
    _bad(problems, malformed, i, second_end, problem)
    return second_end


def _unpaired(
    text: str,
    i: int,
    first_end: int,
    d: Dual,
    problems: list[Problem],
    malformed: list[tuple[int, int]],
) -> int:
    """A (spelling) group not followed by /(pronunciation)."""
    shape = f"{d.open}...{d.close}{d.separator}{d.open}...{d.close}"
    rest = text[first_end:]
    if text.startswith(d.open, first_end):
        end = _group(text, first_end, d)[0]
        message = phrase(
            "'{separator}' missing between the sides: write {shape}",
            separator=d.separator,
            shape=shape,
        )
    elif text.startswith(d.separator, first_end):
        end = first_end + 1
        message = phrase("pronunciation side not in parentheses: write {shape}", shape=shape)
    elif rest[:1].isspace() and rest.lstrip().startswith((d.separator, d.open)):
        at = len(text) - len(rest.lstrip())
        at += text.startswith(d.separator + d.open, at)
        end = _group(text, at, d)[0] if text.startswith(d.open, at) else at + 1
        message = phrase(
            "space inside dual transcription: write {shape} without spaces", shape=shape
        )
    else:
        end = first_end
        message = phrase(
            "'{missing}' missing after the spelling side",
            missing=f"{d.separator}{d.open}pronunciation{d.close}",
        )
    _bad(problems, malformed, i, end, message)
    return end


def _group(text: str, i: int, d: Dual) -> tuple[int, Phrase | None]:
    """End of the bracketed group opening at `i`, and what is wrong with it, if anything."""
    depth, nested = 0, False
    for k in range(i, len(text)):
        if text[k] == d.open:
            depth += 1
            nested = nested or depth > 1
        elif text[k] == d.close:
            depth -= 1
            if depth == 0:
                nest = phrase("nested parentheses in dual transcription")
                return k + 1, nest if nested else None
    return len(text), phrase("'{open}' never closed", open=d.open)


def _bad(
    problems: list[Problem], malformed: list[tuple[int, int]], start: int, end: int, message: Phrase
) -> None:
    problems.append(Problem("dual-transcription", start, end, message))
    malformed.append((start, end))


# ---- tags: [noise] style found in the whole text; b/ style found inside words


def _scan_bracket_tags(
    text: str, profile: Profile, atoms: list[Piece], problems: list[Problem]
) -> None:
    opener, closer = profile.tag_open, profile.tag_close
    taken = [(a.start, a.end) for a in atoms]
    i = 0
    while i < len(text):
        if any(a <= i < b for a, b in taken):
            i += 1
            continue
        if text.startswith(closer, i):
            problems.append(
                Problem(
                    "unknown-tag",
                    i,
                    i + len(closer),
                    phrase("'{closer}' without '{opener}'", closer=closer, opener=opener),
                )
            )
            i += len(closer)
        elif text.startswith(opener, i):
            i = _bracket_tag_at(text, i, profile, atoms, problems)
        else:
            i += 1


def _bracket_tag_at(
    text: str, i: int, profile: Profile, atoms: list[Piece], problems: list[Problem]
) -> int:
    opener, closer = profile.tag_open, profile.tag_close
    close = text.find(closer, i + len(opener))
    reopen = text.find(opener, i + len(opener))
    if close < 0 or 0 <= reopen < close:
        end = reopen if reopen >= 0 else len(text)
        problems.append(
            Problem(
                "unknown-tag",
                i,
                end,
                phrase("tag '{opener}' never closed with '{closer}'", opener=opener, closer=closer),
            )
        )
        return end
    end = close + len(closer)
    atoms.append(Piece("tag", i, end, text[i:end], name=text[i + len(opener) : close]))
    return end


def _tag_pattern(profile: Profile) -> re.Pattern[str]:
    """How a tag looks inside a word, for profiles whose tags have only a prefix or a suffix.

    When the tag suffix is also the filler mark (kspon: b/ and 음/), a Latin word with a
    filler mark would look like a tag; such tags are taken to be no longer than the longest
    tag name (one letter in kspon), so `x/` is an unknown tag while `ok/` is a marked word.
    """
    longest = max((len(t.name) for t in profile.tags), default=1)
    ambiguous = profile.filler_mark and profile.filler_mark in (profile.tag_open, profile.tag_close)
    name = f"[A-Za-z]{{1,{longest}}}" if ambiguous else "[A-Za-z]+"
    return re.compile(
        f"(?<![A-Za-z]){re.escape(profile.tag_open)}({name}){re.escape(profile.tag_close)}(?![A-Za-z])"
    )


def _split_tags(word: Word, text: str, profile: Profile) -> Word:
    if not profile.tag_syntax or (profile.tag_open and profile.tag_close):
        return word
    pattern = _tag_pattern(profile)
    pieces: list[Piece] = []
    for piece in word.pieces:
        if piece.kind != "text":
            pieces.append(piece)
            continue
        at = piece.start
        for m in pattern.finditer(text, piece.start, piece.end):
            if m.start() > at:
                pieces.append(Piece("text", at, m.start(), text[at : m.start()]))
            pieces.append(Piece("tag", m.start(), m.end(), m.group(), name=m.group(1)))
            at = m.end()
        if at < piece.end:
            pieces.append(Piece("text", at, piece.end, text[at : piece.end]))
    return Word(word.start, word.end, tuple(pieces))


# ---- words


def _words(text: str, atoms: list[Piece]) -> list[Word]:
    words: list[Word] = []
    pieces: list[Piece] = []
    run = None  # start of the plain text being read
    i, k = 0, 0
    while i <= len(text):
        atom = atoms[k] if k < len(atoms) else None
        at_space = i == len(text) or (text[i].isspace() and not (atom and atom.start == i))
        if run is not None and (at_space or (atom and atom.start == i)):
            pieces.append(Piece("text", run, i, text[run:i]))
            run = None
        if atom and atom.start == i:
            pieces.append(atom)
            i, k = atom.end, k + 1
        elif at_space:
            if pieces:
                words.append(Word(pieces[0].start, pieces[-1].end, tuple(pieces)))
                pieces = []
            i += 1
        else:
            run = i if run is None else run
            i += 1
    return words


Chars = list[tuple[str, int]]  # characters with their offsets


def word_marks(parsed: Parsed, word: Word, profile: Profile) -> tuple[Chars, Chars]:
    """A word's characters (tags left out, a dual transcription as DUAL_SLOT) split into the
    core and the marks that end it, each character with its offset; trailing punctuation
    (sentence ends: `음/.`) is neither."""
    chars: Chars = []
    for piece in word.pieces:
        if piece.kind == "dual":
            chars.append((DUAL_SLOT, piece.start))
        elif piece.kind == "text":
            chars.extend((parsed.text[j], j) for j in range(piece.start, piece.end))
    marks = profile.marks
    while (
        chars and chars[-1][0] not in marks and chars[-1][0] != DUAL_SLOT and is_punct(chars[-1][0])
    ):
        chars.pop()
    suffix: Chars = []
    while chars and chars[-1][0] in marks:
        suffix.insert(0, chars.pop())
    return chars, suffix
