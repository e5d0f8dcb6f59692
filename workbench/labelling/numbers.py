"""Numbers typed in a Korean project's editor, offered as dual forms: `70%` ->
`(70%)/(칠십 퍼센트)`.

The editor shows a suggestion and the labeller accepts it with one key; nothing is applied
silently. The readings are `workbench.text.numerals`; this module decides where they apply.
"""

from __future__ import annotations

from workbench.core.records import Project
from workbench.text import load_profile
from workbench.text.numerals import Suggestion, suggest

__all__ = ["Suggestion", "number_suggestions"]


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
