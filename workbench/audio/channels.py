"""Recordings of several channels: whether the channels are one sound (dual mono), and each
channel's peaks by region, read from the copy that keeps the channels.

A stereo file whose two channels carry the same signal (a mono recording saved as stereo) is
"dual mono": drafting it one speaker per channel would draft every word twice, once as
"channel 1" and once as "channel 2". `ChannelLikeness` tells it from a real two-party call by
how far the channels stray from their mean, added up block by block as the file is decoded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from workbench.audio.peaks import PEAK_WINDOW, PEAKS_PER_SECOND, PeakAccumulator

__all__ = ["DUAL_MONO_DB", "ChannelLikeness", "channel_peaks", "dual_mono"]

# how far under the mix the channels' differences from it may lie for the channels to be one
# sound: a lossy coder's joint stereo leaves the copies of one signal about 40 dB apart
# (jfk.flac: -37 dB), two people on their own channels are about 0 dB apart
DUAL_MONO_DB = -20.0


class ChannelLikeness:
    """Feed (frames, channels) float32 blocks; `dual_mono()` says whether the channels so far
    are one sound: their squared differences from the mean, DUAL_MONO_DB or more under the
    mean's own energy (per channel). Silence counts as one sound: no channel speaks alone."""

    def __init__(self) -> None:
        self._apart = 0.0  # sum of squared differences of each channel from the mean
        self._level = 0.0  # sum of the mean's squares, times the channels

    def add(self, block: np.ndarray) -> None:
        if block.ndim != 2 or block.shape[1] < 2 or not block.size:
            return
        mean = block.mean(axis=1, dtype=np.float64)
        self._apart += float(np.square(block - mean[:, None]).sum())
        self._level += float(np.square(mean).sum()) * block.shape[1]

    def dual_mono(self) -> bool:
        return self._apart <= self._level * 10 ** (DUAL_MONO_DB / 10)


def dual_mono(samples: np.ndarray) -> bool:
    """Whether the channels of (frames, channels) `samples` are one sound (see
    ChannelLikeness); a single channel is not dual mono."""
    if samples.ndim != 2 or samples.shape[1] < 2:
        return False
    likeness = ChannelLikeness()
    likeness.add(samples)
    return likeness.dual_mono()


def channel_peaks(channels_path: str | Path, start: float, end: float) -> np.ndarray:
    """Each channel's peaks between `start` and `end` seconds of a kept-channels copy, as
    float32 (channels, n, 2) in [-1, 1]: the same 10 ms windows as `peaks.load_peaks` reads
    from the mix (the first one holding `start`), by a seek and a short read."""
    with sf.SoundFile(str(channels_path)) as f:
        windows = (f.frames + PEAK_WINDOW - 1) // PEAK_WINDOW
        first = max(0, min(windows, int(np.floor(round(start * PEAKS_PER_SECOND, 6)))))
        last = max(first, min(windows, int(np.ceil(round(end * PEAKS_PER_SECOND, 6)))))
        f.seek(first * PEAK_WINDOW)
        frames = min(f.frames, last * PEAK_WINDOW) - first * PEAK_WINDOW
        samples = f.read(frames, dtype="float32", always_2d=True)
        count = f.channels
    lanes = []
    for c in range(count):
        acc = PeakAccumulator()
        acc.add(np.ascontiguousarray(samples[:, c]))
        lanes.append(acc.finish())
    if not lanes or not len(lanes[0]):
        return np.zeros((count, 0, 2), dtype=np.float32)
    return np.stack(lanes).astype(np.float32) / 32767.0
