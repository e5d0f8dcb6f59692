"""The segment editor component: Streamlit components v2, HTML/CSS/JS of this project, no build.

Only the segment's slice (plus CONTEXT seconds either side) and its peaks travel to the browser.
The data for a segment version is identical from one rerun to the next, so Streamlit's message
cache sends it once; lint findings and messages are drawn by the page, not passed in here.
The keyboard shortcuts (shortcuts.py) travel with it: a constant, so they change nothing there.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import streamlit as st

from workbench.audio import load_peaks, read_slice, to_wav_bytes
from workbench.corpus import SegmentView, unsure_words
from workbench.ui.editor.shortcuts import SHORTCUT_DATA, help_markdown

__all__ = ["editor_data", "help_markdown", "segment_editor"]

_HERE = Path(__file__).parent
CONTEXT = 2.0  # seconds of audio shown and sent either side of the segment

_component = st.components.v2.component(
    "workbench_segment_editor",
    html="",
    css=(_HERE / "editor.css").read_text(),
    js=(_HERE / "editor.js").read_text(),
)


@st.cache_data(max_entries=64, show_spinner=False)
def _slice(working: str, peaks: str, v0: float, v1: float) -> tuple[list, str]:
    """Peaks (rounded) and a WAV data URL for [v0, v1] of a recording; cached per region."""
    region = load_peaks(peaks, v0, v1)
    audio = to_wav_bytes(read_slice(working, v0, v1))
    return (
        [[round(float(a), 3), round(float(b), 3)] for a, b in region],
        "data:audio/wav;base64," + base64.b64encode(audio).decode("ascii"),
    )


def editor_data(
    view: SegmentView,
    home: Path,
    *,
    project_id: int,
    user: str = "",
    tags: list[dict[str, str]],
    before: str | None,
    after: str | None,
    can_prev: bool,
    can_next: bool,
) -> dict[str, Any]:
    """Everything the browser needs for one segment version."""
    seg, recording = view.segment, view.recording
    v0 = round(max(0.0, seg.start - CONTEXT), 3)
    v1 = round(min(recording.duration, seg.end + CONTEXT), 3)
    peaks, audio = _slice(str(home / recording.working_path), str(home / recording.peaks_path),
                          v0, v1)
    words = view.draft.words if view.draft else []
    return {
        "key": f"{seg.id}-{seg.version}",
        "segment_id": seg.id,
        "version": seg.version,
        "view": [v0, v1],
        "segment": [seg.start, seg.end],
        "peaks": peaks,
        "audio": audio,
        "words": [
            {"w": w.word.strip(), "s": w.start, "e": w.end, "p": w.probability, "unsure": u}
            for w, u in zip(words, unsure_words(words))
        ],
        "text": view.text,
        # per person: unsaved text in a shared browser never reaches the next one signed in
        "autosave_key": f"workbench-autosave-{user}-{project_id}-{seg.id}",
        "tags": tags,
        "before": before,
        "after": after,
        "can_prev": can_prev,
        "can_next": can_next,
        "deleted": seg.status.value == "deleted",
        "shortcuts": SHORTCUT_DATA,
    }


def segment_editor(data: dict[str, Any], key: str) -> tuple[dict | None, dict | None]:
    """Mount the editor; returns (action triggered this run or None, latest draft text state)."""
    result = _component(
        data=data, key=key, on_action_change=lambda: None, on_draft_change=lambda: None
    )
    return _get(result, "action"), _get(result, "draft")


def _get(result: Any, name: str) -> Any:
    if hasattr(result, "get"):
        return result.get(name)
    return getattr(result, name, None)
