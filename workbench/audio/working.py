"""The working copy: every recording once converted to 16 kHz mono FLAC, read by partial reads."""

from __future__ import annotations

import contextlib
import errno
import io
import logging
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import soundfile as sf

from workbench.audio.channels import ChannelLikeness
from workbench.audio.decode import AudioError, probe, stream_blocks
from workbench.audio.peaks import PeakAccumulator, save_peaks
from workbench.jobs.leftovers import TAG, owner_tag

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000  # Hz, of every working copy
MIN_SAMPLES = 160  # 10 ms: anything shorter is reported as holding no audio
TRUNCATION_TOLERANCE = 0.9  # decoded under this share of an estimated length: truncated
ESTIMATED = {"MP3", "MPEG", "OGG"}  # lengths that may be estimates (their cuts: see integrity)
# a working file being written, by the process it names (and a token of the call's own: the
# threads of one process may convert the same audio at once)
PART = re.compile(rf".+\.part-{TAG}(?:\.[0-9a-f]+)?")
MAX_KEPT_CHANNELS = 8  # sources with 2..8 channels also get a copy that keeps them
FULL_BELOW = 1 << 20  # bytes free: a write that failed with less left has filled the disk


@dataclass(frozen=True)
class Converted:
    """What `convert` wrote: the source's own rate and channels, and the working copy's length."""

    sample_rate: int
    channels: int
    num_samples: int  # at SAMPLE_RATE
    kept_channels: bool = False  # whether a channels copy was written
    doubt: str = ""  # why the source may be cut short where nothing proves it, or ''

    @property
    def duration(self) -> float:
        return self.num_samples / SAMPLE_RATE


def convert(
    source: str | Path, working_path: Path, peaks_path: Path, channels_path: Path | None = None
) -> Converted:
    """Decode `source` once into a 16 kHz mono FLAC and its peaks, all written atomically.

    With `channels_path`, a source of 2..8 channels also gets a 16 kHz FLAC that keeps its
    channels (for per-channel drafting), unless they are one sound (`channels.dual_mono`: a
    mono recording saved as stereo is drafted once). Files appear under their final names
    only when the whole source decoded; on any failure nothing is left behind and AudioError
    names the file and the reason. A file that decodes shorter than its header declares is
    truncated (exactly, for lossless formats; by a tenth, where the length is an estimate).
    Until then they are written beside their targets as `*.part-<owner>.<token>` (see `PART`;
    a killed process's are removed by the next import).
    """
    info = probe(source)
    kept = channels_path if 2 <= info.channels <= MAX_KEPT_CHANNELS else None  # channels copy
    targets = [working_path, peaks_path] + ([kept] if kept is not None else [])
    tag = f"{owner_tag()}.{secrets.token_hex(4)}"
    parts = [t.with_name(f"{t.name}.part-{tag}") for t in targets]
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
    peaks, likeness = PeakAccumulator(), ChannelLikeness()
    try:
        try:
            total = _decode_into(
                source,
                parts[0],
                parts[2] if kept is not None else None,
                info.channels,
                (peaks, likeness),
            )
        except sf.LibsndfileError as exc:  # it says only "System error." for a full disk
            raise _full_disk(working_path.parent) or exc from exc
        if total < MIN_SAMPLES:
            raise AudioError(source, "the file holds no audio (zero length)")
        declared = info.duration * SAMPLE_RATE
        slack = declared * (1 - TRUNCATION_TOLERANCE) if info.format in ESTIMATED else MIN_SAMPLES
        if info.backend == "soundfile" and declared > 0 and total < declared - slack:
            raise AudioError(
                source,
                f"the file is truncated: its header declares {info.duration:.2f} s "
                f"but only {total / SAMPLE_RATE:.2f} s could be decoded",
            )
        save_peaks(peaks.finish(), parts[1])
        if kept is not None and likeness.dual_mono():  # one sound: no copy to draft per channel
            parts[2].unlink()
            kept = None
            del parts[2], targets[2]
        # the working copy last: once it is there, the others are (see `_reuse`)
        for part, target in reversed(list(zip(parts, targets, strict=True))):
            os.replace(part, target)
    except BaseException:
        log.debug("converting %s failed; removing its partial working files", source)
        for part in parts:
            part.unlink(missing_ok=True)
        raise
    return Converted(info.sample_rate, info.channels, total, kept is not None, info.doubt)


def _decode_into(
    source: str | Path,
    mono_path: Path,
    multi_path: Path | None,
    channels: int,
    seen: tuple[PeakAccumulator, ChannelLikeness],
) -> int:
    """Decode `source` into a 16 kHz mono FLAC at `mono_path` (and, with `multi_path`, one
    that keeps its `channels`), adding the mix to `seen`'s peaks and, with `multi_path`, the
    channels to its likeness; the samples written, at SAMPLE_RATE."""
    peaks, likeness = seen
    total = 0
    with contextlib.ExitStack() as stack:
        mono_out = stack.enter_context(
            sf.SoundFile(str(mono_path), "w", SAMPLE_RATE, 1, "PCM_16", format="FLAC")
        )
        multi_out = (
            stack.enter_context(
                sf.SoundFile(str(multi_path), "w", SAMPLE_RATE, channels, "PCM_16", format="FLAC")
            )
            if multi_path is not None
            else None
        )
        for block in stream_blocks(source, SAMPLE_RATE):
            if not np.all(np.isfinite(block)):
                block = np.nan_to_num(block, nan=0.0, posinf=1.0, neginf=-1.0)
            block = np.clip(block, -1.0, 1.0)
            mono = block.mean(axis=1, dtype=np.float32)
            mono_out.write(mono)
            if multi_out is not None:
                multi_out.write(block)
                likeness.add(block)
            peaks.add(mono)
            total += mono.size
    return total


def _full_disk(folder: Path) -> OSError | None:
    """For a write libsndfile failed: an OSError saying the disk is full, when it is (less
    than FULL_BELOW free in `folder`), else None."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return None
    if free >= FULL_BELOW:
        return None
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder))


def read_channels(channels_path: str | Path) -> np.ndarray:
    """A kept-channels copy, whole, as float32 (frames, channels) (for per-channel drafts)."""
    data, _ = sf.read(str(channels_path), dtype="float32", always_2d=True)
    return data


def read_channel(channels_path: str | Path, channel: int) -> np.ndarray:
    """One channel of a kept-channels copy, whole, as float32 (for per-channel drafts)."""
    return np.ascontiguousarray(read_channels(channels_path)[:, channel])


def read_slice(working_path: str | Path, start: float, end: float) -> np.ndarray:
    """Samples between `start` and `end` seconds of a working copy, by a seek and a short read."""
    with sf.SoundFile(str(working_path)) as f:
        first = max(0, min(f.frames, round(start * SAMPLE_RATE)))
        last = max(first, min(f.frames, round(end * SAMPLE_RATE)))
        f.seek(first)
        return f.read(last - first, dtype="float32")


def read_all(working_path: str | Path) -> np.ndarray:
    """The whole working copy as float32; for ASR, which wants the recording in memory."""
    data, _ = sf.read(str(working_path), dtype="float32")
    return data


def span_flac(working_path: str | Path, start: float, end: float) -> bytes:
    """The samples `read_slice` reads, as the bytes of a FLAC file (16-bit, as the working copy:
    `read_bytes` gives back the very same samples); for sending a span to another machine."""
    with sf.SoundFile(str(working_path)) as f:
        first = max(0, min(f.frames, round(start * SAMPLE_RATE)))
        last = max(first, min(f.frames, round(end * SAMPLE_RATE)))
        f.seek(first)
        samples = f.read(last - first, dtype="int16")
    buf = io.BytesIO()
    sf.write(buf, samples, SAMPLE_RATE, subtype="PCM_16", format="FLAC")
    return buf.getvalue()


def read_bytes(data: bytes, channel: int | None = None) -> np.ndarray:
    """A sound file's bytes (a working copy, a kept-channels copy, a `span_flac`) as float32:
    its only channel, or `channel` of several; the samples `read_all`, `read_channel` or
    `read_slice` read from the file itself."""
    samples, _ = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    return np.ascontiguousarray(samples[:, channel or 0])


OPUS_BITRATE = 24000  # bits a second: above Opus's 16-20 kbit/s for wideband speech (a working
# copy is 16 kHz): clear for transcribing, three quarters of 32 kbit/s's bytes


def to_opus_bytes(
    samples: np.ndarray, rate: int = SAMPLE_RATE, bitrate: int = OPUS_BITRATE
) -> bytes:
    """Ogg/Opus bytes of a float32 mono signal (a tenth of the WAV's size), for the browser.

    The stream's pre-skip undoes the encoder's delay, so a decoder gives back exactly the
    samples' duration and time 0 is the first sample: playback positions stay precise. The
    same samples always give the same bytes."""
    buf = io.BytesIO()
    # bitexact: the stream's serial number is fixed, not random, so the same samples give
    # the same bytes (a rerun sends nothing new; a cache key stays a cache key)
    with av.open(buf, "w", format="ogg", options={"fflags": "+bitexact"}) as out:
        # complexity 3 of 10: a third of the default's time, the same size at this rate
        stream = out.add_stream("libopus", rate=rate, options={"compression_level": "3"})
        stream.bit_rate = bitrate
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples, dtype=np.float32)[None, :], format="flt", layout="mono"
        )
        frame.sample_rate = rate
        for packet in (*stream.encode(frame), *stream.encode(None)):
            out.mux(packet)
    return buf.getvalue()


def to_wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    """16-bit PCM WAV bytes of a float32 signal, for the browser or a download."""
    buf = io.BytesIO()
    sf.write(buf, samples, rate, subtype="PCM_16", format="WAV")
    return buf.getvalue()
