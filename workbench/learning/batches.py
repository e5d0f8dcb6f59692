"""The drafts' error batch by batch: how much people had to change each draft job's output.

A batch is a draft job (recordings drafted before the job was recorded are grouped by the day
they were drafted, in the viewer's time zone). Its error is the project's headline metric (CER
for Korean, else WER) of the draft against the final label, per segment, capped at 1 and
weighted by the segment's length: the labour the drafts left. As a project learns
(vocabulary, rules, a fine-tuned model), later batches should need less.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from workbench.core.clock import day_of
from workbench.core.messages import t


@dataclass(frozen=True)
class Batch:
    name: str  # "job 12" or "drafted 2026-12-01"
    job: int | None
    drafted_at: datetime | None  # the first recording of the batch drafted
    model: str  # the engine and model that drafted it, as the job recorded them
    adapted: str  # what the job drafted with: "base", "6 terms, 1 rule"; "" if not recorded
    segments: int
    seconds: float
    error: float  # length-weighted mean of the per-segment draft error, 0..1
    untouched: float  # the share of segments whose draft was kept as it was


def by_batch(
    rows: Iterable[dict[str, Any]], scorer: Callable[[str, str], float], where: tzinfo
) -> list[Batch]:
    """Batches from `store.batch_rows`' rows, oldest first; `scorer(draft, final)` is the
    project's (see `dashboard.edit_scorer`); days (of recordings drafted without a job) are
    the zone `where`'s."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for row in rows:
        key = (
            ("job", row["job"])
            if row["job"] is not None
            else ("day", day_of(row["drafted_at"], where) if row["drafted_at"] else None)
        )
        groups.setdefault(key, []).append(row)
    out = []
    for (kind, value), members in groups.items():
        weights = [max(r["seconds"], 0.01) for r in members]
        errors = [scorer(r["draft"], r["final"]) for r in members]
        params = members[0].get("params") or {}
        model = " ".join(str(params[k]) for k in ("engine", "model") if params.get(k))
        out.append(
            Batch(
                name=_name(kind, value),
                job=value if kind == "job" else None,
                drafted_at=min((r["drafted_at"] for r in members if r["drafted_at"]), default=None),
                model=model,
                adapted=adapted(params),
                segments=len(members),
                seconds=sum(r["seconds"] for r in members),
                error=sum(w * e for w, e in zip(weights, errors, strict=True)) / sum(weights),
                untouched=sum(1 for e in errors if e == 0.0) / len(members),
            )
        )
    return sorted(out, key=lambda b: (b.drafted_at or datetime.min, b.job or 0))


def _name(kind: str, value: Any) -> str:
    """A batch's name in the reader's language: "job 12", "drafted 2026-12-01"."""
    if kind == "job":
        return t("job {n}", n=value)
    return t("drafted {day}", day=value) if value else t("drafted earlier")


def adapted(params: dict[str, Any]) -> str:
    """What a draft job drafted with, from its params: "base" (no term, no rule), "6 terms",
    "6 terms, 1 rule"; "" for a job from before they were recorded. In the reader's language."""
    if "terms" not in params:
        return ""
    terms, rules = params["terms"], params.get("rules", 0)
    parts = [
        *([t("1 term") if terms == 1 else t("{n} terms", n=terms)] if terms else []),
        *([t("1 rule") if rules == 1 else t("{n} rules", n=rules)] if rules else []),
    ]
    return ", ".join(parts) or t("base")
