"""The editor's keyboard shortcuts: one table for the key handler, the buttons' titles and the help.

The browser builds its keydown dispatch and the `title` of each control from `shortcut_data`
(sent once with the editor's data); the page's help panel is `help_markdown()`. Keys are
`KeyboardEvent.code` values (the physical key), so they work the same under a Korean layout;
Ctrl also matches Cmd on a Mac. Every shortcut has Ctrl or Alt, so none collides with typing.

Each person may change the keys of any action (`custom_shortcuts`, from the overrides
`check_keymap` accepted): the table, the titles and the help then follow their keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cache
from typing import Any

from workbench.core.errors import WorkbenchError
from workbench.core.messages import N_, current_language, t


@dataclass(frozen=True)
class Keys:
    """One key combination; the modifiers must match exactly."""

    code: str  # KeyboardEvent.code: "Enter", "KeyS", "ArrowUp", "Digit1"…
    ctrl: bool = False
    alt: bool = False
    shift: bool = False

    @property
    def text(self) -> str:
        mods = [
            name
            for name, on in (("Ctrl", self.ctrl), ("Alt", self.alt), ("Shift", self.shift))
            if on
        ]
        return "+".join([*mods, _key_name(self.code)])


@dataclass(frozen=True)
class Shortcut:
    """An editor action and the keys that run it.

    With several combinations the handler is told which one was pressed (its position), so
    Alt+← / Alt+→ is one action "start" with a direction, and Alt+1 … Alt+9 pick a tag.
    """

    action: str  # the name of its handler in editor.js
    keys: tuple[Keys, ...]
    label: str  # short, for a button's title
    description: str  # for the help panel
    controls: tuple[str, ...] = ()  # CSS classes of the editor's controls that do the same

    @property
    def keys_text_all(self) -> str:
        """Every combination, as a person types them to change them ("Alt+← / Alt+→")."""
        return " / ".join(k.text for k in self.keys)

    @property
    def keys_text(self) -> str:
        texts = [k.text for k in self.keys]
        return " / ".join(texts) if len(texts) <= 3 else f"{texts[0]} … {texts[-1]}"


def _ctrl(code: str) -> Keys:
    return Keys(code, ctrl=True)


def _alt(code: str, shift: bool = False) -> Keys:
    return Keys(code, alt=True, shift=shift)


_NAMES = {
    "ArrowUp": "↑",
    "ArrowDown": "↓",
    "ArrowLeft": "←",
    "ArrowRight": "→",
    "Minus": "-",
    "Equal": "=",
    "Comma": ",",
    "Period": ".",
    "BracketLeft": "[",
    "BracketRight": "]",
}


def _key_name(code: str) -> str:
    for prefix in ("Key", "Digit"):
        if code.startswith(prefix) and len(code) == len(prefix) + 1:
            return code[-1]
    return _NAMES.get(code, code)


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut(
        "save_next",
        (_ctrl("Enter"),),
        N_("Save and go to the next"),
        N_("save and go to the next segment (accepts the draft as it is)"),
        ("ed-save-next",),
    ),
    Shortcut("save", (_ctrl("KeyS"),), N_("Save"), N_("save"), ("ed-save",)),
    Shortcut(
        "prev",
        (_ctrl("ArrowUp"),),
        N_("Previous"),
        N_("previous segment without saving"),
        ("ed-prev",),
    ),
    Shortcut(
        "next",
        (_ctrl("ArrowDown"),),
        N_("Next without saving"),
        N_("next segment without saving"),
        ("ed-next",),
    ),
    Shortcut(
        "play",
        (_ctrl("Space"),),
        N_("Play, pause, resume"),
        N_("play the segment; pause, and resume where it stopped (the cursor follows)"),
        ("ed-play", "ed-stop"),
    ),
    Shortcut("back", (_ctrl("KeyB"),), N_("Back 2 s"), N_("back 2 seconds"), ("ed-back",)),
    Shortcut(
        "start",
        (_alt("ArrowLeft"), _alt("ArrowRight")),
        N_("Move the start"),
        N_("move the start 50 ms earlier / later"),
    ),
    Shortcut(
        "end",
        (_alt("ArrowLeft", shift=True), _alt("ArrowRight", shift=True)),
        N_("Move the end"),
        N_("move the end 50 ms earlier / later"),
    ),
    Shortcut(
        "start_here",
        (_alt("BracketLeft"),),
        N_("Start at the playhead"),
        N_("set the start at the playhead (at the cursor when stopped)"),
    ),
    Shortcut(
        "end_here",
        (_alt("BracketRight"),),
        N_("End at the playhead"),
        N_("set the end at the playhead (at the cursor when stopped)"),
    ),
    Shortcut(
        "split",
        (_alt("KeyS"),),
        N_("Split at the playhead"),
        N_("split at the playhead (at the cursor when stopped)"),
        ("ed-split",),
    ),
    Shortcut(
        "merge",
        (_alt("KeyM"),),
        N_("Merge with the next segment"),
        N_("merge with the next"),
        ("ed-merge",),
    ),
    # with Shift: Alt+Backspace deletes a word on a Mac and must stay the text box's
    Shortcut(
        "delete",
        (_alt("Delete", shift=True), _alt("Backspace", shift=True)),
        N_("Delete the segment"),
        N_("delete the segment (or bring a deleted one back)"),
        ("ed-delete",),
    ),
    Shortcut(
        "add",
        (_alt("KeyN"),),
        N_("Add a segment"),
        N_(
            "add a segment over the span dragged on the waveform, or over the speech no "
            "segment covers at or after the cursor"
        ),
    ),
    Shortcut(
        "undelete",
        (_alt("KeyZ"),),
        N_("Bring the segment back"),
        N_("undo delete"),
        ("ed-undelete",),
    ),
    Shortcut(
        "loop",
        (_alt("KeyL"),),
        N_("Loop the segment"),
        N_("loop the segment on or off"),
        ("ed-loop",),
    ),
    Shortcut(
        "speed",
        (_alt("Minus"), _alt("Equal")),
        N_("Playback speed"),
        N_("slower / faster (0.5x–2x)"),
        ("ed-speed",),
    ),
    Shortcut(
        "zoom",
        (_alt("Minus", shift=True), _alt("Equal", shift=True)),
        N_("Zoom out / in"),
        N_("show more / less around the segment (±2 s, ±10 s, ±30 s; closer in within ±2 s)"),
        ("ed-zoom-out", "ed-zoom-in"),
    ),
    Shortcut(
        "pan",
        (_alt("Comma"), _alt("Period")),
        N_("Pan"),
        N_("move a zoomed-in view earlier / later (or scroll over the waveform)"),
    ),
    Shortcut(
        "goto",
        (_alt("KeyG"),),
        N_("Go to a time or a segment"),
        N_("go to a time (12:34) or a segment (#123): type it, then Enter"),
        ("ed-goto",),
    ),
    Shortcut(
        "reject",
        (_alt("KeyR"),),
        N_("Reject with a reason"),
        N_(
            "reject (review): pick the reason (1–9 or the arrows), add a comment, Enter sends it "
            "back to its labeller and goes to the next; Esc cancels"
        ),
    ),
    Shortcut(
        "tag",
        tuple(_alt(f"Digit{i}") for i in range(1, 10)),
        N_("Insert the tag"),
        N_("insert the conventions' tags, in the order of the tag buttons"),
    ),
    Shortcut(
        "numeral",
        (_alt("KeyK"),),
        N_("Write the number out"),
        N_(
            "write the number offered under the text box in the dual form with its reading, "
            "70% → (70%)/(칠십 퍼센트) (Korean projects; nothing changes without this key)"
        ),
    ),
    Shortcut(
        "speaker",
        tuple(_alt(f"Digit{i}", shift=True) for i in range(10)),
        N_("Speaker"),
        N_(
            "choose the speaker: 1 the first of the list beside the text (the speaker "
            "registry's, in its order), 2 the second…, 0 none"
        ),
    ),
)

MOUSE = (
    (
        N_("Click the waveform"),
        N_("set the cursor; drag the green and red handles to move the boundaries"),
    ),
    (N_("Drag across the waveform"), N_("select a span (Alt+N adds a segment over it)")),
    (N_("Click a word"), N_("play from that word")),
    (N_("Click the overview"), N_("go to the segment there (colours: the segments' status)")),
)


def shortcut_data(shortcuts: Sequence[Shortcut] = SHORTCUTS) -> list[dict[str, Any]]:
    """What the browser gets: plain JSON, identical on every rerun; the labels in the
    current language (the default table's worked out once a language)."""
    if shortcuts is SHORTCUTS:
        return _default_data(current_language())
    return _data(shortcuts)


@cache
def _default_data(language: str) -> list[dict[str, Any]]:
    return _data(SHORTCUTS)


def _data(shortcuts: Sequence[Shortcut]) -> list[dict[str, Any]]:
    return [
        {
            "action": s.action,
            "keys": [{**asdict(k), "text": k.text} for k in s.keys],
            "keys_text": s.keys_text,
            "label": t(s.label),
            "controls": list(s.controls),
        }
        for s in shortcuts
    ]


def help_markdown(without: tuple[str, ...] = (), shortcuts: Sequence[Shortcut] = SHORTCUTS) -> str:
    """The help panel: every shortcut (but the actions `without`), then what the mouse does."""
    rows = [(s.keys_text, s.description) for s in shortcuts if s.action not in without]
    rows += list(MOUSE)
    return "\n".join(f"- **{t(keys)}**: {t(what)}" for keys, what in rows)


# ---- a person's own keys

# combinations the browser, the system or text editing keep: a shortcut there would take them
RESERVED = frozenset(
    {f"Ctrl+{k}" for k in "ACVXZYWTNQRLFPHJ"}
    | {"Ctrl+Shift+Z", "Ctrl+Shift+T", "Ctrl+Shift+N", "Ctrl+Shift+W", "Ctrl+Shift+I"}
    | {"Ctrl+Backspace", "Ctrl+Delete", "Alt+Backspace", "Alt+Delete", "Ctrl+Tab", "Alt+Tab"}
    | {"Ctrl+←", "Ctrl+→", "Alt+F4"}
)
_CODES = {v: k for k, v in _NAMES.items()}
_PLAIN = {"Enter", "Space", "Tab", "Backspace", "Delete", "Home", "End", "PageUp", "PageDown"}


def parse_keys(text: str) -> Keys:
    """ "Ctrl+Shift+K" (as the help writes keys) as a key combination; WorkbenchError when it
    is not one: an unknown key, no key, or no Ctrl or Alt (it would type instead)."""
    parts = [p.strip() for p in re.split(r"\+(?=.)", text.strip())]
    *mods, key = parts if parts and parts[-1] else ["", ""]
    names = {m.lower() for m in mods}
    if not key or names - {"ctrl", "alt", "shift", "cmd"} or len(names) != len(mods):
        raise WorkbenchError(f"{text!r} is not a key combination (e.g. Alt+K or Ctrl+Shift+Enter)")
    code = _code(key)
    keys = Keys(
        code, ctrl=bool(names & {"ctrl", "cmd"}), alt="alt" in names, shift="shift" in names
    )
    if not (keys.ctrl or keys.alt):
        raise WorkbenchError(f"{keys.text}: a shortcut needs Ctrl or Alt, or it would type")
    return keys


def _code(key: str) -> str:
    if len(key) == 1 and key.isascii() and key.isalnum():
        return f"Digit{key}" if key.isdigit() else f"Key{key.upper()}"
    if key in _CODES:
        return _CODES[key]
    named = {n.lower(): n for n in (*_PLAIN, *_CODES.values(), *(f"F{i}" for i in range(1, 13)))}
    named.update({d.lower(): f"Arrow{d}" for d in ("Up", "Down", "Left", "Right")})
    if key.lower() in named:
        return named[key.lower()]
    raise WorkbenchError(f"unknown key {key!r} (letters, digits, arrows, Enter, Space, F1-F12…)")


def check_keymap(overrides: Mapping[str, Any]) -> dict[str, list[str]]:
    """A person's overrides ({action: ["Alt+K", …]}), checked against the whole table: known
    actions, as many combinations as the action has, none reserved, none taken twice. Returns
    them as the help writes keys; WorkbenchError naming the action and the key otherwise."""
    by_action = {s.action: s for s in SHORTCUTS}
    clean: dict[str, list[str]] = {}
    for action, texts in overrides.items():
        if action not in by_action:
            raise WorkbenchError(f"no editor action named {action!r}")
        want = len(by_action[action].keys)
        if not isinstance(texts, list | tuple) or len(texts) != want:
            raise WorkbenchError(
                f"{by_action[action].label}: give {want} key combination"
                + ("s, in order" if want > 1 else "")
            )
        keys = [parse_keys(str(t)) for t in texts]
        for k in keys:
            if k.text in RESERVED:
                raise WorkbenchError(
                    f"{by_action[action].label}: {k.text} is the browser's or "
                    "the text box's (copy, paste, undo, delete a word…)"
                )
        clean[action] = [k.text for k in keys]
    _refuse_conflicts(custom_shortcuts(clean))
    return clean


def _refuse_conflicts(shortcuts: Sequence[Shortcut]) -> None:
    taken: dict[tuple, str] = {}
    for s in shortcuts:
        for k in s.keys:
            combo = (k.code, k.ctrl, k.alt, k.shift)
            if combo in taken and taken[combo] != s.label:
                raise WorkbenchError(f"{k.text} is taken twice: {taken[combo]} and {s.label}")
            taken[combo] = s.label


def custom_shortcuts(overrides: Mapping[str, Sequence[str]] | None) -> tuple[Shortcut, ...]:
    """The table with a person's keys in place of the defaults (`overrides` as `check_keymap`
    returns them; an action no longer in the table is left out)."""
    if not overrides:
        return SHORTCUTS
    return tuple(
        replace(s, keys=tuple(parse_keys(t) for t in overrides[s.action]))
        if s.action in overrides
        else s
        for s in SHORTCUTS
    )
