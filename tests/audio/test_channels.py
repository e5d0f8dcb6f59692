"""Recordings of several channels: dual mono told apart from a call, and each channel's peaks
by region, on the same 10 ms windows as the mix's."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from tests.conftest import SHARED_AUDIO
from workbench.audio import convert, load_peaks
from workbench.audio.channels import ChannelLikeness, channel_peaks, dual_mono
from workbench.audio.decode import stream_blocks

RATE = 16000


def _speech_like(seconds: float, seed: int) -> np.ndarray:
    """Noise bursts, 0.3 s on and 0.2 s off, as speech comes and goes."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.3 * rng.standard_normal(t.size) * (t % 0.5 < 0.3)).astype(np.float32)


def _call(seconds: float = 3.0) -> np.ndarray:
    """Two people, one a channel: the left speaks in the first half, the right in the second."""
    left, right = _speech_like(seconds, 1), _speech_like(seconds, 2)
    half = left.size // 2
    left[half:] = 0.0
    right[:half] = 0.0
    return np.stack([left, right], axis=1)


def test_identical_channels_are_dual_mono():
    mono = _speech_like(2.0, 0)
    assert dual_mono(np.stack([mono, mono], axis=1))
    assert dual_mono(np.stack([mono, mono, mono], axis=1))


def test_channels_a_lossy_coder_left_nearly_alike_are_dual_mono():
    mono = _speech_like(2.0, 0)
    noise = np.random.default_rng(3).standard_normal(mono.size).astype(np.float32)
    apart = mono + 0.01 * np.std(mono) * noise  # 40 dB under the signal
    assert dual_mono(np.stack([mono, apart], axis=1))


def test_a_call_and_one_silent_channel_are_not_dual_mono():
    assert not dual_mono(_call())
    mono = _speech_like(2.0, 0)
    assert not dual_mono(np.stack([mono, np.zeros_like(mono)], axis=1))
    assert not dual_mono(np.stack([mono, 0.5 * mono], axis=1))  # not identical: 6 dB apart
    assert not dual_mono(mono[:, None])  # one channel is not dual anything


def test_silence_on_every_channel_counts_as_one_sound():
    assert dual_mono(np.zeros((RATE, 2), dtype=np.float32))


def test_likeness_added_block_by_block_is_that_of_the_whole():
    call, mono = _call(), _speech_like(3.0, 0)
    same = np.stack([mono, mono], axis=1)
    for whole in (call, same):
        likeness = ChannelLikeness()
        for i in range(0, len(whole), 7001):
            likeness.add(whole[i : i + 7001])
        assert likeness.dual_mono() == dual_mono(whole)


@pytest.mark.skipif(not SHARED_AUDIO.is_dir(), reason=f"no real audio at {SHARED_AUDIO}")
@pytest.mark.parametrize(
    "name, expected",
    [("jfk.flac", True), ("hotwords.mp3", True), ("stereo_diarization.wav", False)],
)
def test_real_stereo_files(name, expected):
    """jfk.flac and hotwords.mp3 are one voice saved as stereo (jfk's channels differ by a
    lossy coder's -37 dB); stereo_diarization.wav has a speaker on each channel."""
    likeness = ChannelLikeness()
    for block in stream_blocks(SHARED_AUDIO / name, RATE):
        likeness.add(block)
    assert likeness.dual_mono() is expected


def test_convert_keeps_a_channels_copy_of_a_call_only(tmp_path):
    mono = _speech_like(2.0, 0)
    sources = {"call": _call(2.0), "dual": np.stack([mono, mono], axis=1)}
    for name, samples in sources.items():
        sf.write(tmp_path / f"{name}.wav", samples, RATE)
        kept = tmp_path / f"{name}.channels.flac"
        out = convert(tmp_path / f"{name}.wav", tmp_path / f"{name}.flac", tmp_path / "p.npy", kept)
        assert out.channels == 2
        assert out.kept_channels is kept.is_file() is (name == "call")
        assert not list(tmp_path.glob("*.part-*"))  # nothing half-written left behind


def test_channel_peaks_are_the_mix_windows_of_each_channel(tmp_path):
    sf.write(tmp_path / "call.wav", _call(3.0), RATE)
    kept = tmp_path / "call.channels.flac"
    convert(tmp_path / "call.wav", tmp_path / "call.flac", tmp_path / "call.npy", kept)
    for start, end in [(0.0, 3.0), (0.333, 2.717), (2.9, 5.0)]:
        lanes = channel_peaks(kept, start, end)
        mix = load_peaks(tmp_path / "call.npy", start, end)
        assert lanes.shape == (2, len(mix), 2)
        # the mix is the channels' mean: its peaks lie within the channels' own halved
        assert np.all(mix[:, 1] <= (lanes[0, :, 1] + lanes[1, :, 1]) / 2 + 2e-4)
    lanes = channel_peaks(kept, 0.0, 3.0)
    level = lanes[:, :, 1] - lanes[:, :, 0]
    assert level[0, :140].mean() > 0.3 and level[0, 160:].max() == 0  # the left's first half
    assert level[1, :140].max() == 0 and level[1, 160:].mean() > 0.3  # the right's second
    assert channel_peaks(kept, 4.0, 5.0).shape == (2, 0, 2)  # past the end: nothing
