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
