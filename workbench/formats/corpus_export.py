"""Export a batch of segments as a training corpus, atomically.

The batch is selected (`export.select`), its text put in shape (`export.textform`), split
(`export.split`), its audio cut (`export.clips`) and its manifests written (`export.layout`,
with the writer module of the format). The corpus is written into a temporary folder beside
the destination and renamed into place only when complete, so a crash, a failure or a cancel
never leaves a half-written corpus under the destination's name. That folder is hidden and
names its process (`.NAME.part-<owner>`, see `leftovers`): the next export beside it removes
it once that process is gone (killed). Each export is recorded
with its filters, options, counts, hours and the checksum of its manifests.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import soundfile as sf

from workbench import store
from workbench.audio.working import SAMPLE_RATE
from workbench.core.access import Action, require
from workbench.core.errors import Cancelled, Kind, NotFound, WorkbenchError
from workbench.core.records import Project, Speaker, Status, Word, segment_uid
from workbench.core.workbench import Workbench
from workbench.formats import CLIP_MODES, FORMAT_INFO, FORMATS, MISSING_SPEAKERS, kspon, nemo
from workbench.formats.clips import Cutter, write_whole
from workbench.formats.layout import MANIFEST, write_lines, write_manifests
from workbench.formats.select import (
    DEFAULT_STATUS,
    STATUS_CHOICES,
    Filters,
    Row,
    default_status,
    from_ranges,
    matches_recording,
    parse_when,
    select,
    statuses_for,
    to_ranges,
)
from workbench.formats.speakers import missing_message, missing_metadata
from workbench.formats.split import SPLIT_BY, assign_splits, parse_split
from workbench.formats.textform import TextHook, keep_tags, resolve_tag_mode, resolve_text_form
from workbench.formats.utterance import AudioFile, Utterance, one_line, recording_uid, safe_stem
from workbench.jobs.leftovers import TAG, owner_tag, remove_stale
from workbench.text.conventions import DUAL_ORDERS, load_profile
from workbench.text.forms import TAG_MODES, render

__all__ = [
    "DEFAULT_STATUS",
    "STATUS_CHOICES",
    "CONVENTION_FORMS",
    "CONVENTION_TAG_MODES",
    "FILLERS",
    "default_status",
    "MANIFEST",
    "SEGMENTS",
    "CHECKSUMS",
    "Filters",
    "ExportOptions",
    "ExportResult",
    "ExportCancelled",
    "statuses_for",
    "export_batch",
    "filter_choices",
    "exported_segment_ids",
    "zip_folder",
    "build_request",
    "default_out",
    "past_exports",
    "export_zip",
]

log = logging.getLogger(__name__)

SEGMENTS = "segments.txt"  # the segment ids of a corpus folder, one a line, in corpus order
CHECKSUMS = "MANIFESTS.sha256"  # `sha256sum -c` list of the manifests; its sha256 is recorded
RATE_CHOICES = (8000, 16000, 22050, 24000, 44100, 48000)  # offered by the page; any rate works
ORIGINAL = "original"


CONVENTION_FORMS = ("written", "spelling", "pronunciation")  # rendered by the project's profile
CONVENTION_TAG_MODES = TAG_MODES  # the profile's own tags; map: as its export.tag_map says
FILLERS = ("keep", "drop")  # filler words and repeated fragments in the spelling/pronunciation form


def text_hooks(project: Project, options: ExportOptions, fmt: str) -> tuple[TextHook, TextHook]:
    """The (tag handling, text form) hooks of an export in `fmt`.

    The forms of the transcription conventions (written, spelling, pronunciation; 'as-written'
    is 'written') are rendered by the project's convention profile, which also knows its own
    tags (KsponSpeech's `u/`, verbatim-en's [inaudible]), which of them make a segment
    unusable for training, what they map to ('map'), which words are fillers (`fillers`
    'drop' leaves them out, with repeated fragments) and, for AI Hub label files, in which
    order their dual transcriptions are written. A profile without tags leaves tags to the
    generic bracket hooks.
    """
    form = "written" if options.text_form == "as-written" else options.text_form
    if options.fillers not in FILLERS:
        raise WorkbenchError(
            f"fillers must be one of {', '.join(FILLERS)}, not {options.fillers!r}"
        )
    if options.fillers == "drop" and form not in ("spelling", "pronunciation"):
        raise WorkbenchError("fillers are left out of the spelling or pronunciation form only")
    if not (isinstance(form, str) and form in CONVENTION_FORMS):
        return resolve_tag_mode(options.tags), resolve_text_form(options.text_form)
    profile = load_profile(project.conventions)
    delivered = fmt in FORMAT_INFO and FORMAT_INFO[fmt].dual_order
    order = profile.dual_order if delivered else DUAL_ORDERS[0]
    shape = {"form": form, "disfluencies": options.fillers, "dual_order": order}
    if profile.tags and isinstance(options.tags, str) and options.tags in CONVENTION_TAG_MODES:
        mode = options.tags
        return keep_tags, lambda text: render(text, profile, tags=mode, **shape)
    return resolve_tag_mode(options.tags), lambda text: render(text, profile, tags="keep", **shape)


class ExportCancelled(Cancelled):
    """The export was cancelled; nothing was left behind."""


@dataclass(frozen=True)
class ExportOptions:
    """How the batch is written (what it takes is `Filters`)."""

    clips: str | None = None  # 'wav' | 'flac' | 'none' (whole recordings); None: the format's own
    sample_rate: int | str | None = None  # Hz; None: 16000 (working copies); 'original': source's
    padding: float = 0.0  # seconds added either side of each segment, within its recording
    text_form: str | TextHook = "as-written"  # a name in textform.TEXT_FORMS or a callable
    tags: str | TextHook = "keep"  # inline tag handling: a name in textform.TAG_MODES or a callable
    fillers: str = "keep"  # 'drop': fillers and repeated fragments left out (ESPnet's 'fl')
    split: str | tuple[float, ...] = ()  # '0.8,0.1,0.1': train, dev, test shares of audio time
    split_by: str = "segment"  # 'segment' | 'recording' | 'speaker': what may not straddle splits
    seed: int = 0
    words: bool = False  # word timings where a format takes them as an option (FormatInfo.words)
    raw_cells: bool = False  # CSV/TSV text as it is (for programs), not defused for spreadsheets
    # a format's speaker fields the registry lacks: 'refuse' the export, or write them 'blank'
    missing_speakers: str = "refuse"

    def describe(self) -> dict[str, Any]:
        """The options as JSON for the exports table."""

        def name(hook: str | TextHook) -> str:
            return hook if isinstance(hook, str) else getattr(hook, "__name__", "custom")

        return {
            "clips": self.clips,
            "sample_rate": self.sample_rate,
            "padding": self.padding,
            "text_form": name(self.text_form),
            "tags": name(self.tags),
            "fillers": self.fillers,
            "split": list(parse_split(self.split)),
            "split_by": self.split_by,
            "seed": self.seed,
            "words": self.words,
            "raw_cells": self.raw_cells,
            "missing_speakers": self.missing_speakers,
        }


@dataclass(frozen=True)
class ExportResult:
    path: Path
    segments: int
    seconds: float
    checksum: str  # sha256 of MANIFESTS.sha256, the list of the manifests' sha256
    export_id: int
    # name -> (segments, seconds)
    splits: dict[str, tuple[int, float]] = field(default_factory=dict)
    files: tuple[str, ...] = ()  # manifests written, relative to `path`
    dropped: int = 0  # segments the text hooks left out
    warnings: tuple[str, ...] = ()

    @property
    def hours(self) -> float:
        return self.seconds / 3600


@dataclass(frozen=True)
class _Plan:
    """Everything the writers need besides the segments, settled before anything is written."""

    fmt: str
    clips: str  # 'wav' | 'flac' | 'none'
    rate: int | None  # None: each source's own (original rate)
    original: bool
    padding: float
    language: str | None
    words: bool = False  # the utterances carry the saved text's word timings (see FormatInfo)
    raw_cells: bool = False
    registry: Mapping[str, Speaker] = field(default_factory=dict)  # the speakers, by name


PART = re.compile(rf"\..+\.part-{TAG}")  # an export or zip being written, by its process


def export_batch(
    wb: Workbench,
    project: Project,
    out: Path,
    fmt: str = "nemo",
    status: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    filters: Filters | None = None,
    options: ExportOptions | None = None,
    cancel: Callable[[], bool] | None = None,
) -> ExportResult:
    """Write `project`'s segments passing `filters` to the folder `out` (which must not hold files).

    `status` overrides `filters.status`. `progress(done, total)` is called per segment;
    `cancel()` returning True stops the export with ExportCancelled and leaves nothing.
    Only owners export; the export is recorded with the acting user.
    """
    author = require(wb, Action.EXPORT, project.id).name
    filters = filters or Filters()
    if status is not None:
        filters = replace(filters, status=status)
    options = options or ExportOptions()
    plan = _plan(fmt, options, project)
    statuses = statuses_for(filters.status)
    ratios = parse_split(options.split)
    if options.split_by not in SPLIT_BY:
        raise WorkbenchError(
            f"unknown split-by {options.split_by!r}; choose one of {', '.join(SPLIT_BY)}"
        )
    hooks = text_hooks(project, options, fmt)
    out = Path(out).resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise WorkbenchError(f"{out} already exists and is not an empty folder", kind=Kind.CONFLICT)

    chosen, texts, dropped = _choose(wb, project, filters, statuses, hooks)
    if plan.original:
        _check_originals(wb, chosen)
    plan = replace(plan, registry={s.name: s for s in store.list_speakers(wb.db, project.id)})
    warnings = _speaker_metadata(plan, chosen, options.missing_speakers)
    splits = (
        assign_splits(chosen, ratios, options.split_by, options.seed) if ratios else {"": chosen}
    )
    warnings += tuple(f"split {name!r} is empty" for name, part in splits.items() if not part)
    ticker = _Ticker(len(chosen), progress, cancel)
    return _write_atomically(
        wb,
        project,
        plan,
        splits,
        texts,
        out,
        ticker,
        record=lambda corpus: _recorded(
            wb, project, author, out, plan.fmt, filters, options, corpus, dropped, warnings
        ),
    )


@dataclass(frozen=True)
class _Corpus:
    """What an export wrote: the utterances of each split ('' without splits), the manifests
    (relative to the corpus folder) and the checksum of their list."""

    written: dict[str, list[Utterance]]
    manifests: list[str]
    checksum: str


def _choose(
    wb: Workbench,
    project: Project,
    filters: Filters,
    statuses: list[str] | None,
    hooks: tuple[TextHook, TextHook],
) -> tuple[list[Row], dict[int, str], int]:
    """The batch: the rows passing `filters` whose text the hooks keep, those texts shaped by
    the hooks (by segment id), and how many the hooks dropped. Nothing left is a ValueError."""
    rows = _rows(wb.db, project.id, statuses)
    _check_recordings(wb, project, filters)
    exported = exported_segment_ids(wb, project) if filters.not_exported_before else set()
    chosen = select(rows, filters, exported)
    texts, dropped = _shape_texts(chosen, *hooks)
    chosen = [r for r in chosen if r.segment_id in texts]
    if not chosen:
        raise WorkbenchError(_nothing_matches(project, filters, len(rows), dropped))
    return chosen, texts, dropped


def _write_atomically(
    wb: Workbench,
    project: Project,
    plan: _Plan,
    splits: dict[str, list[Row]],
    texts: dict[int, str],
    out: Path,
    ticker: _Ticker,
    record: Callable[[_Corpus], ExportResult],
) -> ExportResult:
    """Write the corpus into a hidden folder beside `out`, `record` it when complete, then
    rename it into place; on any failure (or a cancel) remove that folder (and the record, if
    the rename failed) and raise: the folder is in place exactly when it is recorded."""
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(out.parent, PART)  # what killed exports left beside it
    tmp = out.with_name(f".{out.name}.part-{owner_tag()}")
    shutil.rmtree(tmp, ignore_errors=True)
    result = None
    try:
        written, manifests = _write_splits(wb, plan, splits, texts, tmp, ticker)
        result = record(_Corpus(written, manifests, _write_checksums(tmp, manifests)))
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException as exc:
        if result is not None:
            store.forget_export(wb.db, result.export_id)
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, ExportCancelled):
            log.info("export of project %r to %s cancelled", project.name, out)
        else:
            log.exception(
                "export of project %r to %s failed; nothing was left behind", project.name, out
            )
        raise
    return result


def _write_splits(
    wb: Workbench,
    plan: _Plan,
    splits: dict[str, list[Row]],
    texts: dict[int, str],
    tmp: Path,
    ticker: _Ticker,
) -> tuple[dict[str, list[Utterance]], list[str]]:
    """Each non-empty split's audio, manifests and segment list, in its own folder of `tmp`
    (in `tmp` itself without splits): its utterances by split, and the manifests written."""
    written: dict[str, list[Utterance]] = {}
    manifests: list[str] = []
    for name, part in splits.items():
        if not part:
            continue
        folder = tmp / name if name else tmp
        folder.mkdir(parents=True)
        utterances = _write_audio(wb, plan, part, texts, folder, ticker)
        approved = frozenset(r.segment_id for r in part if r.status == Status.APPROVED.value)
        files = write_manifests(plan.fmt, utterances, folder, approved, plan.raw_cells)
        files.append(write_lines(folder / SEGMENTS, [str(u.segment_id) for u in utterances]))
        manifests += [f"{name}/{f}" if name else f for f in files]
        written[name] = utterances
    return written, manifests


def _recorded(
    wb: Workbench,
    project: Project,
    author: str,
    out: Path,
    fmt: str,
    filters: Filters,
    options: ExportOptions,
    corpus: _Corpus,
    dropped: int,
    warnings: tuple[str, ...],
) -> ExportResult:
    """Record the export (and log the event) with the acting user; its result."""
    written = corpus.written
    every = [u for part in written.values() for u in part]
    seconds = sum(u.duration for u in every)
    export_id = store.record_export(
        wb.db,
        project_id=project.id,
        format=fmt,
        path=str(out),
        filters={**filters.describe(), "options": options.describe()},
        counts=_counts(every, written, dropped),
        hours=seconds / 3600,
        checksum=corpus.checksum,
        created_by=author,
    )
    store.log_event(
        wb.db,
        author,
        "export",
        project.id,
        {
            "export": export_id,
            "format": fmt,
            "segments": len(every),
            "hours": round(seconds / 3600, 4),
        },
    )
    return ExportResult(
        path=out,
        segments=len(every),
        seconds=seconds,
        checksum=corpus.checksum,
        export_id=export_id,
        splits={n: (len(p), sum(u.duration for u in p)) for n, p in written.items() if n},
        files=tuple(corpus.manifests),
        dropped=dropped,
        warnings=warnings,
    )


# ---------------------------------------------------------------- settling the options


def _plan(fmt: str, options: ExportOptions, project: Project) -> _Plan:
    if fmt not in FORMATS:
        raise WorkbenchError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    info = FORMAT_INFO[fmt]
    clips = options.clips or info.clips[0]
    if clips not in CLIP_MODES:
        raise WorkbenchError(f"unknown clips {clips!r}; choose one of {', '.join(CLIP_MODES)}")
    if clips not in info.clips:
        raise WorkbenchError(f"{fmt} takes clips {' or '.join(info.clips)}, not {clips!r}")
    rate, original = parse_rate(options.sample_rate)
    if clips == "pcm" and rate != kspon.SAMPLE_RATE:
        raise WorkbenchError(
            f"headerless PCM clips are {kspon.SAMPLE_RATE} Hz (nothing in the "
            "file says its rate); choose that sample rate"
        )
    padding = float(options.padding)
    if not padding >= 0 or padding > 60:
        raise WorkbenchError(f"padding must be between 0 and 60 seconds, not {options.padding!r}")
    if options.missing_speakers not in MISSING_SPEAKERS:
        raise WorkbenchError(
            f"missing speakers must be one of {', '.join(MISSING_SPEAKERS)}, "
            f"not {options.missing_speakers!r}"
        )
    language = None if project.language in ("", "auto") else project.language
    words = info.words == "always" or (info.words == "option" and options.words)
    return _Plan(fmt, clips, rate, original, padding, language, words, bool(options.raw_cells))


def parse_rate(value: int | str | None) -> tuple[int | None, bool]:
    """(rate in Hz or None for each source's own, whether that is the original file's)."""
    if value in (None, ""):
        return SAMPLE_RATE, False
    if isinstance(value, str) and value.strip().lower() == ORIGINAL:
        return None, True
    try:
        rate = int(value)
    except (TypeError, ValueError):
        raise WorkbenchError(
            f"sample rate must be a number of Hz or 'original', not {value!r}"
        ) from None
    if not 1000 <= rate <= 384000:
        raise WorkbenchError(f"sample rate must be between 1000 and 384000 Hz, not {rate}")
    return rate, False


def _speaker_metadata(plan: _Plan, rows: list[Row], missing: str) -> tuple[str, ...]:
    """What the format needs of the batch's speakers (FormatInfo.speaker_fields) and the
    registry lacks: refused naming each speaker and field (WorkbenchError), or with `missing`
    'blank' the warning that says what was written empty."""
    info = FORMAT_INFO[plan.fmt]
    if not info.speaker_fields:
        return ()
    names = [one_line(r.speaker or "") for r in rows]
    lacking = missing_metadata(plan.registry.values(), filter(None, names), info.speaker_fields)
    unnamed = names.count("")
    if not lacking and not unnamed:
        return ()
    message = missing_message(info.label, lacking, unnamed)
    if missing == "blank":
        return (f"{message} (written empty)",)
    raise WorkbenchError(
        f"{message}. Fill them in on the Speakers page (or with the speakers command), or "
        "export with the missing speaker fields written empty."
    )


def _check_recordings(wb: Workbench, project: Project, filters: Filters) -> None:
    """A --recording that names no recording of the project is a mistake, not an empty batch."""
    if not filters.recordings:
        return
    known = [(r.id, r.original_name) for r in store.list_recordings(wb.db, project.id)]
    for wanted in filters.recordings:
        if not any(matches_recording(rid, name, wanted) for rid, name in known):
            raise NotFound(f"no recording {wanted!r} in project {project.name!r}")


def _check_originals(wb: Workbench, rows: list[Row]) -> None:
    for rec_id in dict.fromkeys(r.recording_id for r in rows):
        row = next(r for r in rows if r.recording_id == rec_id)
        _original_path(wb, row)


def _original_path(wb: Workbench, row: Row) -> Path:
    path = Path(row.source_path)
    candidates = [path] if path.is_absolute() else [Path.cwd() / path, wb.settings.home / path]
    found = next((p for p in candidates if p.is_file()), None)
    if found is None:
        raise WorkbenchError(
            f"the original rate is not available for {row.recording}: its source "
            f"file {row.source_path} is gone; choose a sample rate",
            kind=Kind.UNAVAILABLE,
        )
    try:
        sf.info(str(found))
    except (sf.LibsndfileError, RuntimeError) as exc:
        log.warning("export: cannot read the original file %s of %s: %s", found, row.recording, exc)
        raise WorkbenchError(
            f"the original rate is not available for {row.recording}: "
            f"{found.suffix} files cannot be read by seeking; choose a sample "
            "rate",
            kind=Kind.UNAVAILABLE,
        ) from None
    return found


def _shape_texts(
    rows: list[Row], tag_hook: TextHook, text_hook: TextHook
) -> tuple[dict[int, str], int]:
    """Segment id -> text after the tag and text hooks, and how many they dropped."""
    texts, dropped = {}, 0
    for row in rows:
        text = tag_hook(row.text)
        text = text_hook(text) if text is not None else None
        if text is None:
            dropped += 1
        else:
            texts[row.segment_id] = " ".join(text.split())
    return texts, dropped


def _nothing_matches(project: Project, filters: Filters, with_status: int, dropped: int) -> str:
    message = f"no segments with status {filters.status!r} in project {project.name!r}"
    if with_status and dropped:
        return f"{message} are left: the text options dropped {dropped}"
    if with_status:
        narrowing = ", ".join(k for k in filters.describe() if k != "status")
        return f"{message} match the filters ({narrowing})"
    return message


# ---------------------------------------------------------------- audio


class _Ticker:
    def __init__(
        self,
        total: int,
        progress: Callable[[int, int], None] | None,
        cancel: Callable[[], bool] | None,
    ):
        self.total, self.done, self.progress, self.cancel = total, 0, progress, cancel

    def check(self) -> None:
        if self.cancel is not None and self.cancel():
            raise ExportCancelled("the export was cancelled; nothing was written")

    def tick(self, n: int = 1) -> None:
        self.done += n
        if self.progress:
            self.progress(self.done, self.total)


def _source(wb: Workbench, plan: _Plan, row: Row) -> Path:
    return _original_path(wb, row) if plan.original else wb.path(row.working_path)


def _span(plan: _Plan, row: Row) -> tuple[float, float]:
    return max(0.0, row.start - plan.padding), min(row.recording_duration, row.end + plan.padding)


def _utterance(
    plan: _Plan,
    row: Row,
    text: str,
    audio: AudioFile | None,
    clip: bool,
    timed: Sequence[Word] = (),
) -> Utterance:
    start, end = _span(plan, row)
    offset = 0.0 if clip else start
    speaker = one_line(row.speaker or "") or None  # no control characters, even in old data
    return Utterance(
        uid=segment_uid(row.recording_id, row.segment_id),
        segment_id=row.segment_id,
        recording_id=row.recording_id,
        recording=row.recording,
        recording_uid=recording_uid(row.recording_id),
        start=start,
        end=end,
        text=text,
        speaker=speaker,
        language=row.language or plan.language,
        audio=audio,
        offset=offset,
        clip=clip,
        written=row.text,
        words=carried_words(text, timed, offset - start),
        speaker_entry=plan.registry.get(speaker) if speaker else None,
    )


def carried_words(
    text: str, timed: Sequence[Word], shift: float
) -> tuple[tuple[str, float, float], ...]:
    """The exported text's words with the saved text's word times moved by `shift` seconds
    (recording time to the audio's), where the two have as many words (the text options kept
    each word a word: case, punctuation); none where they differ (a tag dropped, a dual
    transcription's other side), rather than times on the wrong words."""
    words = text.split()
    if not timed or len(words) != len(timed):
        return ()
    return tuple(
        (word, round(t.start + shift, 3), round(t.end + shift, 3))
        for word, t in zip(words, timed, strict=True)
    )


def _write_audio(
    wb: Workbench,
    plan: _Plan,
    rows: list[Row],
    texts: dict[int, str],
    folder: Path,
    ticker: _Ticker,
) -> list[Utterance]:
    """Cut the clips (or copy the whole recordings) of `rows` into `folder`; their utterances."""
    info = FORMAT_INFO[plan.fmt]
    clip = info.audio and plan.clips != "none"
    audios: Sequence[tuple[Row, AudioFile | None]]
    if not info.audio:
        ticker.check()
        ticker.tick(len(rows))
        audios = [(r, None) for r in rows]
    elif clip:
        audios = _cut_clips(wb, plan, rows, folder, ticker)
    else:
        audios = _copy_recordings(wb, plan, rows, folder, ticker)
    timed = (
        store.timed_words(wb.db, [r.revision_id for r in rows if r.revision_id is not None])
        if plan.words
        else {}
    )
    return [
        _utterance(plan, r, texts[r.segment_id], audio, clip, timed.get(r.revision_id or 0, ()))
        for r, audio in audios
    ]


def _copy_recordings(
    wb: Workbench, plan: _Plan, rows: list[Row], folder: Path, ticker: _Ticker
) -> list[tuple[Row, AudioFile]]:
    """Write the whole recordings of `rows` into `folder`: each row with its recording's file."""
    info = FORMAT_INFO[plan.fmt]
    kind = info.whole
    where = "" if info.per_recording else "audio/"
    if where:
        (folder / "audio").mkdir()
    copies = []
    for rec_id, part in _by_recording(rows):
        ticker.check()
        stem = recording_uid(rec_id)
        if info.per_recording:
            stem = f"{stem}-{safe_stem(part[0].recording)}"
        relative = f"{where}{stem}.{kind}"
        audio = write_whole(_source(wb, plan, part[0]), folder / relative, kind, plan.rate)
        audio = replace(audio, path=relative)
        copies += [(r, audio) for r in part]
        ticker.tick(len(part))
    return copies


def _cut_clips(
    wb: Workbench, plan: _Plan, rows: list[Row], folder: Path, ticker: _Ticker
) -> list[tuple[Row, AudioFile]]:
    """Cut the clip of each row into `folder`: each row with its clip."""
    cutter = Cutter(plan.clips, plan.rate)
    clips = []
    try:
        for n, row in enumerate(rows, 1):
            ticker.check()
            uid = segment_uid(row.recording_id, row.segment_id)
            relative = kspon.clip_path(n) if plan.fmt == "kspon" else f"clips/{uid}{cutter.suffix}"
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            start, end = _span(plan, row)
            audio = cutter.cut(_source(wb, plan, row), start, end, folder / relative)
            clips.append((row, replace(audio, path=relative)))
            ticker.tick()
    finally:
        cutter.close()
    return clips


def _by_recording(rows: list[Row]) -> Iterator[tuple[int, list[Row]]]:
    groups: dict[int, list[Row]] = {}
    for r in rows:
        groups.setdefault(r.recording_id, []).append(r)
    yield from groups.items()


def _write_checksums(folder: Path, manifests: list[str]) -> str:
    """Write MANIFESTS.sha256 (sha256sum's format) and return the sha256 of that list."""
    lines = [
        f"{hashlib.sha256((folder / m).read_bytes()).hexdigest()}  {m}" for m in sorted(manifests)
    ]
    write_lines(folder / CHECKSUMS, lines)
    return hashlib.sha256((folder / CHECKSUMS).read_bytes()).hexdigest()


def _counts(every: list[Utterance], written: dict[str, list[Utterance]], dropped: int) -> dict:
    counts: dict[str, Any] = {
        "segments": len(every),
        "recordings": len({u.recording_id for u in every}),
        "speakers": len({u.speaker for u in every if u.speaker}),
        "dropped_by_text": dropped,
        "segment_id_ranges": to_ranges([u.segment_id for u in every]),
    }
    if any(written):
        counts["splits"] = {
            name: {"segments": len(part), "hours": sum(u.duration for u in part) / 3600}
            for name, part in written.items()
        }
    return counts


# ---------------------------------------------------------------- queries


def _rows(db, project_id: int, statuses: list[str] | None) -> list[Row]:
    """Segments with their recording and latest revision, in recording then time order."""
    return [Row(**row) for row in store.export_rows(db, project_id, statuses)]


def build_request(
    status: str = DEFAULT_STATUS,
    recordings=(),
    speakers=(),
    labellers=(),
    exclude_tags: str | Sequence[str] = (),
    since=None,
    until=None,
    not_exported_before: bool = False,
    clips: str | None = None,
    sample_rate: int | str | None = None,
    padding: float | str = 0.0,
    text_form: str = "as-written",
    tags: str = "keep",
    split: str = "",
    split_by: str = "segment",
    seed: int | str = 0,
    fillers: str = "keep",
    words: bool = False,
    raw_cells: bool = False,
    missing_speakers: str = "refuse",
) -> tuple[Filters, ExportOptions]:
    """The filters and options of an export from plain values, as the page and the CLI get them.

    `exclude_tags` may be a comma-separated string; `since`/`until` dates, datetimes or ISO
    strings; numbers may come as strings (a bad one is a WorkbenchError naming the field).
    """
    if isinstance(exclude_tags, str):
        exclude_tags = exclude_tags.split(",")
    filters = Filters(
        status=status,
        recordings=tuple(recordings),
        speakers=tuple(speakers),
        labellers=tuple(labellers),
        exclude_tags=tuple(t.strip() for t in exclude_tags if t.strip()),
        since=parse_when(since),
        until=parse_when(until, end=True),
        not_exported_before=not_exported_before,
    )
    options = ExportOptions(
        clips=clips,
        sample_rate=sample_rate,
        padding=_number(padding, "padding", float),
        text_form=text_form,
        tags=tags,
        fillers=fillers,
        split=split or (),
        split_by=split_by,
        seed=_number(seed, "seed", int),
        words=bool(words),
        raw_cells=raw_cells,
        missing_speakers=missing_speakers,
    )
    return filters, options


def _number(value: Any, name: str, kind: type) -> Any:
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise WorkbenchError(f"{name} takes a number, not {value!r}") from None


def default_out(wb: Workbench, project: Project, fmt: str) -> Path:
    """A new folder for an export in the home's exports folder: project, format, time."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in project.name)[:60]
    return wb.settings.exports_dir / f"{safe}-{fmt}-{stamp}"


def past_exports(wb: Workbench, project: Project) -> list[dict[str, Any]]:
    """The recorded exports of a project, newest first, with `name` (the folder's) and
    `available` (whether the folder is still there); owners only."""
    require(wb, Action.EXPORT, project.id)
    rows = store.list_exports(wb.db, project.id)
    for row in rows:
        row["name"] = Path(row["path"]).name
        row["available"] = Path(row["path"]).is_dir()
    return rows


def export_zip(wb: Workbench, project: Project, export_id: int) -> Path:
    """The zip of a recorded export of `project` (made on first use), for download."""
    require(wb, Action.EXPORT, project.id)
    match = [r for r in store.list_exports(wb.db, project.id) if r["id"] == export_id]
    if not match or not Path(match[0]["path"]).is_dir():
        raise NotFound(f"export {export_id} of this project is gone")
    return zip_folder(Path(match[0]["path"]))


def filter_choices(wb: Workbench, project: Project) -> dict[str, list[str]]:
    """Recordings, speakers and labellers of a project, for the export page's filters."""
    require(wb, Action.EXPORT, project.id)
    speakers, labellers = store.speakers_and_labellers(wb.db, project.id)
    recordings = [rec.original_name for rec in store.list_recordings(wb.db, project.id)]
    return {"recordings": recordings, "speakers": speakers, "labellers": labellers}


def exported_segment_ids(wb: Workbench, project: Project) -> set[int]:
    """Ids of every segment a recorded export of the project has taken."""
    ids: set[int] = set()
    for past in store.list_exports(wb.db, project.id):
        ranges = (past.get("counts") or {}).get("segment_id_ranges")
        if ranges is not None:
            ids |= from_ranges(ranges)
        else:  # exports made before ids were recorded: read their folders
            ids |= _ids_in_folder(Path(past["path"]))
    return ids


def _ids_in_folder(folder: Path) -> set[int]:
    ids: set[int] = set()
    for listing in folder.rglob(SEGMENTS) if folder.is_dir() else ():
        ids |= {int(x) for x in listing.read_text().split() if x.isdigit()}
    for manifest in folder.rglob(MANIFEST) if folder.is_dir() else ():
        with open(manifest, encoding="utf-8") as f:
            ids |= {int(e["segment_id"]) for e in nemo.read_manifest(f) if "segment_id" in e}
    return ids


def zip_folder(folder: Path) -> Path:
    """A zip of an export folder beside it (written atomically), for download."""
    target = folder.with_suffix(".zip")
    if target.is_file():
        return target
    remove_stale(target.parent, PART)
    tmp = target.with_name(f".{target.name}.part-{owner_tag()}")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    zf.write(path, Path(folder.name) / path.relative_to(folder))
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
