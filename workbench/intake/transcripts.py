"""Import existing transcripts with their audio: NeMo, Hugging Face, Kaldi, lhotse, subtitles,
TextGrid, ELAN, CSV/TSV, KsponSpeech as distributed and AI Hub's three label shapes.

Annotation files are recognised by name and content (`detect`); folders are searched for them.
Each audio file an annotation names goes through `importing.import_file` (so a duplicate is
still caught by its hash), then its transcribed regions become drafted segments whose revision 1
has source 'import' and author 'import:<format>'. A duplicate recording gets the segments only
while it has none. Audio files that no annotation names are imported as plain audio. What a
reader notes without skipping anything (fields a documented layout lacks or does not know) is
reported per file as 'noted'. AI Hub label files write their dual transcriptions in the order
of the project's profile (`export.dual_order`); they are turned back to its own order here.

Where that audio may come from is the import's trust boundary (`AudioScope`). Files from a
browser (`import_upload`, and `import_any` unless told otherwise) may name only audio of the same
upload, zip members included, found by base name: nothing on the server outside the upload is
looked at, and every name and reason shows files only as the upload and its annotations wrote
them (what went wrong in detail goes to the log). The operator's command line
(`AudioScope.server()`) takes paths as written: relative to the annotation file (or to the
current folder, or to folders it names), absolute ones too. A Kaldi wav.scp command is never run.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import os
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from workbench import store
from workbench.core.access import Action, require
from workbench.core.config import MB, Limits
from workbench.core.records import InvalidEdit, Project, check_bounds, clean_text
from workbench.core.workbench import Workbench
from workbench.formats import (
    FORMAT_INFO,
    aihub_dialogs,
    aihub_doc,
    aihub_stt,
    eaf,
    hf,
    kaldi,
    kspon,
    lhotse,
    nemo,
    subtitles,
    table,
    textgrid,
)
from workbench.formats.reading import AnnotationError, Read, decode
from workbench.formats.speakers import SpeakerFacts
from workbench.formats.table import ALIASES
from workbench.formats.utterance import Annotation
from workbench.intake import upload_limits
from workbench.intake.audio_files import (
    AUDIO_SUFFIXES,
    ImportItem,
    ImportReport,
    extract_zip,
    import_file,
    import_paths,
    printable,
    scratch_folder,
)
from workbench.projects.speakers import fill_from_files
from workbench.text.conventions import DUAL_ORDERS, load_profile
from workbench.text.forms import swap_dual_sides

log = logging.getLogger(__name__)

__all__ = [
    "ANNOTATION_FORMATS",
    "AnnotationError",
    "Source",
    "AnnotatedImport",
    "AudioScope",
    "detect",
    "find_sources",
    "read_source",
    "import_any",
    "import_upload",
    "upload_name",
]

ANNOTATION_FORMATS = (
    "nemo",
    "hf",
    "kaldi",
    "lhotse",
    "srt",
    "vtt",
    "textgrid",
    "eaf",
    "csv",
    "cv",
    "kspon",
    "aihub-doc",
    "aihub-dialogs",
    "aihub-stt",
)
SIDECARS = {".srt": "srt", ".vtt": "vtt", ".textgrid": "textgrid", ".eaf": "eaf"}
JSON_SHAPES = {"aihub-doc": aihub_doc, "aihub-dialogs": aihub_dialogs, "aihub-stt": aihub_stt}
BESIDE_ITS_AUDIO = {*SIDECARS.values(), "aihub-doc", "aihub-stt"}  # the audio of its own name
AUDIO_PREFERENCE = (".wav", ".flac")  # for a sidecar with several audio files of its stem

Progress = Callable[[int, int, str], None]  # (files done, files in all, current name)
Upload = tuple[str, bytes | bytearray | memoryview | BinaryIO | os.PathLike]  # (name, content)


@dataclass(frozen=True)
class Source:
    """An annotation file (or folder, for Kaldi, lhotse and audiofolder) in a known format."""

    fmt: str
    path: Path


@dataclass(frozen=True)
class AudioScope:
    """Where the audio files that annotations name may come from.

    `upload()` (the default): only audio files among those imported (zip members included),
    matched by the base name of the reference; for files from a browser. `server(*folders)`:
    paths as written, relative to the annotation file, the current folder or `folders`, absolute
    ones too; for the operator's command line.
    """

    trusted: bool = False
    folders: tuple[Path, ...] = ()

    @classmethod
    def upload(cls) -> AudioScope:
        return cls()

    @classmethod
    def server(cls, *folders: str | Path) -> AudioScope:
        return cls(True, tuple(Path(f) for f in folders))


@dataclass(frozen=True)
class AnnotatedImport:
    report: ImportReport  # one item per audio file, annotated or plain, and per failed source
    segments: int  # segments attached from annotations


# ---------------------------------------------------------------- recognising


HEAD_BYTES = 1 << 16  # a file's format is recognised from this much of its start (64 KB)


def _head(path: Path) -> bytes:
    """A file's first HEAD_BYTES and one more (gzip unpacked), b'' when unreadable."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            return f.read(HEAD_BYTES + 1)
    except (OSError, EOFError, zlib.error):
        log.debug("cannot read %s to recognise its format", path, exc_info=True)
        return b""


def _first_line(path: Path) -> str:
    """The first non-blank line of a file (UTF-8 or UTF-16, gzip unpacked), '' when unreadable."""
    head = _head(path)[:HEAD_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:200]:
        head = head[: len(head) // 2 * 2]  # UTF-16 cut in the middle of a character
    try:
        text = decode(head)
    except AnnotationError:
        text = head.decode("utf-8", "replace")  # cut in the middle of a character, perhaps
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


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
        return "kspon" if kspon.looks_like_tree(path) else None
    if not path.is_file():
        return None
    name, suffix = path.name.lower(), path.suffix.lower()
    if name in ("wav.scp", "metadata.jsonl", "metadata.csv") or name.startswith(
        ("recordings.jsonl", "supervisions.jsonl")
    ):
        return detect(path.parent)
    if suffix in SIDECARS:
        return SIDECARS[suffix]
    if suffix == ".trn" or (suffix == ".txt" and path.with_suffix(".pcm").is_file()):
        return "kspon"
    if suffix in (".json", ".jsonl"):
        try:
            first = json.loads(_first_line(path) or "null")
        except ValueError:
            first = None
        if isinstance(first, dict) and "audio_filepath" in first:
            return "nemo"
        return _json_shape(path) if suffix == ".json" else None
    if suffix in (".csv", ".tsv") and _header_has(path, "file", "text"):
        header = _first_line(path).split("\t")
        return "cv" if {"client_id", "path", "sentence"} <= set(header) else "csv"
    return None


def _json_shape(path: Path) -> str | None:
    """The AI Hub label shape of a whole JSON file, or None."""
    try:
        value = json.loads(_read_text(path))
    except (AnnotationError, ValueError, RecursionError):
        return None
    return next((fmt for fmt, shape in JSON_SHAPES.items() if shape.looks_like(value)), None)


def _named_as_transcript(name: str) -> bool:
    """Whether a file in a folder or zip is named as transcripts are (not '.txt': notes are
    too), so that not reading it as one is worth a word."""
    lower = name.lower()
    return lower in kaldi.FILES or Path(lower.removesuffix(".gz")).suffix in _NAMED_AS_TRANSCRIPTS


def _not_recognised(path: Path) -> str:
    """Why a file given (or found in a folder or zip) is read neither as audio nor as a
    transcript, in words for the report."""
    name = path.name.lower()
    suffix = Path(name.removesuffix(".gz")).suffix
    if not _named_as_transcript(name):
        return "neither audio nor a transcript format the importer reads"
    head = _head(path)
    if not head.strip():
        why = "the file is empty"
    elif len(head) > HEAD_BYTES and b"\n" not in head.lstrip()[:HEAD_BYTES]:
        why = f"its first line is longer than {HEAD_BYTES // 1024} KB"
    elif name in kaldi.FILES:
        why = "a Kaldi folder needs wav.scp and text together"
    elif suffix in (".csv", ".tsv"):
        why = f"a table needs a file and a text column (its header: {_shown(_first_line(path))})"
    elif suffix == ".jsonl":
        why = "its first line is not a NeMo manifest's (a JSON object with audio_filepath)"
    else:
        why = (
            "neither a NeMo manifest (a JSON object with audio_filepath a line) nor an AI Hub "
            "label file"
        )
    return f"not a transcript the importer reads: {why}"


def _lhotse_pair(folder: Path) -> tuple[Path, Path] | None:
    for ext in (".jsonl.gz", ".jsonl"):
        recs, sups = folder / f"recordings{ext}", folder / f"supervisions{ext}"
        if recs.is_file() and sups.is_file():
            return recs, sups
    return None


def find_sources(paths: Iterable[str | Path]) -> tuple[list[Source], list[Path]]:
    """Annotation sources among `paths` (folders searched), and the other paths and audio files."""
    sources, others, _ = _find(paths)
    return sources, others


def _find(paths: Iterable[str | Path]) -> tuple[list[Source], list[Path], list[Path]]:
    """`find_sources`, and the files in the folders searched that are named like transcripts
    but are none (see `_not_recognised`)."""
    sources: list[Source] = []
    others: list[Path] = []
    unrecognised: list[Path] = []
    for raw in paths:
        path = Path(raw)
        fmt = detect(path)
        if fmt is not None:
            folder_format = fmt in ("kaldi", "hf", "lhotse")
            sources.append(Source(fmt, path.parent if folder_format and path.is_file() else path))
        elif path.is_dir():
            found, loose, odd = _walk(path)
            sources += found
            others += loose if found else [path]
            unrecognised += odd
        else:
            others.append(path)
    unique = list(dict.fromkeys(Source(s.fmt, s.path.resolve()) for s in sources))
    return unique, others, unrecognised


def _walk(folder: Path) -> tuple[list[Source], list[Path], list[Path]]:
    """Annotation sources under `folder`, its audio files (not inside annotation folders), and
    the files named like transcripts that are none."""
    sources, audio, unrecognised = [], [], []
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
            elif _named_as_transcript(name):
                unrecognised.append(path)
    return sources, audio, unrecognised


# ---------------------------------------------------------------- reading


MAX_ANNOTATION_BYTES = 256 << 20  # an annotation file (unpacked) larger than this is refused


def _read_text(path: Path) -> str:
    """A file's text (UTF-8 or UTF-16, gzip unpacked); AnnotationError when it cannot be had."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read(MAX_ANNOTATION_BYTES + 1)
    except (EOFError, zlib.error, gzip.BadGzipFile):
        raise AnnotationError("the file is truncated or not valid gzip", file=path.name) from None
    except OSError:
        raise AnnotationError("the file cannot be read", file=path.name) from None
    if len(raw) > MAX_ANNOTATION_BYTES:
        raise AnnotationError(f"larger than {MAX_ANNOTATION_BYTES >> 20} MB", file=path.name)
    try:
        return decode(raw)
    except AnnotationError as exc:
        raise exc.at(file=path.name) from None


def _text(path: Path) -> io.StringIO:
    """A file's text as a file object (readers take file objects)."""
    return io.StringIO(_read_text(path))


def _sidecar_audio(path: Path) -> Path | None:
    candidates = [
        p
        for p in path.parent.glob(f"{_glob_escape(path.stem)}.*")
        if p.suffix.lower() in AUDIO_SUFFIXES and p.stem == path.stem
    ]
    candidates.sort(key=_preference)
    return candidates[0] if candidates else None


def _preference(path: Path) -> tuple[bool, str]:
    return path.suffix.lower() not in AUDIO_PREFERENCE, path.suffix.lower()


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)


def read_source(source: Source) -> tuple[Read, list[Path]]:
    """The annotations of a source (and the rows skipped, each an AnnotationError), and the
    folders their audio paths are relative to (a sidecar's annotations name no audio: theirs
    is the audio file of its stem). Raises AnnotationError, and nothing else, for a source
    that cannot be read at all."""
    try:
        return _read_source(source)
    except AnnotationError:
        raise
    except (OSError, RecursionError, MemoryError) as exc:  # an unreadable or outsized file
        log.warning("cannot read the %s %s", source.fmt, source.path, exc_info=exc)
        raise AnnotationError("the file cannot be read") from None


def _read_source(source: Source) -> tuple[Read, list[Path]]:
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
        if pair is None:
            raise AnnotationError("recordings and supervisions manifests are missing")
        with _text(pair[0]) as r, _text(pair[1]) as s:
            return lhotse.read_annotations(r, s), [path, Path.cwd()]
    if fmt in ("csv", "cv"):
        with _text(path) as f:
            delimiter = "\t" if path.suffix.lower() == ".tsv" else None
            return table.read_table(f, delimiter), [path.parent, path.parent / "clips", Path.cwd()]
    if fmt in ("kspon", "aihub-doc", "aihub-dialogs", "aihub-stt"):
        return _read_korean(source)
    readers = {
        "srt": subtitles.read_srt,
        "vtt": subtitles.read_vtt,
        "textgrid": textgrid.read_textgrid,
        "eaf": eaf.read_eaf,
    }
    with _text(path) as f:
        read = readers[fmt](f)
    return Read(tuple(replace(a, audio="") for a in read.annotations), read.problems), []


def _read_korean(source: Source) -> tuple[Read, list[Path]]:
    """KsponSpeech (a tree, a .trn list or a .txt beside its .pcm) and AI Hub label files."""
    path, fmt = source.path, source.fmt
    if fmt == "kspon" and path.is_dir():
        read, bases = kspon.read_tree(path)
        return read, [*bases, Path.cwd()]
    if fmt == "kspon":
        one = path.suffix.lower() == ".txt"  # a transcript; else a .trn list
        limit = kspon.MAX_TEXT_BYTES if one else kspon.MAX_LIST_BYTES
        text = kspon.decode_text(kspon.read_bytes(path, limit))
        if one:
            return kspon.read_transcript(text), []
        return kspon.read_trn(text), [path.parent, path.parent.parent, Path.cwd()]
    with _text(path) as f:
        if fmt == "aihub-doc":
            return aihub_doc.read_document(f), []
        if fmt == "aihub-stt":
            return aihub_stt.read_label(f, path.stem), []
        return aihub_dialogs.read_session(f, _text_beside(path)), [path.parent, Path.cwd()]


def _text_beside(json_path: Path) -> Callable[[str], str]:
    """A session's textPath -> its text: the file at that path under the JSON's folder, else
    of that name beside the JSON; nothing outside that folder is read."""
    home = json_path.parent.resolve()

    def text_of(ref: str) -> str:
        written = Path(ref.replace("\\", "/"))
        for candidate in (home / written, home / written.name):
            found = candidate.resolve()
            if found.is_relative_to(home) and found.is_file():
                return kspon.decode_text(kspon.read_bytes(found, kspon.MAX_TEXT_BYTES))
        raise AnnotationError(f"text file '{_shown(ref)}' not found beside the JSON")

    return text_of


def _resolve(ref: str, bases: list[Path]) -> Path | None:
    path = Path(ref)
    if path.is_absolute():
        return path.resolve() if path.is_file() else None
    return next(((b / path).resolve() for b in bases if (b / path).is_file()), None)


# ---------------------------------------------------------------- where the audio comes from


@dataclass(frozen=True)
class _Refused:
    """Why annotations cannot have the audio they name: the item's name and the reason."""

    name: str
    why: str


class _ServerAudio:
    """Trusted: audio paths as the annotations write them, on the server (the command line)."""

    public = False

    def __init__(self, folders: tuple[Path, ...]):
        self.folders = list(folders)

    def source_name(self, source: Source) -> str:
        return source.path.name

    def audio_name(self, path: Path) -> str:
        return path.name

    def unreadable(self, source: Source, exc: Exception) -> str:
        return _unreadable(source, exc)

    def find(self, ref: str, source: Source, bases: list[Path]) -> Path | _Refused:
        if not ref:  # a sidecar's: the audio file of its stem beside it
            audio = _sidecar_audio(source.path)
            return audio or _Refused(
                source.path.name, f"no audio file named {source.path.stem}.* beside it"
            )
        found = _resolve(ref, bases + self.folders)
        return found or _Refused(ref, f"audio {ref!r}: no such audio file")

    def import_loose(
        self,
        wb: Workbench,
        project: Project,
        others: list[Path],
        named: set[Path],
        sources: list[Source],
    ) -> list[ImportItem]:
        loose = [p for p in others if not (p.is_file() and p.resolve() in named)]
        return list(import_paths(wb, project, loose).items) if loose else []


_TRANSCRIPT_SUFFIXES = {".json", ".jsonl", ".gz", ".csv", ".tsv", ".txt", ".trn", *SIDECARS}
_NAMED_AS_TRANSCRIPTS = {".json", ".jsonl", ".csv", ".tsv", ".trn"}  # and Kaldi's files


def _wanted_in_upload(name: str) -> bool:
    """Whether a zip entry is audio or may be part of a transcript (the rest stays packed)."""
    leaf = PurePosixPath(name.replace("\\", "/")).name
    suffix = PurePosixPath(leaf).suffix.lower()
    return suffix in AUDIO_SUFFIXES or suffix in _TRANSCRIPT_SUFFIXES or leaf in kaldi.FILES


class _UploadedAudio:
    """Untrusted: the files of one upload, zip archives unpacked into `scratch`. Annotations find
    their audio among these files only, by base name; every name shown is the upload's own."""

    public = True

    def __init__(self, paths: Iterable[str | Path], scratch: Path, limits: Limits):
        self.limits = limits
        self.names: dict[Path, str] = {}  # every file of the upload (resolved) -> its name
        self.folders: dict[Path, str] = {}  # given folders and unpacked archives -> their names
        self.roots: list[Path] = []  # what to look for annotations in
        self.failed: list[ImportItem] = []
        for n, raw in enumerate(paths):
            path = Path(raw)
            if path.is_symlink() or not path.exists():
                self.failed.append(ImportItem(_leaf(str(raw)), "failed", "no such file"))
            elif path.is_dir():
                self._add_folder(path, path.name, path)
            elif path.suffix.lower() == ".zip":
                self._unzip(path, scratch / f"zip-{n}")
            else:
                self.names[path.resolve()] = path.name
                self.roots.append(path)
        self.audio: dict[str, list[Path]] = {}  # base name -> the uploaded audio files of that name
        for file, name in self.names.items():
            if file.suffix.lower() in AUDIO_SUFFIXES:
                self.audio.setdefault(_leaf(name), []).append(file)

    def _add_folder(self, folder: Path, name: str, root: Path) -> None:
        for file in sorted(folder.rglob("*")):
            if file.is_file() and not file.is_symlink():
                self.names[file.resolve()] = f"{name}/{file.relative_to(folder).as_posix()}"
        self.folders[folder.resolve()] = name
        self.roots.append(root)

    def _unzip(self, archive: Path, target: Path) -> None:
        for shown, file, error in extract_zip(
            archive, target, _wanted_in_upload, public=True, limits=self.limits
        ):
            if error:
                self.failed.append(ImportItem(shown, "failed", error))
            else:
                self.names[file.resolve()] = shown
        if target.is_dir():
            self.folders[target.resolve()] = archive.name
            self.roots.append(target)

    def _name(self, path: Path) -> str:
        path = path.resolve()
        if path in self.names:
            return self.names[path]
        for folder in path.parents:
            if folder in self.folders:
                return f"{self.folders[folder]}/{path.relative_to(folder).as_posix()}"
        return path.name

    def source_name(self, source: Source) -> str:
        path = source.path
        if source.fmt == "hf":
            jsonl = path / "metadata.jsonl"
            path = jsonl if jsonl.is_file() else path / "metadata.csv"
        elif source.fmt == "kaldi":
            path = path / "wav.scp"
        elif source.fmt == "lhotse":
            path = (_lhotse_pair(path) or (path, path))[1]
        return self._name(path)

    def audio_name(self, path: Path) -> str:
        return self._name(path)

    def unreadable(self, source: Source, exc: Exception) -> str:
        return _unreadable(source, exc)

    def find(self, ref: str, source: Source, bases: list[Path]) -> Path | _Refused:
        if not ref:
            return self._sidecar(source)
        shown = _shown(ref)
        found = self.audio.get(_leaf(ref), [])
        if len(found) > 1:  # the folders written, then the annotation's own folder, may tell
            parts = PurePosixPath(ref.replace("\\", "/")).parts
            written = [p for p in parts if p not in ("/", ".", "..")]
            found = _narrowed(found, lambda p: self._name(p).split("/")[-len(written) :] == written)
            home = source.path if source.path.is_dir() else source.path.parent
            found = _narrowed(found, lambda p: p.is_relative_to(home.resolve()))
        if len(found) == 1:
            return found[0]
        if not found:
            return _Refused(shown, f"audio '{shown}' is not among the uploaded files")
        names = ", ".join(sorted(self._name(p) for p in found))
        return _Refused(shown, f"audio '{shown}' matches several uploaded files ({names})")

    def _sidecar(self, source: Source) -> Path | _Refused:
        """The uploaded audio file of a sidecar's stem: beside it, else anywhere in the upload."""
        stem = source.path.stem
        found = [p for name in self.audio.values() for p in name if p.stem == stem]
        found = _narrowed(found, lambda p: p.parent == source.path.parent.resolve())
        found.sort(key=_preference)
        if found and (len(found) == 1 or found[1].name != found[0].name):
            return found[0]
        name = self.source_name(source)
        if not found:
            return _Refused(name, f"no uploaded audio file is named {stem}.*")
        return _Refused(name, f"several uploaded audio files are named {found[0].name}")

    def import_loose(
        self,
        wb: Workbench,
        project: Project,
        others: list[Path],
        named: set[Path],
        sources: list[Source],
    ) -> list[ImportItem]:
        """Audio that no annotation names, as plain audio; a file given that is neither audio nor
        an annotation (nor part of an annotation folder) is reported."""
        folders = {s.path for s in sources if s.path.is_dir()}
        items = []
        for path in others:
            for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
                resolved = file.resolve()
                if resolved in named or resolved not in self.names:
                    continue
                if file.suffix.lower() in AUDIO_SUFFIXES:
                    items.append(
                        import_file(wb, project, file, self.names[resolved], uploaded=True)
                    )
                elif not path.is_dir() and resolved.parent not in folders:
                    items.append(ImportItem(self.names[resolved], "failed", _not_recognised(file)))
        return items


def _narrowed(paths: list[Path], keep: Callable[[Path], bool]) -> list[Path]:
    """The paths that `keep`, where that leaves any; else all of them."""
    kept = [p for p in paths if keep(p)]
    return kept or paths


def _leaf(ref: str) -> str:
    """The base name of a reference, whichever separator it was written with."""
    return ref.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].strip()


# a path at the start of a word: /x, \x, ~/x, C:\x, C:/x
_ABSOLUTE = re.compile(r"(?<![^\s'\"(\[=:,])(?:[A-Za-z]:[\\/]|~?[\\/])[^\s'\")\]]*")


def _shown(ref: str, limit: int = 120) -> str:
    """A reference as written, or (when it names a place outside the upload: an absolute path,
    '..', a command) '…/' and its base name; printable characters only, shortened to `limit`."""
    ref = "".join(c for c in ref if c.isprintable())
    parts = ref.replace("\\", "/").split("/")
    if ".." in parts or _ABSOLUTE.search(ref) or re.match(r"[A-Za-z]:", ref):
        ref = "…/" + _leaf(ref)
    return ref if len(ref) <= limit else ref[: limit - 1] + "…"


def _public(text: str, scratch: Path) -> str:
    """`text` with the scratch folder, and any absolute path, made '…' (a last safeguard: the
    names and reasons of an upload are made without server paths in the first place)."""
    for form in {str(scratch), str(scratch.resolve())}:
        text = text.replace(form, "…")
    return _ABSOLUTE.sub("…", text)


def _unreadable(source: Source, exc: Exception) -> str:
    """Why a source cannot be read, on one line, in words that hold no server path: the
    reader's AnnotationError, or (a bug in a reader) a plain word, its traceback to the log."""
    if isinstance(exc, AnnotationError):
        file = exc.file if exc.file != source.path.name else ""
        return f"cannot read {source.fmt}: {AnnotationError(exc.reason, exc.where, file)}"
    log.error("reading the %s %s failed", source.fmt, source.path, exc_info=exc)
    return f"cannot read {source.fmt}: an internal error (the log has the details)"


MAX_ROW_PROBLEMS = 20  # of one source, reported one by one; the rest as a count


def _row_problems(name: str, problems: Iterable[AnnotationError]) -> list[ImportItem]:
    """A failed item per row skipped in source `name` ('where: why'), the first
    MAX_ROW_PROBLEMS of them, and then one that counts the rest."""
    problems = list(problems)
    items = [ImportItem(name, "failed", str(p.at(file=""))) for p in problems[:MAX_ROW_PROBLEMS]]
    if len(problems) > MAX_ROW_PROBLEMS:
        rest = len(problems) - MAX_ROW_PROBLEMS
        items.append(ImportItem(name, "failed", f"and {rest} more rows skipped"))
    return items


def _places(wheres: list[str]) -> str:
    """Rows of a file for a message: 'line 3', 'text lines 2, 3, 4', 'cue 1, cue 4 and 2 more'."""
    more = f" and {len(wheres) - 5} more" if len(wheres) > 5 else ""
    numbered = [m for w in wheres if (m := re.fullmatch(r"(.*\S) (\d+)", w))]
    if (
        len(wheres) > 1
        and len(numbered) == len(wheres)
        and len({m.group(1) for m in numbered}) == 1
    ):
        return f"{numbered[0].group(1)}s " + ", ".join(m.group(2) for m in numbered[:5]) + more
    return ", ".join(wheres[:5]) + more


# ---------------------------------------------------------------- importing


def import_any(
    wb: Workbench,
    project: Project,
    paths: Iterable[str | Path],
    progress: Progress | None = None,
    *,
    audio_from: AudioScope = AudioScope(),
) -> AnnotatedImport:
    """Import annotation files with their audio, and every other path as plain audio.

    `audio_from` is where annotations may find their audio: by default only among `paths`
    themselves, as for an upload (see `AudioScope`). Owners only; recorded in the audit log.
    """
    user = require(wb, Action.IMPORT, project.id)
    if progress is not None:  # names as they can be printed (a file's may not be UTF-8)
        progress = _printable_progress(progress)
    if audio_from.trusted:
        server = _ServerAudio(audio_from.folders)
        result = _import(wb, project, [Path(p) for p in paths], server, progress)
    else:
        with scratch_folder(wb) as scratch:
            upload = _UploadedAudio(paths, Path(scratch), wb.settings.limits)
            found = _import(wb, project, upload.roots, upload, progress)
        items = [
            replace(i, name=_public(i.name, Path(scratch)), reason=_public(i.reason, Path(scratch)))
            for i in (*upload.failed, *found.report.items)
        ]
        result = AnnotatedImport(ImportReport(tuple(items)), found.segments)
    report = result.report
    store.log_event(
        wb.db,
        user.name,
        "import",
        project.id,
        {
            "imported": report.count("imported"),
            "duplicates": report.count("duplicate"),
            "failed": len(report.failed),
            "segments": result.segments,
        },
    )
    return result


def _printable_progress(progress: Progress) -> Progress:
    return lambda done, total, name: progress(done, total, printable(name))


def import_upload(
    wb: Workbench, project: Project, files: Iterable[Upload], progress: Progress | None = None
) -> AnnotatedImport:
    """Import the files of a browser upload: each (the name the browser sent, its content as bytes,
    a binary file object or the path of a server file holding it).

    The sizes are checked against the settings' upload limits first (see `uploads`): a file
    over the limit a file is refused alone, an upload over the limit an upload is refused
    whole, before anything is written. Each file is then written under `upload_name(name)` into
    a scratch folder of this call's own (removed afterwards, whatever happens) and imported
    with `AudioScope.upload()`: annotations may name only audio of this upload, by base name,
    and no name or reason shows a server path.
    """
    limits = wb.settings.limits
    files = list(files)
    sizes = [upload_limits.content_size(content) for _, content in files]
    whole = upload_limits.batch_refusal(sizes, limits)
    room = limits.upload_batch_mb * MB
    with scratch_folder(wb) as scratch:
        paths, failed, taken = [], [], set()
        for n, ((sent, content), size) in enumerate(zip(files, sizes, strict=True)):
            name = upload_name(sent)
            refusal = upload_limits.file_refusal(size, limits) or whole
            if refusal:
                failed.append(ImportItem(name, "failed", refusal))
                continue
            target = Path(scratch) / (name if name not in taken else f".same-name-{n}/{name}")
            taken.add(name)
            try:
                target.parent.mkdir(exist_ok=True)
                room -= upload_limits.write_upload(
                    target, content, min(limits.upload_file_mb * MB, room)
                )
            except upload_limits.TooLarge:  # a stream whose size was not known beforehand
                failed.append(
                    ImportItem(name, "failed", upload_limits.stream_refusal(room, limits))
                )
                continue
            except (OSError, TypeError, ValueError) as exc:
                log.warning("cannot store the upload %r", sent, exc_info=exc)
                failed.append(ImportItem(name, "failed", "the upload cannot be stored"))
                continue
            paths.append(target)
        result = import_any(wb, project, paths, progress, audio_from=AudioScope.upload())
    return AnnotatedImport(ImportReport((*failed, *result.report.items)), result.segments)


def upload_name(sent: str, limit: int = 120) -> str:
    """A browser's file name as a safe base name: its last component (after '/' or '\\'),
    printable characters only, no leading dots or spaces, at most `limit` bytes of UTF-8 (the
    suffix kept); 'upload' when nothing is left."""
    name = unicodedata.normalize("NFC", _leaf(str(sent)))
    name = "".join(c for c in name if c.isprintable()).lstrip(". ").rstrip()
    if len(name.encode()) > limit:
        stem, dot, suffix = name.rpartition(".")
        suffix = f".{suffix}" if dot and stem and len(suffix) <= 16 else ""
        stem = name[: len(name) - len(suffix)]
        room = limit - len(suffix.encode())
        name = stem.encode()[:room].decode("utf-8", "ignore").rstrip() + suffix
    return name or "upload"


_Audio = _ServerAudio | _UploadedAudio


def _import(
    wb: Workbench, project: Project, roots: list[Path], audio: _Audio, progress: Progress | None
) -> AnnotatedImport:
    sources, others, unrecognised = _find(roots)
    items = [ImportItem(audio.audio_name(p), "failed", _not_recognised(p)) for p in unrecognised]
    groups: Groups = {}
    reorder = _delivered_order(project, sources)
    described: list[tuple[str, SpeakerFacts]] = []  # speaker records, by the file holding them
    for source in sources:
        items += _gather(source, audio, groups, reorder, described)
    if described:  # into the speaker registry: what it lacks, and what it does not understand
        noted = fill_from_files(wb, project, described)
        items += [ImportItem(file, "noted", note) for file, note in noted]
    named = set(groups)
    merged = _merge_copies(groups)
    total = len(merged) + (1 if others else 0)
    attached = 0
    for done, (path, source, found) in enumerate(merged):
        if progress:
            progress(done, total, audio.audio_name(path))
        imported, n = _import_annotated(wb, project, path, source, found, audio)
        items += imported
        attached += n
    if others:
        if progress:
            progress(len(merged), total, "audio")
        items += audio.import_loose(wb, project, others, named, sources)
    if progress:
        progress(total, total, "")
    return AnnotatedImport(ImportReport(tuple(items)), attached)


def _gather(
    source: Source,
    audio: _Audio,
    groups: Groups,
    reorder: Callable[[str], str] | None,
    described: list[tuple[str, SpeakerFacts]],
) -> list[ImportItem]:
    """Read `source` and add its annotations to `groups` by the audio they name, and the
    speaker records it holds to `described`; the items of what could not be read or found,
    and of what the reader noted."""
    name = audio.source_name(source)
    try:
        read, bases = read_source(source)
    except Exception as exc:  # noqa: BLE001 (a malformed or hostile file fails alone)
        return [ImportItem(name, "failed", audio.unreadable(source, exc))]
    described.extend((name, facts) for facts in read.speakers)
    items = [ImportItem(name, "noted", str(n.at(file=""))) for n in read.notes]
    items += _row_problems(name, read.problems)
    if not read.annotations:
        if not read.problems:
            items.append(ImportItem(name, "failed", f"holds no {_UNITS[source.fmt]}"))
        return items
    found = read.annotations
    if reorder is not None and FORMAT_INFO[source.fmt].dual_order:
        found = tuple(replace(a, text=reorder(a.text)) for a in found)
    if _beside_its_audio(source):
        own = audio.find("", source, bases)
        if isinstance(own, _Refused):
            return [*items, ImportItem(own.name, "failed", f"{name}: {own.why}")]
        groups.setdefault(own, (source, []))[1].extend((name, a) for a in found)
        return items
    refused: dict[_Refused, list[str]] = {}
    for row, a in enumerate(found, 1):
        if not a.audio.strip():
            got: Path | _Refused = _Refused(name, "names no audio file")
        elif source.fmt == "kaldi" and kaldi.is_command(a.audio):
            got = _Refused(name, "audio is a command in wav.scp, and commands are never run")
        else:
            got = audio.find(a.audio, source, bases)
        if isinstance(got, _Refused):
            refused.setdefault(got, []).append(a.where or f"row {row}")
        else:
            groups.setdefault(got, (source, []))[1].append((name, a))
    return items + [
        ImportItem(r.name, "failed", f"{name} {_places(wheres)}: {r.why}")
        for r, wheres in refused.items()
    ]


def _beside_its_audio(source: Source) -> bool:
    """Whether a source's annotations are of the audio file of its own name beside it."""
    kspon_txt = source.fmt == "kspon" and source.path.suffix.lower() == ".txt"
    return source.fmt in BESIDE_ITS_AUDIO or kspon_txt


def _delivered_order(project: Project, sources: list[Source]) -> Callable[[str], str] | None:
    """What turns the dual transcriptions of AI Hub label files into the order of the project's
    profile, when its `export.dual_order` is not the profile's own; else None."""
    if not any(FORMAT_INFO[s.fmt].dual_order for s in sources if s.fmt in FORMAT_INFO):
        return None
    profile = load_profile(project.conventions)
    if profile.dual_order == DUAL_ORDERS[0]:
        return None
    return lambda text: swap_dual_sides(text, profile)


_UNITS = {
    "srt": "cues",
    "vtt": "cues",
    "textgrid": "non-empty intervals",
    "eaf": "time-aligned annotations",
    "nemo": "manifest lines",
    "hf": "rows",
    "kaldi": "utterances",
    "lhotse": "supervisions",
    "csv": "rows",
    "cv": "rows",
    "kspon": "transcripts",
    "aihub-doc": "utterances",
    "aihub-dialogs": "dialogs",
    "aihub-stt": "transcripts",
}

Found = list[tuple[str, Annotation]]  # (the name of the source, an annotation it holds)
Groups = dict[Path, tuple[Source, Found]]  # audio file -> its source and annotations


def _merge_copies(groups: Groups) -> list[tuple[Path, Source, Found]]:
    """One entry per distinct audio content and format: the splits of one corpus may each hold
    a copy of a recording, and its segments belong together."""
    merged: dict[tuple[str, str], tuple[Path, Source, Found]] = {}
    for audio, (source, found) in groups.items():
        key = (_digest(audio), source.fmt)
        if key in merged:
            merged[key][2].extend(found)
        else:
            merged[key] = (audio, source, list(found))
    return [
        (audio, source, _once(found) if source.fmt == "kspon" else found)
        for audio, source, found in merged.values()
    ]


def _once(found: Found) -> Found:
    """KsponSpeech annotations less repeats: a .txt and the .trn line naming its .pcm, given
    as two sources, hold the same transcript."""
    seen: set[tuple] = set()
    kept = []
    for name, a in found:
        key = (a.start, a.end, a.text, a.speaker)
        if key not in seen:
            seen.add(key)
            kept.append((name, a))
    return kept


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
    wb: Workbench, project: Project, path: Path, source: Source, found: Found, audio: _Audio
) -> tuple[list[ImportItem], int]:
    """Import one audio file and attach its annotations; (the audio's item and a failed one
    per annotation that does not fit in the audio or repeats another, segments attached)."""
    item = import_file(wb, project, path, audio.audio_name(path), uploaded=audio.public)
    if item.outcome == "failed" or item.recording_id is None:
        return [item], 0
    recording = store.get_recording(wb.db, item.recording_id)
    drafts, outside, repeated = _drafts(found, recording.duration)
    n = store.add_drafted_segments(wb.db, recording.id, drafts, author=f"import:{source.fmt}")
    name = audio.source_name(source)
    note = f"{n} segments from {name} ({source.fmt})"
    if drafts and n == 0:
        note = (
            f"the recording already has segments (or was drafted); {len(drafts)} segments "
            f"from {name} not attached"
        )
    if outside:
        note += f"; {len(outside)} that do not fit in the audio skipped"
    if repeated:
        note += f"; {len(repeated)} repeated rows skipped"
    if item.outcome == "duplicate" or item.warning:
        note = f"{item.reason}; {note}"
    done = ImportItem(item.name, item.outcome, note, item.recording_id, item.duration, item.warning)
    return [done, *(outside + repeated)[:MAX_ROW_PROBLEMS]], n


def _drafts(found: Found, duration: float) -> tuple[list[dict], list[ImportItem], list[ImportItem]]:
    """The segments to draft from a recording's annotations, in time order, and a failed item
    for each annotation that does not fit in its `duration` and each exact copy of one taken
    (the same times, text and speaker)."""
    drafts: list[dict] = []
    outside: list[ImportItem] = []
    repeated: list[ImportItem] = []
    taken: dict[tuple, str] = {}  # (start, end, text, speaker) -> where it was first read
    for name, a in found:
        try:
            end = duration if a.end is None else a.end
            start, end = check_bounds(a.start or 0.0, end, duration)
        except InvalidEdit as exc:
            outside.append(ImportItem(name, "failed", str(AnnotationError(str(exc), a.where))))
            continue
        draft = {
            "start": start,
            "end": end,
            "text": clean_text(a.text),
            "speaker": clean_text(a.speaker or "") or None,
            "source": "import",
        }
        same = (start, end, draft["text"], draft["speaker"])
        if same in taken:
            why = f"the same segment as {taken[same]} (times, text and speaker); skipped"
            repeated.append(ImportItem(name, "failed", str(AnnotationError(why, a.where))))
            continue
        taken[same] = " ".join(p for p in (name, a.where) if p)
        drafts.append(draft)
    drafts.sort(key=lambda d: (d["start"], d["end"]))
    return drafts, outside, repeated
