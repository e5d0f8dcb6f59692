"""Property tests for cutting drafts into training segments."""

from itertools import pairwise

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.drafts.cutting import CutOptions, cut


def _draft(words, start, end):
    return {
        "start": start,
        "end": end,
        "text": "".join(w["word"] for w in words).strip(),
        "asr_meta": {
            "avg_logprob": -0.3,
            "no_speech_prob": 0.1,
            "compression_ratio": 1.3,
            "words": words,
        },
    }


@st.composite
def recordings(draw, overlapping=False):
    """Words laid out in time, grouped into Whisper-like drafts, plus an energy curve."""
    n = draw(st.integers(1, 60))
    t, words = draw(st.floats(0, 2)), []
    for i in range(n):
        t += draw(st.floats(0.0, 3.0))  # pause before the word
        length = draw(st.floats(0.05, 1.5))
        words.append(
            {
                "id": i,
                "word": f" w{i}",
                "start": round(t, 3),
                "end": round(t + length, 3),
                "probability": 0.9,
            }
        )
        t += length
    duration = round(t + draw(st.floats(0.01, 3)), 3)
    cuts = sorted(set(draw(st.lists(st.integers(1, max(1, n - 1)), max_size=n))))
    groups = [words[a:b] for a, b in zip([0, *cuts], [*cuts, n], strict=True) if words[a:b]]
    drafts = []
    for g in groups:
        pad = 0.5 if overlapping else 0.0
        drafts.append(_draft(g, max(0.0, g[0]["start"] - pad), min(duration, g[-1]["end"] + pad)))
    energy = np.array(draw(st.lists(st.floats(0, 1), min_size=1, max_size=50)))
    energy = np.resize(energy, int(duration * 100) + 1)
    return drafts, duration, energy


def _check_common(out, drafts, duration):
    for d in out:
        assert 0 <= d["start"] < d["end"] <= duration
    for a, b in pairwise(out):
        assert a["end"] <= b["start"]
    ids_in = sorted(w["id"] for d in drafts for w in d["asr_meta"]["words"])
    ids_out = sorted(w["id"] for d in out for w in d["asr_meta"]["words"])
    assert ids_in == ids_out  # every word kept exactly once
    for d in out:  # the text is the words'
        assert d["text"] == "".join(w["word"] for w in d["asr_meta"]["words"]).strip()


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(recordings(), st.floats(2.0, 25.0), st.floats(0.0, 1.5))
def test_cut_keeps_every_word_inside_its_segment(rec, max_len, min_len):
    drafts, duration, energy = rec
    out = cut(drafts, duration, CutOptions(max_len=max_len, min_len=min_len), energy)
    _check_common(out, drafts, duration)
    for d in out:
        for w in d["asr_meta"]["words"]:  # no word clipped by a boundary
            assert d["start"] <= w["start"] + 1e-6 and w["end"] <= d["end"] + 1e-6
        if d["end"] - d["start"] > max_len + 1e-6:
            assert (
                len(d["asr_meta"]["words"]) < 2
                or max(b["start"] - a["end"] for a, b in pairwise(d["asr_meta"]["words"])) <= 0
            )
    # a segment stays short only when no neighbour could take it: merged, the pair would have
    # been longer than max_len before snapping, which moves each outer edge by at most a window
    window = CutOptions().snap_window
    for i, d in enumerate(out):
        if d["end"] - d["start"] < min_len - 1e-6:
            for j in (i - 1, i + 1):
                if 0 <= j < len(out):
                    lo, hi = min(d["start"], out[j]["start"]), max(d["end"], out[j]["end"])
                    assert hi - lo > max_len - 2 * window - 1e-6


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(recordings(overlapping=True), st.floats(2.0, 25.0), st.floats(0.0, 1.5))
def test_cut_removes_overlaps_and_loses_no_word(rec, max_len, min_len):
    drafts, duration, energy = rec
    out = cut(drafts, duration, CutOptions(max_len=max_len, min_len=min_len), energy)
    _check_common(out, drafts, duration)


def test_long_draft_splits_at_the_largest_pause():
    words = [
        {"word": " one", "start": 0.0, "end": 5.0, "probability": 0.9},
        {"word": " two", "start": 5.2, "end": 10.0, "probability": 0.9},
        {"word": " three", "start": 12.0, "end": 18.0, "probability": 0.9},  # 2 s pause before
        {"word": " four", "start": 18.1, "end": 24.0, "probability": 0.9},
    ]
    out = cut([_draft(words, 0.0, 24.0)], 30.0, CutOptions(max_len=20))
    assert [d["text"] for d in out] == ["one two", "three four"]
    assert out[0]["end"] == out[1]["start"] == 11.0


def test_tiny_draft_merges_into_the_nearer_neighbour():
    a = _draft([{"word": " a", "start": 0.0, "end": 2.0, "probability": 0.9}], 0.0, 2.0)
    b = _draft([{"word": " b", "start": 2.1, "end": 2.3, "probability": 0.9}], 2.1, 2.3)
    c = _draft([{"word": " c", "start": 4.0, "end": 6.0, "probability": 0.9}], 4.0, 6.0)
    out = cut([a, b, c], 7.0, CutOptions(min_len=0.5))
    assert [d["text"] for d in out] == ["a b", "c"]


def test_boundaries_snap_to_silence_between_words():
    words = [{"word": " hi", "start": 1.0, "end": 1.5, "probability": 0.9}]
    energy = np.ones(300)
    energy[80:85] = 0.0  # quiet at 0.80-0.85 s
    energy[170:172] = 0.0  # quiet at 1.70-1.72 s
    out = cut([_draft(words, 0.9, 1.6)], 3.0, CutOptions(snap_window=0.2), energy)
    assert 0.8 <= out[0]["start"] <= 0.85 and 1.7 <= out[0]["end"] <= 1.72
