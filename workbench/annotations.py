"""Import existing transcripts with their audio: NeMo, Hugging Face, Kaldi, lhotse, subtitles,
TextGrid, ELAN and CSV/TSV.

Annotation files are recognised by name and content (`detect`); folders are searched for them.
Each audio file an annotation names goes through `importing.import_file` (so a duplicate is
still caught by its hash), then its transcribed regions become drafted segments whose revision 1
has source 'import' and author 'import:<format>'. A duplicate recording gets the segments only
while it has none. Audio files that no annotation names are imported as plain audio.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from workbench import store
from workbench.corpus import InvalidEdit, Project, check_bounds, clean_text
from workbench.export import eaf, hf, kaldi, lhotse, nemo, subtitles, table, textgrid
from workbench.export.table import ALIASES
from workbench.export.utterance import Annotation
from workbench.importing import AUDIO_SUFFIXES, ImportItem, ImportReport, import_file, import_paths
from workbench.service import Workbench

log = logging.getLogger(__name__)

__all__ = [
    "ANNOTATION_FORMATS",
    "Source",
    "AnnotatedImport",
    "detect",
    "find_sources",
    "read_source",
    "import_any",
]

ANNOTATION_FORMATS = ("nemo", "hf", "kaldi", "lhotse", "srt", "vtt", "textgrid", "eaf", "csv", "cv")
SIDECARS = {".srt": "srt", ".vtt": "vtt", ".textgrid": "textgrid", ".eaf": "eaf"}
AUDIO_PREFERENCE = (".wav", ".flac")  # for a sidecar with several audio files of its stem

Progress = Callable[[int, int, str], None]  # (files done, files in all, current name)


@dataclass(frozen=True)
class Source:
    """An annotation file (or folder, for Kaldi, lhotse and audiofolder) in a known format."""

    fmt: str
    path: Path


@dataclass(frozen=True)
class AnnotatedImport:
    report: ImportReport  # one item per audio file, annotated or plain, and per failed source
    segments: int  # segments attached from annotations


# ---------------------------------------------------------------- recognising


def _first_line(path: Path) -> str:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace") as f:  # type: ignore[operator]
            for line in f:
                if line.strip():
                    return line.strip()
    except OSError:
        log.debug("cannot read %s to recognise its format", path, exc_info=True)
        pass
    return ""


def _header_has(path: Path, *fields: str) -> bool:
    line = _first_line(path)
    delimiter = max(("\t", ",", ";"), key=line.count)
    header = {h.strip().strip('"').lower() for h in line.split(delimiter)}
    return all(any(a in header for a in ALIASES[f]) for f in fields)


def detect(path: Path) -> str | None:
    """The annotation format of a file or folder, or None when it is not one."""
    if path.is_dir():
        if (path / "wav.scp").is_file() and (path / "text").is_file():
            return "kaldi"
        if any((path / name).is_file() for name in ("metadata.jsonl", "metadata.csv")):
            return "hf"
        if _lhotse_pair(path) is not None:
            return "lhotse"
        return None
    if not path.is_file():
        return None
    name, suffix = path.name.lower(), path.suffix.lower()
    if name in ("wav.scp", "metadata.jsonl", "metadata.csv") or name.startswith(
            ("recordings.jsonl", "supervisions.jsonl")):
        return detect(path.parent)
    if suffix in SIDECARS:
        return SIDECARS[suffix]
    if suffix in (".json", ".jsonl"):
        try:
            first = json.loads(_first_line(path) or "null")
        except ValueError:
            return None
        return "nemo" if isinstance(first, dict) and "audio_filepath" in first else None
    if suffix in (".csv", ".tsv") and _header_has(path, "file", "text"):
        header = _first_line(path).split("\t")
        return "cv" if {"client_id", "path", "sentence"} <= set(header) else "csv"
    return None


def _lhotse_pair(folder: Path) -> tuple[Path, Path] | None:
    for ext in (".jsonl.gz", ".jsonl"):
        recs, sups = folder / f"recordings{ext}", folder / f"supervisions{ext}"
        if recs.is_file() and sups.is_file():
            return recs, sups
    return None


def find_sources(paths: Iterable[str | Path]) -> tuple[list[Source], list[Path]]:
    """Annotation sources among `paths` (folders searched), and the other paths and audio files."""
    sources: list[Source] = []
    others: list[Path] = []
    for raw in paths:
        path = Path(raw)
        fmt = detect(path)
        if fmt is not None:
            folder_format = fmt in ("kaldi", "hf", "lhotse")
            sources.append(Source(fmt, path.parent if folder_format and path.is_file() else path))
        elif path.is_dir():
            found, loose = _walk(path)
            sources += found
            others += loose if found else [path]
        else:
            others.append(path)
    unique = list(dict.fromkeys(Source(s.fmt, s.path.resolve()) for s in sources))
    return unique, others


def _walk(folder: Path) -> tuple[list[Source], list[Path]]:
    """Annotation sources under `folder` and its audio files (not inside annotation folders)."""
    sources, audio = [], []
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        fmt = detect(here)
        if fmt is not None:
            sources.append(Source(fmt, here))
            dirs.clear()
            continue
        dirs.sort()
        for name in sorted(files):
            path = here / name
            if path.suffix.lower() in AUDIO_SUFFIXES:
                audio.append(path)
            elif (fmt := detect(path)) is not None:
                sources.append(Source(fmt, path))
    return sources, audio


# ---------------------------------------------------------------- reading


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")


def _text(path: Path) -> io.StringIO:
    """A file's text as a file object (readers take file objects)."""
    return io.StringIO(_read_text(path))


def _sidecar_audio(path: Path) -> Path | None:
    candidates = [p for p in path.parent.glob(f"{_glob_escape(path.stem)}.*")
                  if p.suffix.lower() in AUDIO_SUFFIXES and p.stem == path.stem]
    candidates.sort(key=lambda p: (p.suffix.lower() not in AUDIO_PREFERENCE, p.suffix.lower()))
    return candidates[0] if candidates else None


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)


def read_source(source: Source) -> tuple[list[Annotation], list[Path]]:
    """The annotations of a source, and the folders their audio paths are relative to."""
    path, fmt = source.path, source.fmt
    if fmt == "nemo":
        with _text(path) as f:
            return nemo.read_annotations(f), [path.parent, Path.cwd()]
    if fmt == "hf":
        jsonl = path / "metadata.jsonl"
        with _text(jsonl if jsonl.is_file() else path / "metadata.csv") as f:
            return hf.read_annotations(f, csv_format=not jsonl.is_file()), [path]
    if fmt == "kaldi":
        return kaldi.read_data_dir(path), [path, path.parent, Path.cwd()]
    if fmt == "lhotse":
        pair = _lhotse_pair(path)
        assert pair is not None
        opener = gzip.open if pair[0].suffix == ".gz" else open
        with opener(pair[0], "rt", encoding="utf-8") as r, opener(pair[1], "rt", encoding="utf-8") as s:  # type: ignore[operator]
            return lhotse.read_annotations(r, s), [path, Path.cwd()]
    if fmt in ("csv", "cv"):
        with _text(path) as f:
            delimiter = "\t" if path.suffix.lower() == ".tsv" else None
            return table.read_table(f, delimiter), [path.parent, path.parent / "clips", Path.cwd()]
    readers = {"srt": subtitles.read_srt, "vtt": subtitles.read_vtt,
               "textgrid": textgrid.read_textgrid, "eaf": eaf.read_eaf}
    with _text(path) as f:
        found = readers[fmt](f)
    audio = _sidecar_audio(path)
    if audio is None:
        raise ValueError(f"no audio file named {path.stem}.* beside it")
    return [Annotation(str(audio), a.start, a.end, a.text, a.speaker) for a in found], []


def _resolve(ref: str, bases: list[Path]) -> Path | None:
    path = Path(ref)
    if path.is_absolute():
        return path.resolve() if path.is_file() else None
    return next(((b / path).resolve() for b in bases if (b / path).is_file()), None)


# ---------------------------------------------------------------- importing


def import_any(
    wb: Workbench, project: Project, paths: Iterable[str | Path], progress: Progress | None = None
) -> AnnotatedImport:
    """Import annotation files with their audio, and every other path as plain audio."""
    sources, others = find_sources(paths)
    items: list[ImportItem] = []
    groups: dict[Path, tuple[Source, list[Annotation]]] = {}
    for source in sources:
        try:
            found, bases = read_source(source)
        except (ValueError, KeyError, IndexError, OSError, json.JSONDecodeError) as exc:
            log.warning("cannot read %s as %s: %s", source.path, source.fmt, exc)
            items.append(ImportItem(source.path.name, "failed", f"cannot read {source.fmt}: {exc}"))
            continue
        missing: dict[str, int] = {}
        for a in found:
            audio = _resolve(a.audio, bases)
            if audio is None:
                missing[a.audio] = missing.get(a.audio, 0) + 1
                continue
            groups.setdefault(audio, (source, []))[1].append(a)
        for ref, n in missing.items():
            items.append(ImportItem(ref, "failed", f"{source.path.name} names it ({n} segments) "
                                                   f"but there is no such audio file"))
    named = set(groups)
    loose = [p for p in others if not (p.is_file() and p.resolve() in named)]
    merged = _merge_copies(groups)
    total = len(merged) + (1 if loose else 0)
    attached = 0
    for done, (audio, source, found) in enumerate(merged):
        if progress:
            progress(done, total, audio.name)
        item, n = _import_annotated(wb, project, audio, source, found)
        items.append(item)
        attached += n
    if loose:
        if progress:
            progress(len(merged), total, "audio")
        items += import_paths(wb, project, loose).items
    if progress:
        progress(total, total, "")
    return AnnotatedImport(ImportReport(tuple(items)), attached)


def _merge_copies(
    groups: dict[Path, tuple[Source, list[Annotation]]],
) -> list[tuple[Path, Source, list[Annotation]]]:
    """One entry per distinct audio content and format: the splits of one corpus may each hold
    a copy of a recording, and its segments belong together."""
    merged: dict[tuple[str, str], tuple[Path, Source, list[Annotation]]] = {}
    for audio, (source, found) in groups.items():
        key = (_digest(audio), source.fmt)
        if key in merged:
            merged[key][2].extend(found)
        else:
            merged[key] = (audio, source, list(found))
    return list(merged.values())


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        log.debug("cannot read %s to compare it with the other copies", path, exc_info=True)
        return f"unreadable:{path}"
    return h.hexdigest()


def _import_annotated(
    wb: Workbench, project: Project, audio: Path, source: Source, found: list[Annotation]
) -> tuple[ImportItem, int]:
    """Import one audio file and attach its annotations; (the item, segments attached)."""
    item = import_file(wb, project, audio)
    if item.outcome == "failed" or item.recording_id is None:
        return item, 0
    recording = store.get_recording(wb.db, item.recording_id)
    drafts, skipped = [], 0
    for a in found:
        try:
            start, end = check_bounds(a.start or 0.0, recording.duration if a.end is None else a.end,
                                      recording.duration)
        except InvalidEdit:
            skipped += 1
            continue
        drafts.append({"start": start, "end": end, "text": clean_text(a.text),
                       "speaker": clean_text(a.speaker) if a.speaker else None, "source": "import"})
    drafts.sort(key=lambda d: (d["start"], d["end"]))
    n = store.add_drafted_segments(wb.db, recording.id, drafts, author=f"import:{source.fmt}")
    note = f"{n} segments from {source.path.name} ({source.fmt})"
    if drafts and n == 0:
        note = (f"the recording already has segments (or was drafted); {len(drafts)} segments "
                f"from {source.path.name} not attached")
    if skipped:
        note += f"; {skipped} outside the audio or empty, skipped"
    if item.outcome == "duplicate":
        note = f"{item.reason}; {note}"
    return ImportItem(item.name, item.outcome, note, item.recording_id, item.duration), n
