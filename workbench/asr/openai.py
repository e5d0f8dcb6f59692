"""openai-whisper engine: the reference implementation, for any openai checkpoint by name or
path."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from workbench.asr.base import DraftSegment, DraftWord, ModelNotFound, TranscribeOptions, Transcript
from workbench.core.config import downloads_allowed

log = logging.getLogger(__name__)


class OpenAIWhisperEngine:
    """Loads an openai-whisper checkpoint on the CPU (fp32), as its own CLI does there."""

    name = "openai-whisper"

    def __init__(self, model: str, models_dir: Path):
        import torch
        import whisper

        self.model = model
        root = models_dir / "openai-whisper"
        path = Path(model).expanduser()
        if path.is_file():
            source = str(path)
        elif model in whisper._MODELS:
            cached = root / os.path.basename(urlparse(whisper._MODELS[model]).path)
            if not cached.is_file() and not downloads_allowed():
                raise ModelNotFound(
                    f"openai-whisper model {model!r} is not on disk (looked for {cached}); "
                    "give a checkpoint path, or set WORKBENCH_ALLOW_DOWNLOAD=1 on a machine online"
                )
            source = model
        else:
            raise ModelNotFound(
                f"openai-whisper model {model!r} is neither a checkpoint file nor one of "
                f"{', '.join(whisper.available_models())}"
            )
        try:
            self._model = whisper.load_model(source, device="cpu", download_root=str(root))
        except Exception as exc:
            log.debug("openai-whisper cannot load %r", source, exc_info=True)  # callers report it
            raise ModelNotFound(f"could not load openai-whisper model {model!r}: {exc}") from exc
        if path.is_file():
            heads = torch.load(str(path), map_location="cpu", weights_only=True).get(
                "alignment_heads"
            )
            if heads is not None:  # load_model sets heads only for named models
                self._model.set_alignment_heads(heads)

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions) -> Transcript:
        result = self._model.transcribe(
            audio,
            language=None if options.language == "auto" else options.language,
            beam_size=options.beam_size,
            best_of=5,
            word_timestamps=options.word_timestamps,
            initial_prompt=options.initial_prompt or None,
            fp16=False,
            verbose=None,
        )
        return Transcript(language=result["language"], segments=iter(_convert(result["segments"])))


def _convert(segments: list[dict]) -> list[DraftSegment]:
    return [
        DraftSegment(
            start=float(seg["start"]),
            end=float(seg["end"]),
            text=seg["text"].strip(),
            avg_logprob=float(seg["avg_logprob"]),
            no_speech_prob=float(seg["no_speech_prob"]),
            compression_ratio=float(seg["compression_ratio"]),
            words=tuple(
                DraftWord(w["word"], float(w["start"]), float(w["end"]), float(w["probability"]))
                for w in seg.get("words", ())
            ),
        )
        for seg in segments
    ]
