"""Lanes: a stereo call drafted one speaker per channel, shown channel by channel.

The editor draws each channel's waveform in a lane of its own and every live segment in view
in the lane of its channel, so a labeller sees who speaks over whom. A segment's lane is the
channel its speaker names ("channel 2", as a per-channel draft names it), else the channel
loudest over its span (a segment a person added, or one given a person's name since).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench import store
from workbench.audio.peaks import PEAKS_PER_SECOND
from workbench.core.access import Action, require
from workbench.core.records import Project, Recording
from workbench.core.workbench import Workbench

__all__ = ["LaneSegment", "has_lanes", "lane_of", "lane_segments", "loudness"]

CHANNEL = re.compile(r"channel (\d+)")  # the speaker a per-channel draft gives a segment


@dataclass(frozen=True)
class LaneSegment:
    """A live segment in view and the lane it is drawn in (its channel, from 0)."""

    segment_id: int
    start: float
    end: float
    lane: int


def has_lanes(project: Project, recording: Recording) -> bool:
    """Whether the editor shows the recording in lanes: the project drafts one speaker per
    channel and the recording kept its channels (a dual-mono file keeps none: see
    `audio.channels.dual_mono`)."""
    return project.per_channel and recording.channels_path is not None


def lane_of(speaker: str | None, loud: Sequence[float]) -> int:
    """The lane of a segment: the channel its speaker names ("channel N", N from 1 to the
    number of channels), else the loudest of `loud` (each channel's loudness over its span;
    the first when all are equal)."""
    named = CHANNEL.fullmatch((speaker or "").strip())
    if named and 1 <= int(named.group(1)) <= len(loud):
        return int(named.group(1)) - 1
    return int(np.argmax(loud)) if len(loud) else 0


def loudness(peaks: np.ndarray, since: float, span: tuple[float, float]) -> list[float]:
    """Each channel's mean peak-to-peak over `span` seconds, from (channels, n, 2) `peaks`
    whose first window holds `since` (`audio.channels.channel_peaks`); 0 outside them."""
    first = int(np.floor(round(since * PEAKS_PER_SECOND, 6)))
    a = max(0, int(np.floor(span[0] * PEAKS_PER_SECOND)) - first)
    b = min(peaks.shape[1], int(np.ceil(span[1] * PEAKS_PER_SECOND)) - first)
    if b <= a:
        return [0.0] * peaks.shape[0]
    region = peaks[:, a:b, :]
    return [float(v) for v in (region[:, :, 1] - region[:, :, 0]).mean(axis=1)]


def lane_segments(
    wb: Workbench, recording: Recording, view: tuple[float, float], peaks: np.ndarray
) -> list[LaneSegment]:
    """The live segments of `recording` overlapping `view` (seconds), each with its lane;
    `peaks`: each channel's over the view (for the segments no channel names)."""
    require(wb, Action.VIEW, recording.project_id)
    return [
        LaneSegment(seg_id, start, end, lane_of(speaker, loudness(peaks, view[0], (start, end))))
        for seg_id, start, end, speaker in store.speakers_in(wb.db, recording.id, *view)
    ]
