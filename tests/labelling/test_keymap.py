"""A person's own editor keys: saved for them alone, refused whole when one key is wrong,
and set aside (with the reason) when the table changed under them."""

from __future__ import annotations

import pytest

from tests.conftest import as_user
from workbench.core.errors import WorkbenchError
from workbench.labelling.keymap import keymap_problem, my_keymap, my_shortcuts, set_my_keymap
from workbench.labelling.shortcuts import SHORTCUTS, Keys
from workbench.projects.people import set_pref


def _keys(wb, action: str) -> tuple[Keys, ...]:
    return next(s.keys for s in my_shortcuts(wb) if s.action == action)


def test_each_person_has_their_own_keys(wb):
    ann, bob = as_user(wb, "ann"), as_user(wb, "bob")
    assert set_my_keymap(ann, {"save_next": "Alt+Enter", "start": "Alt+A / Alt+D"}) == {
        "save_next": ["Alt+Enter"],
        "start": ["Alt+A", "Alt+D"],
    }
    assert _keys(ann, "save_next") == (Keys("Enter", alt=True),)
    assert _keys(ann, "start") == (Keys("KeyA", alt=True), Keys("KeyD", alt=True))
    assert my_shortcuts(bob) == SHORTCUTS  # bob keeps the defaults
    set_my_keymap(ann, {"save_next": "Ctrl+Enter"})  # typed as the default: the default
    assert my_keymap(ann) == {}


def test_a_refused_keymap_saves_nothing(wb):
    ann = as_user(wb, "ann")
    set_my_keymap(ann, {"loop": "Alt+O"})
    with pytest.raises(WorkbenchError, match=r"Alt\+K is taken twice"):
        set_my_keymap(ann, {"save": "Alt+K", "merge": "Alt+K"})
    assert my_keymap(ann) == {"loop": ["Alt+O"]}  # what was saved before stays


def test_saved_keys_that_no_longer_fit_give_way_to_the_defaults_and_say_why(wb):
    ann = as_user(wb, "ann")
    set_pref(ann, "keymap", {"save": ["Alt+S"]})  # a default of a later table (split) took it
    assert my_shortcuts(ann) == SHORTCUTS
    assert "Alt+S is taken twice" in keymap_problem(ann)
    assert keymap_problem(as_user(wb, "bob")) == ""
