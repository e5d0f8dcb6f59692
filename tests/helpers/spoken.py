"""Speech whose word boundaries are known: each word spoken by espeak-ng on its own, trimmed
to its sound, and joined with silences of known lengths (tests and bench/alignment.py)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

RATE = 16000  # Hz
LEAD = 0.3  # seconds of silence before the first word and after the last
ESPEAK = shutil.which("espeak-ng")


def spoken_word(word: str, voice: str, speed: int = 160) -> np.ndarray:
    """`word` spoken by espeak-ng at RATE, trimmed to where its sound starts and ends (the
    first and last sample over 2 % of its peak)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "word.wav"
        subprocess.run(
            [ESPEAK or "espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), word],
            check=True,
            capture_output=True,
        )
        audio, rate = sf.read(str(path), dtype="float32")
    audio = soxr.resample(audio, rate, RATE).astype(np.float32)
    loud = np.flatnonzero(np.abs(audio) > 0.02 * np.abs(audio).max())
    return audio[loud[0] : loud[-1] + 1]


def spoken(
    words: Sequence[str], voice: str, gaps: Sequence[float], speed: int = 160
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """The words spoken one after another, `gaps[i]` seconds of silence after word i (0:
    joined), LEAD seconds before and after; with each word's (start, end) in seconds."""
    parts = [np.zeros(int(LEAD * RATE), np.float32)]
    known, at = [], int(LEAD * RATE)
    for word, gap in zip(words, gaps, strict=True):
        sound = spoken_word(word, voice, speed)
        known.append((at / RATE, (at + len(sound)) / RATE))
        silence = np.zeros(round(gap * RATE), np.float32)
        parts += [sound, silence]
        at += len(sound) + len(silence)
    parts.append(np.zeros(int(LEAD * RATE), np.float32))
    return np.concatenate(parts), known


def boundary_errors(
    timed: Sequence[tuple[float, float]], known: Sequence[tuple[float, float]]
) -> np.ndarray:
    """|start - known start| and |end - known end| of every word, in seconds."""
    return np.array(
        [abs(t[0] - k[0]) for t, k in zip(timed, known, strict=True)]
        + [abs(t[1] - k[1]) for t, k in zip(timed, known, strict=True)]
    )
