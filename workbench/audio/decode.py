"""Probe and decode audio files to a stream of mono float32 blocks at a chosen rate.

libsndfile (soundfile) reads WAV, FLAC, OGG/Vorbis/Opus and MP3; everything else (M4A/AAC,
WebM, ...) goes through PyAV, whose wheels bundle FFmpeg's libraries, so no system ffmpeg is
needed.
"""

from __future__ import annotations

import logging
import os
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import soundfile as sf

from workbench.audio.integrity import doubt, truncation
from workbench.core.errors import WorkbenchError

log = logging.getLogger(__name__)

BLOCK_SECONDS = 30  # decode this much audio at a time, whatever the file's length
MIN_SAMPLE_RATE = 4000  # Hz: below this no speech is left (telephone audio is 8000 Hz)
UNKNOWN_FRAMES = 2**63 - 1  # libsndfile's count of a stream that did not say its length
UNKNOWN_SIZE = 0xFFFFFFFF  # a WAV chunk size written to a pipe, where it cannot be filled in


class AudioError(WorkbenchError):
    """A file that cannot be used as audio; the message names the file and the reason.

    `plain` is the reason alone; `reason` adds the decoder's own words (`detail`), which may
    hold the file's path, so only `plain` may be shown to someone who does not run the server.
    """

    def __init__(self, path: str | Path, reason: str, detail: str = ""):
        self.plain = reason
        self.reason = f"{reason} ({detail})" if detail else reason
        super().__init__(f"{Path(path).name}: {self.reason}")
        self.path = str(path)


@dataclass(frozen=True)
class SourceInfo:
    """What a file claims to hold, before decoding it."""

    sample_rate: int
    channels: int
    duration: float  # seconds, as declared by the container (may be an estimate for MP3)
    format: str
    backend: str  # 'soundfile' or 'av'
    doubt: str = ""  # why it may be cut short where nothing proves it (see integrity.doubt)


def probe(path: str | Path) -> SourceInfo:
    """Read a file's header; raises AudioError for empty, unreadable or non-audio files."""
    path = Path(path)
    if not path.is_file():
        raise AudioError(path, "no such file")
    if path.stat().st_size == 0:
        raise AudioError(path, "the file is empty (0 bytes)")
    try:
        cut, unsure = truncation(path), doubt(path)
    except (OSError, ValueError):  # not a regular file that can be mapped: the decoders judge
        log.debug("cannot check the structure of %s", path, exc_info=True)
        cut, unsure = None, None
    if cut:
        raise AudioError(path, cut)
    try:
        info = sf.info(_sf_name(path))
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        log.debug("libsndfile cannot read %s (%s); trying PyAV", path, exc)
        source = _probe_av(path)
    else:
        _check_wav_length(path, info.extra_info)
        source = SourceInfo(info.samplerate, info.channels, info.duration, info.format, "soundfile")
        if info.frames >= UNKNOWN_FRAMES:  # a FLAC streamed without its length: libsndfile
            source = _probe_av(path)  # fails reading it; FFmpeg reads to the end
    if unsure:
        source = replace(source, doubt=unsure)
    if source.sample_rate < MIN_SAMPLE_RATE:  # decoding it would make hours of nothing
        raise AudioError(
            path,
            f"its sample rate is {source.sample_rate} Hz, below the "
            f"{MIN_SAMPLE_RATE} Hz the workbench takes (a damaged header, "
            f"or not a recording)",
        )
    return source


def _sf_name(path: Path) -> bytes:
    """The path as bytes for libsndfile: a name that is not valid UTF-8 (os.fsdecode's
    surrogates) cannot pass as text."""
    return os.fsencode(path)


_WAV_DATA_SIZE = re.compile(r"^[ \t]*(?:data|SSND)\s*:\s*(\d+)\s*\(should be (\d+)\)", re.MULTILINE)

# WAVE_FORMAT tags with a name worth showing; any other is shown by its number
_WAV_TAGS = {
    0x0001: "PCM",
    0x0002: "Microsoft ADPCM",
    0x0003: "IEEE float",
    0x0006: "A-law",
    0x0007: "mu-law",
    0x0011: "IMA ADPCM",
    0x0031: "GSM 6.10",
    0x0050: "MPEG",
    0x0055: "MPEG layer 3",
    0x0092: "Dolby AC-3",
    0x0160: "Windows Media Audio 1",
    0x0161: "Windows Media Audio 2",
    0x0162: "Windows Media Audio Pro",
    0x1610: "AAC",
    0x2000: "AC-3",
    0xFFFE: "extensible",
}


def wav_format_tag(path: str | Path) -> int | None:
    """The WAVE_FORMAT tag of a RIFF/WAVE file's 'fmt ' chunk (an extensible file's sub-format),
    or None when the file is not a WAV file or has no such chunk."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            if len(head) < 12 or head[:4] not in (b"RIFF", b"RIFX", b"RF64") or head[8:] != b"WAVE":
                return None
            order = ">" if head[:4] == b"RIFX" else "<"
            for _ in range(64):  # the fmt chunk comes first in any file worth reading
                chunk = f.read(8)
                if len(chunk) < 8:
                    return None
                kind, size = chunk[:4], struct.unpack(order + "I", chunk[4:])[0]
                if kind == b"fmt ":
                    fmt = f.read(min(size, 40))
                    if len(fmt) < 2:
                        return None
                    tag = struct.unpack(order + "H", fmt[:2])[0]
                    if tag == 0xFFFE and len(fmt) >= 26:  # the sub-format GUID starts with it
                        tag = struct.unpack(order + "H", fmt[24:26])[0]
                    return tag
                f.seek(size + (size & 1), os.SEEK_CUR)
    except OSError:
        return None
    return None


def _wav_tag_words(tag: int) -> str:
    name = _WAV_TAGS.get(tag)
    return f"format tag 0x{tag:04X}" + (f", {name}" if name else "")


def _check_wav_length(path: Path, extra_info: str) -> None:
    """libsndfile quietly shortens a WAV (or AIFF) whose audio chunk is cut off; report it as
    truncated. A size of 0xFFFFFFFF claims nothing: the writer could not fill it in."""
    match = _WAV_DATA_SIZE.search(extra_info)
    if match and int(match.group(1)) == UNKNOWN_SIZE:
        return  # written to a pipe: libsndfile reads the audio to the end of the file
    if match and int(match.group(2)) < int(match.group(1)):
        declared, present = int(match.group(1)), int(match.group(2))
        raise AudioError(
            path,
            f"the file is truncated: its header declares {declared} bytes of audio "
            f"but only {present} are present",
        )


def _probe_av(path: Path) -> SourceInfo:
    import av

    try:
        with av.open(str(path)) as container:
            streams = container.streams.audio
            if not streams:
                raise AudioError(path, "no audio stream in the file")
            stream = streams[0]
            if stream.codec_context is None:  # FFmpeg knows no decoder for this encoding
                raise AudioError(path, "no decoder reads its encoding")
            duration = 0.0
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / 1_000_000
            rate = stream.codec_context.sample_rate or stream.rate or 0
            channels = stream.codec_context.channels or 1
            if not rate:
                raise AudioError(path, "the audio stream has no sample rate")
            return SourceInfo(int(rate), int(channels), duration, container.format.name, "av")
    except AudioError as exc:
        unsupported = _unsupported_wav(path, exc)
        if unsupported is None:
            raise
        raise unsupported from exc
    except Exception as exc:  # PyAV raises a family of FFmpeg errors
        log.debug("PyAV cannot open %s", path, exc_info=True)  # the caller reports the reason
        error = AudioError(path, "not a readable audio file", _short(exc))
        raise (_unsupported_wav(path, error) or error) from exc


def _unsupported_wav(path: Path, error: AudioError) -> AudioError | None:
    """For a WAV file neither decoder reads: an error naming its format tag (the encoding)."""
    tag = wav_format_tag(path)
    if tag is None:
        return None
    detail = error.reason if error.reason != error.plain else ""
    return AudioError(path, f"unsupported WAV encoding ({_wav_tag_words(tag)})", detail)


def stream_blocks(path: str | Path, rate: int) -> Iterator[np.ndarray]:
    """Yield the file as float32 blocks of shape (frames, channels) resampled to `rate` Hz.

    Memory stays bounded by BLOCK_SECONDS whatever the file's length. Raises AudioError on a
    decoding failure, with what was decoded so far discarded by the caller.
    """
    info = probe(path)
    if info.backend == "soundfile":
        yield from _stream_soundfile(Path(path), info, rate)
    else:
        yield from _stream_av(Path(path), rate)


def stream_mono(path: str | Path, rate: int) -> Iterator[np.ndarray]:
    """Like `stream_blocks`, with the channels averaged into one."""
    for block in stream_blocks(path, rate):
        yield block.mean(axis=1, dtype=np.float32)


def _stream_soundfile(path: Path, info: SourceInfo, rate: int) -> Iterator[np.ndarray]:
    import soxr

    resampler = (
        None
        if info.sample_rate == rate
        else soxr.ResampleStream(
            info.sample_rate, rate, info.channels, dtype="float32", quality="HQ"
        )
    )
    decoded = 0
    try:
        with sf.SoundFile(_sf_name(path)) as f:
            # read() rather than blocks(): blocks() pads a short read (a truncated MP3) up to
            # the declared length with uninitialised memory
            while True:
                block = f.read(BLOCK_SECONDS * info.sample_rate, dtype="float32", always_2d=True)
                if not len(block):
                    break
                decoded += len(block)
                yield block if resampler is None else resampler.resample_chunk(block)
    except sf.LibsndfileError as exc:
        log.debug("libsndfile failed decoding %s", path, exc_info=True)
        declared = info.duration * info.sample_rate
        if declared and decoded < declared:  # a FLAC cut short loses sync at the cut
            raise AudioError(
                path,
                f"the file is truncated or damaged: decoding broke off before the "
                f"{info.duration:.2f} s its header declares",
                _short(exc),
            ) from exc
        raise AudioError(path, "decoding failed", _short(exc)) from exc
    if resampler is not None:
        yield resampler.resample_chunk(np.zeros((0, info.channels), dtype=np.float32), last=True)


def _stream_av(path: Path, rate: int) -> Iterator[np.ndarray]:
    import av

    try:
        with av.open(str(path)) as container:
            stream = next(iter(container.streams.audio))
            # keep the channels (planar) and let the caller average them: FFmpeg's own
            # downmix sums at 1/sqrt(2), 3 dB louder than the soundfile path
            resampler = av.AudioResampler(format="fltp", rate=rate)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    yield np.ascontiguousarray(out.to_ndarray().T, dtype=np.float32)
            for out in resampler.resample(None):
                yield np.ascontiguousarray(out.to_ndarray().T, dtype=np.float32)
    except AudioError:
        raise
    except Exception as exc:
        log.debug("PyAV failed decoding %s", path, exc_info=True)
        error = AudioError(path, "decoding failed", _short(exc))
        raise (_unsupported_wav(path, error) or error) from exc


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
