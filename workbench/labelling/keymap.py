"""A person's own editor keys: read and changed by the signed-in user, for themselves only.

Stored as the user's preference `keymap` (the overrides of the default table that
`shortcuts.check_keymap` accepted). Keys saved before the table changed and that no longer fit
it (a new default took one of them) give way to the defaults, and `keymap_problem` says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from workbench.core.errors import WorkbenchError
from workbench.core.workbench import Workbench
from workbench.labelling.shortcuts import SHORTCUTS, Shortcut, check_keymap, custom_shortcuts
from workbench.projects.people import prefs, set_pref

PREF = "keymap"

__all__ = ["keymap_problem", "my_keymap", "my_shortcuts", "set_my_keymap"]


def my_keymap(wb: Workbench) -> dict[str, list[str]]:
    """The acting user's overrides ({} when they use the defaults, or theirs no longer fit)."""
    return _saved(wb)[0]


def keymap_problem(wb: Workbench) -> str:
    """Why the acting user's saved keys are not in use ('' when they are, or none are saved)."""
    return _saved(wb)[1]


def _saved(wb: Workbench) -> tuple[dict[str, list[str]], str]:
    """The saved overrides as `check_keymap` accepts them, and why they are not ('' when they
    are, or none are saved); {} and the reason when they no longer fit."""
    saved = prefs(wb).get(PREF) or {}
    try:
        if not isinstance(saved, Mapping):
            raise WorkbenchError(f"not a table of keys: {saved!r}")
        return check_keymap(saved), ""
    except WorkbenchError as exc:
        return {}, f"your saved keys are not in use ({exc}): the defaults are"


def my_shortcuts(wb: Workbench) -> tuple[Shortcut, ...]:
    """The editor's table with the acting user's keys."""
    return custom_shortcuts(my_keymap(wb))


def set_my_keymap(wb: Workbench, typed: Mapping[str, str]) -> dict[str, list[str]]:
    """Save the keys the acting user typed ({action: "Alt+K" or "Alt+← / Alt+→"}); an action
    typed as its default, or left blank, keeps the default. Refused (WorkbenchError naming the
    action and the key) when a key is unknown, reserved or taken twice; nothing is saved then."""
    defaults = {s.action: s.keys_text_all for s in SHORTCUTS}
    overrides: dict[str, Sequence[str]] = {}
    for action, text in typed.items():
        text = (text or "").strip()
        if action in defaults and text and text != defaults[action]:
            overrides[action] = [part.strip() for part in text.split(" / ")]
        elif action not in defaults:
            overrides[action] = [text]  # check_keymap names it
    clean = check_keymap(overrides)
    set_pref(wb, PREF, clean)
    return clean
