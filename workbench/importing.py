"""Import audio into a project: files, folders and zip archives, each file on its own.

Each file is probed, hashed (a duplicate within the project is reported and skipped), converted
once into the 16 kHz mono FLAC working copy with its peaks, and only then recorded in the
database. A file that fails is reported with its name and the reason; the others go on.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from workbench import store
from workbench.audio import AudioError, convert
from workbench.corpus import Project
from workbench.access import Action, require
from workbench.context import Workbench

log = logging.getLogger(__name__)

log = logging.getLogger(__name__)

AUDIO_SUFFIXES = {
    ".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".mp4", ".webm", ".wma",
    ".aif", ".aiff",
}


@dataclass(frozen=True)
class ImportItem:
    """The outcome for one file: 'imported', 'duplicate' or 'failed'."""

    name: str
    outcome: str
    reason: str = ""
    recording_id: int | None = None
    duration: float = 0.0


@dataclass(frozen=True)
class ImportReport:
    items: tuple[ImportItem, ...]

    def count(self, outcome: str) -> int:
        return sum(1 for i in self.items if i.outcome == outcome)

    @property
    def failed(self) -> list[ImportItem]:
        return [i for i in self.items if i.outcome == "failed"]

    def summary(self) -> str:
        hours = sum(i.duration for i in self.items if i.outcome == "imported") / 3600
        return (
            f"{self.count('imported')} imported ({hours:.2f} h), "
            f"{self.count('duplicate')} duplicate, {self.count('failed')} failed"
        )


Progress = Callable[[int, int, str], None]  # (files done, files in all, current name)


def import_paths(
    wb: Workbench, project: Project, paths: Iterable[str | Path], progress: Progress | None = None
) -> ImportReport:
    """Import files, folders (recursively, audio suffixes only) and zip archives (owners)."""
    require(wb, Action.IMPORT, project.id)
    with scratch_folder(wb) as scratch:
        sources = list(_expand(paths, Path(scratch)))
        items = []
        for done, (name, path, error) in enumerate(sources):
            if progress:
                progress(done, len(sources), name)
            items.append(ImportItem(name, "failed", error) if error else import_file(wb, project, path, name))
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
    name = name or path.name
    try:
        digest = _sha256(path)
    except OSError as exc:
        if uploaded:
            log.warning("cannot read the upload %s (%s)", name, path, exc_info=exc)
            return ImportItem(name, "failed", "the file cannot be read")
        return ImportItem(name, "failed", f"cannot read the file ({exc.strerror or exc})")
    existing = store.find_recording_by_hash(wb.db, project.id, digest)
    if existing is not None:
        return ImportItem(name, "duplicate", f"same audio as {existing.original_name}", existing.id)
    working = f"audio/{digest[:2]}/{digest}.flac"
    peaks = f"peaks/{digest[:2]}/{digest}.npy"
    channels = f"audio/{digest[:2]}/{digest}.channels.flac"
    try:
        if wb.path(working).is_file() and wb.path(peaks).is_file():
            info = _reuse(wb.path(working), wb.path(channels), path)  # in another project too
        else:
            info = convert(path, wb.path(working), wb.path(peaks), wb.path(channels))
    except AudioError as exc:
        log.warning("import into %r: %s (%s) failed: %s", project.name, name, path, exc.reason)
        return ImportItem(name, "failed", exc.plain if uploaded else exc.reason)
    except Exception as exc:  # an unexpected decoder failure must not stop the batch
        log.exception("importing %s (%s) failed", name, path)
        reason = "the file cannot be decoded as audio" if uploaded else f"{type(exc).__name__}: {exc}"
        return ImportItem(name, "failed", reason)
    recording = store.add_recording(
        wb.db,
        project_id=project.id,
        original_name=name,
        sha256=digest,
        source_path=name if uploaded or _is_scratch(wb, path) else str(path),
        working_path=working,
        peaks_path=peaks,
        sample_rate=info.sample_rate,
        channels=info.channels,
        num_samples=info.num_samples,
        duration=info.duration,
        channels_path=channels if info.kept_channels else None,
    )
    return ImportItem(name, "imported", "", recording.id, recording.duration)


def _reuse(working: Path, channels: Path, source: Path):
    import soundfile as sf

    from workbench.audio import probe
    from workbench.audio.working import Converted

    src = probe(source)
    return Converted(src.sample_rate, src.channels, sf.info(str(working)).frames, channels.is_file())


def _expand(paths: Iterable[str | Path], scratch: Path) -> Iterator[tuple[str, Path, str]]:
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
            yield from extract_zip(path, target)
        elif path.is_file():
            yield path.name, path, ""
        else:
            yield str(path), path, "no such file or folder"


def extract_zip(
    archive: Path, target: Path, wanted: Callable[[str], bool] | None = None, public: bool = False
) -> Iterator[tuple[str, Path, str]]:
    """Extract a zip's wanted entries (audio, by default) into `target`: (the entry as shown,
    the extracted file or the archive, an error or ''). Entries that would escape `target`
    (absolute, '..') are refused. `public`: for a browser, so an unsafe entry is shown by its
    base name and a reason holds no exception text (that goes to the log).
    """
    wanted = wanted or _is_audio
    try:
        with zipfile.ZipFile(archive) as zf:
            entries = [i for i in zf.infolist() if not i.is_dir() and wanted(i.filename)]
            if not entries:
                yield archive.name, archive, "the zip archive holds no audio files"
            for info in entries:
                shown = f"{archive.name}/{info.filename}"
                parts = PurePosixPath(info.filename.replace("\\", "/")).parts
                unsafe = info.filename.startswith(("/", "\\")) or ".." in parts
                if unsafe or not parts or ":" in parts[0]:
                    if public:
                        shown = f"{archive.name}/…/{parts[-1] if parts else ''}"
                    yield shown, archive, "unsafe path in the zip archive (absolute or '..'); skipped"
                    continue
                if public:
                    shown = f"{archive.name}/{'/'.join(parts)}"
                dest = target.joinpath(*parts)
                if not dest.resolve().is_relative_to(target.resolve()):
                    yield shown, archive, "unsafe path in the zip archive; skipped"
                    continue
                try:
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(info) as src, open(dest, "wb") as out:
                        shutil.copyfileobj(src, out)
                except Exception as exc:  # a bad entry (CRC, compression, encryption) fails alone
                    log.warning("cannot extract %s from %s", info.filename, archive, exc_info=exc)
                    detail = "" if public else f" ({exc})"
                    yield shown, archive, f"cannot extract from the zip archive{detail}"
                    continue
                yield shown, dest, ""
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        log.warning("%s is not a valid zip archive", archive, exc_info=exc)
        yield archive.name, archive, "not a valid zip archive" + ("" if public else f" ({exc})")


def _is_audio(name: str) -> bool:
    return Path(name).suffix.lower() in AUDIO_SUFFIXES


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def scratch_folder(wb: Workbench) -> tempfile.TemporaryDirectory:
    """A temporary folder in the workbench's tmp folder, removed when its `with` block ends."""
    wb.settings.tmp_dir.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(dir=wb.settings.tmp_dir)


def _is_scratch(wb: Workbench, path: Path) -> bool:
    return path.resolve().is_relative_to(wb.settings.tmp_dir.resolve())
