"""Records of the workbench (frozen dataclasses) and the pure rules that govern them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from workbench.core.errors import Kind, NotFound, WorkbenchError

__all__ = [
    "FINISHED",
    "Status",
    "Role",
    "User",
    "Word",
    "Project",
    "Recording",
    "Segment",
    "Speaker",
    "SPEAKER_FIELDS",
    "GENDERS",
    "AGE_GROUPS",
    "Revision",
    "Job",
    "SegmentView",
    "Edit",
    "StaleEdit",
    "InvalidEdit",
    "LOW_CONFIDENCE",
    "unsure_words",
    "draft_confidence",
    "check_bounds",
    "clean_text",
    "segment_uid",
]

LOW_CONFIDENCE = 0.5  # word probability under which the editor marks a word as unsure


class Status(StrEnum):
    """Where a segment is in the workflow: new -> drafted -> labeled -> approved | rejected.

    With review sampling (a project's review_share under 1), a labelled segment not drawn for
    review is 'passed': final without a review, never 'approved'.
    """

    NEW = "new"
    DRAFTED = "drafted"
    LABELLED = "labeled"  # stored values keep the spelling they were first stored with
    APPROVED = "approved"
    REJECTED = "rejected"
    PASSED = "passed"  # labelled, not drawn for review (sampling): final without a review
    DELETED = "deleted"  # removed by a labeller (undo restores it); never exported


FINISHED = (Status.LABELLED, Status.PASSED, Status.APPROVED)  # labelled work (review or not)
TODO = (Status.NEW.value, Status.DRAFTED.value, Status.REJECTED.value)  # the labeller's queue


@dataclass(frozen=True)
class QueueFilter:
    """Which segments the editor steps through, and in what order."""

    recording_id: int | None = None
    statuses: tuple[str, ...] = TODO
    flagged_only: bool = False
    order: str = "time"  # 'time' | 'flags first' | 'uncertain' (least confident draft first)


class Role(StrEnum):
    """What a person may do: a labeller labels, a reviewer also reviews, an owner does all."""

    LABELLER = "labeler"  # the stored value; names in code say "labeller"
    REVIEWER = "reviewer"
    OWNER = "owner"


@dataclass(frozen=True)
class User:
    """A person with an account. `name` is the sign-in name, unique, kept for attribution."""

    id: int | None  # None only for the built-in local operator (see context.LOCAL)
    name: str
    role: Role
    display_name: str = ""
    active: bool = True
    created_at: datetime | None = None

    @property
    def label(self) -> str:
        """How the person is shown: display name, else sign-in name."""
        return self.display_name or self.name

    @property
    def account_id(self) -> int:
        """The id of the person's account (NotFound for the local operator, who has none)."""
        if self.id is None:
            raise NotFound("the local operator has no account")
        return self.id


@dataclass(frozen=True)
class Word:
    word: str
    start: float  # seconds from the start of the recording
    end: float
    probability: float


@dataclass(frozen=True)
class Project:
    id: int
    name: str
    language: str  # "auto" or a language code such as "ko"
    conventions: str
    asr_engine: str
    asr_model: str
    created_at: datetime
    prompt: str | None = None  # hotwords / initial prompt passed to the engine
    max_segment: float = 20.0  # seconds: longer drafts are split at the largest pause
    min_segment: float = 0.5  # seconds: shorter drafts are merged into a neighbour
    per_channel: bool = False  # draft each channel of a stereo recording on its own
    speakers: tuple[str, ...] = ()  # the names labellers pick from
    guidelines: str | None = None  # Markdown by the owner; None: the conventions' own
    lint_blocks: bool = False  # whether lint errors block a save (else: confirm)
    review_required: bool = False  # export takes approved segments by default
    review_reasons: tuple[str, ...] = ()  # why a reviewer rejects; empty: the default list
    review_share: float = 1.0  # the share of each labeller's work drawn for review (sampling)
    review_raise_above: float = 0.2  # a labeller rejected more often is reviewed in full
    assignment: str = "off"  # hand out work by 'segment' or 'recording' claims; 'off': no claims
    claim_minutes: int = 30  # a claim nobody saves is free again after this
    qualify_required: bool = False  # labellers pass the gold test before their queue opens
    qualify_max_error: float = 0.1  # the test's pass mark: error rate (CER or WER) at most
    qualify_items: int = 0  # items an attempt draws from the test's gold (fresh ones first); 0: all
    gold_share: float = 0.0  # the share of a labeller's items that are hidden gold
    double_share: float = 0.0  # the share of segments labelled twice, blind
    agree_max_error: float = 0.1  # two labels further apart go to review
    warn_reject: float = 0.1  # defect rules: warn / pause a labeller above these rates
    pause_reject: float = 0.3
    warn_gold: float = 0.15
    pause_gold: float = 0.3
    rules_min: int = 10  # items judged before a rule applies
    rules_days: int = 7  # the window the rules count over
    pay_unit: str = "minute"  # 'item' | 'minute' (of audio)
    pay_rate: float = 0.0  # per item or per audio minute
    pay_weighted: bool = False  # weight pay by edit effort
    holdout_share: float = 0.1  # approved segments kept out of fine-tuning, to measure drafts on
    queue_order: str = "time"  # labellers' order: 'time' | 'uncertain' (least sure draft first)
    use_terms: bool = False  # prompt the next drafts with the project's enabled terms
    pay_answers: bool = False  # pay blind answers (second labels, hidden gold, test items) too
    time_zone: str | None = None  # IANA name: pay days, times shown by default; None: server's
    interface_language: str | None = None  # members who never chose one see it; None: by language


@dataclass(frozen=True)
class Recording:
    id: int
    project_id: int
    original_name: str
    sha256: str
    source_path: str
    working_path: str  # 16 kHz mono FLAC, relative to the workbench home
    peaks_path: str  # .npy of min/max per window, relative to the workbench home
    sample_rate: int  # of the original file
    channels: int  # of the original file
    num_samples: int  # of the working copy, at 16 kHz
    duration: float  # seconds
    speaker: str | None = None
    language: str | None = None  # detected or set at drafting
    metadata: dict[str, Any] = field(default_factory=dict)
    channels_path: str | None = None  # 16 kHz copy keeping the channels (2..8-channel sources)


# what a project's speaker registry knows of a speaker, besides the name (see Speaker)
SPEAKER_FIELDS = ("gender", "age", "region", "role")
GENDERS = ("female", "male", "other")  # a speaker's gender; "" when not known
# age groups in decades, as AI Hub's speech sets write them ("20대": twenty to twenty-nine)
AGE_GROUPS = ("10대 미만", *(f"{d}0대" for d in range(1, 9)), "90대 이상")


@dataclass(frozen=True)
class Speaker:
    """A speaker of a project's registry: what a deliverable says of the person behind a
    speaker name (the `speaker` of recordings and segments, AI Hub's speaker id). Fields not
    known are "" (never guessed); `position` orders the registry (the editor's keys)."""

    id: int
    project_id: int
    name: str  # unique in the project
    gender: str = ""  # one of GENDERS, or ""
    age: str = ""  # one of AGE_GROUPS, or ""
    region: str = ""  # region or dialect, as the project writes it ("서울/경기", "경상")
    role: str = ""  # the speaker's part ("사회자", "상담사", "고객")
    notes: str = ""  # the owner's own, never exported
    position: int = 0


@dataclass(frozen=True)
class Segment:
    id: int
    recording_id: int
    start: float
    end: float
    speaker: str | None
    status: Status
    assignee: str | None
    version: int
    flags: tuple[str, ...] = ()  # what a person must look at (see workbench.flags)
    tags: tuple[str, ...] = ()  # from the project's conventions: noise, music, overlap...
    comment: str = ""

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Revision:
    id: int
    segment_id: int
    n: int
    text: str
    start: float
    end: float
    source: str  # 'asr' | 'human' | 'review' | 'import'
    author: str
    created_at: datetime
    asr_meta: dict[str, Any] | None = None
    op: str | None = None  # 'edit', 'split', 'merge', 'delete', 'restore'...; None for drafts
    status: str | None = None  # the segment's status after this revision
    speaker: str | None = None
    tags: tuple[str, ...] = ()
    comment: str = ""
    active_seconds: float = 0.0  # time the labeller spent actively editing before this save

    @property
    def words(self) -> list[Word]:
        """Word timings of an ASR revision, empty for others."""
        raw = (self.asr_meta or {}).get("words") or []
        return [Word(w["word"], w["start"], w["end"], w["probability"]) for w in raw]


@dataclass(frozen=True)
class Job:
    id: int
    project_id: int
    kind: str  # 'import' | 'draft' | 'audit' | 'export'
    state: str  # 'running' | 'done' | 'failed' | 'cancelled'
    params: dict[str, Any]
    total: float  # units of work, e.g. seconds of audio
    done: float
    message: str
    error: str | None
    created_at: datetime
    updated_at: datetime  # the heartbeat: touched every few seconds while the job runs
    worker_pid: int | None = None  # the process running it, on `worker_host`
    worker_host: str | None = None

    @property
    def progress(self) -> float:
        """Fraction done in [0, 1]."""
        return 1.0 if self.total <= 0 else min(1.0, self.done / self.total)


@dataclass(frozen=True)
class ModelVersion:
    """A project's fine-tuned drafting model (see workbench.tuning): version `n`, a CT2 folder
    at `path` (relative to the home), trained from `base` by `method` on `train_segments`
    approved segments, measured on `heldout_segments` others before (`error_before`: the
    project's model then) and after (`error_after`)."""

    id: int
    project_id: int
    n: int
    engine: str
    path: str
    base: str
    method: str  # 'lora' | 'decoder' | 'full'
    params: dict[str, Any]
    state: str  # 'training' | 'ready' | 'failed' | 'cancelled'
    created_by: str
    created_at: datetime
    job_id: int | None = None
    train_segments: int = 0
    heldout_segments: int = 0
    metric: str | None = None  # 'cer' | 'wer'
    error_before: float | None = None
    error_after: float | None = None
    promoted_at: datetime | None = None  # when it first became the project's drafting model

    @property
    def better(self) -> bool:
        """Whether it drafts the held-out segments with fewer errors than the model before."""
        return (
            self.error_after is not None
            and self.error_before is not None
            and self.error_after < self.error_before
        )


@dataclass(frozen=True)
class Measure:
    """Draft error on held-out approved segments: `error` in `metric` ('cer' | 'wer') over
    `segments` segments (`seconds` of audio); stored per adaptation `step` ('baseline',
    'model 2', ...) when recorded."""

    metric: str
    error: float
    segments: int
    seconds: float
    detail: dict[str, Any] = field(default_factory=dict)
    step: str = ""
    id: int | None = None
    project_id: int | None = None
    created_by: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class SegmentView:
    """A segment with its recording and its latest revision: what the editor shows."""

    segment: Segment
    recording: Recording
    latest: Revision | None
    draft: Revision | None  # the first ASR revision, if any
    timed: tuple[Word, ...] | None = None  # the latest revision's words timed, once aligned

    @property
    def text(self) -> str:
        return self.latest.text if self.latest else ""


@dataclass(frozen=True)
class Edit:
    """A labeller's change to one segment, as a save writes it."""

    text: str
    start: float
    end: float
    status: Status = Status.LABELLED
    speaker: str | None = None
    tags: tuple[str, ...] = ()
    comment: str = ""
    op: str = "edit"
    active_seconds: float = 0.0
    flags: tuple[str, ...] | None = None  # the segment's flags after the edit; None: unchanged
    draft: str | None = None  # the draft text this part came from (split, merge): kept on
    # the revision's asr_meta as draft_text, so "vs draft" still has its draft


class StaleEdit(WorkbenchError):
    """A save named a segment version that another save has since replaced."""

    kind = Kind.CONFLICT

    def __init__(self, segment_id: int, expected: int, current: int, current_text: str):
        super().__init__(
            f"segment #{segment_id} was saved by someone else since you opened it "
            f"(your version {expected}, now {current}); the newer text is: {current_text!r}"
        )
        self.segment_id = segment_id
        self.current_version = current
        self.current_text = current_text


class InvalidEdit(WorkbenchError, ValueError):
    """An edit that breaks a rule (boundaries outside the recording, end before start...)."""


def unsure_words(words: list[Word], threshold: float = LOW_CONFIDENCE) -> list[bool]:
    """For each word, whether its probability is under `threshold`."""
    return [w.probability < threshold for w in words]


def draft_confidence(asr_meta: dict[str, Any] | None) -> float | None:
    """How sure the engine was of a draft: the mean probability of its words, else
    exp(avg_logprob); None without either (the rule migration 0011 backfilled with)."""
    meta = asr_meta or {}
    probabilities = [
        w.get("probability") for w in meta.get("words") or [] if w.get("probability") is not None
    ]
    if probabilities:
        return sum(probabilities) / len(probabilities)
    if meta.get("avg_logprob") is not None:
        return math.exp(meta["avg_logprob"])
    return None


def check_bounds(start: float, end: float, duration: float) -> tuple[float, float]:
    """Validate segment boundaries against a recording; returns them rounded to the millisecond."""
    if not (math.isfinite(start) and math.isfinite(end)):
        raise InvalidEdit("start and end must be numbers")
    start, end = round(start, 3), round(end, 3)
    if start < 0:
        raise InvalidEdit(f"start {start:.3f} s is before the recording begins")
    if end > round(duration, 3) + 0.001:
        raise InvalidEdit(f"end {end:.3f} s is after the recording ends ({duration:.3f} s)")
    if end <= start:
        raise InvalidEdit(f"end {end:.3f} s must be after start {start:.3f} s")
    return start, min(end, round(duration, 3))


def clean_text(text: str) -> str:
    """Text as stored: NFC-normalised, inner whitespace collapsed, trimmed, without control
    characters or bidi overrides (`workbench.text.clean.clean_text`)."""
    from workbench.text.clean import clean_text as cleaned

    return cleaned(text)


def segment_uid(recording_id: int, segment_id: int) -> str:
    """A segment's id in exports: stable across exports and filters, recording first."""
    return f"rec{recording_id:06d}-seg{segment_id:07d}"
