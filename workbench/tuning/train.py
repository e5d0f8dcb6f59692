"""Training an openai-whisper model on (audio, text) pairs: teacher-forced cross-entropy on
the decoder, the prompt being the tokenizer's start-of-transcript sequence for the language,
no timestamps, then the text and end-of-text. Pure: tensors and arrays in, losses out; the
caller loads and saves the model.

Methods: 'lora' (adapters on the attention query/value projections, merged at the end),
'decoder' (the decoder's weights; the encoder is frozen) and 'full' (every weight).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from workbench.core.errors import Cancelled
from workbench.tuning.lora import add_adapters, merge_adapters
from workbench.tuning.options import METHODS, TrainOptions

__all__ = ["METHODS", "Example", "TrainOptions", "train"]

IGNORE = -100  # target id the loss skips (the prompt, the padding)


@dataclass(frozen=True)
class Example:
    """One training pair: 16 kHz mono float32 audio (at most 30 s) and its final text."""

    audio: np.ndarray
    text: str


def device() -> torch.device:
    """CUDA when there is a GPU, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def token_sequence(tokenizer, text: str, max_tokens: int) -> tuple[list[int], int]:
    """The decoder's tokens for `text` and how many of them are the prompt (not learned)."""
    prompt = list(tokenizer.sot_sequence_including_notimestamps)
    body = tokenizer.encode(" " + text.strip())[: max_tokens - len(prompt) - 1]
    return prompt + body + [tokenizer.eot], len(prompt)


def batch_tensors(
    tokenizer, texts: Sequence[str], max_tokens: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Decoder inputs and targets for a batch: inputs are the sequence but its last token,
    targets the sequence shifted by one, with the prompt and the padding ignored."""
    sequences = [token_sequence(tokenizer, t, max_tokens) for t in texts]
    width = max(len(s) for s, _ in sequences) - 1
    inputs = torch.full((len(texts), width), tokenizer.eot, dtype=torch.long)
    targets = torch.full((len(texts), width), IGNORE, dtype=torch.long)
    for row, (tokens, prompt) in enumerate(sequences):
        n = len(tokens) - 1
        inputs[row, :n] = torch.tensor(tokens[:-1])
        targets[row, prompt - 1 : n] = torch.tensor(tokens[prompt:])
    return inputs, targets


def mels(model, audios: Sequence[np.ndarray]) -> torch.Tensor:
    """Log-Mel spectrograms of 30-s windows (padded or trimmed), as the model expects."""
    from whisper.audio import log_mel_spectrogram, pad_or_trim

    return torch.stack(
        [
            log_mel_spectrogram(
                pad_or_trim(torch.from_numpy(np.asarray(a, dtype=np.float32))), model.dims.n_mels
            )
            for a in audios
        ]
    )


def trainable(model, options: TrainOptions) -> list[torch.nn.Parameter]:
    """Make the method's parameters trainable (and the rest frozen); returns them."""
    if options.method == "lora":
        return add_adapters(model, rank=options.lora_rank, seed=options.seed)
    for p in model.parameters():
        p.requires_grad_(options.method == "full")
    if options.method == "decoder":
        for p in model.decoder.parameters():
            p.requires_grad_(True)
    return [p for p in model.parameters() if p.requires_grad]


def train(
    model,
    examples: Sequence[Example],
    language: str | None,
    options: TrainOptions,
    on_step: Callable[[int, float], bool | None] | None = None,
) -> list[float]:
    """Train `model` (an openai-whisper `Whisper`, changed in place and left on the CPU in
    eval mode) on `examples`; the loss of every step.

    `on_step(step, loss)` is called after each step (1-based); returning False stops the
    training (Cancelled is raised; the model is then half-trained and must be dropped).
    """
    from whisper.tokenizer import get_tokenizer

    if not examples:
        raise ValueError("nothing to train on")
    torch.manual_seed(options.seed)
    order = random.Random(options.seed)
    tokenizer = get_tokenizer(
        model.is_multilingual,
        num_languages=model.num_languages,
        language=language,
        task="transcribe",
    )
    where = device()
    model.to(where).train()
    params = trainable(model, options)
    optimizer = torch.optim.AdamW(params, lr=options.learning_rate, weight_decay=0.0)
    pool: list[int] = []
    losses: list[float] = []
    try:
        for step in range(1, options.steps + 1):
            if len(pool) < options.batch_size:
                fresh = list(range(len(examples)))
                order.shuffle(fresh)
                pool += fresh
            picked = [examples[i] for i in pool[: options.batch_size]]
            del pool[: options.batch_size]
            loss = _step(model, tokenizer, picked, options, optimizer, params, where)
            losses.append(loss)
            if on_step is not None and on_step(step, loss) is False:
                raise Cancelled(f"stopped after step {step}")
    finally:
        if options.method == "lora":
            merge_adapters(model)
        for p in model.parameters():
            p.requires_grad_(False)
        model.to("cpu").eval()
    return losses


def _step(
    model,
    tokenizer,
    picked: Sequence[Example],
    options: TrainOptions,
    optimizer,
    params,
    where: torch.device,
) -> float:
    inputs, targets = batch_tensors(tokenizer, [e.text for e in picked], model.dims.n_text_ctx)
    mel = mels(model, [e.audio for e in picked]).to(where)
    if options.method == "decoder":
        with torch.no_grad():
            features = model.encoder(mel)
    else:
        features = model.encoder(mel)
    logits = model.decoder(inputs.to(where), features)
    loss = F.cross_entropy(logits.transpose(1, 2).float(), targets.to(where), ignore_index=IGNORE)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    optimizer.step()
    return float(loss.detach())
