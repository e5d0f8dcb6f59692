"""Gaps: speech that no segment covers, and recordings whose draft wrote no segment.

Speech is read from the stored peaks (min/max per 10 ms window): a stretch of at least
MIN_SPEECH seconds whose peak-to-peak level stays over a threshold. The threshold adapts to
the recording's noise floor (its 10th-percentile level) and never goes under SPEECH_LEVEL.

(Not `coverage.py`: Streamlit puts `workbench/` first on sys.path, and numba, which
openai-whisper imports for fine-tuning, then found this module as the `coverage` package and
failed; tests/test_module_names.py guards the names.)
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from workbench import store
from workbench.audio.peaks import PEAKS_PER_SECOND, load_peaks
from workbench.core.access import Action, require
from workbench.core.records import InvalidEdit, Recording
from workbench.core.workbench import Workbench

__all__ = [
    "Gap",
    "empty_drafts",
    "project_gaps",
    "redraft",
    "segments_in",
    "speech_gaps",
    "speech_spans",
    "uncovered",
]

MIN_SPEECH = 0.3  # seconds: shorter stretches over the threshold are clicks, not speech
MIN_GAP = 0.5  # seconds: shorter uncovered speech is a segment's edge drawn a little tight
SPEECH_LEVEL = 0.05  # peak-to-peak, full scale 2.0: the lowest threshold (about -32 dBFS)
NOISE_FACTOR = 4.0  # the threshold is at least this many times the noise floor
BRIDGE = 0.4  # seconds: quieter moments this short inside speech do not end it (slow,
# deliberate speech pauses between words: "ask · not · what" in the shared jfk.flac)


@dataclass(frozen=True)
class Gap:
    """Speech no live segment covers, in seconds from the recording's start."""

    start: float
    end: float


def speech_spans(
    energy: np.ndarray, per_second: int = PEAKS_PER_SECOND, min_len: float = MIN_SPEECH
) -> list[tuple[float, float]]:
    """Stretches of `energy` (peak-to-peak per window) over the threshold, of at least
    `min_len` seconds, pauses under BRIDGE seconds bridged; (start, end) in seconds."""
    if len(energy) == 0:
        return []
    floor = float(np.percentile(energy, 10))
    loud = np.asarray(energy) > max(SPEECH_LEVEL, NOISE_FACTOR * floor)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], loud.astype(np.int8), [0]))))
    runs: list[list[int]] = []
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        if runs and a - runs[-1][1] <= BRIDGE * per_second:
            runs[-1][1] = int(b)
        else:
            runs.append([int(a), int(b)])
    return [
        (round(a / per_second, 2), round(b / per_second, 2))
        for a, b in runs
        if (b - a) / per_second >= min_len
    ]


def uncovered(
    spans: list[tuple[float, float]], segments: list[tuple[float, float]], min_len: float = MIN_GAP
) -> list[Gap]:
    """The parts of `spans` outside every segment, of at least `min_len` seconds.

    One sweep over both, sorted (segments may overlap): linear in their number, so a 10-hour
    recording's 10,000 segments cost milliseconds, not the seconds of comparing every pair.
    """
    covered: list[list[float]] = []  # the union of the segments, by start
    for a, b in sorted(segments):
        if covered and a <= covered[-1][1]:
            covered[-1][1] = max(covered[-1][1], b)
        else:
            covered.append([a, b])
    out, i = [], 0
    for start, end in sorted(spans):
        while i < len(covered) and covered[i][1] <= start:
            i += 1
        lo, j = start, i
        while j < len(covered) and covered[j][0] < end:
            if covered[j][0] - lo >= min_len:
                out.append(_inside(lo, covered[j][0]))
            lo = max(lo, covered[j][1])
            j += 1
        if end - lo >= min_len:
            out.append(_inside(lo, end))
    return out


def _inside(start: float, end: float) -> Gap:
    """A gap in hundredths of a second rounded inwards: a segment ending at 0.995 s must not
    be overlapped by a gap said to start at 0.99 s."""
    return Gap(math.ceil(round(start * 100, 6)) / 100, math.floor(round(end * 100, 6)) / 100)


@lru_cache(maxsize=256)  # the Overview reads every recording of a project
def _speech_in(peaks_path: str, duration: float) -> tuple[tuple[float, float], ...]:
    """The speech of a recording, read once per process (peaks never change)."""
    peaks = load_peaks(peaks_path, 0.0, duration)
    return tuple(speech_spans(peaks[:, 1] - peaks[:, 0]))


def speech_gaps(
    wb: Workbench, recording: Recording, window: tuple[float, float] | None = None
) -> list[Gap]:
    """Speech of a recording that no live segment covers, for whoever may see its project.

    With `window` (start, end in seconds), only the speech inside it, cut at its edges: the
    cost then follows the window, not the recording (the editor asks about its neighbourhood
    on every key; a whole 10-hour recording takes a tenth of a second).
    """
    require(wb, Action.VIEW, recording.project_id)
    path = wb.path(recording.peaks_path)
    if not path.is_file():
        return []
    spans = _speech_in(str(path), recording.duration)
    if window is None:
        bounds = store.live_bounds(wb.db, recording.id)
    else:
        lo, hi = window
        first = max(0, bisect.bisect_left(spans, (lo,)) - 1)
        spans = tuple(
            (max(a, lo), min(b, hi))
            for a, b in spans[first : bisect.bisect_left(spans, (hi,))]
            if b > lo and a < hi
        )
        bounds = store.live_bounds(wb.db, recording.id, lo, hi) if spans else []
    return uncovered(list(spans), bounds) if spans else []


def project_gaps(wb: Workbench, project_id: int) -> list[tuple[Recording, list[Gap]]]:
    """The speech no live segment covers in each drafted recording of a project that has
    segments (one query for all the segments), by name; recordings without such speech are
    left out. For whoever may see the project."""
    require(wb, Action.VIEW, project_id)
    bounds = store.project_bounds(wb.db, project_id)
    out = []
    for recording in store.list_recordings(wb.db, project_id):
        path = wb.path(recording.peaks_path)
        if recording.id not in bounds or not path.is_file():
            continue  # not drafted, or its draft wrote nothing (see `empty_drafts`)
        gaps = uncovered(list(_speech_in(str(path), recording.duration)), bounds[recording.id])
        if gaps:
            out.append((recording, gaps))
    return out


def segments_in(
    wb: Workbench, recording: Recording, start: float, end: float
) -> list[tuple[float, float]]:
    """(start, end) of the live segments of a recording overlapping [start, end): what the
    editor draws around the segment, so a span dragged for a new segment avoids them."""
    require(wb, Action.VIEW, recording.project_id)
    return store.live_bounds(wb.db, recording.id, start, end)


def empty_drafts(wb: Workbench, project_id: int) -> list[Recording]:
    """Recordings of the project whose draft wrote no segment (flag them, redraft them)."""
    require(wb, Action.VIEW, project_id)
    return store.empty_drafts(wb.db, project_id)


def redraft(wb: Workbench, recording_id: int) -> Recording:
    """Make a recording whose draft wrote no segment undrafted again, so a draft job for it
    alone (`drafting.start_draft_job` with params {'recordings': [id]}) drafts it anew.
    Owners only; refused for a recording with segments (its work would be drafted over)."""
    recording = store.get_recording(wb.db, recording_id)
    user = require(wb, Action.DRAFT, recording.project_id)
    if not store.reopen_draft(wb.db, recording_id):
        raise InvalidEdit(
            f"{recording.original_name} has segments or no draft yet: only a "
            "drafted recording without segments is drafted again"
        )
    store.log_event(
        wb.db,
        user.name,
        "redraft",
        recording.project_id,
        {"recording": recording_id, "name": recording.original_name},
    )
    return recording
