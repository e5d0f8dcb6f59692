"""A small labelled corpus for the export and import tests: the texts and speakers of the six
segments of `noisy_project` (tests/conftest.py), noisy audio for it, and the comparison of an
export -> import round trip over every format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import sqlalchemy as sa

from tests.conftest import as_user
from workbench import store
from workbench.labelling.labeller_edits import save_segment

# text, speaker for the six segments of `noisy_project` (recordings a.wav 3 s, b.flac 2.5 s)
SEGMENTS = [
    ("안녕하세요, 반갑습니다!", "Kim Min-su"),
    ("Café crème à la française", "Kim Min-su"),
    ("emoji 🎉 party [laughter]", None),
    ("", "Anne O'Neil"),
    ("don't STOP—now", "Anne O'Neil"),
    ("마지막 segment.", None),  # ends exactly where its recording ends
]


def label(wb, project, segments=SEGMENTS) -> list[dict]:
    """Give the drafted segments the texts and speakers above; the last ends its recording."""
    queue = store.segment_queue(wb.db, project.id)
    for q, (text, speaker) in zip(queue, segments, strict=True):
        with wb.db.begin() as conn:
            conn.execute(
                sa.update(store.segments)
                .where(store.segments.c.id == q["id"])
                .values(speaker=speaker)
            )
        end = q["end"]
        if q is queue[-1]:
            end = store.get_recording(wb.db, q["recording_id"]).duration
        save_segment(as_user(wb, "ann"), q["id"], 1, text, q["start"], end)
    return store.segment_queue(wb.db, project.id)


def noisy(path: Path, seconds: float, rate: int, channels: int, seed: int) -> Path:
    """A tone with a quiet gap every second, plus noise where it sounds: no two clips are equal."""
    t = np.arange(int(seconds * rate)) / rate
    on = t % 1.0 < 0.7
    noise = 0.05 * np.random.default_rng(seed).standard_normal(len(t))
    signal = (0.4 * np.sin(2 * np.pi * 440 * t) + noise) * on
    data = np.stack([signal] * channels, axis=1) if channels > 1 else signal
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), data.astype(np.float32), rate)
    return path


# (format, clips): clip formats import a recording per clip; the others keep recording times
ROUND_TRIPS = [
    ("nemo", "wav"),
    ("nemo", "none"),
    ("hf", "flac"),
    ("kaldi", "wav"),
    ("kaldi", "none"),
    ("lhotse", "none"),
    ("lhotse", "wav"),
    ("cv", "wav"),
    ("srt", None),
    ("vtt", None),
    ("textgrid", None),
    ("eaf", None),
    ("csv", None),
]


def segments_of(wb, project) -> list[tuple[float, float, str, str | None]]:
    rows = store.export_rows(wb.db, project.id, None)
    return [(r["start"], r["end"], r["text"], r["speaker"]) for r in rows]


def same(got, want, clips: bool) -> None:
    if clips:  # a clip is its own recording: compare lengths, not times in the recording
        got = [(0.0, e - s, t, spk) for s, e, t, spk in got]
        want = [(0.0, e - s, t, spk) for s, e, t, spk in want]
    key = lambda x: (x[2], x[3] or "", x[0])  # noqa: E731
    got, want = sorted(got, key=key), sorted(want, key=key)
    assert [(t, spk) for _, _, t, spk in got] == [(t, spk) for _, _, t, spk in want]
    for (s1, e1, *_), (s2, e2, *_) in zip(got, want, strict=True):
        assert s1 == pytest.approx(s2, abs=1e-3) and e1 == pytest.approx(e2, abs=1e-3)


def assert_round_trip(wb, exported, target, result, fmt: str, clips: str | None) -> None:
    """`target` got the segments of `exported` back from its export in `fmt`."""
    assert not result.report.failed, result.report.failed
    want = segments_of(wb, exported)
    if fmt == "textgrid":  # an empty interval is a gap in a TextGrid
        want = [w for w in want if w[2]]
    assert result.segments == len(want)
    same(segments_of(wb, target), want, clips in ("wav", "flac"))
