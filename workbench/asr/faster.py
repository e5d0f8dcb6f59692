"""faster-whisper engine: CTranslate2, int8 on CPU, Silero VAD, word timestamps."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from workbench.asr import alignment
from workbench.asr.alignment import TimedWord
from workbench.asr.base import (
    SAMPLE_RATE,
    DraftSegment,
    DraftWord,
    ModelNotFound,
    NotAligned,
    TranscribeOptions,
    Transcript,
)
from workbench.asr.models import EMBEDDED_NAME, embedded_model_dir
from workbench.core.config import downloads_allowed

log = logging.getLogger(__name__)

BATCH_AFTER = 30.0  # seconds: shorter audio is one decoding window, batching gains nothing
WINDOW = 30.0  # seconds: the audio Whisper hears at once, the most one alignment takes
MEDIAN_FILTER = 7  # cross-attention frames smoothed together before the time warping


class FasterWhisperEngine:
    """Loads a CTranslate2 Whisper model once; `transcribe` streams segments lazily."""

    name = "faster-whisper"

    def __init__(
        self,
        model: str,
        models_dir: Path,
        compute_type: str = "int8",
        device: str = "cpu",
        cpu_threads: int = 0,
    ):
        """`device`: 'cpu', or 'cuda' (a cluster worker given a GPU: `jobs.cluster`);
        `cpu_threads`: 0 for every core this process may use."""
        from faster_whisper import WhisperModel

        self.model = model
        path = _resolve(model, models_dir)
        threads = cpu_threads or (
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
        )
        try:
            self._model = WhisperModel(
                str(path),
                device=device,
                compute_type=compute_type,
                cpu_threads=threads,
                download_root=str(models_dir / "faster-whisper"),
                local_files_only=not downloads_allowed(),
            )
        except Exception as exc:
            log.debug("faster-whisper cannot load %s", path, exc_info=True)  # callers report it
            raise ModelNotFound(
                f"faster-whisper model {model!r} is not on disk (looked in {path} and "
                f"{models_dir / 'faster-whisper'}) and could not be fetched: {exc}"
            ) from exc

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions) -> Transcript:
        kwargs = dict(
            language=None if options.language == "auto" else options.language,
            beam_size=options.beam_size,
            word_timestamps=options.word_timestamps,
            initial_prompt=options.initial_prompt or None,
        )
        if options.hotwords:  # hinted in every window (the prompt primes the first)
            kwargs["hotwords"] = options.hotwords
        if options.batch_size > 0 and len(audio) > BATCH_AFTER * 16000:
            # batched: VAD chunks decoded together, each on its own (no loops carried over)
            segments, info = self._batched().transcribe(
                audio, batch_size=options.batch_size, **kwargs
            )
        else:
            segments, info = self._model.transcribe(audio, vad_filter=options.vad, **kwargs)
        return Transcript(
            language=info.language,
            segments=_convert(segments),
            meta={"language_probability": info.language_probability},
        )

    def align(
        self, audio: np.ndarray, words: Sequence[str], language: str | None
    ) -> list[TimedWord]:
        """Time `words` in `audio` by Whisper's cross-attention and dynamic time warping, as
        faster-whisper's word timestamps do, over the given words' tokens instead of decoded
        ones; then each boundary next to a pause is moved onto it (`alignment`)."""
        from faster_whisper.audio import pad_or_trim
        from faster_whisper.tokenizer import Tokenizer

        duration = len(audio) / SAMPLE_RATE
        if duration > WINDOW:
            raise NotAligned(f"{duration:.1f} s is longer than one {WINDOW:.0f} s window")
        if not words or duration <= 0:
            raise NotAligned("nothing to align")
        model = self._model
        features = model.feature_extractor(audio)
        frames = max(1, features.shape[-1] - 1)  # the last frame is the padding's
        encoded = model.encode(pad_or_trim(features[:, :frames]))
        if language is None:
            language = model.detect_language(features=features[:, :frames])[0]
        tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language
        )
        tokens = [tokenizer.encode(" " + word) for word in words]
        counts = [len(t) for t in tokens]
        result = model.model.align(
            encoded,
            tokenizer.sot_sequence,
            [[t for word in tokens for t in word]],
            frames,
            median_filter_width=MEDIAN_FILTER,
        )[0]
        path = result.alignments
        times = alignment.word_times([p[0] for p in path], [p[1] for p in path], counts)
        gaps = alignment.pauses(alignment.quiet_frames(audio, SAMPLE_RATE))
        return alignment.placed(
            words,
            alignment.snapped(times, gaps),
            alignment.word_probabilities(result.text_token_probs, counts),
            offset=0.0,
            limit=(0.0, duration),
        )

    def _batched(self):
        from faster_whisper import BatchedInferencePipeline

        if not hasattr(self, "_pipeline"):
            self._pipeline = BatchedInferencePipeline(self._model)
        return self._pipeline


def _convert(segments) -> Iterator[DraftSegment]:
    for seg in segments:
        words = tuple(
            DraftWord(w.word, float(w.start), float(w.end), float(w.probability))
            for w in (seg.words or ())
        )
        yield DraftSegment(
            start=float(seg.start),
            end=float(seg.end),
            text=seg.text.strip(),
            avg_logprob=float(seg.avg_logprob),
            no_speech_prob=float(seg.no_speech_prob),
            compression_ratio=float(seg.compression_ratio),
            words=words,
        )


def _resolve(model: str, models_dir: Path) -> Path | str:
    """The embedded name maps to the assembled folder; a folder path to itself; else a hub name."""
    if model == EMBEDDED_NAME:
        return embedded_model_dir(models_dir)
    path = Path(model).expanduser()
    if path.exists():
        if not (path / "model.bin").is_file():
            raise ModelNotFound(f"{path} is not a CTranslate2 model folder (no model.bin in it)")
        return path
    return model
