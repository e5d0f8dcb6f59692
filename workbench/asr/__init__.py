"""ASR engines behind one interface; `load_engine` keeps one loaded model per process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from workbench.asr.alignment import TimedWord
from workbench.asr.base import (
    Aligner,
    DraftSegment,
    DraftWord,
    Engine,
    ModelNotFound,
    Named,
    NotAligned,
    TranscribeOptions,
    Transcript,
)
from workbench.asr.models import EMBEDDED_NAME

__all__ = [
    "Aligner",
    "NotAligned",
    "TimedWord",
    "DraftSegment",
    "DraftWord",
    "Engine",
    "ModelNotFound",
    "Named",
    "TranscribeOptions",
    "Transcript",
    "EMBEDDED_NAME",
    "ENGINES",
    "load_engine",
]


def _faster(model: str, models_dir: Path) -> Engine:
    from workbench.asr.faster import FasterWhisperEngine

    return FasterWhisperEngine(model, models_dir)


def _openai(model: str, models_dir: Path) -> Engine:
    from workbench.asr.openai import OpenAIWhisperEngine

    return OpenAIWhisperEngine(model, models_dir)


# engine name -> factory(model, models_dir); tests add a fake engine here
ENGINES: dict[str, Callable[[str, Path], Engine]] = {
    "faster-whisper": _faster,
    "openai-whisper": _openai,
}

_loaded: dict[tuple[str, str, str], Engine] = {}
_lock = threading.Lock()


def load_engine(engine: str, model: str, models_dir: Path) -> Engine:
    """The engine `engine` with `model`, loaded once per process and then reused."""
    if engine not in ENGINES:
        raise ModelNotFound(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    key = (engine, model, str(models_dir))
    with _lock:
        if key not in _loaded:
            _loaded[key] = ENGINES[engine](model, models_dir)
        return _loaded[key]
