"""The waveform component: Streamlit components v2, HTML/CSS/JS of this project, no build step."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import streamlit as st

from workbench.audio import load_peaks, read_slice, to_wav_bytes
from workbench.corpus import SegmentView, unsure_words

_HERE = Path(__file__).parent
CONTEXT = 2.0  # seconds of audio shown and sent either side of the segment

_component = st.components.v2.component(
    "workbench_waveform",
    html="",
    css=(_HERE / "waveform.css").read_text(),
    js=(_HERE / "waveform.js").read_text(),
)


def waveform_data(view: SegmentView, home: Path, start: float, end: float) -> dict[str, Any]:
    """What the browser gets for one segment: peaks and audio of the segment plus context."""
    recording = view.recording
    v0 = max(0.0, start - CONTEXT)
    v1 = min(recording.duration, end + CONTEXT)
    peaks = load_peaks(home / recording.peaks_path, v0, v1)
    audio = to_wav_bytes(read_slice(home / recording.working_path, v0, v1))
    words = view.draft.words if view.draft else []
    return {
        "key": f"{view.segment.id}-{view.segment.version}",
        "view": [round(v0, 3), round(v1, 3)],
        "segment": [round(start, 3), round(end, 3)],
        "peaks": [[round(float(a), 3), round(float(b), 3)] for a, b in peaks],
        "audio": "data:audio/wav;base64," + base64.b64encode(audio).decode("ascii"),
        "words": [
            {"w": w.word.strip(), "s": w.start, "e": w.end, "p": w.probability, "unsure": u}
            for w, u in zip(words, unsure_words(words))
        ],
    }


def waveform(data: dict[str, Any], key: str) -> dict[str, Any] | None:
    """Mount the component; returns the boundaries last dragged ({key, start, end}) or None."""
    result = _component(data=data, key=key, on_bounds_change=lambda: None)
    return result.get("bounds") if hasattr(result, "get") else getattr(result, "bounds", None)
