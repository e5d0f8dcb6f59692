"""Convention findings as the person typing reads them: pure functions, no state.

`lint` gives one finding per span, for tools (the CLI, exports) with the rule id and a
character offset. A crowd worker needs less and more: what is wrong and what to do in their
language (`Finding.advice`), how serious it is in words, and where, shown in the text itself
(a short excerpt with the spot marked) rather than as an offset. The same advice at several
places is one note listing them, so each problem is read once.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.core.messages import N_, t
from workbench.text.lint import Finding

__all__ = ["Place", "Note", "notes", "SEVERITY"]

CONTEXT = 12  # characters of text shown either side of a spot
SPOT_CHARS = 24  # longest spot shown; a longer one is cut with "…"
MAX_PLACES = 3  # places shown in one note; the rest are counted
SEVERITY = {"error": N_("Error"), "warning": N_("Warning")}  # a finding's level, in words
_SHOWN = {"\n": "↵", "\t": "⇥"}  # what a spot's invisible characters are drawn as; others ␣
_INVISIBLE = "\u200b\u2060\ufeff"


@dataclass(frozen=True)
class Place:
    """Where in the text: the spot, with a little text either side ("…" where cut)."""

    before: str
    spot: str
    after: str


@dataclass(frozen=True)
class Note:
    """One problem as a worker reads it: its level ("error" | "warning") and that level in
    words, what to do, and the places it occurs (`more`: places not shown)."""

    level: str
    severity: str
    advice: str
    places: tuple[Place, ...]
    more: int = 0


def notes(findings: Sequence[Finding], text: str) -> list[Note]:
    """`findings` (of `text`, as `lint` gave them) as notes in the current language: one per
    level and advice, errors first, each in the order of its first place in the text."""
    text = unicodedata.normalize("NFC", text)  # the offsets index the NFC form
    groups: dict[tuple[str, str], set[tuple[int, int]]] = {}
    for f in sorted(findings, key=lambda f: (f.level != "error", f.start, f.end)):
        advice = f.advice.said() if f.advice is not None else f.message
        groups.setdefault((f.level, advice), set()).add((f.start, f.end))
    out = []
    for (level, advice), spans in groups.items():
        ordered = sorted(spans)
        shown = tuple(_place(text, a, b) for a, b in ordered[:MAX_PLACES])
        severity = t(SEVERITY.get(level, level))
        out.append(Note(level, severity, _sentence(advice), shown, len(ordered) - len(shown)))
    return out


def _sentence(advice: str) -> str:
    """An English message from the linter ("digits; write the number as words") read as a
    sentence; a translation is one already."""
    return advice[:1].upper() + advice[1:] + ("" if advice.endswith((".", "?", "!")) else ".")


def _place(text: str, start: int, end: int) -> Place:
    span = text[start:end]
    blank = all(ch.isspace() or ch in _INVISIBLE for ch in span)
    spot = (_visible(span) if blank else _flat(span)) or "␣"
    if len(spot) > SPOT_CHARS:
        spot = spot[: SPOT_CHARS - 1] + "…"
    before = text[max(0, start - CONTEXT) : start]
    after = text[end : end + CONTEXT]
    return Place(
        ("…" if start > CONTEXT else "") + _flat(before),
        spot,
        _flat(after) + ("…" if end + CONTEXT < len(text) else ""),
    )


def _visible(span: str) -> str:
    """A blank spot's characters drawn (a space to delete shows)."""
    return "".join(_SHOWN.get(ch, "␣") if ch.isspace() or ch in _INVISIBLE else ch for ch in span)


def _flat(context: str) -> str:
    """Text beside a spot on one line."""
    return "".join(_SHOWN.get(ch, ch) for ch in context)
