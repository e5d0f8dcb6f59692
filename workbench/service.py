"""Use cases shared by the pages and the CLI: projects, saving edits, status.

Importing, drafting and exporting live beside this module (`importing`, `drafting`,
`exporting`); all of them take a `Workbench`, the settings plus an open database.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from workbench import store
from workbench.config import Settings, load_settings
from workbench.corpus import Edit, Project, Revision, Status
from workbench.text import cer, headline_metric, lint, load_profile, render, wer

LANGUAGES = ("auto", "ko", "en", "ja", "zh", "de", "fr", "es")  # offered in the UI; CLI takes any


@dataclass(frozen=True)
class Workbench:
    """The settings and the database engine every use case works on."""

    settings: Settings
    db: Engine

    def path(self, relative: str) -> Path:
        """A path stored relative to the home, made absolute."""
        return self.settings.home / relative


class NotFound(LookupError):
    """A named thing (project, segment) does not exist."""


def open_workbench(home: str | Path | None = None, db_url: str | None = None) -> Workbench:
    """Open (and create or upgrade) the workbench at `home` with the database at `db_url`."""
    settings = load_settings(home, db_url)
    settings.home.mkdir(parents=True, exist_ok=True)
    return Workbench(settings, _engine(settings.db_url))


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    return store.open_store(url)


def get_project(wb: Workbench, name: str) -> Project:
    """The project called `name`, or NotFound listing the ones that exist."""
    project = store.find_project(wb.db, name)
    if project is None:
        names = ", ".join(p.name for p in store.list_projects(wb.db)) or "none yet"
        raise NotFound(f"no project named {name!r} (projects: {names})")
    return project


def ensure_project(
    wb: Workbench, name: str, language: str = "auto", conventions: str = "plain"
) -> Project:
    """The project called `name`, created with `language` and `conventions` if it is new.

    `conventions` is a built-in profile name (plain, kspon, verbatim-en) or a profile file's
    path; it is checked before the project is created.
    """
    name = name.strip()
    if not name:
        raise ValueError("a project needs a name")
    existing = store.find_project(wb.db, name)
    if existing is not None:
        return existing
    load_profile(conventions)  # a bad profile is refused before anything is created
    return store.create_project(wb.db, name, language=language, conventions=str(conventions))


def lint_project(wb: Workbench, project: Project) -> list[dict[str, Any]]:
    """Every convention finding in the latest text of the project's live segments."""
    profile = load_profile(project.conventions)
    findings = []
    for q in store.segment_queue(wb.db, project.id):
        if q["status"] == Status.DELETED.value:
            continue
        for f in lint(q["text"] or "", profile):
            findings.append({"segment_id": q["id"], "recording": q["recording"],
                             "start": q["start"], "rule": f.rule, "level": f.level,
                             "message": f.message})
    return findings


def save_segment(
    wb: Workbench,
    segment_id: int,
    expected_version: int,
    text: str,
    start: float,
    end: float,
    author: str,
) -> Revision:
    """Save a labeller's text and boundaries as a new revision; the segment becomes `labeled`.

    Speaker, tags and comment stay as they are (see `editing.save` for the full edit). Raises
    InvalidEdit for bad boundaries and StaleEdit when someone saved since `expected_version`
    (the newer text is in the exception).
    """
    from workbench.editing import save

    seg = store.get_segment(wb.db, segment_id)
    edit = Edit(text, start, end, Status.LABELED, seg.speaker, seg.tags, seg.comment)
    return save(wb, segment_id, expected_version, edit, author)


def project_status(wb: Workbench, project: Project) -> dict[str, Any]:
    """Counts by status, hours of audio and hours labelled (labeled or approved)."""
    counts = store.status_counts(wb.db, project.id)
    hours = counts["segment_hours"]
    return {
        "project": project.name,
        "language": project.language,
        "recordings": counts["recordings"],
        "audio_hours": round(counts["audio_hours"], 4),
        "segments": {s.value: counts["segments"].get(s.value, 0) for s in Status},
        "labelled_hours": round(
            hours.get(Status.LABELED.value, 0.0) + hours.get(Status.APPROVED.value, 0.0), 4
        ),
    }


def draft_quality(wb: Workbench, project: Project) -> dict[str, Any] | None:
    """How far the labelled text is from the ASR drafts: WER and CER over all labelled segments.

    The labelled text is the reference. Both sides are compared in the spelling form of the
    project's conventions (tags and marks removed), case and punctuation ignored. `headline`
    names the metric that matters for the project's language (CER for Korean). None before any
    drafted segment is labelled.
    """
    pairs = store.draft_final_pairs(wb.db, project.id)
    if not pairs:
        return None
    profile = load_profile(project.conventions)
    hyps = [render(d, profile, form="spelling") or "" for d, _ in pairs]
    refs = [render(f, profile, form="spelling") or "" for _, f in pairs]
    language = project.language if project.language != "auto" else (profile.language or "en")
    return {"segments": len(pairs), "wer": wer(refs, hyps), "cer": cer(refs, hyps),
            "headline": headline_metric(language)}
