"""The held-out set: a stable share of a project's final (approved or passed) segments that
no fine-tuning ever trains on, and the draft error measured on it.

The split is a hash of the segment id (`sampling.drawn(..., "heldout")`), so a segment stays
on its side as the project grows and a model's "before" and "after" are measured on the same
audio. The error is the project's headline metric (CER for Korean, else WER) in the spelling
form of its conventions, pooled over the segments (errors over reference length), as the
dashboard scores drafts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from workbench import store
from workbench.asr import Engine, Named, TranscribeOptions
from workbench.core.access import Action, require
from workbench.core.errors import WorkbenchError
from workbench.core.records import Measure, Project
from workbench.core.workbench import Workbench
from workbench.crowd.dashboard import metric_of
from workbench.jobs.transcribers import Sound, Transcriber, as_transcriber
from workbench.review.sampling import drawn
from workbench.text import load_profile
from workbench.text.metrics import score

DRAW = "heldout"  # the name of the draw (independent of review and double labelling)
MAX_SHARE = 0.5  # at most half the final segments are held out


@dataclass(frozen=True)
class Approved:
    """A final segment: where its audio is and what the people made of it."""

    segment_id: int
    recording: str  # the recording's original name
    working_path: str  # the recording's working copy, relative to the home
    start: float  # seconds
    end: float
    text: str

    @property
    def duration(self) -> float:
        return self.end - self.start


def approved_examples(wb: Workbench, project: Project) -> list[Approved]:
    """The project's final segments (approved, or passed without review) with their final
    text, by segment id; segments whose final text is empty are left out."""
    require(wb, Action.VIEW, project.id)
    return [
        Approved(r["id"], r["original_name"], r["working_path"], r["start"], r["end"], r["text"])
        for r in store.final_segments(wb.db, project.id)
        if (r["text"] or "").strip()
    ]


def held_out(examples: Sequence[Approved], share: float) -> list[Approved]:
    """The examples drawn for the held-out set at `share` (stable per segment)."""
    return [e for e in examples if drawn(e.segment_id, share, DRAW)]


def training(examples: Sequence[Approved], share: float) -> list[Approved]:
    """The examples left for training: those not held out at `share`."""
    return [e for e in examples if not drawn(e.segment_id, share, DRAW)]


def set_holdout_share(wb: Workbench, project: Project, share: float) -> Project:
    """An owner sets the share of final segments held out (0 to 50%); recorded in the log."""
    user = require(wb, Action.SETTINGS, project.id)
    share = round(float(share), 4)
    if not 0.0 <= share <= MAX_SHARE:
        raise WorkbenchError(f"the held-out share is between 0% and {MAX_SHARE:.0%}")
    if share == project.holdout_share:
        return project
    store.log_event(wb.db, user.name, "settings changed", project.id, {"holdout_share": share})
    return store.update_project(wb.db, project.id, holdout_share=share)


def draft_error(
    wb: Workbench,
    project: Project,
    engine: Engine | Transcriber,
    options: TranscribeOptions,
    examples: Sequence[Approved],
    rewrite: Callable[[str], str] | None = None,
    on_progress: Callable[[int, int], bool | None] | None = None,
) -> Measure:
    """Draft each example's audio with `engine` and score the drafts against the final texts
    (an owner's: it runs the model). `engine` hears in this process; a transcriber (the
    workers of a Ray cluster) wherever it runs, and is closed at the end. `rewrite` is
    applied to each draft first (the accepted rewrite rules, say). `on_progress(done,
    total)` is called before each example (on a cluster: while the workers hear); returning
    False stops early, and the measure covers the examples drafted so far."""
    require(wb, Action.DRAFT, project.id)
    metric = metric_of(project).lower()
    profile = load_profile(project.conventions)
    transcriber = as_transcriber(engine)
    per_segment: dict[int, tuple[int, int, float]] = {}  # segment id -> edits, length, seconds

    def stop() -> bool:
        return on_progress is not None and on_progress(len(per_segment), len(examples)) is False

    def sounds(example: Approved) -> list[Sound]:
        return [Sound(wb.path(example.working_path), span=(example.start, example.end))]

    try:
        for example, heard in transcriber.each(examples, sounds, options, stop):
            if isinstance(heard, Exception):
                raise heard
            draft = " ".join(p.text.strip() for p in heard[0].segments if p.text.strip())
            if rewrite is not None:
                draft = rewrite(draft)
            e, n = _edits(example.text, draft, metric, profile)
            per_segment[example.segment_id] = (e, n, example.duration)
    finally:
        transcriber.close()
    return _measure(metric, per_segment, transcriber)


def _measure(metric: str, per_segment: dict[int, tuple[int, int, float]], engine: Named) -> Measure:
    """The pooled error of the drafted examples (errors over reference length), by segment."""
    errors = sum(e for e, _, _ in per_segment.values())
    length = sum(n for _, n, _ in per_segment.values())
    seconds = sum(s for _, _, s in per_segment.values())
    rate = errors / length if length else float(errors)
    detail = {
        "engine": getattr(engine, "name", ""),
        "model": str(getattr(engine, "model", "")),
        "segments": [[i, e, n] for i, (e, n, _) in sorted(per_segment.items())],
    }
    return Measure(metric, round(rate, 6), len(per_segment), round(seconds, 3), detail)


def _edits(final: str, draft: str, metric: str, profile) -> tuple[int, int]:
    """(edits, reference length) of a draft against the final text."""
    unit = "char" if metric == "cer" else "word"
    try:
        counts = score(final, draft, unit=unit, profile=profile)
    except ValueError:  # nothing left of the final text once rendered
        return (0 if not draft.strip() else 1), 1
    return counts.errors, counts.reference_length


def record_measure(wb: Workbench, project: Project, step: str, measure: Measure) -> Measure:
    """Store a measure under `step` ('model base', 'model v2', 'vocabulary'...); as stored."""
    user = require(wb, Action.DRAFT, project.id)
    return store.add_measure(
        wb.db,
        project.id,
        step=step[:100],
        metric=measure.metric,
        error=measure.error,
        segments=measure.segments,
        seconds=measure.seconds,
        detail=measure.detail,
        created_by=user.name,
    )


def list_measures(wb: Workbench, project: Project) -> list[Measure]:
    """The project's stored measures, oldest first."""
    require(wb, Action.VIEW, project.id)
    return store.list_measures(wb.db, project.id)
