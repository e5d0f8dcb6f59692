"""Text as the workbench keeps it: no control characters, no bidi overrides, one line.

Every way text comes in (annotation import, the editor's save, split and merge, a review's fix)
goes through `clean_text`, so no stored text holds a character that an export cannot write: XML
(ELAN) refuses C0 controls, lone surrogates and U+FFFE/U+FFFF outright, and the other formats
are lines of text that a stray newline or carriage return would break. Writers use `one_line`,
which removes the same characters, for text stored before this rule.

Removed: C0 and C1 control characters (those that are whitespace, such as tab, newline, carriage
return, U+0085, become a space), the bidi embeddings, overrides and isolates U+202A-U+202E and
U+2066-U+2069 (they can make a text read differently from what it holds; the marks U+200E,
U+200F and U+061C stay), lone surrogates, U+FEFF and the non-characters U+FFFE, U+FFFF.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["UNWANTED", "strip_controls", "one_line", "clean_text", "shown"]

UNWANTED = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f"  # C0 and C1 controls that are not whitespace
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides and isolates
    "\ud800-\udfff\ufeff\ufffe\uffff]"  # lone surrogates, a stray BOM, non-characters
)
_SPACES = re.compile("[\t\n\x0b\x0c\r\x1c-\x1f\x85]")  # the control characters that are spaces


def strip_controls(text: str, keep_newlines: bool = False) -> str:
    """`text` without the unwanted characters; the control characters that are whitespace become
    a space (newlines stay, as '\\n', when `keep_newlines`: for multi-line notes)."""
    if keep_newlines:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = "\n".join(_SPACES.sub(" ", line) for line in text.split("\n"))
    else:
        text = _SPACES.sub(" ", text)
    return UNWANTED.sub("", text)


def one_line(text: str) -> str:
    """Text without the unwanted characters, every run of whitespace one space, trimmed."""
    return " ".join(strip_controls(text).split())


def clean_text(text: str) -> str:
    """Text as stored: `one_line`, NFC-normalised."""
    return " ".join(unicodedata.normalize("NFC", strip_controls(text)).split())


_ESCAPED = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def shown(text: object) -> str:
    """`text` for one line of a terminal: control characters (newline, escape...), bidi
    overrides and lone surrogates written as escapes (`\\n`, `\\x1b`, `\\u202e`), so a name
    can neither start a line of its own, move the cursor, nor reorder what follows it."""
    return _ESCAPED.sub(lambda m: m.group().encode("unicode_escape").decode(), str(text))
