"""The audio layer: conversion to the 16 kHz mono working copy, peaks, slices, WAV bytes.

Every input is generated in tmp_path; nothing here needs the network or real recordings.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import tone
from workbench.audio import (
    PEAK_WINDOW,
    SAMPLE_RATE,
    AudioError,
    convert,
    load_peaks,
    read_slice,
    to_wav_bytes,
)
from workbench.audio.peaks import PeakAccumulator

AMPLITUDE = 0.4  # of conftest.tone()
SECONDS = 2.0
LOSSY_TOLERANCE = 0.1  # s: encoders pad (priming samples, whole frames)
MP3_WRITABLE = "MP3" in sf.available_formats()


# ---------------------------------------------------------------- generated inputs


def _write_aac(
    path: Path,
    seconds: float,
    rate: int,
    channels: int = 1,
    faststart: bool = False,
    fmt: str = "ipod",
    codec: str = "aac",
    options: dict[str, str] | None = None,
) -> Path:
    """An M4A (AAC in an MP4/iPod container) of conftest's tone, encoded with PyAV; with
    `faststart` its index ('moov') comes before the audio ('mdat'), as for streaming;
    `options`: the muxer's own (FFmpeg's names)."""
    import av

    t = np.arange(int(seconds * rate)) / rate
    signal = (AMPLITUDE * np.sin(2 * np.pi * 440.0 * t) * (t % 1.0 < 0.7)).astype(np.float32)
    planes = np.stack([signal] * channels)
    layout = "stereo" if channels == 2 else "mono"
    path.parent.mkdir(parents=True, exist_ok=True)
    options = {**({"movflags": "faststart"} if faststart else {}), **(options or {})}
    with av.open(str(path), "w", format=fmt, options=options) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        for i in range(0, planes.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(planes[:, i : i + 1024]), format="fltp", layout=layout
            )
            frame.sample_rate = rate
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def _write_silence(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), np.zeros(int(SECONDS * 22050), dtype=np.float32), 22050)
    return path


def _write_noise(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1234)
    noise = rng.uniform(-0.8, 0.8, size=int(SECONDS * 44100)).astype(np.float32)
    sf.write(str(path), noise, 44100, subtype="PCM_16")
    return path


# id -> (writer(tmp_path) -> path, source rate, source channels, kind)
# kind: 'tone' (peaks ~0.4), 'silence', 'noise'; lossy codecs get a looser duration check.
CASES: dict[str, tuple[Callable[[Path], Path], int, int, str, bool]] = {
    "wav-16k-mono": (lambda d: tone(d / "a.wav", SECONDS, 16000), 16000, 1, "tone", False),
    "wav-8k": (lambda d: tone(d / "b.wav", SECONDS, 8000), 8000, 1, "tone", False),
    "wav-48k-stereo": (
        lambda d: tone(d / "c.wav", SECONDS, 48000, channels=2),
        48000,
        2,
        "tone",
        False,
    ),
    "flac-44k1-stereo": (
        lambda d: tone(d / "d.flac", SECONDS, 44100, channels=2),
        44100,
        2,
        "tone",
        False,
    ),
    "ogg-vorbis": (
        lambda d: tone(d / "e.ogg", SECONDS, 44100, fmt="OGG", subtype="VORBIS"),
        44100,
        1,
        "tone",
        True,
    ),
    "ogg-opus": (
        lambda d: tone(d / "f.opus", SECONDS, 48000, fmt="OGG", subtype="OPUS"),
        48000,
        1,
        "tone",
        True,
    ),
    "mp3": (
        lambda d: tone(d / "g.mp3", SECONDS, 44100, fmt="MP3", subtype="MPEG_LAYER_III"),
        44100,
        1,
        "tone",
        True,
    ),
    "m4a-aac": (lambda d: _write_aac(d / "h.m4a", SECONDS, 44100), 44100, 1, "tone", True),
    "m4a-aac-48k-stereo": (
        lambda d: _write_aac(d / "i.m4a", SECONDS, 48000, 2),
        48000,
        2,
        "tone",
        True,
    ),
    "silence": (lambda d: _write_silence(d / "silence.wav"), 22050, 1, "silence", False),
    "white-noise": (lambda d: _write_noise(d / "noise.wav"), 44100, 1, "noise", False),
}


def _params(cases):
    """A parameter per case, by name; MP3 skipped where this libsndfile cannot write it."""
    for name in cases:
        marks = []
        if name == "mp3" and not MP3_WRITABLE:
            marks.append(pytest.mark.skip(reason="this libsndfile cannot write MP3"))
        yield pytest.param(name, id=name, marks=marks)


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# ---------------------------------------------------------------- conversion


@pytest.mark.parametrize("case", list(_params(CASES)))
def test_convert_writes_16k_mono_flac_and_peaks(tmp_path, case):
    writer, rate, channels, kind, lossy = CASES[case]
    source = writer(tmp_path / "src")
    working = tmp_path / "out" / "audio" / "w.flac"
    peaks_path = tmp_path / "out" / "peaks" / "w.npy"

    converted = convert(source, working, peaks_path)

    # what convert reports: the source's own rate and channels, the working copy's length
    assert converted.sample_rate == rate
    assert converted.channels == channels
    info = sf.info(str(working))
    assert (info.format, info.subtype) == ("FLAC", "PCM_16")
    assert info.samplerate == SAMPLE_RATE == 16000
    assert info.channels == 1
    assert info.frames == converted.num_samples
    assert converted.duration == pytest.approx(converted.num_samples / 16000)
    assert converted.duration == pytest.approx(SECONDS, abs=LOSSY_TOLERANCE if lossy else 1e-3)

    # peaks: one (min, max) int16 pair per 160 samples, the last window possibly partial
    raw = np.load(str(peaks_path))
    assert raw.dtype == np.int16
    assert raw.shape == (math.ceil(converted.num_samples / PEAK_WINDOW), 2)
    assert np.all(raw[:, 0] <= raw[:, 1])

    # only the final files are left: no *.part
    assert _files_under(tmp_path / "out") == sorted([working, peaks_path])

    peaks = load_peaks(peaks_path, 0.0, converted.duration)
    assert peaks.dtype == np.float32
    assert len(peaks) == len(raw)
    samples, _ = sf.read(str(working), dtype="float32")
    if kind == "tone":
        assert peaks[:, 1].max() == pytest.approx(AMPLITUDE, abs=0.05)
        assert peaks[:, 0].min() == pytest.approx(-AMPLITUDE, abs=0.05)
        # the quiet gap of every second (0.7 s to 1.0 s) stays quiet in the peaks
        assert np.abs(peaks[75:95]).max() < 0.05
    elif kind == "silence":
        assert np.all(raw == 0)
        assert np.all(samples == 0)
    else:  # white noise in [-0.8, 0.8] keeps most of its range after resampling
        assert 0.6 < peaks[:, 1].max() <= 1.0
        assert -1.0 <= peaks[:, 0].min() < -0.6
        assert np.all(peaks[:-1, 1] > 0) and np.all(peaks[:-1, 0] < 0)

    # the peaks describe the working copy itself, window by window
    pad = (-len(samples)) % PEAK_WINDOW
    if pad == 0:
        windows = samples.reshape(-1, PEAK_WINDOW)
        expected = np.stack([windows.min(axis=1), windows.max(axis=1)], axis=1)
        np.testing.assert_allclose(peaks, expected, atol=2 / 32767)


def test_lossless_16k_mono_is_copied_sample_for_sample(tmp_path):
    source = tone(tmp_path / "a.wav", 1.5, 16000)
    converted = convert(source, tmp_path / "w.flac", tmp_path / "p.npy")
    original, _ = sf.read(str(source), dtype="float32")
    working, _ = sf.read(str(tmp_path / "w.flac"), dtype="float32")
    assert converted.num_samples == len(original)
    np.testing.assert_allclose(working, original, atol=1 / 32767)


def test_stereo_is_mixed_down_to_the_mean_of_the_channels(tmp_path):
    left = 0.5 * np.ones(16000, dtype=np.float32)
    right = -0.1 * np.ones(16000, dtype=np.float32)
    source = tmp_path / "lr.wav"
    sf.write(str(source), np.stack([left, right], axis=1), 16000, subtype="FLOAT")
    convert(source, tmp_path / "w.flac", tmp_path / "p.npy")
    working, _ = sf.read(str(tmp_path / "w.flac"), dtype="float32")
    np.testing.assert_allclose(working, 0.2, atol=1 / 32767)


def test_out_of_range_and_non_finite_samples_are_clipped(tmp_path):
    data = np.array([0.5, 2.0, -3.0, np.nan, np.inf, -np.inf] * 400, dtype=np.float32)
    source = tmp_path / "loud.wav"
    sf.write(str(source), data, 16000, subtype="FLOAT")
    convert(source, tmp_path / "w.flac", tmp_path / "p.npy")
    working, _ = sf.read(str(tmp_path / "w.flac"), dtype="float32")
    assert np.all(np.isfinite(working))
    assert working.max() <= 1.0 and working.min() >= -1.0
    np.testing.assert_allclose(working[:6], [0.5, 1.0, -1.0, 0.0, 1.0, -1.0], atol=1e-4)
    raw = np.load(str(tmp_path / "p.npy"))
    assert raw.max() == 32767 and raw.min() == -32767


def test_convert_replaces_nothing_when_it_fails(tmp_path):
    """A failed conversion must not delete or overwrite an existing working copy elsewhere."""
    good = convert(tone(tmp_path / "a.wav", 1.0), tmp_path / "w.flac", tmp_path / "p.npy")
    before = (tmp_path / "w.flac").read_bytes(), (tmp_path / "p.npy").read_bytes()
    (tmp_path / "bad.wav").write_text("not audio")
    with pytest.raises(AudioError):
        convert(tmp_path / "bad.wav", tmp_path / "w.flac", tmp_path / "p.npy")
    assert ((tmp_path / "w.flac").read_bytes(), (tmp_path / "p.npy").read_bytes()) == before
    assert good.num_samples == 16000
    assert not list(tmp_path.glob("*.part*"))


# ---------------------------------------------------------------- bad inputs


def _empty(d: Path) -> Path:
    path = d / "empty.wav"
    path.write_bytes(b"")
    return path


def _text_as_wav(d: Path) -> Path:
    path = d / "notes.wav"
    path.write_text("this is a shopping list, not a recording\n" * 20)
    return path


def _truncated_wav(d: Path) -> Path:
    data = tone(d / "full.wav", 3.0).read_bytes()
    path = d / "cut.wav"
    path.write_bytes(data[: len(data) // 3])
    return path


def _truncated_flac(d: Path) -> Path:
    data = tone(d / "full.flac", 3.0, 44100, channels=2).read_bytes()
    path = d / "cut.flac"
    path.write_bytes(data[:1000])
    return path


def _zero_length_wav(d: Path) -> Path:
    path = d / "nothing.wav"
    sf.write(str(path), np.zeros(0, dtype=np.float32), 16000)
    return path


def _missing(d: Path) -> Path:
    return d / "not-there.wav"


def _one_hz_wav(d: Path) -> Path:
    """40 KB of 16-bit samples declared at 1 Hz: 5.6 hours, were it taken at its word."""
    path = d / "slow.wav"
    noise = np.random.default_rng(3).uniform(-0.5, 0.5, 20_000).astype(np.float32)
    sf.write(str(path), noise, 1, subtype="PCM_16")
    return path


def _random_bytes_m4a(d: Path) -> Path:
    path = d / "garbage.m4a"
    path.write_bytes(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    return path


BAD_INPUTS = {
    "empty-file": (_empty, "empty"),
    "text-named-wav": (_text_as_wav, "not a readable audio file"),
    "truncated-wav": (_truncated_wav, "truncated"),
    "truncated-flac": (_truncated_flac, "truncated"),
    "zero-length-wav": (_zero_length_wav, "no audio"),
    "missing-path": (_missing, "no such file"),
    "random-bytes-m4a": (_random_bytes_m4a, "not a readable audio file"),
    "one-hz-wav": (
        _one_hz_wav,
        "its sample rate is 1 Hz, below the 4000 Hz the workbench "
        "takes (a damaged header, or not a recording)",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_raises_audio_error_and_leaves_nothing(tmp_path, case):
    make, reason_part = BAD_INPUTS[case]
    src = tmp_path / "src"
    src.mkdir()
    source = make(src)
    out = tmp_path / "out"

    with pytest.raises(AudioError) as caught:
        convert(source, out / "audio" / "w.flac", out / "peaks" / "w.npy")

    error = caught.value
    assert source.name in str(error)
    assert str(error).startswith(f"{source.name}: ")
    assert error.reason.strip(), "the error must say why"
    assert reason_part in error.reason
    assert error.path == str(source)
    assert _files_under(out) == []  # no working copy, no peaks, no *.part


# ---------------------------------------------------------------- truncated files


def _cut(source: Path, keep: float | int) -> Path:
    """`source` cut to a share (a float) or a count (an int) of its bytes, as `cut-<name>`."""
    data = source.read_bytes()
    path = source.with_name(f"cut-{source.name}")
    path.write_bytes(data[: int(len(data) * keep) if isinstance(keep, float) else keep])
    return path


def _at_last(source: Path, marker: bytes) -> Path:
    """`source` cut just before the last place `marker` occurs (the start of a page or frame),
    so that what is left ends on a boundary and no part of it is itself cut."""
    data = source.read_bytes()
    return _cut(source, data.rindex(marker, 0, len(data) - 1))


def _webm(d: Path) -> Path:
    return _write_aac(d / "a.webm", 8.0, 48000, fmt="webm", codec="libopus")


def _live_webm(d: Path) -> Path:
    """A WebM written as a live stream: its Segment's size unknown, no index (Cues)."""
    return _write_aac(d / "a.webm", 8.0, 48000, fmt="webm", codec="libopus", options={"live": "1"})


def _live_webm_open_clusters(d: Path) -> Path:
    """A live WebM whose Clusters too are of unknown size, as a browser's MediaRecorder writes."""
    path = _live_webm(d)
    data = bytearray(path.read_bytes())
    pos = data.index(b"\x18\x53\x80\x67") + 4
    pos += 9 - data[pos].bit_length()  # the Segment's size (unknown): its children follow
    while pos < len(data):
        ident = data[pos : pos + 9 - data[pos].bit_length()]
        at = pos + len(ident)
        width = 9 - data[at].bit_length()
        size = int.from_bytes(data[at : at + width], "big") & ((1 << (7 * width)) - 1)
        if bytes(ident) == b"\x1f\x43\xb6\x75":  # a Cluster: its size written as unknown
            data[at : at + width] = ((1 << (8 * width - width + 1)) - 1).to_bytes(width, "big")
        pos = at + width + size
    path.write_bytes(data)
    return path


# id -> a writer of a 8 s file, then where to cut it
TRUNCATED = {
    "wav-half": (lambda d: tone(d / "a.wav", 8.0), 0.5),
    "wav-last-bytes": (lambda d: tone(d / "a.wav", 8.0), 0.995),
    "aiff": (lambda d: tone(d / "a.aiff", 8.0, 44100), 0.6),
    "flac": (lambda d: tone(d / "a.flac", 8.0, 44100, channels=2), 0.6),
    "flac-at-a-frame": (lambda d: tone(d / "a.flac", 8.0, 44100), b"\xff\xf8"),
    "mp3": (lambda d: tone(d / "a.mp3", 8.0, 44100, fmt="MP3"), 0.97),
    "ogg-vorbis": (lambda d: tone(d / "a.ogg", 8.0, 44100, fmt="OGG", subtype="VORBIS"), 0.5),
    "ogg-at-a-page": (
        lambda d: tone(d / "a.ogg", 8.0, 44100, fmt="OGG", subtype="VORBIS"),
        b"OggS",
    ),
    "opus": (lambda d: tone(d / "a.opus", 8.0, 48000, fmt="OGG", subtype="OPUS"), 0.9),
    "m4a": (lambda d: _write_aac(d / "a.m4a", 8.0, 44100), 0.5),
    "m4a-index-cut": (lambda d: _write_aac(d / "a.m4a", 8.0, 44100), 0.995),
    "m4a-faststart": (lambda d: _write_aac(d / "a.m4a", 8.0, 44100, faststart=True), 0.7),
    "webm": (_webm, 0.8),
    "webm-live": (_live_webm, 0.5),
    "webm-live-open-clusters": (_live_webm_open_clusters, 0.5),
}


@pytest.mark.parametrize("case", list(_params(TRUNCATED)))
def test_a_truncated_file_of_each_format_is_reported_as_truncated(tmp_path, case):
    """Not imported as shorter audio: whether the header's length, the container's structure
    or the decoder gives the cut away, the reason says 'truncated' and nothing is written."""
    make, where = TRUNCATED[case]
    whole = make(tmp_path / "src")
    convert(whole, tmp_path / "whole" / "w.flac", tmp_path / "whole" / "p.npy")  # whole: fine
    cut = _at_last(whole, where) if isinstance(where, bytes) else _cut(whole, where)
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(AudioError) as caught:
            convert(cut, out / "w.flac", out / "p.npy")
    assert caught.value.plain.startswith("the file is truncated")  # not the decoder's words
    assert str(caught.value).startswith(f"{cut.name}: ")
    assert _files_under(out) == []


def _streamed_flac(d: Path) -> Path:
    """A FLAC whose STREAMINFO holds no length (total samples 0, no MD5), as an encoder writing
    to a stream leaves it."""
    data = bytearray(tone(d / "whole.flac", 3.0, 44100).read_bytes())
    assert data[:4] == b"fLaC" and data[4] & 0x7F == 0  # STREAMINFO comes first
    fields = int.from_bytes(data[18:26], "big")  # rate 20 bits, channels 3, depth 5, total 36
    data[18:26] = (fields & ~((1 << 36) - 1)).to_bytes(8, "big")
    data[26:42] = bytes(16)
    path = d / "streamed.flac"
    path.write_bytes(data)
    return path


def _piped_wav(d: Path) -> Path:
    """A WAV whose RIFF and data sizes are 0xFFFFFFFF, as FFmpeg writes it to a pipe."""
    data = bytearray(tone(d / "whole.wav", 3.0, 16000).read_bytes())
    at = data.index(b"data") + 4
    data[4:8] = data[at : at + 4] = b"\xff\xff\xff\xff"
    path = d / "piped.wav"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("make", [_streamed_flac, _piped_wav], ids=["flac", "wav"])
def test_a_file_written_to_a_stream_decodes_whole(tmp_path, make):
    """Its length unknown to its header is not a cut: what is there is decoded, all of it."""
    converted = convert(make(tmp_path), tmp_path / "out" / "w.flac", tmp_path / "out" / "p.npy")
    assert abs(converted.num_samples - 3 * SAMPLE_RATE) <= 2
    assert converted.doubt == ""


def _fragmented_mp4(d: Path) -> Path:
    """An MP4 written in fragments of a second ('moof' and 'mdat' after an empty 'moov'), as
    FFmpeg streams it; it ends with the fragments' index ('mfra')."""
    return _write_aac(
        d / "a.mp4",
        8.0,
        44100,
        fmt="mp4",
        options={"movflags": "frag_keyframe+empty_moov", "frag_duration": "1000000"},
    )


def test_a_fragmented_mp4_cut_at_a_fragment_imports_with_a_warning(wb, tmp_path):
    """Cut where a fragment starts, every box left is whole: nothing proves the cut, and a
    recorder that never writes 'mfra' (a browser's) makes such files whole. What is there is
    imported, and the report says it may be cut short."""
    from workbench.intake.audio_files import import_paths
    from workbench.projects.settings import ensure_project

    whole = _fragmented_mp4(tmp_path / "src")
    data = whole.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: data.rindex(b"moof", 0, len(data) // 2) - 4])
    report = import_paths(wb, ensure_project(wb, "frag"), [whole, cut])
    done = {i.name: i for i in report.items}
    assert (done["a.mp4"].outcome, done["a.mp4"].reason, done["a.mp4"].warning) == (
        "imported",
        "",
        False,
    )
    item = done["cut.mp4"]
    assert (item.outcome, item.warning) == ("imported", True)
    assert 2.0 < item.duration < 5.0
    assert item.reason == (
        "it may be cut short: a fragmented MP4 that does not end with the index of its "
        f"fragments ('mfra') that a finished recording has; the {item.duration:.1f} s there "
        "were imported"
    )


def test_an_unknown_wav_format_tag_is_named(tmp_path):
    data = bytearray(tone(tmp_path / "a.wav", 1.0).read_bytes())
    at = data.index(b"fmt ") + 8
    data[at : at + 2] = (0x1234).to_bytes(2, "little")
    odd = tmp_path / "odd.wav"
    odd.write_bytes(bytes(data))
    with pytest.raises(AudioError) as caught:
        convert(odd, tmp_path / "out" / "w.flac", tmp_path / "out" / "p.npy")
    assert caught.value.plain == "unsupported WAV encoding (format tag 0x1234)"
    assert "NoneType" not in str(caught.value)  # the decoder's slip is not the reason
    assert _files_under(tmp_path / "out") == []


@pytest.mark.skipif(not MP3_WRITABLE, reason="this libsndfile cannot write MP3")
def test_truncated_mp3_is_reported_not_padded(tmp_path):
    """An MP3 cut to a third holds ~1 s of audio but its Xing header still says 3 s.

    The working copy must not be padded to the declared length (soundfile's blocks() yields
    blocks of the declared size, the unread tail being uninitialised memory): either the file
    is reported as truncated, or only the audio really present is kept.
    """
    data = tone(tmp_path / "full.mp3", 3.0, 44100, fmt="MP3").read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(data[: len(data) // 3])
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(AudioError, match="truncated"):
            convert(cut, out / "w.flac", out / "p.npy")
    assert _files_under(out) == []


# ---------------------------------------------------------------- slices


@pytest.fixture(scope="module")
def working_copy(tmp_path_factory) -> tuple[Path, np.ndarray]:
    """A 3 s working copy of deterministic noise, and all of its samples."""
    folder = tmp_path_factory.mktemp("slices")
    rng = np.random.default_rng(99)
    source = folder / "noise.wav"
    sf.write(
        str(source), rng.uniform(-0.5, 0.5, 3 * 16000).astype(np.float32), 16000, subtype="PCM_16"
    )
    working = folder / "w.flac"
    convert(source, working, folder / "p.npy")
    whole, rate = sf.read(str(working), dtype="float32")
    assert rate == 16000 and len(whole) == 48000
    return working, whole


@pytest.mark.parametrize(
    "start,end",
    [
        (0.0, 0.5),
        (1.2345, 2.0),
        (1.2345, 2.4690),
        (0.1, 0.3),
        (0.001, 0.002),
        (2.9999375, 3.0),
        (0.7, 0.7),
        (2.0625, 2.5),
    ],
)
def test_read_slice_length_and_samples(working_copy, start, end):
    working, whole = working_copy
    part = read_slice(working, start, end)
    assert part.dtype == np.float32
    assert part.ndim == 1
    assert len(part) == round((end - start) * 16000)
    first = round(start * 16000)
    np.testing.assert_array_equal(part, whole[first : first + len(part)])


@pytest.mark.parametrize(
    "start,end,expected",
    [
        (2.5, 10.0, slice(40000, 48000)),  # clipped at the end of the file
        (2.9, 3.0000001, slice(46400, 48000)),
        (3.0, 4.0, slice(48000, 48000)),  # entirely past the end: nothing
        (5.0, 6.0, slice(48000, 48000)),
        (-1.0, 0.25, slice(0, 4000)),  # clipped at the start
        (1.0, 0.5, slice(16000, 16000)),  # end before start: nothing
    ],
)
def test_read_slice_is_clipped_to_the_file(working_copy, start, end, expected):
    working, whole = working_copy
    part = read_slice(working, start, end)
    np.testing.assert_array_equal(part, whole[expected])


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    start=st.floats(min_value=0.0, max_value=3.2, allow_nan=False),
    length=st.floats(min_value=0.0, max_value=1.5, allow_nan=False),
)
def test_read_slice_matches_slicing_the_whole_file(working_copy, start, length):
    working, whole = working_copy
    end = start + length
    part = read_slice(working, start, end)
    first = min(len(whole), round(start * 16000))
    last = max(first, min(len(whole), round(end * 16000)))
    np.testing.assert_array_equal(part, whole[first:last])
    if end * 16000 <= len(whole):
        assert abs(len(part) - length * 16000) <= 1


# ---------------------------------------------------------------- peaks by region


@pytest.fixture(scope="module")
def peaks_file(tmp_path_factory) -> tuple[Path, np.ndarray]:
    folder = tmp_path_factory.mktemp("peaks")
    converted = convert(tone(folder / "a.wav", 3.0), folder / "w.flac", folder / "p.npy")
    assert converted.num_samples == 48000
    raw = np.load(str(folder / "p.npy"))
    assert raw.shape == (300, 2)
    return folder / "p.npy", raw


@pytest.mark.parametrize(
    "start,end,rows",
    [
        (0.0, 3.0, slice(0, 300)),
        (1.0, 2.0, slice(100, 200)),
        (0.5, 0.75, slice(50, 75)),
        (1.2345, 2.0, slice(123, 200)),  # a window partly inside the region is included
        (0.0, 0.001, slice(0, 1)),
        (2.5, 10.0, slice(250, 300)),  # clipped at the end
        (-1.0, 0.2, slice(0, 20)),  # clipped at the start
        (0.29, 1.1, slice(29, 110)),  # times whose float products fall just beside an integer
        (0.57, 0.7, slice(57, 70)),
    ],
)
def test_load_peaks_returns_only_the_region(peaks_file, start, end, rows):
    path, raw = peaks_file
    region = load_peaks(path, start, end)
    assert region.dtype == np.float32
    assert region.shape == (rows.stop - rows.start, 2)
    np.testing.assert_allclose(region, raw[rows].astype(np.float32) / 32767.0)
    assert np.all(np.abs(region) <= 1.0)


def test_load_peaks_has_100_rows_a_second(peaks_file):
    path, _ = peaks_file
    for seconds in (0.1, 0.5, 1.0, 2.0):
        assert len(load_peaks(path, 0.5, 0.5 + seconds)) == round(seconds * 100)


# ---------------------------------------------------------------- peak accumulator


def _accumulate(signal: np.ndarray, cuts: list[int]) -> np.ndarray:
    acc = PeakAccumulator()
    previous = 0
    for cut in [*sorted({c for c in cuts if 0 < c < len(signal)}), len(signal)]:
        acc.add(signal[previous:cut])
        previous = cut
    return acc.finish()


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(
    n=st.integers(min_value=0, max_value=3000),
    cuts=st.lists(st.integers(min_value=0, max_value=3000), max_size=25),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_peak_accumulator_is_independent_of_block_sizes(n, cuts, seed):
    signal = np.random.default_rng(seed).uniform(-1.2, 1.2, n).astype(np.float32)
    one_block = _accumulate(signal, [])
    many_blocks = _accumulate(signal, cuts)
    np.testing.assert_array_equal(many_blocks, one_block)
    assert one_block.dtype == np.int16
    assert one_block.shape == (math.ceil(n / PEAK_WINDOW), 2)
    if n:
        clipped = np.clip(signal, -1.0, 1.0)
        assert one_block[0, 0] == int(clipped[:PEAK_WINDOW].min() * 32767)
        assert one_block[-1, 1] == int(clipped[(len(one_block) - 1) * PEAK_WINDOW :].max() * 32767)


def test_peak_accumulator_accepts_empty_blocks():
    acc = PeakAccumulator()
    acc.add(np.zeros(0, dtype=np.float32))
    acc.add(np.full(100, 0.5, dtype=np.float32))
    acc.add(np.zeros(0, dtype=np.float32))
    acc.add(np.full(100, -0.5, dtype=np.float32))
    out = acc.finish()
    assert out.tolist() == [[-16383, 16383], [-16383, -16383]]
    assert PeakAccumulator().finish().shape == (0, 2)


# ---------------------------------------------------------------- WAV bytes


@pytest.mark.parametrize("rate", [16000, 22050])
def test_to_wav_bytes_round_trips_through_soundfile(rate):
    signal = np.random.default_rng(5).uniform(-1.0, 1.0, 12345).astype(np.float32)
    data = to_wav_bytes(signal, rate)
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    back, back_rate = sf.read(io.BytesIO(data), dtype="float32")
    info = sf.info(io.BytesIO(data))
    assert (info.format, info.subtype, info.channels) == ("WAV", "PCM_16", 1)
    assert back_rate == rate
    assert back.shape == signal.shape
    np.testing.assert_allclose(back, signal, atol=1.5 / 32767)


def test_to_wav_bytes_of_a_slice_and_of_nothing(working_copy):
    working, whole = working_copy
    back, rate = sf.read(io.BytesIO(to_wav_bytes(read_slice(working, 1.0, 1.5))), dtype="float32")
    assert rate == 16000
    np.testing.assert_allclose(back, whole[16000:24000], atol=1 / 32767)
    empty, _ = sf.read(io.BytesIO(to_wav_bytes(np.zeros(0, dtype=np.float32))), dtype="float32")
    assert len(empty) == 0


def test_the_editor_slice_as_opus_is_small_exact_in_length_and_the_same_each_time():
    """The browser gets a segment's audio as Ogg/Opus: a tenth of the WAV or less, decoding
    to exactly the samples' duration (time 0 is the first sample), the same bytes each time."""
    import av

    from workbench.audio import to_opus_bytes, to_wav_bytes

    rng = np.random.default_rng(7)
    samples = (
        0.3 * np.sin(2 * np.pi * 220 * np.arange(101_920) / 16000)
        + 0.05 * rng.standard_normal(101_920)
    ).astype(np.float32)  # 6.37 s
    opus = to_opus_bytes(samples)
    assert opus == to_opus_bytes(samples)
    assert len(opus) * 5 < len(to_wav_bytes(samples))
    with av.open(io.BytesIO(opus)) as inp:
        frames = list(inp.decode(audio=0))
    decoded = np.concatenate([f.to_ndarray().reshape(-1) for f in frames])
    assert len(decoded) == round(6.37 * frames[0].sample_rate)
    onset = np.flatnonzero(np.abs(decoded) > 0.2)[0] / frames[0].sample_rate
    assert onset < 0.01  # the tone starts at once: no encoder delay left in front


def test_peaks_packed_for_the_browser_come_back_within_a_step_and_in_a_seventh_of_the_bytes():
    import json

    from workbench.audio import pack_peaks, unpack_peaks

    rng = np.random.default_rng(7)
    peaks = np.sort(rng.uniform(-1.2, 1.2, size=(800, 2)), axis=1).astype(np.float32)
    packed = pack_peaks(peaks)
    back = unpack_peaks(packed)
    assert back.shape == (800, 2)
    assert np.abs(back - np.clip(peaks, -1, 1)).max() <= 0.5 / 127 + 1e-6
    as_json = json.dumps([[round(float(a), 3), round(float(b), 3)] for a, b in peaks])
    assert len(packed) * 5 < len(as_json)
    assert unpack_peaks(pack_peaks(np.zeros((0, 2)))).shape == (0, 2)
