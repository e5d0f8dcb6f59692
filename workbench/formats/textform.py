"""Text hooks of an export: how tags are handled, then which form the text takes.

Both are plain callables `str -> str | None`; None drops the segment from the export. Built-in
ones are registered by name here; transcription conventions (Korean ones included) plug in
with `register_text_form` / `register_tag_mode`, and the CLI and the export page offer every
registered name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from workbench.core.errors import WorkbenchError

__all__ = [
    "TextHook",
    "TEXT_FORMS",
    "TAG_MODES",
    "TAG_PATTERN",
    "as_written",
    "lower",
    "keep_tags",
    "strip_tags",
    "drop_tagged",
    "register_text_form",
    "register_tag_mode",
    "resolve_text_form",
    "resolve_tag_mode",
]

TextHook = Callable[[str], "str | None"]

# inline tags: [laughter], <noise>, {breath}
TAG_PATTERN = re.compile(r"\[[^\[\]]*\]|<[^<>]*>|\{[^{}]*\}")
APOSTROPHES = "'\u2019"


def as_written(text: str) -> str:
    """The text as the labeller wrote it."""
    return text


def _keep(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"  # letters (Hangul too), marks, digits


def lower(text: str) -> str:
    """Lower case without punctuation or symbols (emoji included), Unicode-aware.

    Letters of any script, combining marks and digits stay; an apostrophe stays between two
    letters ("don't", "l'eau"); everything else becomes a word break.
    """
    text = unicodedata.normalize("NFC", text).lower()
    out = []
    for i, ch in enumerate(text):
        kept = _keep(ch) or (
            ch in APOSTROPHES
            and 0 < i < len(text) - 1
            and _keep(text[i - 1])
            and _keep(text[i + 1])
        )
        out.append(ch if kept else " ")
    return " ".join("".join(out).split())


def keep_tags(text: str) -> str:
    """Tags stay in the text."""
    return text


def strip_tags(text: str) -> str:
    """Tags removed, the words around them kept."""
    return " ".join(TAG_PATTERN.sub(" ", text).split())


def drop_tagged(text: str) -> str | None:
    """A segment whose text holds any tag is left out of the export."""
    return None if TAG_PATTERN.search(text) else text


TEXT_FORMS: dict[str, TextHook] = {"as-written": as_written, "lower": lower}
TAG_MODES: dict[str, TextHook] = {"keep": keep_tags, "strip": strip_tags, "drop": drop_tagged}


def register_text_form(name: str, hook: TextHook) -> None:
    """Offer `hook` as text form `name` (for conventions that plug in later)."""
    TEXT_FORMS[name] = hook


def register_tag_mode(name: str, hook: TextHook) -> None:
    """Offer `hook` as tag handling `name`."""
    TAG_MODES[name] = hook


def _resolve(choice: str | TextHook, table: dict[str, TextHook], what: str) -> TextHook:
    if callable(choice):
        return choice
    if choice not in table:
        raise WorkbenchError(f"unknown {what} {choice!r}; choose one of {', '.join(table)}")
    return table[choice]


def resolve_text_form(choice: str | TextHook) -> TextHook:
    """A text form by name, or the callable itself."""
    return _resolve(choice, TEXT_FORMS, "text form")


def resolve_tag_mode(choice: str | TextHook) -> TextHook:
    """A tag handling by name, or the callable itself."""
    return _resolve(choice, TAG_MODES, "tag handling")
