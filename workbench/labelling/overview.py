"""The editor's overview of a whole recording (the minimap) and its go-to.

The browser gets one status code per pixel column of the minimap, not the segments: a 10-hour
recording (about 10,000 segments) costs the same kilobyte as a 1-minute one. A click or a
"go to 12:34" names a time, and the segment under it is looked up here, in the acting user's
project; "go to #123" names a segment, checked to be in that project. Nothing the browser
names is trusted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from workbench import store
from workbench.core.access import Action, require
from workbench.core.errors import NotFound
from workbench.core.workbench import Workbench

COLUMNS = 1000  # minimap columns (pixels at full width) the overview is drawn at
GAP = "."  # a column no segment covers
# one letter per status (deleted segments are not shown); upper case where a segment starts
CODES = {
    "new": "n",
    "drafted": "d",
    "labeled": "l",
    "passed": "p",
    "approved": "a",
    "rejected": "r",
}
# when several segments share a column, the one that most needs a person wins
PRIORITY = {"r": 6, "n": 5, "d": 4, "l": 3, "p": 2, "a": 1, GAP: 0}


def status_columns(
    spans: Sequence[tuple[int, float, float, str]], duration: float, columns: int = COLUMNS
) -> str:
    """One code per column of `duration / columns` seconds: the status letter of the segment
    covering it (`PRIORITY` decides between several), `GAP` where none does; a column where a
    segment starts is upper case, so touching segments stay apart."""
    if duration <= 0 or columns <= 0:
        return ""
    width = duration / columns
    out = [GAP] * columns
    starts = [False] * columns
    for _, start, end, status in spans:
        code = CODES.get(status)
        if code is None:
            continue
        first = min(columns - 1, max(0, int(start / width)))
        last = min(columns - 1, max(first, math.ceil(end / width) - 1))
        starts[first] = True
        for col in range(first, last + 1):
            if PRIORITY[code] > PRIORITY[out[col]]:
                out[col] = code
    return "".join(c.upper() if s and c != GAP else c for c, s in zip(out, starts, strict=True))


def spans_stamp(wb: Workbench, project_id: int, recording_id: int) -> tuple:
    """What changes when a segment of the recording changes (see `store.spans_stamp`), for
    whoever may see the project the recording is in."""
    _recording_in(wb, project_id, recording_id)
    return store.spans_stamp(wb.db, recording_id)


def recording_columns(
    wb: Workbench, project_id: int, recording_id: int, columns: int = COLUMNS
) -> str:
    """The minimap's status columns of a recording of the project (see `status_columns`)."""
    recording = _recording_in(wb, project_id, recording_id)
    return status_columns(store.recording_spans(wb.db, recording_id), recording.duration, columns)


def segment_at(wb: Workbench, project_id: int, recording_id: int, at: float) -> int | None:
    """The segment of a recording of the project under `at` seconds, else the nearest after
    (or before) it; None when the recording has no live segment."""
    recording = _recording_in(wb, project_id, recording_id)
    at = min(max(0.0, float(at)), recording.duration)
    return store.segment_at(wb.db, recording_id, at)


def changed_spans(
    wb: Workbench, project_id: int, segment_ids: Sequence[int]
) -> list[tuple[float, float, str]]:
    """(start, end, code) of the project's segments among `segment_ids` as stored now (code
    `GAP` for a deleted one): what the minimap draws over its cached columns for the segments
    the user has just changed. One query, whatever the number."""
    require(wb, Action.VIEW, project_id)
    return [
        (start, end, CODES.get(status, GAP))
        for _, start, end, status in store.spans_of(wb.db, project_id, list(segment_ids))
    ]


def segment_in_project(wb: Workbench, project_id: int, segment_id: int) -> bool:
    """Whether `segment_id` is a segment of the project, which the acting user may see."""
    require(wb, Action.VIEW, project_id)
    return store.project_of_segment(wb.db, int(segment_id)) == project_id


def _recording_in(wb: Workbench, project_id: int, recording_id: int):
    require(wb, Action.VIEW, project_id)
    recording = store.get_recording(wb.db, recording_id)
    if recording.project_id != project_id:
        raise NotFound(f"recording {recording_id} is not in this project")
    return recording


_CLOCK = re.compile(r"^(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d*)?)$")


def parse_goto(text: str) -> tuple[str, float | int] | None:
    """What "go to" was asked: ("segment", id) for "#123", ("time", seconds) for "12:34",
    "1:02:03.5" or "75.5"; None when it is neither."""
    text = text.strip()
    if re.fullmatch(r"#\s*\d+", text):
        return "segment", int(text[1:].strip())
    found = _CLOCK.match(text)
    if not found:
        return None
    a, b, c = found.groups()
    parts = [float(p) for p in (a, b) if p is not None]
    seconds = float(c)
    if (parts and seconds >= 60) or (len(parts) == 2 and parts[1] >= 60):
        return None  # 1:75 is not a time
    total = 0.0
    for p in parts:  # hours, minutes or minutes
        total = total * 60 + p
    return "time", total * 60 + seconds
