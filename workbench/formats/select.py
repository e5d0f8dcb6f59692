"""Which segments a batch takes: the filters of an export, as pure functions over rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from typing import Any

from workbench.core.errors import WorkbenchError
from workbench.core.records import FINISHED, Status
from workbench.formats.utterance import recording_uid

__all__ = [
    "DEFAULT_STATUS",
    "default_status",
    "STATUS_CHOICES",
    "Row",
    "Filters",
    "statuses_for",
    "revision_tags",
    "select",
    "matches_recording",
    "parse_when",
    "to_ranges",
    "from_ranges",
]

DEFAULT_STATUS = "labeled"  # a project that requires review: 'approved' (default_status)
# labeled: all labelled work; accepted: approved, or passed without review (sampling)
STATUS_CHOICES = ("approved", "accepted", "labeled", "drafted", "any")


def default_status(project) -> str:
    """The status an export takes unless told: where the project requires review, 'approved'
    (or 'accepted' when it reviews a sample: approved, or passed without review)."""
    if not getattr(project, "review_required", False):
        return DEFAULT_STATUS
    return "accepted" if getattr(project, "review_share", 1.0) < 1.0 else "approved"


@dataclass(frozen=True)
class Row:
    """A segment to export, with its recording and latest revision."""

    segment_id: int
    recording_id: int
    recording: str  # original name
    working_path: str
    source_path: str
    recording_duration: float  # seconds
    language: str | None
    start: float
    end: float
    speaker: str | None  # the segment's, else the recording's
    status: str
    text: str
    author: str  # of the latest revision
    revised_at: datetime  # of the latest revision, naive UTC
    asr_meta: dict[str, Any] | None = None
    tags: tuple[str, ...] = ()  # the segment's tags (noise, music, overlap...)
    revision_id: int | None = None  # the latest revision (its word timings)


@dataclass(frozen=True)
class Filters:
    """What an export takes; empty tuples and None take everything."""

    status: str = DEFAULT_STATUS
    recordings: tuple[str, ...] = ()  # ids, uids (rec000001), names or stems
    speakers: tuple[str, ...] = ()
    labellers: tuple[str, ...] = ()  # authors of the latest revision
    exclude_tags: tuple[str, ...] = ()  # leave out segments carrying any of these tags
    since: datetime | None = None  # latest revision at or after, naive UTC
    until: datetime | None = None  # latest revision at or before
    not_exported_before: bool = False
    tags_of: Callable[[Row], Iterable[str]] | None = field(default=None, compare=False)  # hook

    def describe(self) -> dict[str, Any]:
        """The filters as JSON for the exports table (only those that narrow the batch)."""
        out: dict[str, Any] = {"status": self.status}
        for name in ("recordings", "speakers", "labellers", "exclude_tags"):
            if getattr(self, name):
                out[name] = list(getattr(self, name))
        for name in ("since", "until"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name).isoformat()
        if self.not_exported_before:
            out["not_exported_before"] = True
        return out


def statuses_for(choice: str) -> list[str] | None:
    """The segment statuses an export's --status takes; None means any."""
    if choice not in STATUS_CHOICES:
        raise WorkbenchError(
            f"unknown status {choice!r}; choose one of {', '.join(STATUS_CHOICES)}"
        )
    if choice == "any":
        return None
    if choice == "labeled":  # labelled work includes what a reviewer has approved since
        return [s.value for s in FINISHED]
    if choice == "accepted":  # final: approved by a reviewer, or passed without review
        return [Status.APPROVED.value, Status.PASSED.value]
    return [choice]


def revision_tags(row: Row) -> set[str]:
    """A segment's tags: those the labeller set, and any `tags` in its latest revision's meta."""
    tags = (row.asr_meta or {}).get("tags") or []
    return {*row.tags, *(str(t) for t in tags)}


def matches_recording(recording_id: int, name: str, wanted: str) -> bool:
    """Whether `wanted` names a recording: by id, uid (rec000001), name, file name or stem."""
    wanted = wanted.strip()
    if wanted.isdigit():
        return int(wanted) == recording_id
    path = PurePath(name.replace("\\", "/"))
    return wanted in (recording_uid(recording_id), name, path.name, path.stem)


def select(rows: Iterable[Row], filters: Filters, exported: set[int] | None = None) -> list[Row]:
    """The rows that pass every filter but the status (which the query applies), in order."""
    tags_of = filters.tags_of or revision_tags
    excluded = set(filters.exclude_tags)
    out = []
    for row in rows:
        if filters.recordings and not any(
            matches_recording(row.recording_id, row.recording, w) for w in filters.recordings
        ):
            continue
        if filters.speakers and row.speaker not in filters.speakers:
            continue
        if filters.labellers and row.author not in filters.labellers:
            continue
        if filters.since is not None and row.revised_at < filters.since:
            continue
        if filters.until is not None and row.revised_at > filters.until:
            continue
        if filters.not_exported_before and exported and row.segment_id in exported:
            continue
        if excluded and excluded & set(tags_of(row)):
            continue
        out.append(row)
    return out


def parse_when(text: str | date | datetime | None, end: bool = False) -> datetime | None:
    """A date or date-time (ISO 8601, taken as UTC); a bare date as `until` means its whole day."""
    if text is None or text == "":
        return None
    if isinstance(text, datetime):
        value = text
    elif isinstance(text, date):
        value = datetime.combine(text, time.max if end else time.min)
    else:
        try:
            value = datetime.fromisoformat(text.strip())
        except ValueError:
            raise WorkbenchError(
                f"cannot read the date {text!r}; write it as 2025-03-31 or 2025-03-31T18:00"
            ) from None
        if end and len(text.strip()) == 10:
            value = value + timedelta(days=1) - timedelta(microseconds=1)
    offset = value.utcoffset()
    if offset is not None:
        value = (value - offset).replace(tzinfo=None)
    return value


def to_ranges(ids: Sequence[int]) -> list[list[int]]:
    """Sorted ids as [first, last] runs: how exports record the segments they took."""
    runs: list[list[int]] = []
    for i in sorted(set(ids)):
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return runs


def from_ranges(runs: Iterable[Sequence[int]]) -> set[int]:
    """The ids of `to_ranges`' runs."""
    return {i for first, last in runs for i in range(first, last + 1)}
