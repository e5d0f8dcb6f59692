"""Lanes of a call drafted one speaker per channel: which lane a segment is drawn in, the
channels' loudness over a span, and who may read them."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import as_user
from workbench import store
from workbench.core.access import Forbidden
from workbench.labelling.lanes import has_lanes, lane_of, lane_segments, loudness


@pytest.mark.parametrize(
    "speaker, loud, lane",
    [
        ("channel 1", [0.0, 0.9], 0),  # named: its channel, however loud the other
        ("channel 2", [0.9, 0.0], 1),
        (" channel 2 ", [0.9, 0.0], 1),
        ("channel 3", [0.1, 0.9], 1),  # no such channel: the loudest
        ("Agent", [0.1, 0.9], 1),  # a person's name: the loudest
        (None, [0.7, 0.2, 0.1], 0),
        (None, [0.0, 0.0], 0),  # silence: the first
        ("channel 0", [0.1, 0.9], 1),
    ],
)
def test_lane_of(speaker, loud, lane):
    assert lane_of(speaker, loud) == lane


def test_loudness_reads_the_windows_of_the_span():
    peaks = np.zeros((2, 300, 2), dtype=np.float32)  # 3 s from 1.0 s: windows 100..399
    peaks[0, 0:100] = [-0.5, 0.5]  # the first channel loud 1.0–2.0 s
    peaks[1, 150:300] = [-0.25, 0.25]  # the second 2.5–4.0 s
    assert loudness(peaks, 1.0, (1.0, 2.0)) == pytest.approx([1.0, 0.0])
    assert loudness(peaks, 1.0, (2.5, 4.0)) == pytest.approx([0.0, 0.5])
    assert loudness(peaks, 1.0, (1.5, 3.0)) == pytest.approx([1 / 3, 1 / 6])
    assert loudness(peaks, 1.0, (0.0, 0.5)) == [0.0, 0.0]  # outside: nothing
    assert loudness(peaks, 1.0, (3.5, 9.0)) == pytest.approx([0.0, 0.5])  # clipped


def test_lane_segments_are_the_live_ones_in_view_for_those_who_may_see(wb, drafted):
    rec = store.list_recordings(wb.db, drafted.id)[0]
    project = store.get_project(wb.db, drafted.id)
    assert not has_lanes(project, rec)  # one channel, not drafted per channel
    queue = store.segment_queue(wb.db, drafted.id, recording_id=rec.id)
    view = (queue[0]["start"], queue[1]["end"])
    peaks = np.zeros((2, 400, 2), dtype=np.float32)
    found = lane_segments(wb, rec, view, peaks)
    assert [s.segment_id for s in found] == [q["id"] for q in queue[:2]]
    assert all(s.lane == 0 for s in found)
    stranger = as_user(wb, "stranger")
    store.set_members(wb.db, drafted.id, [])
    with pytest.raises(Forbidden):
        lane_segments(stranger, rec, view, peaks)
