"""The shortcut table is the one place the editor's keys are written (dispatch, titles, help)."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from workbench.labelling.shortcuts import SHORTCUTS, Keys, help_markdown, shortcut_data

ROOT = Path(__file__).resolve().parents[2]
JS = (ROOT / "workbench" / "ui" / "editor" / "editor.js").read_text()


def _js_actions() -> set[str]:
    """The names of the handlers in editor.js's `const actions = { … };`."""
    block = re.search(r"\n  const actions = \{\n(.*?)\n  \};\n", JS, re.S)
    assert block, "editor.js has no `const actions = {…}` block"
    return set(re.findall(r"^    (\w+): ", block.group(1), re.M))


def test_every_action_in_the_table_has_a_handler_in_the_js_and_no_handler_is_unbound():
    assert {s.action for s in SHORTCUTS} == _js_actions()


def test_no_two_entries_share_a_key_combination():
    combos = Counter((k.code, k.ctrl, k.alt, k.shift) for s in SHORTCUTS for k in s.keys)
    assert [c for c, n in combos.items() if n > 1] == []
    assert len({s.action for s in SHORTCUTS}) == len(SHORTCUTS)


def test_every_shortcut_has_a_modifier_so_typing_never_triggers_one():
    assert all(k.ctrl or k.alt for s in SHORTCUTS for k in s.keys)


def test_the_controls_named_in_the_table_exist_and_no_key_is_written_elsewhere():
    classes = set(re.findall(r'class="([^"]+)"', JS))
    names = {name for cls in classes for name in cls.split()}
    assert {c for s in SHORTCUTS for c in s.controls} <= names
    # titles and dispatch come from the table: no key combination is spelled out in the JS
    # or in the editor page
    page = (ROOT / "workbench" / "pages" / "editor.py").read_text()
    assert not re.search(r"\b(Ctrl|Alt)\+", JS + page)


def test_keys_read_as_people_write_them():
    assert Keys("Enter", ctrl=True).text == "Ctrl+Enter"
    assert Keys("ArrowRight", alt=True, shift=True).text == "Alt+Shift+→"
    assert Keys("KeyS", alt=True).text == "Alt+S"
    assert Keys("Digit1", alt=True).text == "Alt+1"
    assert Keys("Equal", alt=True).text == "Alt+="
    tag = next(s for s in SHORTCUTS if s.action == "tag")
    assert tag.keys_text == "Alt+1 … Alt+9"


def test_the_help_lists_every_shortcut_and_the_browser_gets_plain_json():
    help_text = help_markdown()
    for s in SHORTCUTS:
        assert f"**{s.keys_text}**: {s.description}" in help_text
    sent = json.loads(json.dumps(shortcut_data()))
    assert sent == shortcut_data()  # nothing lost on the way, the same on every rerun
    assert [d["action"] for d in sent] == [s.action for s in SHORTCUTS]
    assert all({"code", "ctrl", "alt", "shift", "text"} <= set(k) for d in sent for k in d["keys"])


# ---- a person's own keys


def test_every_default_key_reads_back_from_how_the_help_writes_it():
    from workbench.labelling.shortcuts import parse_keys

    for s in SHORTCUTS:
        assert [parse_keys(k.text) for k in s.keys] == list(s.keys), s.action
        assert [parse_keys(t) for t in s.keys_text_all.split(" / ")] == list(s.keys)


@pytest.mark.parametrize(
    ("overrides", "said"),
    [
        ({"save": ["Ctrl+Enter"]}, "Ctrl+Enter is taken twice"),  # save & next has it
        ({"save": ["Ctrl+V"]}, "Ctrl+V is the browser's"),
        ({"delete": ["Alt+Backspace", "Alt+Shift+Delete"]}, "Alt+Backspace is the browser's"),
        ({"save": ["K"]}, "needs Ctrl or Alt"),
        ({"save": ["Alt+Ä"]}, "unknown key"),
        ({"start": ["Alt+A"]}, "give 2 key combinations"),
        ({"fly": ["Alt+A"]}, "no editor action named 'fly'"),
        ({"save": ["Alt+K"], "loop": ["Alt+K"]}, "Alt+K is taken twice"),
    ],
)
def test_a_keymap_with_a_conflict_or_a_reserved_key_is_refused(overrides, said):
    from workbench.core.errors import WorkbenchError
    from workbench.labelling.shortcuts import check_keymap

    with pytest.raises(WorkbenchError, match=re.escape(said)):
        check_keymap(overrides)


def test_a_persons_keys_replace_the_defaults_in_the_table_the_titles_and_the_help():
    from workbench.labelling.shortcuts import check_keymap, custom_shortcuts, shortcut_data

    mine = custom_shortcuts(check_keymap({"save_next": ["alt+enter"], "loop": ["Ctrl+Shift+L"]}))
    by = {s.action: s for s in mine}
    assert by["save_next"].keys == (Keys("Enter", alt=True),)
    assert by["loop"].keys_text == "Ctrl+Shift+L"
    assert by["save"].keys == next(s for s in SHORTCUTS if s.action == "save").keys
    sent = {d["action"]: d for d in shortcut_data(mine)}
    assert sent["save_next"]["keys"] == [
        {"code": "Enter", "ctrl": False, "alt": True, "shift": False, "text": "Alt+Enter"}
    ]
    assert "**Alt+Enter**: save and go to the next" in help_markdown((), mine)
    assert "**Ctrl+Enter**" not in help_markdown((), mine)
