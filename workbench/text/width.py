"""Display width of text in a terminal or a monospaced table.

East Asian wide and full-width characters (Hangul syllables, CJK, full-width forms) count
2 columns; combining marks, zero-width and control characters 0; everything else 1,
East Asian "ambiguous" characters included (as most Western terminals draw them).
Text is NFC-normalised first, so decomposed Hangul (NFD jamo) measures like composed.
"""

from __future__ import annotations

import unicodedata

from workbench.text.clean import shown

__all__ = ["char_width", "display_width", "pad"]


def char_width(ch: str) -> int:
    code = ord(ch)
    if 0x1160 <= code <= 0x11FF or 0xD7B0 <= code <= 0xD7FF:
        return 0  # Hangul medial vowels and final consonants join the leading consonant
    if unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns `text` takes in a monospaced font."""
    return sum(char_width(ch) for ch in unicodedata.normalize("NFC", text))


def pad(text: str, width: int, align: str = "left") -> str:
    """`text` padded with spaces to `width` columns ("left", "right" or "center" aligned), its
    control characters escaped (`clean.shown`: a name stays on its line)."""
    text = shown(text)
    gap = max(0, width - display_width(text))
    if align == "right":
        return " " * gap + text
    if align == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap
