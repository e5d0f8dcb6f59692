"""A tiny Whisper model built in the test (random weights, the real multilingual vocabulary),
written as a CTranslate2 folder with the embedded base model's tokenizer files, and a project
whose final segments are generated tones with texts. (The fixtures `tiny_src` and `project`
are in tests/conftest.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from tests.conftest import tone
from workbench import store
from workbench.intake.transcripts import AudioScope, import_any
from workbench.projects.settings import ensure_project

TINY = dict(
    n_mels=80,
    n_audio_ctx=1500,
    n_audio_state=64,
    n_audio_head=2,
    n_audio_layer=2,
    n_vocab=51865,
    n_text_ctx=448,
    n_text_state=64,
    n_text_head=2,
    n_text_layer=2,
)
TEXTS = [
    "hello world",
    "good morning",
    "the quick fox",
    "a green apple",
    "one two three",
    "see you soon",
    "thank you",
    "open the door",
    "fine weather",
    "slow river",
]


def tiny_whisper(seed: int = 0):
    """A Whisper model with small state and layers, seeded random weights (the token
    embedding kept small, so the first losses are near log(vocabulary); the decoder's
    positional embedding, which openai-whisper leaves uninitialised, drawn too)."""
    import torch
    from whisper.model import ModelDimensions, Whisper

    torch.manual_seed(seed)
    model = Whisper(ModelDimensions(**TINY))
    with torch.no_grad():
        model.decoder.token_embedding.weight.normal_(0, 0.02)
        model.decoder.positional_embedding.normal_(0, 0.01)
    return model


def write_tiny(folder: Path, base: Path, seed: int = 0) -> Path:
    """The tiny model as a CTranslate2 folder at `folder`, with `base`'s tokenizer files."""
    from workbench.tuning.ct2 import write_ct2

    return write_ct2(tiny_whisper(seed), folder, base)


def final_project(wb, tmp_path: Path, n: int = 6, name: str = "tune"):
    """A project whose `n` segments (1.5 s of tone each, a text each) are approved."""
    audio = tone(tmp_path / "tune-src" / "talk.wav", 2.0 * n)
    lines = [
        {"audio_filepath": str(audio), "offset": 2.0 * i, "duration": 1.5, "text": TEXTS[i]}
        for i in range(n)
    ]
    manifest = tmp_path / "tune-src" / "manifest.json"
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines))
    project = ensure_project(wb, name, "en")
    import_any(wb, project, [manifest], audio_from=AudioScope.server())
    ids = [q["id"] for q in store.segment_queue(wb.db, project.id)]
    with wb.db.begin() as conn:
        conn.execute(
            sa.update(store.segments).where(store.segments.c.id.in_(ids)).values(status="approved")
        )
    return store.get_project(wb.db, project.id), ids


def sine(seconds: float = 1.0, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * 16000)) / 16000
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


# a fine-tune of the tiny model in a few steps
PARAMS = {"method": "decoder", "steps": 3, "learning_rate": 1e-3, "batch_size": 2}
