"""Numbers typed in a Korean project's editor, offered as dual forms: `70%` ->
`(70%)/(칠십 퍼센트)`.

The editor shows a suggestion and the labeller accepts it with one key; nothing is applied
silently. The readings are `workbench.text.numerals`; this module decides where they apply.
"""

from __future__ import annotations

from workbench.core.records import Project
from workbench.text import load_profile
from workbench.text.markup import nfc
from workbench.text.numerals import Suggestion, suggest

__all__ = ["Suggestion", "number_suggestions", "editor_offers"]

MAX_OFFERS = 50  # a line of digits does not send the browser a novel


def number_suggestions(project: Project, text: str, caret: int | None = None) -> list[Suggestion]:
    """The numbers in `text` with their dual forms (with `caret`: the one at the caret), in a
    Korean project whose conventions write dual transcriptions; [] in any other project.

    Korean: the project's language, or its conventions' when the language is 'auto'.
    """
    profile = load_profile(project.conventions)
    language = project.language if project.language != "auto" else profile.language
    if language != "ko" or profile.dual is None:
        return []
    return suggest(text, caret, profile=profile)


def editor_offers(project: Project, text: str) -> list[dict[str, object]]:
    """The suggestions for the editor's text box, as the browser takes them: `{start, end,
    text, dual}` with offsets in UTF-16 code units (a JavaScript string's) of the NFC text.
    The browser replaces `start:end` with `dual` only while the box still holds `text`
    there, and only when the labeller presses the key."""
    found = number_suggestions(project, text)[:MAX_OFFERS]
    if not found:
        return []
    text = nfc(text)

    def units(i: int) -> int:
        return len(text[:i].encode("utf-16-le")) // 2

    return [
        {"start": units(s.start), "end": units(s.end), "text": s.original, "dual": s.dual_form}
        for s in found
    ]
