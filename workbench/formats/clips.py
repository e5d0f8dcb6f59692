"""Audio of an export: clips cut by partial reads, and whole recordings copied or converted.

Clips come in time order, recording after recording, so a `Cutter` keeps the current file
open and seeks (or just reads on, when the next clip starts where the last ended): one open per
recording, no subprocess, no whole-file decode. Resampling, when asked for, is soxr's.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from workbench.audio.working import SAMPLE_RATE
from workbench.formats.utterance import AudioFile

__all__ = ["CLIP_KINDS", "Reader", "Cutter", "write_whole", "to_pcm16", "wav_header"]

# soundfile format, suffix; RAW: headerless 16-bit little-endian samples (KsponSpeech's .pcm)
CLIP_KINDS = {"wav": ("WAV", ".wav"), "flac": ("FLAC", ".flac"), "pcm": ("RAW", ".pcm")}
BLOCK = 1 << 16  # frames per block when converting a whole recording


def to_pcm16(data: np.ndarray) -> np.ndarray:
    """int16 samples of a float signal in [-1, 1] (clipped), or int16 samples as they are."""
    if data.dtype == np.int16:
        return data
    return np.round(np.clip(data, -1.0, 1.0) * 32767.0).astype(np.int16)


def wav_header(num_samples: int, rate: int) -> bytes:
    """The 44-byte header of a 16-bit mono PCM WAV file of `num_samples` samples."""
    data = 2 * num_samples
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data,
        b"WAVE",
        b"fmt ",
        16,
        1,
        1,
        rate,
        2 * rate,
        2,
        16,
        b"data",
        data,
    )


class Reader:
    """An open audio file read by seconds, as float32 mono at its own rate."""

    def __init__(self, path: Path):
        self.path = path
        self.file = sf.SoundFile(str(path))
        self.rate = self.file.samplerate

    def read(self, start: float, end: float, dtype: str = "float32") -> np.ndarray:
        """Samples between `start` and `end` seconds (a seek only when not already there).

        Several channels are mixed down (in float32, whatever `dtype` asks).
        """
        f = self.file
        first = max(0, min(f.frames, round(start * self.rate)))
        last = max(first, min(f.frames, round(end * self.rate)))
        if f.tell() != first:
            f.seek(first)
        if f.channels > 1:
            mixed = f.read(last - first, dtype="float32", always_2d=True)
            return mixed.mean(axis=1, dtype=np.float32)
        return f.read(last - first, dtype=dtype, always_2d=True)[:, 0]

    def close(self) -> None:
        self.file.close()


class Cutter:
    """Writes clips at `rate` (None: the source's own) as WAV, FLAC or headerless PCM, 16-bit,
    mono."""

    def __init__(self, kind: str = "wav", rate: int | None = None):
        if kind not in CLIP_KINDS:
            raise ValueError(f"unknown clip format {kind!r}; choose one of {', '.join(CLIP_KINDS)}")
        self.format, self.suffix = CLIP_KINDS[kind]
        self.rate = rate
        self.reader: Reader | None = None

    def _open(self, source: Path) -> Reader:
        if self.reader is None or self.reader.path != source:
            self.close()
            self.reader = Reader(source)
        return self.reader

    def cut(self, source: Path, start: float, end: float, dest: Path) -> AudioFile:
        """Write `source` between `start` and `end` seconds to `dest`; returns what was written."""
        reader = self._open(source)
        rate = self.rate or reader.rate
        if rate == reader.rate:
            data = reader.read(start, end, dtype="int16")  # no conversion on the way through
        else:
            data = reader.read(start, end)
            if len(data):
                data = soxr.resample(data, reader.rate, rate, quality="HQ")
        samples = to_pcm16(data)
        # written through a Python file object: soundfile's own files fsync on close
        with open(dest, "wb") as f:
            if self.format in ("WAV", "RAW"):
                if self.format == "WAV":
                    f.write(wav_header(len(samples), rate))
                f.write(samples.astype("<i2", copy=False).tobytes())
            else:
                sf.write(f, samples, rate, subtype="PCM_16", format=self.format)
        return AudioFile(dest.name, rate, len(samples))

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
            self.reader = None


def write_whole(source: Path, dest: Path, kind: str = "flac", rate: int | None = None) -> AudioFile:
    """A whole recording at `rate` (None: its own) as `kind`; a plain copy when nothing changes."""
    fmt, _ = CLIP_KINDS[kind]
    info = sf.info(str(source))
    rate = rate or info.samplerate
    if (
        kind == "flac"
        and info.format == "FLAC"
        and info.channels == 1
        and info.samplerate == rate == SAMPLE_RATE
        and info.subtype == "PCM_16"
    ):
        shutil.copyfile(source, dest)
        return AudioFile(dest.name, rate, info.frames)
    reader = Reader(source)
    stream = (
        soxr.ResampleStream(reader.rate, rate, 1, dtype="float32") if rate != reader.rate else None
    )
    written = 0
    try:
        with sf.SoundFile(str(dest), "w", rate, 1, "PCM_16", format=fmt) as out:
            while True:
                block = reader.file.read(BLOCK, dtype="float32", always_2d=True)
                last = len(block) < BLOCK
                mono = block.mean(axis=1, dtype=np.float32) if block.shape[1] > 1 else block[:, 0]
                if stream is not None:
                    mono = stream.resample_chunk(mono, last=last)
                out.write(mono)
                written += len(mono)
                if last:
                    break
    finally:
        reader.close()
    return AudioFile(dest.name, rate, written)
