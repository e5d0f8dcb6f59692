"""Lengths of audio as people read them: hours for a corpus, minutes or seconds for a clip."""

from __future__ import annotations


def audio_length(seconds: float) -> str:
    """'2.35 h' from an hour on, '12.5 min' from a minute, else '9.8 s' ('0.00 h' said
    nothing of a clip)."""
    seconds = max(0.0, float(seconds))
    if seconds >= 3600:
        return f"{seconds / 3600:.2f} h"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.1f} s"


UNITS = (("h", "hours", 3600.0), ("min", "minutes", 60.0), ("s", "seconds", 1.0))


def length_unit(largest: float) -> tuple[str, str, float]:
    """The unit a set of lengths whose largest is `largest` seconds reads best in, as
    (symbol, word, seconds in one): hours from an hour on, minutes from a minute, else
    seconds, so that a small project's chart is not drawn on a 0.000-0.020 h axis."""
    for unit in UNITS:
        if largest >= unit[2]:
            return unit
    return UNITS[-1]
