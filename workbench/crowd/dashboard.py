"""The owner's dashboard: progress, throughput and each labeller's speed and quality.

`dashboard(wb, project_id)` gathers the numbers (owners only); the functions beside it are
pure and turn rows into the dashboard's records:

- progress: segments and hours of audio per status;
- throughput: segments and minutes of audio labelled per day, a segment counted on the day
  of its first 'human' revision (deleted segments left out), days in the viewer's time zone;
- per labeller: segments and minutes of audio they labelled, active seconds per minute of
  audio, the rejection rate of reviews of their work, their accuracy on hidden gold
  (1 - mean error), how far their labels are from the ASR drafts (the mean error of the draft
  against their latest label: high means the draft saved them little), and their agreement
  with the other labeller on segments labelled twice (1 - mean error), also per pair.

Errors are the language's headline rate (CER for Korean, WER otherwise) in the spelling form
of the project's conventions, capped at 1 per segment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from workbench import store
from workbench.core.access import Action, require
from workbench.core.clock import day_of
from workbench.core.records import Project, Status
from workbench.core.workbench import Workbench
from workbench.crowd.rules import mean
from workbench.projects.time_zones import my_zone
from workbench.text import headline_metric, load_profile
from workbench.text.metrics import cer, wer

__all__ = [
    "StatusRow",
    "DayRow",
    "LabellerRow",
    "PairRow",
    "Dashboard",
    "dashboard",
    "edit_scorer",
    "progress",
    "by_day",
    "labeller_rows",
    "pair_rows",
]


@dataclass(frozen=True)
class StatusRow:
    """Segments of one status and their hours of audio."""

    status: str
    segments: int
    hours: float


@dataclass(frozen=True)
class DayRow:
    """What was labelled on a day (in a time zone): segments first labelled then, and their
    minutes."""

    day: date
    segments: int
    minutes: float


@dataclass(frozen=True)
class LabellerRow:
    """One labeller's work and quality; a rate is None when nothing stands behind it."""

    labeller: str
    items: int  # segments they saved a label of
    minutes: float  # minutes of audio of those segments
    active_per_minute: float | None  # active seconds of their saves per minute of audio
    reviews: int  # reviews of their revisions
    rejection_rate: float | None
    golds: int  # hidden gold segments answered
    gold_accuracy: float | None  # 1 - mean error on them
    drafted: int  # their latest labels that have an ASR draft to compare with
    draft_edit: float | None  # mean error of the draft against their label
    seconds: int  # segments labelled twice where they were one of the two
    agreement: float | None  # 1 - mean error between the two labels


@dataclass(frozen=True)
class PairRow:
    """Two labellers of the same segments: the first label's author and the second's."""

    first: str
    second: str
    items: int
    error: float  # mean error of the second label against the first

    @property
    def agreement(self) -> float:
        return 1.0 - self.error


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard page shows about one project."""

    project_id: int
    metric: str  # 'WER' | 'CER': the error rates' metric
    recordings: int
    audio_hours: float
    status: tuple[StatusRow, ...]
    days: tuple[DayRow, ...]
    labellers: tuple[LabellerRow, ...]
    pairs: tuple[PairRow, ...]
    time_zone: str = "UTC"  # the IANA zone whose days `days` are (the viewer's)

    @property
    def segments(self) -> int:
        """Live segments (deleted ones aside)."""
        return sum(r.segments for r in self.status if r.status != Status.DELETED.value)

    @property
    def empty(self) -> bool:
        """No segment yet: nothing to chart."""
        return not any(r.segments for r in self.status)


def dashboard(wb: Workbench, project_id: int) -> Dashboard:
    """A project's dashboard (owners only: it shows every labeller's numbers)."""
    require(wb, Action.EXPORT, project_id)
    project = store.get_project(wb.db, project_id)
    counts = store.status_counts(wb.db, project_id)
    scorer = edit_scorer(project)
    edits = [
        (r["labeller"], scorer(r["draft"], r["label"]))
        for r in store.label_drafts(wb.db, project_id)
        if r["draft"] is not None
    ]
    answers = store.list_answers(wb.db, project_id)
    zone = my_zone(wb, project)
    return Dashboard(
        project_id=project_id,
        metric=metric_of(project),
        recordings=counts["recordings"],
        audio_hours=counts["audio_hours"],
        status=progress(counts),
        days=by_day(store.first_labels(wb.db, project_id), zone),
        labellers=labeller_rows(
            store.labeller_stats(wb.db, project_id),
            store.review_stats(wb.db, project_id),
            answers,
            edits,
        ),
        pairs=pair_rows(answers),
        time_zone=zone.key,
    )


def metric_of(project: Project) -> str:
    """The headline metric of a project's language ('CER' for Korean, else 'WER')."""
    language = project.language
    if language == "auto":
        language = load_profile(project.conventions).language or "en"
    return headline_metric(language)


def edit_scorer(project: Project) -> Callable[[str, str], float]:
    """A function (draft, label) -> the error of the draft against the label, in the project's
    headline metric and spelling form, capped at 1 (an empty label against a draft: 1)."""
    profile = load_profile(project.conventions)
    metric = cer if metric_of(project) == "CER" else wer

    def score(draft: str, label: str) -> float:
        try:
            return min(1.0, metric(label or "", draft or "", profile=profile))
        except ValueError:  # nothing left of the label once rendered
            return 0.0 if not (draft or "").strip() else 1.0

    return score


def progress(counts: dict[str, Any]) -> tuple[StatusRow, ...]:
    """Segments and hours per status (every status, in the workflow's order, and the gold
    segments nobody labels after 'drafted') from `store.status_counts`."""
    return tuple(
        StatusRow(name, counts["segments"].get(name, 0), counts["segment_hours"].get(name, 0.0))
        for name in store.BUCKETS
    )


def by_day(first_labels: Iterable[dict[str, Any]], where: tzinfo) -> tuple[DayRow, ...]:
    """Segments and minutes first labelled per day of the zone `where`, from the first to the
    last day with work (days without any in between are shown as 0)."""
    count: dict[date, int] = defaultdict(int)
    seconds: dict[date, float] = defaultdict(float)
    for row in first_labels:
        day = _day(row["first"], where)
        count[day] += 1
        seconds[day] += row["seconds"]
    if not count:
        return ()
    first, last = min(count), max(count)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return tuple(DayRow(d, count.get(d, 0), seconds.get(d, 0.0) / 60) for d in days)


def _day(moment: datetime | str, where: tzinfo) -> date:
    if isinstance(moment, str):  # SQLite's min() of a timestamp may come back as text
        moment = datetime.fromisoformat(moment)
    return day_of(moment, where)


def labeller_rows(
    stats: Sequence[dict[str, Any]],
    review_stats: Sequence[dict[str, Any]],
    answers: Sequence[dict[str, Any]],
    edits: Sequence[tuple[str, float]],
) -> tuple[LabellerRow, ...]:
    """One row per person with labels, reviews of their work, or gold or second answers.

    `stats` is `store.labeller_stats`, `review_stats` is `store.review_stats`, `answers` the
    project's answers (`store.list_answers`), `edits` (labeller, draft error) per latest label.
    """
    work = {r["author"]: r for r in stats}
    verdicts = {r["labeller"]: r for r in review_stats}
    gold: dict[str, list[float]] = defaultdict(list)
    second: dict[str, list[float]] = defaultdict(list)
    for a in answers:
        if a["kind"] == "gold":
            gold[a["user_name"]].append(a["error"])
        elif a["kind"] == "second":
            for person in {a["user_name"], a["other"]} - {None}:
                second[person].append(a["error"])
    draft: dict[str, list[float]] = defaultdict(list)
    for labeller, error in edits:
        draft[labeller].append(error)
    rows = []
    for name in sorted(set(work) | set(verdicts) | set(gold) | set(second)):
        w = work.get(name, {})
        v = verdicts.get(name, {})
        minutes = w.get("audio_seconds", 0.0) / 60
        reviews = v.get("reviews", 0)
        rows.append(
            LabellerRow(
                labeller=name,
                items=w.get("segments", 0),
                minutes=minutes,
                active_per_minute=w["active"] / minutes if minutes and w.get("active") else None,
                reviews=reviews,
                rejection_rate=v["rejections"] / reviews if reviews else None,
                golds=len(gold[name]),
                gold_accuracy=_one_minus(mean(gold[name])),
                drafted=len(draft[name]),
                draft_edit=mean(draft[name]),
                seconds=len(second[name]),
                agreement=_one_minus(mean(second[name])),
            )
        )
    return tuple(rows)


def _one_minus(error: float | None) -> float | None:
    return None if error is None else 1.0 - error


def pair_rows(answers: Iterable[dict[str, Any]]) -> tuple[PairRow, ...]:
    """Agreement per (first labeller, second labeller) from the 'second' answers, by pair."""
    errors: dict[tuple[str, str], list[float]] = defaultdict(list)
    for a in answers:
        if a["kind"] == "second" and a["other"]:
            errors[(a["other"], a["user_name"])].append(a["error"])
    return tuple(
        PairRow(first, second, len(e), sum(e) / len(e))
        for (first, second), e in sorted(errors.items())
    )
