"""The engine interface: audio in, a lazy stream of drafted segments with word timings out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from workbench.asr.alignment import TimedWord
from workbench.core.errors import Kind, WorkbenchError

SAMPLE_RATE = 16000  # Hz: engines take the working copy's rate


@dataclass(frozen=True)
class DraftWord:
    word: str
    start: float  # seconds from the start of the audio given to the engine
    end: float
    probability: float


@dataclass(frozen=True)
class DraftSegment:
    start: float  # seconds
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    words: tuple[DraftWord, ...] = ()


@dataclass(frozen=True)
class TranscribeOptions:
    """What an engine is asked to do.

    language: "auto" to detect, else a code such as "ko" or "en".
    beam_size: beam search width (openai-whisper's CLI default is 5).
    word_timestamps: word start/end/probability, which the editor needs.
    vad: skip silence with Silero VAD before decoding (faster-whisper only).
    initial_prompt: text that primes the decoder (names, jargon).
    hotwords: words or phrases hinted to the decoder in every window (faster-whisper only;
        openai-whisper has the initial prompt alone).
    batch_size: decode this many VAD chunks at once for audio longer than BATCH_AFTER seconds
        (faster-whisper only; 0 decodes sequentially, conditioning on the previous text).
    """

    language: str = "auto"
    beam_size: int = 5
    word_timestamps: bool = True
    vad: bool = True
    initial_prompt: str | None = None
    batch_size: int = 8
    hotwords: str | None = None


@dataclass
class Transcript:
    """An engine's answer: the language it used and the segments, produced lazily."""

    language: str
    segments: Iterator[DraftSegment]
    meta: dict = field(default_factory=dict)


class Named(Protocol):
    """What names an engine in each draft's metadata: an `Engine`, or whatever heard the audio
    for it (`jobs.transcribers`)."""

    name: str
    model: str


class Engine(Protocol):
    """A loaded ASR model. `name` and `model` identify it in each draft's metadata."""

    name: str
    model: str

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions) -> Transcript:
        """Transcribe 16 kHz mono float32 `audio`."""
        ...


class Aligner(Protocol):
    """A loaded model that times given words against audio (forced alignment)."""

    name: str
    model: str

    def align(
        self, audio: np.ndarray, words: Sequence[str], language: str | None
    ) -> list[TimedWord]:
        """The `words` timed in 16 kHz mono float32 `audio` (seconds from its start), in
        order; `language` None: the model detects it. NotAligned when it cannot."""
        ...


class NotAligned(WorkbenchError):
    """The audio cannot be aligned as given (longer than one Whisper window, or empty)."""

    kind = Kind.INVALID


class ModelNotFound(WorkbenchError):
    """The named model is not on disk and could not be fetched; the message says where we looked."""

    kind = Kind.UNAVAILABLE
