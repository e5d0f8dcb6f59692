"""Use cases shared by the pages and the CLI: projects, their settings, saving edits, status.

Importing, drafting, exporting, editing and people live beside this module. Every use case
takes a `Workbench` whose `actor` is the signed-in user, and checks what that user may do
(`workbench.access.require`) before touching anything.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy.exc import NoResultFound

from workbench import store
from workbench.asr import EMBEDDED_NAME, ENGINES
from workbench.core.access import Action, Forbidden, require, visible_project_ids
from workbench.core.clock import check_zone, language_zone
from workbench.core.errors import Kind, NotFound, WorkbenchError
from workbench.core.messages import LANGUAGES as INTERFACE_LANGUAGES
from workbench.core.records import FINISHED, Project, Recording, Status
from workbench.core.workbench import Workbench, open_workbench
from workbench.crowd.claims import check_settings
from workbench.crowd.double_labelling import redraw_doubles
from workbench.crowd.rules import QUALITY_FIELDS, check_quality
from workbench.review.verdicts import clean_reasons
from workbench.text import cer, headline_metric, lint, list_profiles, load_profile, render, wer

__all__ = [
    "LANGUAGES",
    "Workbench",
    "open_workbench",
    "projects",
    "open_project",
    "get_project",
    "ensure_project",
    "settings_digest",
    "update_settings",
    "profile_choices",
    "profile_label",
    "suggested_conventions",
    "model_choices",
    "recordings",
    "lint_project",
    "project_status",
    "draft_quality",
]

LANGUAGES = ("auto", "ko", "en", "ja", "zh", "de", "fr", "es")  # offered in the UI; CLI takes any
SUGGESTED_CONVENTIONS = {"ko": "kspon"}  # the profile a new project in the language usually takes
SETTINGS_FIELDS = (
    "language",
    "conventions",
    "speakers",
    "guidelines",
    "lint_blocks",
    "asr_engine",
    "asr_model",
    "prompt",
    "max_segment",
    "min_segment",
    "per_channel",
    "review_required",
    "review_reasons",
    "review_share",
    "review_raise_above",
    "assignment",
    "claim_minutes",
    "time_zone",
    "interface_language",
    *QUALITY_FIELDS,
)


def projects(wb: Workbench) -> list[Project]:
    """The projects the acting user may see, by name."""
    visible = visible_project_ids(wb)
    return [p for p in store.list_projects(wb.db) if visible is None or p.id in visible]


def open_project(wb: Workbench, project_id: int) -> Project:
    """A project by id, if the acting user may see it (else NotFound, as if it did not exist)."""
    try:
        require(wb, Action.VIEW, project_id)
        return store.get_project(wb.db, project_id)
    except (Forbidden, NoResultFound):
        raise NotFound(f"no project {project_id} for you") from None


def get_project(wb: Workbench, name: str) -> Project:
    """The project called `name`, or NotFound listing the ones the acting user may see."""
    project = store.find_project(wb.db, name)
    if project is not None:
        try:
            return open_project(wb, project.id)
        except NotFound:
            pass
    names = ", ".join(p.name for p in projects(wb)) or "none yet"
    raise NotFound(f"no project named {name!r} (projects: {names})")


def ensure_project(
    wb: Workbench,
    name: str,
    language: str = "auto",
    conventions: str = "plain",
    allow_path: bool = False,
) -> Project:
    """The project called `name`, created with `language` and `conventions` if it is new, in
    the language's usual time zone (Asia/Seoul for Korean; else none: the server's).

    `conventions` is a built-in profile name or one of `profile_choices`; with `allow_path`
    (the command line, run on the server) any profile file's path. It is checked before the
    project is created. Creating needs the owner's role.
    """
    name = name.strip()
    if not name:
        raise WorkbenchError("a project needs a name")
    if len(name) > 200:
        raise WorkbenchError("a project name has at most 200 characters")
    existing = store.find_project(wb.db, name)
    if existing is not None:
        return open_project(wb, existing.id)
    user = require(wb, Action.CREATE_PROJECT)
    _check_profile(wb, conventions, allow_path)
    project = store.create_project(
        wb.db,
        name,
        language=language,
        conventions=str(conventions),
        time_zone=language_zone(language),
    )
    store.log_event(
        wb.db,
        user.name,
        "project created",
        project.id,
        {"name": name, "language": language, "conventions": profile_label(conventions)},
    )
    return project


def profile_choices(wb: Workbench) -> list[str]:
    """Profiles a browser may choose: the built-in names and the owner's files in the profiles
    folder of the home (`<home>/profiles/*.yaml`), by absolute path."""
    folder = wb.settings.profiles_dir
    files = sorted(str(p) for p in folder.glob("*.y*ml")) if folder.is_dir() else []
    return [*list_profiles(), *files]


def suggested_conventions(language: str) -> str | None:
    """The conventions profile a project in `language` usually follows (kspon for Korean: the
    KsponSpeech / AI Hub rules), or None when no profile is tied to the language. Offered to
    the owner who creates a project, who may choose another."""
    return SUGGESTED_CONVENTIONS.get(language.strip().lower())


def profile_label(conventions: str) -> str:
    """How a profile is shown: its name, or its file's name (never the server folder)."""
    return conventions if conventions in list_profiles() else Path(conventions).name


def _check_profile(wb: Workbench, conventions: str, allow_path: bool) -> None:
    if not allow_path and conventions not in profile_choices(wb):
        raise NotFound(
            f"no conventions profile named {profile_label(conventions)!r}: choose "
            "a built-in one or a file the owner put in the profiles folder"
        )
    try:
        load_profile(conventions)
    except (WorkbenchError, OSError) as exc:
        message = str(exc)
        if not allow_path:
            message = message.replace(str(Path(conventions).parent) + "/", "")
        kind = exc.kind if isinstance(exc, WorkbenchError) else Kind.INVALID
        raise WorkbenchError(message, kind=kind) from None


def model_choices(wb: Workbench, engine: str) -> list[str]:
    """Models a browser may choose for `engine`: the embedded one and the owner's models in
    the models folder (CTranslate2 folders for faster-whisper, `.pt` files for openai-whisper)."""
    folder = wb.settings.models_dir
    found: list[str] = []
    if folder.is_dir():
        if engine == "openai-whisper":
            found = sorted(p.name for p in folder.glob("*.pt"))
        else:
            found = sorted(
                p.name
                for p in folder.iterdir()
                if (p / "model.bin").is_file() and not p.name.startswith("whisper-base")
            )
    return [EMBEDDED_NAME, *found]


def model_path(wb: Workbench, model: str) -> str:
    """What the engines load for a stored model choice: the name, or its file in the folder."""
    candidate = wb.settings.models_dir / model
    return str(candidate) if model != EMBEDDED_NAME and candidate.exists() else model


def settings_digest(project: Project) -> str:
    """A short fingerprint of a project's stored settings: forms are keyed by it, so a form
    always shows the stored values of the project it edits (and fresh ones after a save)."""
    values = {f: getattr(project, f) for f in SETTINGS_FIELDS}
    raw = json.dumps([project.id, values], sort_keys=True, default=str).encode()
    return hashlib.sha1(raw).hexdigest()[:10]


def update_settings(wb: Workbench, project_id: int, **values: Any) -> Project:
    """An owner changes a project's settings; the change is recorded in the audit log.

    Conventions must be one of `profile_choices` and models one of `model_choices` (the
    browser never names a server path); numbers are checked for range.
    """
    user = require(wb, Action.SETTINGS, project_id)
    project = store.get_project(wb.db, project_id)
    unknown = sorted(set(values) - set(SETTINGS_FIELDS))
    if unknown:
        raise WorkbenchError(f"unknown setting {unknown[0]!r}")
    _check_choices(wb, project, values)
    if "speakers" in values:
        values["speakers"] = [s.strip()[:200] for s in values["speakers"] if s.strip()]
    if "review_reasons" in values:
        values["review_reasons"] = clean_reasons(values["review_reasons"])
    if values.get("interface_language") not in (None, *INTERFACE_LANGUAGES):
        raise WorkbenchError(
            f"interface language: one of {', '.join(INTERFACE_LANGUAGES)}, "
            f"not {values['interface_language']!r}"
        )
    if "review_required" in values:
        values["review_required"] = bool(values["review_required"])
    for key, least in (("review_share", 0.01), ("review_raise_above", 0.0)):
        if key in values:
            values[key] = round(float(values[key]), 4)
            if not least <= values[key] <= 1.0:
                raise WorkbenchError(f"{key.replace('_', ' ')}: between {least:.0%} and 100%")
    check_settings(values)
    check_quality(values)
    for warn, pause in (("warn_reject", "pause_reject"), ("warn_gold", "pause_gold")):
        if values.get(warn, getattr(project, warn)) > values.get(pause, getattr(project, pause)):
            raise WorkbenchError(f"{warn.replace('_', ' ')} is above {pause.replace('_', ' ')}")
    for key in ("guidelines", "prompt", "time_zone"):
        if key in values:
            values[key] = (values[key] or "").strip() or None
    if values.get("time_zone"):
        values["time_zone"] = check_zone(values["time_zone"])
    lo = values.get("min_segment", project.min_segment)
    hi = values.get("max_segment", project.max_segment)
    if not (0 <= lo <= 5 and 2 <= hi <= 60):
        raise WorkbenchError("segments: the shortest is 0–5 s and the longest 2–60 s")
    if "min_segment" in values:
        values["min_segment"] = min(lo, hi)
    changed = {
        k: v
        for k, v in values.items()
        if getattr(project, k) != (tuple(v) if k in ("speakers", "review_reasons") else v)
    }
    if not changed:
        return project
    updated = store.update_project(wb.db, project_id, **changed)
    if "double_share" in changed:
        redraw_doubles(wb, updated)
    shown = {
        k: (profile_label(v) if k == "conventions" else v)
        for k, v in changed.items()
        if k != "guidelines"
    }
    if "guidelines" in changed:
        shown["guidelines"] = "changed"
    store.log_event(wb.db, user.name, "settings changed", project_id, shown)
    return updated


def _check_choices(wb: Workbench, project: Project, values: dict[str, Any]) -> None:
    """The conventions, engine and model chosen must be ones offered."""
    if "conventions" in values and values["conventions"] != project.conventions:
        _check_profile(wb, values["conventions"], allow_path=False)
    engine = values.get("asr_engine", project.asr_engine)
    if engine not in ENGINES:
        raise WorkbenchError(f"unknown engine {engine!r}")
    model = values.get("asr_model", project.asr_model)
    if (
        "asr_model" in values
        and model != project.asr_model
        and model not in model_choices(wb, engine)
    ):
        raise NotFound(f"no model {model!r} in the models folder")


def recordings(wb: Workbench, project: Project) -> list[Recording]:
    """A project's recordings, for whoever may see it."""
    require(wb, Action.VIEW, project.id)
    return store.list_recordings(wb.db, project.id)


def lint_project(wb: Workbench, project: Project) -> list[dict[str, Any]]:
    """Every convention finding in the latest text of the project's live segments."""
    require(wb, Action.VIEW, project.id)
    profile = load_profile(project.conventions)
    findings: list[dict[str, Any]] = []
    for q in store.segment_queue(wb.db, project.id):
        if q["status"] == Status.DELETED.value:
            continue
        findings.extend(
            {
                "segment_id": q["id"],
                "recording": q["recording"],
                "start": q["start"],
                "rule": f.rule,
                "level": f.level,
                "message": f.message,
            }
            for f in lint(q["text"] or "", profile)
        )
    return findings


def project_status(wb: Workbench, project: Project) -> dict[str, Any]:
    """Counts by status (gold segments nobody labels apart, as 'gold', after 'drafted'),
    hours of audio and hours labelled (labeled, passed or approved)."""
    require(wb, Action.VIEW, project.id)
    counts = store.status_counts(wb.db, project.id)
    hours = counts["segment_hours"]
    return {
        "project": project.name,
        "language": project.language,
        "recordings": counts["recordings"],
        "audio_hours": round(counts["audio_hours"], 4),
        "segments": {name: counts["segments"].get(name, 0) for name in store.BUCKETS},
        "labelled_hours": round(sum(hours.get(s.value, 0.0) for s in FINISHED), 4),
    }


def draft_quality(wb: Workbench, project: Project) -> dict[str, Any] | None:
    """How far the labelled text is from the ASR drafts: WER and CER over all labelled segments.

    The labelled text is the reference. Both sides are compared in the spelling form of the
    project's conventions (tags and marks removed), case and punctuation ignored. `headline`
    names the metric that matters for the project's language (CER for Korean). None before any
    drafted segment is labelled.
    """
    require(wb, Action.VIEW, project.id)
    pairs = store.draft_final_pairs(wb.db, project.id)
    if not pairs:
        return None
    profile = load_profile(project.conventions)
    hyps = [render(d, profile, form="spelling") or "" for d, _ in pairs]
    refs = [render(f, profile, form="spelling") or "" for _, f in pairs]
    language = project.language if project.language != "auto" else (profile.language or "en")
    return {
        "segments": len(pairs),
        "wer": wer(refs, hyps),
        "cer": cer(refs, hyps),
        "headline": headline_metric(language),
    }


def labeller_stats(wb: Workbench, project: Project) -> list[dict[str, Any]]:
    """Per labeller: saves, segments, audio and active time (owners and reviewers)."""
    require(wb, Action.REVIEW, project.id)
    return store.labeller_stats(wb.db, project.id)
