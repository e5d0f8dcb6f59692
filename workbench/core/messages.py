"""The interface's words in the reader's language: `t("English text", **fields)`.

The English text is the key; the translations are gettext PO files,
`workbench/locale/<code>/LC_MESSAGES/workbench.po`, read once per process with Babel (no
compile step) into a plain dict, so a lookup costs a dict access (the editor renders on every
key). A text with `{fields}` is formatted after the lookup, so a translation may put them in
its own order. A text missing from a catalogue shows in English.

The language is per request, not per process: the pages set it (`use_language`) from the
signed-in person's choice, else their project's default (`interface_language`), and the use
cases below them (the editor's messages, the convention checks) call `t` without knowing
who reads. A thread that never set one (the CLI, a background job) speaks English.

Texts kept in tables (page titles, shortcut labels, flag names) are marked where they are
written with `N_` and translated where they are shown (`t(label)`): the catalogue's test finds
every `t("…")` and `N_("…")` in the package and fails on one without a Korean entry.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from workbench.core.records import Project

__all__ = [
    "LANGUAGES",
    "DEFAULT_LANGUAGE",
    "N_",
    "t",
    "Phrase",
    "phrase",
    "use_language",
    "current_language",
    "catalogue",
    "interface_language",
    "project_language",
    "status_name",
    "role_name",
]

LANGUAGES = {"en": "English", "ko": "한국어"}  # the interface's languages, each in itself
DEFAULT_LANGUAGE = "en"  # the texts in the code; what shows where no language is chosen
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "workbench"

_language: ContextVar[str] = ContextVar("workbench_language", default=DEFAULT_LANGUAGE)


def N_(text: str) -> str:  # gettext's name for "translated where it is shown"
    """Mark `text` for the catalogue where it is kept in a table; `t(text)` shows it."""
    return text


def use_language(code: str | None) -> None:
    """Speak `code` (one of LANGUAGES; anything else: English) in this thread from now on."""
    _language.set(code if code in LANGUAGES else DEFAULT_LANGUAGE)


def current_language() -> str:
    return _language.get()


@cache
def catalogue(code: str) -> dict[str, str]:
    """The translations of `code` ({English: translated}), read once; {} for English or a
    language with no file. Entries left empty or marked fuzzy are left out."""
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if code == DEFAULT_LANGUAGE or not path.is_file():
        return {}
    with path.open("rb") as f:
        entries = read_po(f, locale=code, domain=DOMAIN)
    return {
        str(m.id): str(m.string)
        for m in entries
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def t(text: str, /, **fields: object) -> str:
    """`text` in the current language, with `fields` filled in (`{name}` as in str.format)."""
    code = _language.get()
    if code != DEFAULT_LANGUAGE:
        text = catalogue(code).get(text, text)
    return text.format(**fields) if fields else text


@dataclass(frozen=True)
class Phrase:
    """A message kept apart from its language, for pure code whose result is shown later or
    elsewhere (a convention finding): the English text with `{fields}`, and their values.
    `str()` says it in English (logs, the CLI); `said()` in the current language."""

    text: str
    fields: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.text.format(**dict(self.fields)) if self.fields else self.text

    def said(self) -> str:
        return t(self.text, **dict(self.fields))


def phrase(text: str, /, **fields: object) -> Phrase:
    """`text` with `fields` (as in `t`), to be said later: a `Phrase`."""
    return Phrase(text, tuple((k, str(v)) for k, v in fields.items()))


def project_language(project: Project | None) -> str:
    """The interface language a project gives members who never chose one: the owner's
    setting, else Korean for a Korean project, else English."""
    if project is None:
        return DEFAULT_LANGUAGE
    if project.interface_language in LANGUAGES:
        return project.interface_language
    return "ko" if project.language == "ko" else DEFAULT_LANGUAGE


def interface_language(chosen: object, project: Project | None) -> str:
    """The language a person sees: their own choice (`chosen`, from their preferences),
    else their project's default (`project_language`)."""
    return chosen if isinstance(chosen, str) and chosen in LANGUAGES else project_language(project)


# the stored values of the records, as a reader says them
_STATUS = {
    "new": N_("new"),
    "drafted": N_("drafted"),
    "labeled": N_("labeled"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "passed": N_("passed"),
    "deleted": N_("deleted"),
    "gold": N_("gold"),  # not a status: how counts by status show gold segments
}
_ROLES = {"labeler": N_("labeller"), "reviewer": N_("reviewer"), "owner": N_("owner")}


def status_name(status: str) -> str:
    """A segment status (`Status` value) in the current language."""
    return t(_STATUS.get(str(status), str(status)))


def role_name(role: str) -> str:
    """A role (`Role` value) in the current language."""
    return t(_ROLES.get(str(role), str(role)))
