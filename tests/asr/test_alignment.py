"""Forced alignment's pure half: DTW path to word times, pauses from loudness, boundaries
snapped onto pauses, words placed in order inside the segment."""

import itertools

import numpy as np
import pytest

from workbench.asr.alignment import (
    FRAME,
    pauses,
    placed,
    quiet_frames,
    snapped,
    word_probabilities,
    word_times,
    words_of,
)


def test_words_of_a_text_are_its_whitespace_words_korean_included():
    assert words_of("  오늘 날씨가\n정말  좋아요. ") == ["오늘", "날씨가", "정말", "좋아요."]
    assert words_of("") == []


def _path(jumps: list[int]) -> tuple[list[int], list[int]]:
    """A DTW path whose text token i first appears at time index jumps[i] (the last entry is
    the end-of-text token), staying on each token until the next one starts."""
    text, time = [], []
    for i, (a, b) in enumerate(zip(jumps, [*jumps[1:], jumps[-1] + 3], strict=True)):
        for t in range(a, b):
            text.append(i)
            time.append(t)
    return text, time


def test_word_times_run_from_a_words_first_token_to_the_next_words():
    # tokens: word 0 has 2, word 1 has 1, word 2 has 3; then the end-of-text token
    text, time = _path([0, 10, 20, 30, 35, 40, 60])
    times = word_times(text, time, [2, 1, 3], tokens_per_second=50)
    assert times == [(0.0, 0.4), (0.4, 0.6), (0.6, 1.2)]


def test_word_times_of_a_word_without_tokens_is_an_instant():
    text, time = _path([0, 10, 20])
    assert word_times(text, time, [1, 0, 1], tokens_per_second=50) == [
        (0.0, 0.2),
        (0.2, 0.2),
        (0.2, 0.4),
    ]


def test_word_probabilities_are_each_words_token_mean():
    assert word_probabilities([0.2, 0.4, 0.9, 0.5], [2, 1, 1, 0]) == pytest.approx(
        [0.3, 0.9, 0.5, 1.0]
    )


def test_pauses_are_the_quiet_runs_long_enough():
    rate = 16000
    loud = 0.3 * np.sin(np.arange(int(0.3 * rate)) * 0.1)
    quiet = np.zeros(int(0.2 * rate))
    blip = np.zeros(int(0.03 * rate))  # too short to be a pause
    audio = np.concatenate([quiet, loud, blip, loud, quiet, loud]).astype(np.float32)
    found = pauses(quiet_frames(audio, rate))
    assert found == [pytest.approx((0.0, 0.2)), pytest.approx((0.83, 1.03))]
    assert all(b - a >= 0.05 for a, b in found)
    assert pauses(quiet_frames(np.zeros(10, dtype=np.float32), rate)) == []
    assert FRAME == 0.01


def test_boundaries_next_to_a_pause_move_onto_its_edges():
    # DTW puts the pause (1.0-1.3) inside the second word and starts the first at 0
    times = [(0.0, 0.95), (0.95, 2.0), (2.0, 2.5)]
    gaps = [(0.0, 0.4), (1.0, 1.3), (2.6, 3.0)]
    assert snapped(times, gaps) == [(0.4, 1.0), (1.3, 2.0), (2.0, 2.6)]


def test_a_pause_out_of_reach_or_outside_the_words_moves_nothing():
    times = [(0.5, 1.0), (1.0, 1.5)]
    assert snapped(times, [(1.6, 1.9)], reach=0.05, outer_reach=0.05) == times
    # a pause running past the second word's end cannot become their boundary
    assert snapped(times, [(1.2, 1.7)])[0] == (0.5, 1.0)
    assert snapped([], [(0.0, 1.0)]) == []


def test_placed_words_are_in_order_inside_the_segment():
    words = ["a", "b", "c", "d"]
    times = [(-0.2, 0.3), (0.25, 0.2), (0.5, 0.9), (0.8, 9.0)]
    out = placed(words, times, [0.5] * 4, offset=10.0, limit=(10.0, 11.0))
    assert [w.word for w in out] == words
    assert all(10.0 <= w.start <= w.end <= 11.0 for w in out)
    assert all(a.end <= b.start for a, b in itertools.pairwise(out))
    assert (out[0].start, out[-1].end) == (10.0, 11.0)
