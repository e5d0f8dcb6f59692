"""Train/dev/test splits: by ratio of audio time, group-wise, deterministic for a seed."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Protocol, TypeVar

from workbench.core.errors import WorkbenchError
from workbench.formats.utterance import recording_uid

__all__ = ["SPLIT_BY", "SPLIT_NAMES", "parse_split", "group_key", "assign_splits"]

SPLIT_BY = ("segment", "recording", "speaker")
SPLIT_NAMES = {2: ("train", "test"), 3: ("train", "dev", "test")}


class Splittable(Protocol):
    """What a split reads of a row (read-only, so frozen dataclasses fit)."""

    @property
    def segment_id(self) -> int: ...
    @property
    def recording_id(self) -> int: ...
    @property
    def speaker(self) -> str | None: ...
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...


def parse_split(spec: str | Sequence[float] | None) -> tuple[tuple[str, float], ...]:
    """'0.8,0.1,0.1' -> (('train', .8), ('dev', .1), ('test', .1)); '' or None -> no split.

    Two ratios are train and test, three train, dev and test; they must add up to 1 (or 100).
    """
    if spec is None or not (spec.strip() if isinstance(spec, str) else len(spec)):
        return ()
    try:
        ratios = [float(x) for x in spec.split(",")] if isinstance(spec, str) else list(spec)
    except ValueError:
        ratios = [math.nan]
    if not all(math.isfinite(r) for r in ratios):
        raise WorkbenchError(f"cannot read the split {spec!r}; write it as 0.8,0.1,0.1")
    if len(ratios) == 1 and abs(ratios[0] - 1) < 1e-9:
        return ()
    if len(ratios) not in SPLIT_NAMES:
        raise WorkbenchError(
            f"a split has two (train,test) or three (train,dev,test) ratios, not {len(ratios)}"
        )
    if negative := [r for r in ratios if r < 0]:
        raise WorkbenchError(f"a split ratio cannot be negative, as {negative[0]:g} is")
    total = sum(ratios)
    if not (abs(total - 1) < 1e-6 or abs(total - 100) < 1e-4):
        raise WorkbenchError(f"split ratios must add up to 1 (or 100), not {total:g}")
    return tuple(zip(SPLIT_NAMES[len(ratios)], (r / total for r in ratios), strict=True))


def group_key(row: Splittable, by: str) -> str:
    """The group a segment is split with: itself, its recording, or its speaker."""
    if by == "segment":
        return f"s{row.segment_id}"
    if by == "recording":
        return recording_uid(row.recording_id)
    if by == "speaker":  # a segment without a speaker goes with its recording
        return f"spk:{row.speaker}" if row.speaker else recording_uid(row.recording_id)
    raise ValueError(f"unknown split-by {by!r}; choose one of {', '.join(SPLIT_BY)}")


T = TypeVar("T", bound=Splittable)


def assign_splits(
    rows: Sequence[T], ratios: tuple[tuple[str, float], ...], by: str = "segment", seed: int = 0
) -> dict[str, list[T]]:
    """Rows per split, whole groups at a time, each split near its share of the audio time.

    Groups are shuffled by `seed` and each goes to the split furthest below its target; a split
    with a share is given one of the last groups if it would otherwise stay empty. Rows keep
    their order within a split.
    """
    groups: dict[str, float] = {}
    for row in rows:
        key = group_key(row, by)
        groups[key] = groups.get(key, 0.0) + (row.end - row.start)
    keys = sorted(groups)
    random.Random(seed).shuffle(keys)
    total = sum(groups.values())
    names = [name for name, _ in ratios]
    target = {name: share * total for name, share in ratios}
    filled = dict.fromkeys(names, 0.0)
    count = dict.fromkeys(names, 0)
    where: dict[str, str] = {}
    for i, key in enumerate(keys):
        empty = [n for n in names if count[n] == 0 and target[n] > 0]
        if empty and len(keys) - i <= len(empty):
            name = empty[0]
        else:
            name = max(names, key=lambda n: (target[n] - filled[n], -names.index(n)))
        where[key] = name
        filled[name] += groups[key]
        count[name] += 1
    out: dict[str, list[T]] = {name: [] for name in names}
    for row in rows:
        out[where[group_key(row, by)]].append(row)
    return out
