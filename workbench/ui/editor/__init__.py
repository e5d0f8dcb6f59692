"""The segment editor component: Streamlit components v2, HTML/CSS/JS of this project, no build.

Only the segment's slice (plus CONTEXT seconds either side) and its peaks travel to the browser.
A wider view (`CONTEXTS`: ±10 s, ±30 s) sends peaks only for the part beyond, at most
`VIEW_PEAKS` pairs, so every zoom level costs about the same to send; the audio stays the
segment ±2 s, as Ogg/Opus at 24 kbit/s (speech stays clear; a tenth of a WAV).
Peaks travel packed (`audio.pack_peaks`: two bytes a pair). The minimap (`minimap_data`) is
the whole recording in `overview.COLUMNS` columns of peaks and segment status: about 4 KB
whatever the recording's length, cached per recording; the editor page sends it again only
when it changed (else only the user's own edits over it).
The data for a segment version is identical from one rerun to the next, so Streamlit's message
cache sends it once; lint findings and messages are drawn by the page, not passed in here.
The keyboard shortcuts (labelling/shortcuts.py, with the person's own keys) travel with it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from workbench.audio import load_peaks, overview_peaks, pack_peaks, read_slice, to_opus_bytes
from workbench.audio.channels import channel_peaks
from workbench.core.messages import current_language, t
from workbench.core.records import Project, Recording, SegmentView, Status, unsure_words
from workbench.core.workbench import Workbench, inside_home
from workbench.labelling import overview
from workbench.labelling.editor_actions import SEGMENT_TAGS
from workbench.labelling.lanes import has_lanes, lane_segments
from workbench.labelling.shortcuts import SHORTCUTS, Shortcut, help_markdown, shortcut_data

__all__ = [
    "CONTEXTS",
    "editor_data",
    "help_markdown",
    "lanes_data",
    "minimap_data",
    "segment_editor",
    "typed_text",
    "typing_only",
    "ui_texts",
]

_HERE = Path(__file__).parent
CONTEXT = 2.0  # seconds of audio shown and sent either side of the segment
CONTEXTS = (CONTEXT, 10.0, 30.0)  # the zoom levels: seconds shown either side of the segment
VIEW_PEAKS = 2400  # at most this many peak pairs for a view (±30 s at 100 a second is 6,600)
MINIMAP_TTL = 30  # seconds: other people's changes reach a minimap within this

EDITOR_JS = (_HERE / "editor.js").read_text()
EDITOR_VERSION = hashlib.sha256(EDITOR_JS.encode()).hexdigest()[:12]
# the words the browser shows: its T("…") texts, the statuses of its legend, the segment tags
JS_TEXTS = (
    *dict.fromkeys(re.findall(r'\bT\("([^"\\]*)"', EDITOR_JS)),
    *(s.value for s in Status),
    *SEGMENT_TAGS,
)
EDITOR_CSS = (_HERE / "editor.css").read_text()
# the inline script is a small loader (without its comments: it goes with every message that
# changes the data); the editor's code and CSS go once a session (see loader.js)
_component = st.components.v2.component(
    "workbench_segment_editor",
    html="",
    js="\n".join(
        line
        for line in (_HERE / "loader.js").read_text().splitlines()
        if not line.lstrip().startswith("//")
    ),
)


@st.cache_data(max_entries=64, show_spinner=False)
def _slice(working: str, peaks: str, v0: float, v1: float, a0: float, a1: float) -> tuple[str, str]:
    """Peaks (packed, at most VIEW_PEAKS pairs) for [v0, v1] and an Ogg/Opus data URL for
    [a0, a1] of a recording (a tenth of a WAV's bytes); cached per region."""
    audio = to_opus_bytes(read_slice(working, a0, a1))
    return (
        _fitted(load_peaks(peaks, v0, v1)),
        "data:audio/ogg;codecs=opus;base64," + base64.b64encode(audio).decode("ascii"),
    )


def _fitted(region: np.ndarray) -> str:
    """(n, 2) peaks packed for the browser (`pack_peaks`), at most VIEW_PEAKS pairs: a wider
    view's are the min and max of equal shares."""
    if len(region) > VIEW_PEAKS:
        edges = np.linspace(0, len(region), VIEW_PEAKS + 1).astype(np.int64)[:-1]
        region = np.stack(
            [np.minimum.reduceat(region[:, 0], edges), np.maximum.reduceat(region[:, 1], edges)],
            axis=1,
        )
    return pack_peaks(region)


@st.cache_data(max_entries=64, show_spinner=False)
def _channel_peaks(channels: str, v0: float, v1: float) -> tuple[np.ndarray, list[str]]:
    """Each channel's peaks for [v0, v1] of a kept-channels copy: as read (for the lanes'
    loudness) and as sent (`_fitted`); cached per region."""
    peaks = channel_peaks(channels, v0, v1)
    return peaks, [_fitted(lane) for lane in peaks]


@st.cache_data(max_entries=16, show_spinner=False)
def _overview_peaks(peaks: str, columns: int) -> str:
    """The whole recording's peaks in `columns` pairs, packed; cached per peaks file."""
    return pack_peaks(overview_peaks(peaks, columns))


@st.cache_data(max_entries=64, ttl=MINIMAP_TTL, show_spinner=False)
def _columns(_wb: Workbench, home: str, project_id: int, recording_id: int) -> str:
    """The minimap's status columns of a recording (read at most every MINIMAP_TTL seconds)."""
    return overview.recording_columns(_wb, project_id, recording_id)


def minimap_data(
    wb: Workbench, project_id: int, recording: Recording, changed: Sequence[int] = ()
) -> dict[str, Any]:
    """The minimap of a recording: its peaks and segment status in `overview.COLUMNS` columns,
    and the spans of the segments the user has changed (`changed`, ids in this recording) as
    they are now, drawn over the columns, which may be up to MINIMAP_TTL seconds old."""
    home = str(wb.settings.home)
    edits = [
        [round(start, 2), round(end, 2), code]
        for start, end, code in overview.changed_spans(wb, project_id, changed)
    ]
    return {
        "duration": recording.duration,
        "peaks": _overview_peaks(str(wb.path(recording.peaks_path)), overview.COLUMNS),
        "columns": _columns(wb, home, project_id, recording.id),
        "edits": edits,
    }


def lanes_data(wb: Workbench, project: Project, view: SegmentView, v0: float, v1: float) -> dict:
    """A recording drafted one speaker per channel, in lanes (`labelling.lanes`), for the view
    [v0, v1]: `lanes`, each channel's name and peaks (the same windows as the waveform's), and
    `lane_segments`, [start, end, lane, id] of every live segment in view. Empty for any other
    recording: nothing is read or sent."""
    recording = view.recording
    if not has_lanes(project, recording) or recording.channels_path is None:
        return {}
    peaks, sent = _channel_peaks(str(wb.path(recording.channels_path)), v0, v1)
    return {
        "lanes": {"names": [f"channel {c + 1}" for c in range(len(sent))], "peaks": sent},
        "lane_segments": [
            [s.start, s.end, s.lane, s.segment_id]
            for s in lane_segments(wb, recording, (v0, v1), peaks)
        ],
    }


def _files_of(home: Path, recording: Recording) -> tuple[str, str]:
    """A recording's working copy and peaks, as paths (never outside the home: `inside_home`)."""
    return (
        str(inside_home(home, recording.working_path)),
        str(inside_home(home, recording.peaks_path)),
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
    context: float = CONTEXT,
    minimap: dict[str, Any] | None = None,
    beside: dict[str, Any] | None = None,
    shortcuts: Sequence[Shortcut] = SHORTCUTS,
) -> dict[str, Any]:
    """Everything the browser needs for one segment version.

    `context`: seconds shown either side (one of CONTEXTS); the audio is always the segment
    ±CONTEXT. `minimap`: `minimap_data`'s, or None for no minimap. `beside`: the fields saved
    with the text (speaker, speakers, tags, tag_choices, comment), or None to hide them.
    `shortcuts`: the acting user's key table (`keymap.my_shortcuts`).
    """
    seg, recording = view.segment, view.recording
    context = context if context in CONTEXTS else CONTEXT
    a0 = round(max(0.0, seg.start - CONTEXT), 3)
    a1 = round(min(recording.duration, seg.end + CONTEXT), 3)
    v0 = round(max(0.0, seg.start - context), 3)
    v1 = round(min(recording.duration, seg.end + context), 3)
    peaks, audio = _slice(*_files_of(home, recording), v0, v1, a0, a1)
    # the saved text's words once timed against the audio; until then the draft's (stale
    # after a correction, and drawn as such)
    aligned = view.timed is not None
    words = list(view.timed or ()) if aligned else (view.draft.words if view.draft else [])
    return {
        "key": f"{seg.id}-{seg.version}",
        "segment_id": seg.id,
        "version": seg.version,
        "view": [v0, v1],
        "audio_span": [a0, a1],
        "context": context,
        "contexts": list(CONTEXTS),
        "segment": [seg.start, seg.end],
        "status": seg.status.value,
        "minimap": minimap,
        "beside": beside,
        "peaks": peaks,
        "audio": audio,
        "words": [
            {
                "w": w.word.strip(),
                "s": w.start,
                "e": w.end,
                "p": w.probability,
                "unsure": u and not aligned,
                "aligned": aligned,
            }
            for w, u in zip(words, unsure_words(words), strict=True)
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
        "shortcuts": shortcut_data(shortcuts),
        "ui": ui_texts(),
    }


def ui_texts() -> dict[str, str]:
    """The browser's words in the current language ({English: translated}; {} in English):
    sent with the shortcuts, once per segment version the browser does not hold."""
    return _ui_texts(current_language())


@cache
def _ui_texts(language: str) -> dict[str, str]:
    return {text: said for text in JS_TEXTS if (said := t(text)) != text}


def segment_editor(data: dict[str, Any], key: str) -> tuple[dict | None, dict | None]:
    """Mount the editor; returns (action triggered this run or None, latest draft text state).

    The editor's code and CSS go with the data of the first render of a session (and after
    the browser asks for them again: an action of type "refresh"), else only its version."""
    sent = st.session_state.setdefault("_editor_code", set())
    action = _get(st.session_state.get(key), "action") if key in st.session_state else None
    if isinstance(action, dict) and action.get("type") == "refresh":
        sent.discard(key)
    data = {**data, "code_version": EDITOR_VERSION}
    if key not in sent:
        data["code"], data["css"] = EDITOR_JS, EDITOR_CSS
    result = _component(
        data=data,
        key=key,
        on_action_change=lambda: _heard(key, "action"),
        on_draft_change=lambda: _heard(key, "draft"),
    )
    sent.add(key)  # once sent: a run stopped before it sends sends the code next time
    return _get(result, "action"), _get(result, "draft")


def _heard(key: str, what: str) -> None:
    st.session_state.setdefault(f"_heard_{key}", set()).add(what)


def typing_only(key: str) -> bool:
    """Whether this run was started by the editor `key` reporting typed text and nothing else
    of it (no action): a run that changes nothing on the server. Call once a run, before the
    editor is mounted (it forgets what it heard)."""
    return st.session_state.pop(f"_heard_{key}", set()) == {"draft"}


def typed_text(key: str, segment_key: str) -> str | None:
    """The text the browser last reported in the editor `key` (its draft state, about half
    a second after typing) when it is of the segment `segment_key`, else None. Read before
    the editor is mounted, so the data sent with it can answer what was typed."""
    draft = _get(st.session_state[key], "draft") if key in st.session_state else None
    if draft is None or not hasattr(draft, "get") or draft.get("key") != segment_key:
        return None
    return str(draft.get("text") or "")


def _get(result: Any, name: str) -> Any:
    if hasattr(result, "get"):
        return result.get(name)
    return getattr(result, name, None)
