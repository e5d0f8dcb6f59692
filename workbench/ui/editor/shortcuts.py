"""The editor's keyboard shortcuts: one table for the key handler, the buttons' titles and the help.

The browser builds its keydown dispatch and the `title` of each control from `SHORTCUT_DATA`
(sent once with the editor's data); the page's help panel is `help_markdown()`. Keys are
`KeyboardEvent.code` values (the physical key), so they work the same under a Korean layout;
Ctrl also matches Cmd on a Mac. Every shortcut has Ctrl or Alt, so none collides with typing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


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
        "Save and go to the next",
        "save and go to the next segment (accepts the draft as it is)",
        ("ed-save-next",),
    ),
    Shortcut("save", (_ctrl("KeyS"),), "Save", "save", ("ed-save",)),
    Shortcut(
        "prev", (_ctrl("ArrowUp"),), "Previous", "previous segment without saving", ("ed-prev",)
    ),
    Shortcut(
        "next",
        (_ctrl("ArrowDown"),),
        "Next without saving",
        "next segment without saving",
        ("ed-next",),
    ),
    Shortcut(
        "play",
        (_ctrl("Space"),),
        "Play, pause, resume",
        "play the segment; pause, and resume where it stopped (the cursor follows)",
        ("ed-play", "ed-stop"),
    ),
    Shortcut("back", (_ctrl("KeyB"),), "Back 2 s", "back 2 seconds", ("ed-back",)),
    Shortcut(
        "start",
        (_alt("ArrowLeft"), _alt("ArrowRight")),
        "Move the start",
        "move the start 50 ms earlier / later",
    ),
    Shortcut(
        "end",
        (_alt("ArrowLeft", shift=True), _alt("ArrowRight", shift=True)),
        "Move the end",
        "move the end 50 ms earlier / later",
    ),
    Shortcut(
        "start_here",
        (_alt("BracketLeft"),),
        "Start at the playhead",
        "set the start at the playhead (at the cursor when stopped)",
    ),
    Shortcut(
        "end_here",
        (_alt("BracketRight"),),
        "End at the playhead",
        "set the end at the playhead (at the cursor when stopped)",
    ),
    Shortcut(
        "split",
        (_alt("KeyS"),),
        "Split at the playhead",
        "split at the playhead (at the cursor when stopped)",
        ("ed-split",),
    ),
    Shortcut(
        "merge",
        (_alt("KeyM"),),
        "Merge with the next segment",
        "merge with the next",
        ("ed-merge",),
    ),
    # with Shift: Alt+Backspace deletes a word on a Mac and must stay the text box's
    Shortcut(
        "delete",
        (_alt("Delete", shift=True), _alt("Backspace", shift=True)),
        "Delete the segment",
        "delete the segment (or bring a deleted one back)",
        ("ed-delete",),
    ),
    Shortcut(
        "add",
        (_alt("KeyN"),),
        "Add a segment",
        "add a segment over the span dragged on the waveform, or over the speech no "
        "segment covers at or after the cursor",
    ),
    Shortcut(
        "undelete", (_alt("KeyZ"),), "Bring the segment back", "undo delete", ("ed-undelete",)
    ),
    Shortcut(
        "loop", (_alt("KeyL"),), "Loop the segment", "loop the segment on or off", ("ed-loop",)
    ),
    Shortcut(
        "speed",
        (_alt("Minus"), _alt("Equal")),
        "Playback speed",
        "slower / faster (0.5x–2x)",
        ("ed-speed",),
    ),
    Shortcut(
        "zoom",
        (_alt("Minus", shift=True), _alt("Equal", shift=True)),
        "Zoom out / in",
        "show more / less around the segment (±2 s, ±10 s, ±30 s; closer in within ±2 s)",
        ("ed-zoom-out", "ed-zoom-in"),
    ),
    Shortcut(
        "pan",
        (_alt("Comma"), _alt("Period")),
        "Pan",
        "move a zoomed-in view earlier / later (or scroll over the waveform)",
    ),
    Shortcut(
        "goto",
        (_alt("KeyG"),),
        "Go to a time or a segment",
        "go to a time (12:34) or a segment (#123): type it, then Enter",
        ("ed-goto",),
    ),
    Shortcut(
        "tag",
        tuple(_alt(f"Digit{i}") for i in range(1, 10)),
        "Insert the tag",
        "insert the conventions' tags, in the order of the tag buttons",
    ),
    Shortcut(
        "numeral",
        (_alt("KeyK"),),
        "Write the number out",
        "write the number offered under the text box in the dual form with its reading, "
        "70% → (70%)/(칠십 퍼센트) (Korean projects; nothing changes without this key)",
    ),
    Shortcut(
        "speaker",
        tuple(_alt(f"Digit{i}", shift=True) for i in range(10)),
        "Speaker",
        "choose the speaker: 1 the first of the list beside the text, 2 the second…, 0 none",
    ),
)

MOUSE = (
    ("Click the waveform", "set the cursor; drag the green and red handles to move the boundaries"),
    ("Drag across the waveform", "select a span (Alt+N adds a segment over it)"),
    ("Click a word", "play from that word"),
    ("Click the overview", "go to the segment there (colours: the segments' status)"),
)

# what the browser gets: plain JSON, identical on every rerun
SHORTCUT_DATA: list[dict[str, Any]] = [
    {
        "action": s.action,
        "keys": [{**asdict(k), "text": k.text} for k in s.keys],
        "keys_text": s.keys_text,
        "label": s.label,
        "controls": list(s.controls),
    }
    for s in SHORTCUTS
]


def help_markdown(without: tuple[str, ...] = ()) -> str:
    """The help panel: every shortcut (but the actions `without`), then what the mouse does."""
    rows = [(s.keys_text, s.description) for s in SHORTCUTS if s.action not in without]
    rows += list(MOUSE)
    return "\n".join(f"- **{keys}**: {what}" for keys, what in rows)
