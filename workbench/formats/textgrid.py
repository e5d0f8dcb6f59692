"""Praat TextGrid of one recording: an interval tier per speaker, written and read back.

Each tier tiles [0, duration]: gaps become empty intervals, as Praat expects. Intervals of one
tier never overlap: an utterance that begins before the previous one ends starts where that
one ends, and one left with no time of its own joins its text to the previous interval.
Utterances without a speaker go to the tier NO_SPEAKER. An empty text is a gap, so empty
utterances do not survive a TextGrid. Where utterances carry their words timed (the saved text
re-timed after each save), each speaker's tier is followed by a word tier, its name and
WORD_TIER ("transcription (words)"); reading a TextGrid back skips those tiers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TextIO

from workbench.formats.reading import AnnotationError, Read, collect, seconds, shown
from workbench.formats.utterance import Annotation, Utterance, one_line

__all__ = [
    "NO_SPEAKER",
    "WORD_TIER",
    "speaker_tiers",
    "Interval",
    "disjoint",
    "tier_intervals",
    "write_textgrid",
    "read_textgrid",
]

NO_SPEAKER = "transcription"  # tier name for utterances without a speaker
WORD_TIER = " (words)"  # a speaker's word tier is named for the speaker's tier and this

Interval = tuple[float, float, str]  # (xmin, xmax, text), seconds


def disjoint(spans: Iterable[Interval], duration: float) -> list[Interval]:
    """Spans clipped to [0, duration] and made disjoint in time order.

    A span that starts before the previous one ends starts at that end instead; one left with
    no time joins its text to the previous span.
    """
    marks: list[list] = []
    for start, end, text in sorted(spans, key=lambda s: (s[0], s[1])):
        start, end = max(0.0, round(start, 6)), min(round(duration, 6), round(end, 6))
        if marks and start < marks[-1][1]:
            start = marks[-1][1]
        if end <= start:
            if marks and text:
                marks[-1][2] = f"{marks[-1][2]} {text}".strip()
            continue
        marks.append([start, end, text])
    return [(a, b, t) for a, b, t in marks]


def tier_intervals(spans: Iterable[Interval], duration: float) -> list[Interval]:
    """Intervals tiling [0, duration]: the spans (made disjoint) and empty gaps between them."""
    tiled: list[Interval] = []
    cursor = 0.0
    for start, end, text in disjoint(spans, duration):
        if start > cursor:
            tiled.append((cursor, start, ""))
        tiled.append((start, end, text))
        cursor = end
    if cursor < round(duration, 6) or not tiled:
        tiled.append((cursor, round(duration, 6), ""))
    return tiled


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def speaker_tiers(
    utterances: Iterable[Utterance],
) -> tuple[dict[str, list[Interval]], dict[str, list[Interval]]]:
    """The utterances' spans by speaker tier name, and their timed words by the same name
    (only speakers with timed words)."""
    tiers: dict[str, list[Interval]] = {}
    words: dict[str, list[Interval]] = {}
    for u in utterances:
        name = one_line(u.speaker or "") or NO_SPEAKER
        tiers.setdefault(name, []).append((u.offset, u.offset + u.duration, one_line(u.text)))
        if u.words:
            words.setdefault(name, []).extend((a, b, one_line(w)) for w, a, b in u.words)
    return tiers, words


def write_textgrid(utterances: Iterable[Utterance], duration: float, f: TextIO) -> int:
    """A long-format TextGrid with a tier per speaker (sorted by name), each followed by its
    word tier where its utterances carry timed words; returns the tier count."""
    tiers, words = speaker_tiers(utterances)
    named = [
        (tier, spans)
        for name in sorted(tiers)
        for tier, spans in ((name, tiers[name]), (name + WORD_TIER, words.get(name)))
        if spans
    ]
    xmax = round(duration, 6)
    f.write('File type = "ooTextFile"\nObject class = "TextGrid"\n\n')
    f.write(f"xmin = 0\nxmax = {xmax!r}\ntiers? <exists>\nsize = {len(named)}\nitem []:\n")
    for i, (name, spans) in enumerate(named, 1):
        intervals = tier_intervals(spans, duration)
        f.write(f'    item [{i}]:\n        class = "IntervalTier"\n        name = {_q(name)}\n')
        f.write(f"        xmin = 0\n        xmax = {xmax!r}\n")
        f.write(f"        intervals: size = {len(intervals)}\n")
        for j, (start, end, text) in enumerate(intervals, 1):
            f.write(
                f"        intervals [{j}]:\n            xmin = {start!r}\n"
                f"            xmax = {end!r}\n            text = {_q(text)}\n"
            )
    return len(named)


# strings, flags, numbers, and the '[2]' of 'item [2]:' (long format), which is dropped
_TOKEN = re.compile(
    r'"(?:[^"]|"")*"|\[\s*\d*\s*\]|<exists>|<absent>|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?'
)


class _Tokens:
    """The tokens of a TextGrid, taken in order; a token of the wrong kind, or none left, raises
    AnnotationError naming what was wanted."""

    def __init__(self, text: str):
        self.tokens = [t for t in _TOKEN.findall(text) if not t.startswith("[")]
        self.pos = 0

    def left(self) -> int:
        return len(self.tokens) - self.pos

    def _take(self, what: str) -> str:
        if self.pos >= len(self.tokens):
            raise AnnotationError(f"the file ends where {what} belongs")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def text(self, what: str) -> str:
        token = self._take(what)
        if not token.startswith('"'):
            raise AnnotationError(f"{shown(token)} stands where {what} (text in quotes) belongs")
        return token[1:-1].replace('""', '"')

    def flag(self, what: str) -> str:
        token = self._take(what)
        if token not in ("<exists>", "<absent>"):
            raise AnnotationError(f"{shown(token)} stands where {what} belongs")
        return token

    def number(self, what: str) -> str:
        """A number's token, unconverted (a time out of range is its row's problem)."""
        token = self._take(what)
        if token.startswith(('"', "<")):
            raise AnnotationError(f"{shown(token)} stands where {what} (a number) belongs")
        return token

    def count(self, what: str, width: int) -> int:
        """A count of items of `width` tokens each, no more than the tokens left hold."""
        token = self._take(what)
        if not token.isdigit() or len(token) > 9 or int(token) * width > self.left():
            raise AnnotationError(f"{what} {shown(token)} is not a count of what the file holds")
        return int(token)


def read_textgrid(f: TextIO) -> Read:
    """Non-empty intervals of every interval tier (long or short format) but the word tiers
    (WORD_TIER); tier name = speaker.
    A file whose structure cannot be followed raises AnnotationError; an interval whose times
    make no span is skipped as a problem (see `reading`)."""
    tokens = _Tokens(f.read())
    if tokens.tokens[:2] != ['"ooTextFile"', '"TextGrid"']:
        raise AnnotationError("not a Praat TextGrid text file")
    tokens.pos = 2
    tokens.number("the grid's xmin")
    tokens.number("the grid's xmax")
    rows: list[tuple[str, tuple[str, str, str, str | None]]] = []
    if tokens.flag("<exists> or <absent>") == "<absent>":
        return Read(())
    for i in range(1, tokens.count("the number of tiers", 5) + 1):
        kind, name = tokens.text(f"tier {i}'s class"), tokens.text(f"tier {i}'s name")
        tokens.number(f"tier {i}'s xmin")
        tokens.number(f"tier {i}'s xmax")
        if kind not in ("IntervalTier", "TextTier"):
            raise AnnotationError(f"tier {i} is a {shown(kind)}, not an IntervalTier or TextTier")
        width = 3 if kind == "IntervalTier" else 2
        n = tokens.count(f"tier {i}'s size", width)
        speaker = None if name == NO_SPEAKER else one_line(name) or None
        for k in range(1, n + 1):
            where = f"tier {i} interval {k}" if width == 3 else f"tier {i} point {k}"
            times = [tokens.number(f"{where}'s time") for _ in range(width - 1)]
            text = tokens.text(f"{where}'s text")
            if width == 3 and text.strip() and not name.endswith(WORD_TIER):
                rows.append((where, (times[0], times[1], text, speaker)))

    def parse(row: tuple[str, str, str, str | None]) -> Annotation:
        start, end, text, speaker = row
        return Annotation("", seconds(start, "xmin"), seconds(end, "xmax"), one_line(text), speaker)

    read = collect(rows, parse)
    ordered = sorted(read.annotations, key=lambda a: (a.start or 0.0, a.speaker or ""))
    return Read(tuple(ordered), read.problems)
