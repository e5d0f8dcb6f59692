"""CTranslate2 <-> openai-whisper conversion and the training loop, on a tiny model the test
builds (no download) and, where the shared speech is present, the embedded base model."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.conftest import SHARED_AUDIO, needs_shared
from tests.helpers.tuning import TINY, sine, tiny_whisper, write_tiny
from workbench.asr import TranscribeOptions
from workbench.asr.models import embedded_model_dir
from workbench.core.errors import Cancelled, WorkbenchError
from workbench.tuning import ct2
from workbench.tuning.lora import LoraLinear, add_adapters, merge_adapters
from workbench.tuning.options import TrainOptions, train_options
from workbench.tuning.train import Example, batch_tensors, train


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory):
    """The embedded base model's folder (its tokenizer files are the tiny model's)."""
    return embedded_model_dir(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def tiny_dir(base_dir, tmp_path_factory):
    return write_tiny(tmp_path_factory.mktemp("tiny") / "tiny", base_dir)


def test_tiny_model_written_as_ct2_loads_in_faster_whisper(tiny_dir, tmp_path):
    from faster_whisper import WhisperModel

    names = {p.name for p in tiny_dir.iterdir()}
    assert {"model.bin", "config.json", "tokenizer.json", "vocabulary.json"} <= names
    model = WhisperModel(str(tiny_dir), device="cpu", compute_type="int8")
    # random weights: any text, but no error (greedy, a few tokens, word timings from the
    # alignment heads the writer fitted to the tiny decoder)
    segments, info = model.transcribe(
        sine(1.0),
        language="en",
        beam_size=1,
        temperature=0.0,
        max_new_tokens=8,
        word_timestamps=True,
        vad_filter=False,
    )
    segments = list(segments)
    assert info.language == "en" and info.duration == pytest.approx(1.0)
    assert all(0.0 <= s.start <= s.end for s in segments)


def test_round_trip_keeps_the_weights(tiny_dir, tmp_path):
    dims, state = ct2.read_ct2(tiny_dir)
    assert dims == TINY
    original = tiny_whisper().state_dict()
    for name, value in state.items():  # written as float16: equal within its precision
        assert torch.allclose(value, original[name].float(), atol=2e-3, rtol=1e-2), name
    again = ct2.write_ct2(ct2.load_whisper(tiny_dir), tmp_path / "again", tiny_dir)
    dims2, state2 = ct2.read_ct2(again)
    assert dims2 == dims and state2.keys() == state.keys()
    assert all(torch.equal(state[k], state2[k]) for k in state)


def test_write_refuses_an_existing_folder(tiny_dir):
    with pytest.raises(FileExistsError):
        ct2.write_ct2(tiny_whisper(), tiny_dir, tiny_dir)


@pytest.mark.slow
@needs_shared
def test_base_model_converted_and_back_decodes_the_same(base_dir, tmp_path):
    from workbench.asr.faster import FasterWhisperEngine

    back = ct2.write_ct2(ct2.load_whisper(base_dir), tmp_path / "back", base_dir)
    from workbench.audio.decode import stream_mono

    audio = np.concatenate(list(stream_mono(SHARED_AUDIO / "jfk.flac", 16000)))
    options = TranscribeOptions(language="en", beam_size=1, word_timestamps=False, vad=False)
    texts = [
        " ".join(
            s.text
            for s in FasterWhisperEngine(str(folder), tmp_path).transcribe(audio, options).segments
        )
        for folder in (base_dir, back)
    ]
    assert texts[0].strip() and texts[0] == texts[1]


def two_pairs() -> list[Example]:
    noise = np.random.default_rng(0).standard_normal(16000).astype(np.float32) * 0.1
    return [Example(sine(1.0), "hello world"), Example(noise, "good morning")]


@pytest.mark.parametrize("method", ["lora", "decoder", "full"])
def test_training_lowers_the_loss(method):
    model = tiny_whisper()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    steps = []
    losses = train(
        model,
        two_pairs(),
        "en",
        TrainOptions(method=method, steps=10, learning_rate=3e-3, batch_size=2),
        on_step=lambda step, loss: steps.append(step),
    )
    assert steps == list(range(1, 11)) and len(losses) == 10
    assert np.mean(losses[-3:]) < losses[0]
    after = model.state_dict()
    assert after.keys() == before.keys()  # adapters merged away
    changed = {k for k in after if not torch.equal(after[k], before[k])}
    if method == "decoder":
        assert changed and all(k.startswith("decoder.") for k in changed)
    if method == "lora":
        assert changed and all(k.endswith(("query.weight", "value.weight")) for k in changed)
    assert not any(p.requires_grad for p in model.parameters())


def test_training_is_seeded():
    runs = [
        train(
            tiny_whisper(),
            two_pairs(),
            "en",
            TrainOptions(method="decoder", steps=3, learning_rate=1e-3),
        )
        for _ in range(2)
    ]
    assert runs[0] == runs[1]


def test_a_step_callback_stops_training():
    with pytest.raises(Cancelled):
        train(
            tiny_whisper(),
            two_pairs(),
            "en",
            TrainOptions(method="lora", steps=50),
            on_step=lambda step, loss: step < 2,
        )


def test_targets_skip_the_prompt_and_padding():
    from whisper.tokenizer import get_tokenizer

    tokenizer = get_tokenizer(True, language="en", task="transcribe")
    inputs, targets = batch_tensors(tokenizer, ["hello world", "a"], 448)
    prompt = len(tokenizer.sot_sequence_including_notimestamps)
    assert inputs[0, :prompt].tolist() == list(tokenizer.sot_sequence_including_notimestamps)
    assert (targets[:, : prompt - 1] == -100).all()
    text = tokenizer.encode(" hello world")
    assert targets[0, prompt - 1 : prompt - 1 + len(text)].tolist() == text
    assert targets[0, prompt - 1 + len(text)] == tokenizer.eot
    assert (targets[1] == tokenizer.eot).sum() == 1 and targets[1, -1] == -100  # padded


def test_merged_adapter_computes_what_the_adapter_did():
    layer = torch.nn.Linear(8, 8)
    adapter = LoraLinear(layer, rank=2, alpha=4.0, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        adapter.lora_b.normal_()
    x = torch.randn(3, 8)
    expected = adapter(x)
    assert torch.allclose(adapter.merged()(x), expected, atol=1e-5)


def test_adapters_freeze_the_rest_and_merge_back():
    model = tiny_whisper()
    trainable = add_adapters(model, rank=4)
    assert trainable and all(p.requires_grad for p in trainable)
    assert sum(p.requires_grad for p in model.parameters()) == len(trainable)
    merge_adapters(model)
    assert not any("lora" in k for k in model.state_dict())


def test_options_are_checked():
    assert train_options({"method": "full", "steps": "5"}).steps == 5
    for wrong in ({"method": "magic"}, {"steps": 0}, {"learning_rate": 0}, {"steps": "x"}):
        with pytest.raises(WorkbenchError):
            train_options(wrong)
