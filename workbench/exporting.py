"""Export a batch of segments as a training corpus, atomically.

The corpus is written into a temporary folder beside the destination and renamed into place
only when complete, so a crash or a failure never leaves a half-written corpus under the
destination's name.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf

from workbench import store
from workbench.audio.working import SAMPLE_RATE, read_slice
from workbench.corpus import Project, Status, segment_uid
from workbench.export import FORMATS
from workbench.export.nemo import ManifestEntry, write_manifest
from workbench.service import Workbench

DEFAULT_STATUS = "labeled"  # until the review workflow exists; then 'approved'
STATUS_CHOICES = ("approved", "labeled", "drafted", "any")
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    segments: int
    seconds: float
    checksum: str  # sha256 of the manifest
    export_id: int

    @property
    def hours(self) -> float:
        return self.seconds / 3600


def statuses_for(choice: str) -> list[str] | None:
    """The segment statuses an export's --status takes; None means any."""
    if choice not in STATUS_CHOICES:
        raise ValueError(f"unknown status {choice!r}; choose one of {', '.join(STATUS_CHOICES)}")
    if choice == "any":
        return None
    if choice == "labeled":  # labelled work includes what a reviewer has approved since
        return [Status.LABELED.value, Status.APPROVED.value]
    return [choice]


def export_batch(
    wb: Workbench,
    project: Project,
    out: Path,
    fmt: str = "nemo",
    status: str = DEFAULT_STATUS,
    author: str = "owner",
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """Write `project`'s segments with `status` to the folder `out` (which must not hold files)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    statuses = statuses_for(status)
    out = Path(out).resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} already exists and is not an empty folder")
    rows = store.export_rows(wb.db, project.id, statuses)
    if not rows:
        raise ValueError(f"no segments with status {status!r} in project {project.name!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.part-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        (tmp / "clips").mkdir(parents=True)
        entries = _write_clips(wb, rows, tmp, progress)
        with open(tmp / MANIFEST, "w", encoding="utf-8") as f:
            write_manifest(entries, f)
        checksum = hashlib.sha256((tmp / MANIFEST).read_bytes()).hexdigest()
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    seconds = sum(e.duration for e in entries)
    export_id = store.record_export(
        wb.db,
        project_id=project.id,
        format=fmt,
        path=str(out),
        filters={"status": status},
        counts={"segments": len(entries), "recordings": len({r["recording_id"] for r in rows})},
        hours=seconds / 3600,
        checksum=checksum,
        created_by=author,
    )
    return ExportResult(out, len(entries), seconds, checksum, export_id)


def _write_clips(
    wb: Workbench, rows: list[dict], folder: Path, progress: Callable[[int, int], None] | None
) -> list[ManifestEntry]:
    entries = []
    for done, row in enumerate(rows):
        uid = segment_uid(row["recording_id"], row["segment_id"])
        clip = read_slice(wb.path(row["working_path"]), row["start"], row["end"])
        sf.write(str(folder / "clips" / f"{uid}.wav"), clip, SAMPLE_RATE, subtype="PCM_16")
        entries.append(
            ManifestEntry(
                audio_filepath=f"clips/{uid}.wav",
                duration=len(clip) / SAMPLE_RATE,
                text=row["text"],
                segment_id=row["segment_id"],
                recording=row["recording"],
                start=row["start"],
                end=row["end"],
                speaker=row["speaker"] or row["recording_speaker"],
            )
        )
        if progress:
            progress(done + 1, len(rows))
    return entries


def zip_folder(folder: Path) -> Path:
    """A zip of an export folder beside it (written atomically), for download."""
    target = folder.with_suffix(".zip")
    if target.is_file():
        return target
    tmp = target.with_name(target.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, Path(folder.name) / path.relative_to(folder))
    os.replace(tmp, target)
    return target
