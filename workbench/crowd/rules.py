"""Pure rules of a crowd's quality: the qualification test's score, when hidden gold is due,
which segments are labelled twice, and a labeller's standing under the defect rules.

A score is the language's headline error rate (CER for Korean, WER otherwise) of a labeller's
text against a reference: the gold transcript, or (double labelling) the first label.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.core.errors import WorkbenchError
from workbench.core.records import Project
from workbench.review.sampling import drawn

__all__ = [
    "Standing",
    "TestResult",
    "score_test",
    "gold_due",
    "drawn_twice",
    "standing",
    "mean",
    "check_quality",
    "QUALITY_FIELDS",
    "PAY_UNITS",
]

OK, WARN, PAUSE = "ok", "warn", "pause"


def mean(values: Sequence[float]) -> float | None:
    """The mean, or None for no values."""
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class TestResult:
    """A finished qualification attempt."""

    items: int
    error: float  # the mean error rate over the items
    passed: bool


def score_test(errors: Sequence[float], max_error: float) -> TestResult:
    """Score a finished attempt: passed when the mean error is at most `max_error`."""
    if not errors:
        raise ValueError("a test needs at least one answer to be scored")
    error = sum(errors) / len(errors)
    return TestResult(len(errors), error, error <= max_error + 1e-12)


def gold_due(done: int, answered: int, share: float, user: str) -> bool:
    """Whether a labeller's next item should be hidden gold.

    `done` is how many segments they labelled in the project, `answered` how many hidden gold
    segments they answered. Gold keeps to `share` of all their items; a per-person offset
    (stable, from the name) keeps everyone from meeting gold at the same count.
    """
    if share <= 0.0:
        return False
    period = max(1, round(1 / share))
    offset = int.from_bytes(hashlib.sha256(f"gold:{user}".encode()).digest()[:4], "big") % period
    return answered < int((done + answered + 1 + offset) * share)


def drawn_twice(segment_id: int, project: Project) -> bool:
    """Whether a segment is drawn for double labelling (stable per segment id)."""
    return drawn(segment_id, project.double_share, "double")


@dataclass(frozen=True)
class Standing:
    """A labeller's standing in a project under its defect rules."""

    level: str  # 'ok' | 'warn' | 'pause'
    reasons: tuple[str, ...] = ()  # why, in words a labeller reads
    reviews: int = 0
    rejection_rate: float | None = None
    golds: int = 0
    gold_error: float | None = None

    @property
    def paused(self) -> bool:
        return self.level == PAUSE

    def describe(self) -> str:
        return "; ".join(self.reasons)


def standing(
    project: Project, reviews: int, rejections: int, gold_errors: Sequence[float]
) -> Standing:
    """Apply the project's defect rules to a labeller's recent record (its window).

    A rate counts once `rules_min` items stand behind it: reviews of their work for the
    rejection rate, hidden gold answers for the gold error. Above a `pause_*` threshold they
    are paused; above a `warn_*` one, warned.
    """
    rate = rejections / reviews if reviews else None
    gold = mean(gold_errors)
    level, reasons = OK, []
    checks = (
        (
            reviews >= project.rules_min,
            rate,
            project.warn_reject,
            project.pause_reject,
            "of your reviewed segments were rejected",
            reviews,
        ),
        (
            len(gold_errors) >= project.rules_min,
            gold,
            project.warn_gold,
            project.pause_gold,
            "error rate on check segments",
            len(gold_errors),
        ),
    )
    for counts, value, warn, pause, what, n in checks:
        if not counts or value is None:
            continue
        if value > pause:
            level = PAUSE
            reasons.append(
                f"{value:.0%} {what} in the last {project.rules_days} days "
                f"({n} items; the limit is {pause:.0%})"
            )
        elif value > warn:
            level = WARN if level == OK else level
            reasons.append(
                f"{value:.0%} {what} in the last {project.rules_days} days "
                f"({n} items; a warning above {warn:.0%}, a pause above {pause:.0%})"
            )
    return Standing(level, tuple(reasons), reviews, rate, len(gold_errors), gold)


RATES = (
    "qualify_max_error",
    "gold_share",
    "double_share",
    "agree_max_error",
    "warn_reject",
    "pause_reject",
    "warn_gold",
    "pause_gold",
)  # shares and error rates, 0..1
QUALITY_FIELDS = (
    "qualify_required",
    "qualify_items",
    *RATES,
    "rules_min",
    "rules_days",
    "pay_unit",
    "pay_rate",
    "pay_weighted",
    "pay_answers",
)
PAY_UNITS = ("item", "minute")  # paid per final segment, or per minute of its audio


def check_quality(values: dict) -> dict:
    """The quality, rule and pay settings among `values`, checked and normalised in place
    (WorkbenchError naming the field)."""
    for key in RATES:
        if key in values:
            values[key] = round(float(values[key]), 4)
            if not 0.0 <= values[key] <= 1.0:
                raise WorkbenchError(f"{key.replace('_', ' ')}: between 0% and 100%")
    for key in ("qualify_required", "pay_weighted", "pay_answers"):
        if key in values:
            values[key] = bool(values[key])
    for key, least, most in (
        ("rules_min", 1, 10_000),
        ("rules_days", 1, 365),
        ("qualify_items", 0, 10_000),
    ):
        if key in values:
            value = values[key]
            if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
                raise WorkbenchError(f"{key.replace('_', ' ')}: a whole number, {least}–{most}")
    if "pay_unit" in values and values["pay_unit"] not in PAY_UNITS:
        raise WorkbenchError(f"pay unit: one of {', '.join(PAY_UNITS)}")
    if "pay_rate" in values:
        values["pay_rate"] = round(float(values["pay_rate"]), 4)
        if not 0.0 <= values["pay_rate"] <= 1e6:
            raise WorkbenchError("pay rate: 0 or more")
    return values
