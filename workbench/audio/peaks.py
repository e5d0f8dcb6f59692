"""Waveform peaks: min and max per window, computed once at import, read by region.

Like BBC audiowaveform's data files: a 10-hour recording at 100 windows a second is 3.6 M
pairs of int16 (14 MB), and the editor reads only the few thousand it shows.
"""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np

PEAK_WINDOW = 160  # samples per peak window at 16 kHz: 10 ms
PEAKS_PER_SECOND = 100  # 16000 / PEAK_WINDOW


class PeakAccumulator:
    """Feed float32 blocks in any sizes; collect one (min, max) int16 pair per window."""

    def __init__(self) -> None:
        self._carry = np.zeros(0, dtype=np.float32)
        self._parts: list[np.ndarray] = []

    def add(self, block: np.ndarray) -> None:
        data = np.concatenate([self._carry, block]) if self._carry.size else block
        whole = data.size // PEAK_WINDOW * PEAK_WINDOW
        if whole:
            self._parts.append(_minmax(data[:whole].reshape(-1, PEAK_WINDOW)))
        self._carry = data[whole:].copy()

    def finish(self) -> np.ndarray:
        if self._carry.size:
            self._parts.append(_minmax(self._carry.reshape(1, -1)))
            self._carry = np.zeros(0, dtype=np.float32)
        if not self._parts:
            return np.zeros((0, 2), dtype=np.int16)
        return np.concatenate(self._parts)


def _minmax(frames: np.ndarray) -> np.ndarray:
    pairs = np.stack([frames.min(axis=1), frames.max(axis=1)], axis=1)
    return (np.clip(pairs, -1.0, 1.0) * 32767).astype(np.int16)


def save_peaks(peaks: np.ndarray, path: Path) -> None:
    with open(path, "wb") as f:
        np.save(f, peaks)


def load_peaks(path: str | Path, start: float, end: float) -> np.ndarray:
    """Peaks between `start` and `end` seconds as float32 (n, 2) in [-1, 1], read by memmap."""
    peaks = np.load(str(path), mmap_mode="r")
    # round first: 0.29 * 100 is 28.999999999999996
    first = max(0, int(np.floor(round(start * PEAKS_PER_SECOND, 6))))
    last = min(len(peaks), int(np.ceil(round(end * PEAKS_PER_SECOND, 6))))
    return np.asarray(peaks[first:last], dtype=np.float32) / 32767.0


def overview_peaks(path: str | Path, columns: int) -> np.ndarray:
    """The whole recording's peaks reduced to at most `columns` (min, max) pairs, float32 in
    [-1, 1]: each column the min and max of its share of windows. Reads the file once (a
    10-hour recording's 3.6 M pairs in a few tens of ms); callers cache the result."""
    peaks = np.load(str(path), mmap_mode="r")
    n = len(peaks)
    if n == 0 or columns <= 0:
        return np.zeros((0, 2), dtype=np.float32)
    columns = min(columns, n)
    edges = np.linspace(0, n, columns + 1).astype(np.int64)
    data = np.asarray(peaks)
    lo = np.minimum.reduceat(data[:, 0], edges[:-1])
    hi = np.maximum.reduceat(data[:, 1], edges[:-1])
    return np.stack([lo, hi], axis=1).astype(np.float32) / 32767.0


PACK_SCALE = 127  # a packed peak is an int8: the waveform's height in 127 steps either side


def pack_peaks(peaks: np.ndarray) -> str:
    """(n, 2) peaks in [-1, 1] as the browser receives them: base64 of int8 pairs (min, max)
    scaled by PACK_SCALE, two bytes a pair (a seventh of the same pairs as JSON numbers)."""
    scaled = np.rint(np.clip(np.asarray(peaks, dtype=np.float32), -1.0, 1.0) * PACK_SCALE)
    return base64.b64encode(scaled.astype(np.int8).tobytes()).decode("ascii")


def unpack_peaks(packed: str) -> np.ndarray:
    """`pack_peaks`' (n, 2) float32 peaks back, to within 1 / PACK_SCALE."""
    raw = np.frombuffer(base64.b64decode(packed), dtype=np.int8)
    return raw.reshape(-1, 2).astype(np.float32) / PACK_SCALE
