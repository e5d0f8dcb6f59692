"""Praat TextGrid of one recording: an interval tier per speaker, written and read back.

Each tier tiles [0, duration]: gaps become empty intervals, as Praat expects. Intervals of one
tier never overlap: an utterance that begins before the previous one ends starts where that
one ends, and one left with no time of its own joins its text to the previous interval.
Utterances without a speaker go to the tier NO_SPEAKER. An empty text is a gap, so empty
utterances do not survive a TextGrid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TextIO

from workbench.export.utterance import Annotation, Utterance, one_line

__all__ = ["NO_SPEAKER", "Interval", "disjoint", "tier_intervals", "write_textgrid", "read_textgrid"]

NO_SPEAKER = "transcription"  # tier name for utterances without a speaker

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


def write_textgrid(utterances: Iterable[Utterance], duration: float, f: TextIO) -> int:
    """A long-format TextGrid with a tier per speaker (sorted by name); returns the tier count."""
    tiers: dict[str, list[tuple[float, float, str]]] = {}
    for u in utterances:
        tiers.setdefault(u.speaker or NO_SPEAKER, []).append(
            (u.offset, u.offset + u.duration, one_line(u.text)))
    xmax = round(duration, 6)
    f.write('File type = "ooTextFile"\nObject class = "TextGrid"\n\n')
    f.write(f"xmin = 0\nxmax = {xmax!r}\ntiers? <exists>\nsize = {len(tiers)}\nitem []:\n")
    for i, name in enumerate(sorted(tiers), 1):
        intervals = tier_intervals(tiers[name], duration)
        f.write(f"    item [{i}]:\n        class = \"IntervalTier\"\n        name = {_q(name)}\n")
        f.write(f"        xmin = 0\n        xmax = {xmax!r}\n")
        f.write(f"        intervals: size = {len(intervals)}\n")
        for j, (start, end, text) in enumerate(intervals, 1):
            f.write(f"        intervals [{j}]:\n            xmin = {start!r}\n"
                    f"            xmax = {end!r}\n            text = {_q(text)}\n")
    return len(tiers)


# strings, flags, numbers, and the '[2]' of 'item [2]:' (long format), which is dropped
_TOKEN = re.compile(
    r'"(?:[^"]|"")*"|\[\s*\d*\s*\]|<exists>|<absent>|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?'
)


def read_textgrid(f: TextIO) -> list[Annotation]:
    """Non-empty intervals of every interval tier (long or short format); tier name = speaker."""
    tokens = [t for t in _TOKEN.findall(f.read()) if not t.startswith("[")]
    values = [t[1:-1].replace('""', '"') if t.startswith('"') else t for t in tokens]
    if values[:2] != ["ooTextFile", "TextGrid"]:
        raise ValueError("not a Praat TextGrid text file")
    pos = 4  # past the file type, object class, xmin and xmax
    if values[pos] == "<absent>":
        return []
    n_tiers, pos = int(values[pos + 1]), pos + 2
    found = []
    for _ in range(n_tiers):
        kind, name, n = values[pos], values[pos + 1], int(values[pos + 4])
        pos += 5
        width = 3 if kind == "IntervalTier" else 2
        if kind == "IntervalTier":
            speaker = None if name == NO_SPEAKER else name
            for k in range(n):
                start, end, text = values[pos + 3 * k: pos + 3 * k + 3]
                if text.strip():
                    found.append(Annotation("", float(start), float(end), one_line(text), speaker))
        pos += width * n
    return sorted(found, key=lambda a: (a.start, a.speaker or ""))
