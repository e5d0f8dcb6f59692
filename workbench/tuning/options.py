"""How to fine-tune (no torch needed to read or check it)."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core.errors import WorkbenchError
from workbench.core.messages import N_

METHODS = {  # method -> what it trains (shown with t())
    "lora": N_("small adapters on every attention query and value, merged into the weights"),
    "decoder": N_("the decoder's weights (the encoder stays as it is)"),
    "full": N_("every weight (slowest; needs the most approved audio)"),
}


@dataclass(frozen=True)
class TrainOptions:
    """How to train. learning_rate: AdamW's; batch_size: examples per step; seed: the order
    of the examples and the adapters' start; lora_rank: the adapters' rank ('lora' only)."""

    method: str = "lora"
    steps: int = 100
    learning_rate: float = 1e-4
    batch_size: int = 4
    seed: int = 0
    lora_rank: int = 8

    def __post_init__(self):
        if self.method not in METHODS:
            raise WorkbenchError(f"method must be one of {', '.join(METHODS)}, not {self.method!r}")
        if not 1 <= self.steps <= 100_000 or not 1 <= self.batch_size <= 256:
            raise WorkbenchError("steps: 1 to 100000; batch size: 1 to 256")
        if not 0 < self.learning_rate <= 0.1:
            raise WorkbenchError("the learning rate is above 0 and at most 0.1")


def train_options(params: dict) -> TrainOptions:
    """TrainOptions from a job's params (other keys ignored); WorkbenchError when one is wrong."""
    try:
        return TrainOptions(
            method=str(params.get("method", "lora")),
            steps=int(params.get("steps", 100)),
            learning_rate=float(params.get("learning_rate", 1e-4)),
            batch_size=int(params.get("batch_size", 4)),
            seed=int(params.get("seed", 0)),
        )
    except (TypeError, ValueError) as exc:  # a value that is not a number
        raise WorkbenchError(f"wrong fine-tune parameters: {exc}") from None
