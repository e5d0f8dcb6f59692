"""Word timings for a given text: the pure half of forced alignment.

An engine that can align (see `Aligner`) tokenises each word of the saved text on its own, so
the words it returns are exactly the text's words, whatever the language writes inside a word
(Korean eojeol are several tokens, none starting with a space but the first). Whisper's
cross-attention and dynamic time warping then give one jump per text token (`word_times`);
a word runs from its first token's jump to the next word's. Those times are on a 20 ms grid
and place the pause between two words inside one of them, so `snapped` moves each boundary
next to a pause onto the pause's edges, read from the audio's loudness (`pauses`), and
`placed` keeps the words in order inside the segment.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TOKENS_PER_SECOND = 50  # Whisper's cross-attention frames: 20 ms each
FRAME = 0.01  # seconds per loudness frame
MIN_PAUSE = 0.05  # seconds: a quieter stretch this long is a pause between words
REACH = 0.25  # seconds: a pause moves a boundary between two words at most this far
OUTER_REACH = 1.0  # seconds: and the first word's start or the last word's end this far
QUIET_ABOVE_FLOOR = 12.0  # dB over the segment's noise floor still counted as quiet
QUIET_BELOW_PEAK = 40.0  # dB under the segment's loudest frame always counted as quiet


@dataclass(frozen=True)
class TimedWord:
    """A word of the saved text with its time in seconds (the caller says from where)."""

    word: str
    start: float
    end: float
    probability: float


def words_of(text: str) -> list[str]:
    """The words of a saved text, as its word timings name them: split at whitespace."""
    return text.split()


def word_times(
    text_indices: Sequence[int],
    time_indices: Sequence[int],
    counts: Sequence[int],
    tokens_per_second: float = TOKENS_PER_SECOND,
) -> list[tuple[float, float]]:
    """(start, end) in seconds of each word whose tokens number `counts`, from the DTW path
    (pairs of text token index, time index, as CTranslate2's `align` returns them, over the
    text tokens and the end-of-text token). A word of no tokens is an instant at its place."""
    text = np.asarray(text_indices, dtype=int)
    time = np.asarray(time_indices, dtype=float)
    if len(text) == 0:
        return [(0.0, 0.0) for _ in counts]
    jumps = np.pad(np.diff(text), (1, 0), constant_values=1).astype(bool)
    jump_times = time[jumps] / tokens_per_second  # one per token, the end-of-text token last
    bounds = np.pad(np.cumsum(counts), (1, 0))
    last = len(jump_times) - 1
    return [
        (float(jump_times[min(a, last)]), float(jump_times[min(b, last)]))
        for a, b in itertools.pairwise(bounds)
    ]


def word_probabilities(token_probs: Sequence[float], counts: Sequence[int]) -> list[float]:
    """The mean probability of each word's tokens (1.0 for a word of none)."""
    probs = np.asarray(token_probs, dtype=float)
    bounds = np.pad(np.cumsum(counts), (1, 0))
    return [
        float(probs[a:b].mean()) if b > a and b <= len(probs) else 1.0
        for a, b in itertools.pairwise(bounds)
    ]


def quiet_frames(audio: np.ndarray, rate: int) -> np.ndarray:
    """Whether each FRAME of `audio` is quiet: under the segment's noise floor plus
    QUIET_ABOVE_FLOOR dB, or QUIET_BELOW_PEAK dB under its loudest frame."""
    hop = max(1, int(rate * FRAME))
    n = len(audio) // hop
    if n == 0:
        return np.zeros(0, dtype=bool)
    frames = np.asarray(audio[: n * hop], dtype=np.float64).reshape(n, hop)
    level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    threshold = max(np.percentile(level, 10) + QUIET_ABOVE_FLOOR, level.max() - QUIET_BELOW_PEAK)
    return level < threshold


def pauses(quiet: np.ndarray, min_pause: float = MIN_PAUSE) -> list[tuple[float, float]]:
    """The runs of quiet frames at least `min_pause` long, as (start, end) in seconds."""
    padded = np.concatenate(([False], quiet, [False])).astype(int)
    edges = np.flatnonzero(np.diff(padded))
    runs = zip(edges[0::2], edges[1::2], strict=True)
    return [(a * FRAME, b * FRAME) for a, b in runs if (b - a) * FRAME >= min_pause - 1e-9]


def snapped(
    times: Sequence[tuple[float, float]],
    gaps: Sequence[tuple[float, float]],
    reach: float = REACH,
    outer_reach: float = OUTER_REACH,
) -> list[tuple[float, float]]:
    """`times` with the boundaries next to a pause moved onto its edges: between two words,
    the pause nearest their boundary (within `reach` seconds of it, or holding it) ends the
    one and starts the other; before the first word and after the last, the pause nearest
    its outer edge (within `outer_reach`). A pause is taken only where it lies inside the
    words it separates, so no word turns inside out."""
    out = [list(t) for t in times]
    if not out:
        return []
    first = _nearest(gaps, out[0][0], outer_reach, inside=(-np.inf, out[0][1]))
    if first is not None:
        out[0][0] = first[1]
    for left, right in itertools.pairwise(out):
        boundary = (left[1] + right[0]) / 2
        gap = _nearest(gaps, boundary, reach, inside=(left[0], right[1]))
        if gap is not None:
            left[1], right[0] = gap[0], gap[1]
    last = _nearest(gaps, out[-1][1], outer_reach, inside=(out[-1][0], np.inf))
    if last is not None:
        out[-1][1] = last[0]
    return [(a, b) for a, b in out]


def _nearest(
    gaps: Sequence[tuple[float, float]], at: float, reach: float, inside: tuple[float, float]
) -> tuple[float, float] | None:
    """The pause closest to `at` (0 when it holds it), within `reach` of it, and strictly
    inside `inside` (start, end); None when there is none."""

    def distance(gap: tuple[float, float]) -> float:
        return max(gap[0] - at, at - gap[1], 0.0)

    near = [
        g for g in gaps if distance(g) <= reach + 1e-9 and inside[0] < g[0] and g[1] < inside[1]
    ]
    return min(near, key=distance) if near else None


def placed(
    words: Sequence[str],
    times: Sequence[tuple[float, float]],
    probabilities: Sequence[float],
    offset: float,
    limit: tuple[float, float],
) -> list[TimedWord]:
    """The words with `times` moved by `offset` seconds, rounded to the millisecond, in order
    (no word starts before the previous one ends) and inside `limit` (start, end)."""
    low, high = limit
    out: list[TimedWord] = []
    floor = low
    for word, (start, end), p in zip(words, times, probabilities, strict=True):
        a = min(max(start + offset, floor), high)
        b = min(max(end + offset, a), high)
        a, b = round(a, 3), round(b, 3)
        out.append(TimedWord(word, a, b, round(float(p), 4)))
        floor = b
    return out
