"""Import audio into a project: files, folders and zip archives, each file on its own.

Each file is probed, hashed (a duplicate within the project is reported and skipped), converted
once into the 16 kHz mono FLAC working copy with its peaks, and only then recorded in the
database. A file that fails is reported with its name and the reason; the others go on.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from workbench import store
from workbench.audio import AudioError, convert
from workbench.audio.working import PART, Converted
from workbench.core.access import Action, require
from workbench.core.config import MB, Limits, describe_size
from workbench.core.errors import WorkbenchError
from workbench.core.lengths import audio_length
from workbench.core.records import Project, Recording
from workbench.core.workbench import Workbench
from workbench.formats import kspon
from workbench.jobs.failures import environmental
from workbench.jobs.leftovers import TAG, owner_tag, remove_stale

log = logging.getLogger(__name__)

AUDIO_SUFFIXES = {
    ".wav",
    ".flac",
    ".mp3",
    ".ogg",
    ".oga",
    ".opus",
    ".m4a",
    ".aac",
    ".mp4",
    ".webm",
    ".wma",
    ".aif",
    ".aiff",
    ".pcm",
}
HEADERLESS = ".pcm"  # no header: taken as KsponSpeech's 16 kHz 16-bit mono (formats.kspon)


@dataclass(frozen=True)
class ImportItem:
    """The outcome for one file: 'imported', 'duplicate' or 'failed'.

    `name` and `reason` are made printable (see `printable`) whatever they were given as.
    `warning`: the reason of an imported file is one to read (it may be cut short), not a note.
    """

    name: str
    outcome: str
    reason: str = ""
    recording_id: int | None = None
    duration: float = 0.0
    warning: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", printable(self.name))
        object.__setattr__(self, "reason", printable(self.reason))


def printable(text: str) -> str:
    """`text` as it can be printed and stored: the bytes of a file name that is not UTF-8
    (which Python holds as surrogates) written as \\xNN escapes, 'caf\\xe9.wav'."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that came from no file name
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass(frozen=True)
class ImportReport:
    items: tuple[ImportItem, ...]

    def count(self, outcome: str) -> int:
        return sum(1 for i in self.items if i.outcome == outcome)

    @property
    def failed(self) -> list[ImportItem]:
        return [i for i in self.items if i.outcome == "failed"]

    def summary(self) -> str:
        seconds = sum(i.duration for i in self.items if i.outcome == "imported")
        return (
            f"{self.count('imported')} imported ({audio_length(seconds)}), "
            f"{self.count('duplicate')} duplicate, {self.count('failed')} failed"
        )


Progress = Callable[[int, int, str], None]  # (files done, files in all, current name)


def import_paths(
    wb: Workbench, project: Project, paths: Iterable[str | Path], progress: Progress | None = None
) -> ImportReport:
    """Import files, folders (recursively, audio suffixes only) and zip archives (owners)."""
    require(wb, Action.IMPORT, project.id)
    with scratch_folder(wb) as scratch:
        sources = list(_expand(paths, Path(scratch), wb.settings.limits))
        items = []
        for done, (name, path, error) in enumerate(sources):
            if progress:
                progress(done, len(sources), printable(name))
            items.append(
                ImportItem(name, "failed", error) if error else import_file(wb, project, path, name)
            )
        if progress:
            progress(len(sources), len(sources), "")
    return ImportReport(tuple(items))


def import_file(
    wb: Workbench, project: Project, path: Path, name: str | None = None, *, uploaded: bool = False
) -> ImportItem:
    """Import one audio file under `name` (default: its file name).

    `uploaded`: the file came from a browser, so the reason of a failure is plain words (the
    exception, which may hold server paths, goes to the log) and the recording keeps `name`
    rather than a server path as its source.
    """
    name = printable(name or path.name)
    if path.suffix.lower() != HEADERLESS:
        return _import_decodable(wb, project, path, path, name, uploaded)
    with scratch_folder(wb) as tmp:
        wav = Path(tmp) / "headerless.wav"
        try:
            kspon.pcm_as_wav(path, wav)
        except OSError as exc:
            return _unreadable(name, path, exc, uploaded)
        return _import_decodable(wb, project, wav, path, name, uploaded)


def _unreadable(name: str, path: Path, exc: OSError, uploaded: bool) -> ImportItem:
    if uploaded:
        log.warning("cannot read the upload %s (%s)", name, path, exc_info=exc)
        return ImportItem(name, "failed", "the file cannot be read")
    return ImportItem(name, "failed", f"cannot read the file ({exc.strerror or exc})")


def _import_decodable(
    wb: Workbench, project: Project, path: Path, source: Path, name: str, uploaded: bool
) -> ImportItem:
    """`import_file` of `path`, a file the decoders read: `source` itself, or a WAV made of it."""
    try:
        digest = _sha256(path)
    except OSError as exc:
        return _unreadable(name, source, exc, uploaded)
    existing = store.find_recording_by_hash(wb.db, project.id, digest)
    if existing is not None:
        return ImportItem(name, "duplicate", f"same audio as {existing.original_name}", existing.id)
    working, peaks, channels = _working_paths(digest)
    try:
        if wb.path(working).is_file() and wb.path(peaks).is_file():
            info = _reuse(wb.path(working), wb.path(channels), path)  # in another project too
        else:
            info = convert(path, wb.path(working), wb.path(peaks), wb.path(channels))
    except AudioError as exc:
        log.warning("import into %r: %s (%s) failed: %s", project.name, name, path, exc.reason)
        return ImportItem(name, "failed", exc.plain if uploaded else exc.reason)
    except Exception as exc:  # an unexpected decoder failure must not stop the batch
        if environmental(exc):  # a full disk or a read-only home: every next file would fail
            raise
        log.exception("importing %s (%s) failed", name, path)
        reason = (
            "the file cannot be decoded as audio" if uploaded else f"{type(exc).__name__}: {exc}"
        )
        return ImportItem(name, "failed", reason)
    try:
        recording = _record(wb, project, name, digest, info, source, uploaded)
    except store.DuplicateRecording as exc:  # an import of the same audio, at the same time
        existing = exc.existing
        return ImportItem(name, "duplicate", f"same audio as {existing.original_name}", existing.id)
    if info.doubt:
        warning = f"{info.doubt}; the {audio_length(recording.duration)} there were imported"
        return ImportItem(name, "imported", warning, recording.id, recording.duration, True)
    return ImportItem(name, "imported", "", recording.id, recording.duration)


def _record(
    wb: Workbench,
    project: Project,
    name: str,
    digest: str,
    info: Converted,
    source: Path,
    uploaded: bool,
) -> Recording:
    """The recording of an imported file (`source`), its working copy (named by `digest`)
    written; store.DuplicateRecording when the project got the same audio meanwhile."""
    working, peaks, channels = _working_paths(digest)
    return store.add_recording(
        wb.db,
        project_id=project.id,
        original_name=name,
        sha256=digest,
        source_path=name if uploaded or _is_scratch(wb, source) else printable(str(source)),
        working_path=working,
        peaks_path=peaks,
        sample_rate=info.sample_rate,
        channels=info.channels,
        num_samples=info.num_samples,
        duration=info.duration,
        channels_path=channels if info.kept_channels else None,
    )


def _working_paths(digest: str) -> tuple[str, str, str]:
    """Where the working copy, its peaks and its channels copy of audio `digest` live, in the
    home: shared by every project that imports the same audio."""
    return (
        f"audio/{digest[:2]}/{digest}.flac",
        f"peaks/{digest[:2]}/{digest}.npy",
        f"audio/{digest[:2]}/{digest}.channels.flac",
    )


def _reuse(working: Path, channels: Path, source: Path) -> Converted:
    import soundfile as sf

    from workbench.audio import probe

    src = probe(source)
    frames = sf.info(str(working)).frames
    return Converted(src.sample_rate, src.channels, frames, channels.is_file(), src.doubt)


def _expand(
    paths: Iterable[str | Path], scratch: Path, limits: Limits
) -> Iterator[tuple[str, Path, str]]:
    """(display name, file path, error) for every file to import; error is '' when fine."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _is_audio(p.name))
            if not found:
                yield path.name, path, "the folder holds no audio files"
            for p in found:
                yield str(p.relative_to(path.parent)), p, ""
        elif path.is_file() and path.suffix.lower() == ".zip":
            target = scratch / f"zip-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"
            yield from extract_zip(path, target, limits=limits)
        elif path.is_file():
            yield path.name, path, ""
        else:
            yield str(path), path, "no such file or folder"


RATIO_FLOOR = 16 * MB  # smaller than this unpacked, an archive or entry may pack any amount
NESTED = "a zip archive inside a zip archive is not unpacked; unpack it and import its files"


def extract_zip(
    archive: Path,
    target: Path,
    wanted: Callable[[str], bool] | None = None,
    public: bool = False,
    limits: Limits | None = None,
) -> Iterator[tuple[str, Path, str]]:
    """Extract a zip's wanted entries (audio, by default) into `target`: (the entry as shown,
    the extracted file or the archive, an error or '').

    Before anything is written, the archive is refused whole when it holds more entries, would
    unpack to more bytes (or more times its own size) than `limits` allow, or more than the
    disk has free; an entry packed more tightly than the ratio allows is refused alone. While
    extracting, an entry that yields more bytes than it declares is stopped and removed.
    Entries that would escape `target` (absolute, '..') are refused; so is an entry whose name
    an earlier entry already took (the first is imported), and a zip archive inside the
    archive (it is not unpacked). `public`: for a browser, so an unsafe entry is shown by its
    base name and a reason holds no exception text (that goes to the log).
    """
    wanted = wanted or _is_audio
    limits = limits or Limits()
    try:
        too_many = _entry_count_refusal(archive, limits)
        if too_many:
            yield archive.name, archive, too_many
            return
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                info.filename = entry_name(info)
            entries = [
                i
                for i in zf.infolist()
                if not i.is_dir() and (wanted(i.filename) or _is_zip(i.filename))
            ]
            unpacked = [i for i in entries if not _is_zip(i.filename)]
            refusal = _size_refusal(archive, zf.infolist(), unpacked, target, limits)
            if refusal:
                yield archive.name, archive, refusal
                return
            if not entries:
                yield archive.name, archive, "the zip archive holds no audio files"
            taken: set[Path] = set()
            for info in entries:
                yield _extract_checked(zf, info, archive, target, taken, limits, public)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        log.warning("%s is not a valid zip archive", archive, exc_info=exc)
        yield archive.name, archive, "not a valid zip archive" + ("" if public else f" ({exc})")


UTF8_FLAG = 0x800  # general purpose bit 11: the entry's name is UTF-8


def entry_name(info: zipfile.ZipInfo) -> str:
    """An entry's name as its writer meant it. A name without the UTF-8 flag is decoded by
    zipfile as cp437, but Linux `zip` writes UTF-8 bytes and Windows (Korean) writes CP949
    bytes without the flag: those bytes are recovered and read as UTF-8, then as CP949; a
    name that is neither stays as zipfile read it. (Only the shown name changes: zipfile
    checks each entry against its `orig_filename`.)"""
    if info.flag_bits & UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:  # zipfile was told another metadata encoding
        return info.filename
    for encoding in ("utf-8", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _extract_checked(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    archive: Path,
    target: Path,
    taken: set[Path],
    limits: Limits,
    public: bool,
) -> tuple[str, Path, str]:
    """One entry extracted under `target` unless it is unsafe or refused (`taken`: the files
    earlier entries took; this one's is added): (the entry as shown, the extracted file or
    the archive, an error or '')."""
    shown_name, dest, unsafe = _destination(archive.name, info.filename, target, public)
    if dest is None:
        return shown_name, archive, unsafe
    why = _entry_refusal(info, dest, taken, limits)
    if why:
        return shown_name, archive, why
    taken.add(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        _extract_entry(zf, info, dest)
    except Exception as exc:  # a bad entry (CRC, compression, encryption, its name) fails alone
        with contextlib.suppress(OSError):  # a path the file system refuses cannot be removed
            dest.unlink(missing_ok=True)
        log.warning("cannot extract %s from %s", info.filename, archive, exc_info=exc)
        why = _unwritable(exc)
        if why:
            return shown_name, archive, f"cannot extract from the zip archive: {why}; skipped"
        detail = "" if public else f" ({exc})"
        return shown_name, archive, f"cannot extract from the zip archive{detail}"
    return shown_name, dest, ""


def _unwritable(exc: Exception) -> str:
    """Why the file system refused an entry's path, in words, or '' for another failure."""
    number = exc.errno if isinstance(exc, OSError) else None
    if number == errno.ENAMETOOLONG:  # a part over 255 bytes, or the whole path too deep
        return "its name is too long for the file system"
    if number in (errno.ENOTDIR, errno.EEXIST):  # 'x.wav', then 'x.wav/y.wav'
        return "its path runs through a file of another entry"
    if number == errno.EISDIR:  # 'x.wav/y.wav', then 'x.wav'
        return "another entry's folder has its name"
    return ""


def _destination(
    archive_name: str, filename: str, target: Path, public: bool
) -> tuple[str, Path | None, str]:
    """(the entry as shown, where it is extracted to under `target`, '') or, for an entry that
    would escape `target` (absolute, '..', a drive), (the entry as shown, None, why)."""
    shown_name = f"{archive_name}/{filename}"
    parts = PurePosixPath(filename.replace("\\", "/")).parts
    unsafe = filename.startswith(("/", "\\")) or ".." in parts
    if unsafe or not parts or ":" in parts[0]:
        if public:
            shown_name = f"{archive_name}/…/{parts[-1] if parts else ''}"
        return shown_name, None, "unsafe path in the zip archive (absolute or '..'); skipped"
    if public:
        shown_name = f"{archive_name}/{'/'.join(parts)}"
    dest = target.joinpath(*parts)
    if not dest.resolve().is_relative_to(target.resolve()):
        return shown_name, None, "unsafe path in the zip archive; skipped"
    return shown_name, dest, ""


def _entry_count_refusal(archive: Path, limits: Limits) -> str:
    """The archive's own count of entries (its end record), read before zipfile builds an
    object for each, against the limit."""
    try:
        with open(archive, "rb") as f:
            end = zipfile._EndRecData(f)  # type: ignore[attr-defined]  # stable since Python 2
        count = int(end[zipfile._ECD_ENTRIES_TOTAL]) if end else 0  # type: ignore[attr-defined]
    except (AttributeError, IndexError, TypeError, ValueError):
        return ""  # zipfile's private reader changed: the count is checked after opening
    if count > limits.zip_members:
        return (
            f"the zip archive holds {count} entries, more than the limit of "
            f"{limits.zip_members}; nothing was unpacked"
        )
    return ""


def _size_refusal(
    archive: Path,
    every: list[zipfile.ZipInfo],
    entries: list[zipfile.ZipInfo],
    target: Path,
    limits: Limits,
) -> str:
    """Why the archive is refused whole by what its central directory declares, or ''."""
    if len(every) > limits.zip_members:
        return (
            f"the zip archive holds {len(every)} entries, more than the limit of "
            f"{limits.zip_members}; nothing was unpacked"
        )
    total = sum(i.file_size for i in entries)
    if total > limits.zip_total_mb * MB:
        return (
            f"the zip archive would unpack to {describe_size(total)}, more than the limit "
            f"of {describe_size(limits.zip_total_mb * MB)}; nothing was unpacked"
        )
    packed = max(archive.stat().st_size, 1)
    if total > RATIO_FLOOR and total > packed * limits.zip_ratio:
        return (
            f"the zip archive would unpack to {describe_size(total)}, {total // packed} "
            f"times its own size (the limit is {limits.zip_ratio} times); nothing was "
            f"unpacked"
        )
    free = shutil.disk_usage(_existing(target)).free
    if total > free:
        return (
            f"the zip archive would unpack to {describe_size(total)} but only "
            f"{describe_size(free)} of disk space is free; nothing was unpacked"
        )
    return ""


def _entry_refusal(info: zipfile.ZipInfo, dest: Path, taken: set[Path], limits: Limits) -> str:
    """Why one entry is skipped (the rest go on), or ''."""
    if _is_zip(info.filename):
        return NESTED
    if dest in taken:
        return "another entry of the zip archive has the same name (the first was taken); skipped"
    packed = max(info.compress_size, 1)
    if info.file_size > RATIO_FLOOR and info.file_size > packed * limits.zip_ratio:
        return (
            f"the entry would unpack to {describe_size(info.file_size)}, "
            f"{info.file_size // packed} times its packed size (the limit is "
            f"{limits.zip_ratio} times); skipped"
        )
    return ""


class _Overflow(WorkbenchError):
    """An entry yields more bytes than the archive declares for it."""


def _extract_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path) -> None:
    """Copy one entry out, stopping as soon as it yields more than its declared size."""
    written = 0
    with zf.open(info) as src, open(dest, "wb") as out:
        while chunk := src.read(1 << 20):
            written += len(chunk)
            if written > info.file_size:
                raise _Overflow(f"the entry holds more than the {info.file_size} bytes it declares")
            out.write(chunk)


def _existing(path: Path) -> Path:
    """`path`, or its nearest folder that exists (for asking how much space is free there)."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _is_zip(name: str) -> bool:
    return name.lower().endswith(".zip")


def _is_audio(name: str) -> bool:
    return Path(name).suffix.lower() in AUDIO_SUFFIXES


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


SCRATCH = re.compile(rf"scratch-{TAG}-[a-z0-9_]+")  # scratch_folder's folders
# tempfile's, made before scratch folders had owners
LEGACY_SCRATCH = re.compile(r"tmp[a-z0-9_]{8}")
LEGACY_AGE = 24 * 3600  # seconds: older legacy folders are left by a killed import


@contextlib.contextmanager
def scratch_folder(wb: Workbench) -> Iterator[str]:
    """A folder of this call's own in the home's tmp folder, removed when its `with` block ends,
    however it ends.

    Its name carries this process's tag (see `leftovers`), so what a killed import leaves (this
    kind of folder, and half-written working copies) is removed here by the next import, once
    the process that made it is gone.
    """
    tmp = wb.settings.tmp_dir
    tmp.mkdir(parents=True, exist_ok=True)
    remove_leftovers(wb)
    folder = tempfile.mkdtemp(prefix=f"scratch-{owner_tag()}-", dir=tmp)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_leftovers(wb: Workbench) -> list[Path]:
    """Remove the scratch folders and half-written working copies of imports whose process is
    gone (killed); the paths removed."""
    removed = remove_stale(wb.settings.tmp_dir, SCRATCH)
    for top in (wb.settings.audio_dir, wb.settings.peaks_dir):
        with contextlib.suppress(OSError):
            for sub in os.scandir(top):
                if sub.is_dir(follow_symlinks=False):
                    removed += remove_stale(Path(sub.path), PART)
    with contextlib.suppress(OSError):
        for entry in os.scandir(wb.settings.tmp_dir):
            if (
                LEGACY_SCRATCH.fullmatch(entry.name)
                and entry.is_dir(follow_symlinks=False)
                and time.time() - entry.stat().st_mtime > LEGACY_AGE
            ):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(Path(entry.path))
    return removed


def _is_scratch(wb: Workbench, path: Path) -> bool:
    return path.resolve().is_relative_to(wb.settings.tmp_dir.resolve())
