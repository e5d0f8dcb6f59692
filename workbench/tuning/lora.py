"""Low-rank adapters (LoRA, Hu et al. 2021) on the attention query and value projections of
an openai-whisper model: trained in place of the frozen weights, then merged into them, so
the result is a plain Whisper model that converts to CTranslate2 like any other."""

from __future__ import annotations

import math

import torch
from torch import nn

TARGETS = ("query", "value")  # the attention projections that get an adapter


class LoraLinear(nn.Module):
    """A frozen linear layer plus `scale * B @ A` (A: rank x in, B: out x rank, B zero at
    first, so training starts from the base model exactly)."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float, generator: torch.Generator):
        super().__init__()
        self.base = base
        self.scale = alpha / rank
        a = torch.empty(rank, base.in_features)
        bound = 1 / math.sqrt(base.in_features)
        a.uniform_(-bound, bound, generator=generator)
        self.lora_a = nn.Parameter(a)
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        delta = (x @ self.lora_a.to(x.dtype).T) @ self.lora_b.to(x.dtype).T
        return self.base(x) + self.scale * delta

    def merged(self) -> nn.Linear:
        """The base layer with the adapter added into its weight."""
        with torch.no_grad():
            self.base.weight += self.scale * (self.lora_b @ self.lora_a).to(self.base.weight.dtype)
        return self.base


def attention_modules(model: nn.Module):
    """Every attention block of the model (self and cross, encoder and decoder)."""
    from whisper.model import MultiHeadAttention

    return [m for m in model.modules() if isinstance(m, MultiHeadAttention)]


def add_adapters(
    model: nn.Module, rank: int = 8, alpha: float = 16.0, seed: int = 0
) -> list[nn.Parameter]:
    """Freeze the model and put an adapter on each attention query and value; the trainable
    parameters (the adapters')."""
    generator = torch.Generator().manual_seed(seed)
    for p in model.parameters():
        p.requires_grad_(False)
    trainable: list[nn.Parameter] = []
    for attention in attention_modules(model):
        for name in TARGETS:
            adapter = LoraLinear(getattr(attention, name), rank, alpha, generator)
            adapter.to(next(attention.parameters()).device)
            setattr(attention, name, adapter)
            trainable += [adapter.lora_a, adapter.lora_b]
    return trainable


def merge_adapters(model: nn.Module) -> None:
    """Fold every adapter into its base layer and put the base layer back."""
    for attention in attention_modules(model):
        for name in TARGETS:
            layer = getattr(attention, name)
            if isinstance(layer, LoraLinear):
                setattr(attention, name, layer.merged())
