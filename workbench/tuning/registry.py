"""The model registry: a project's fine-tuned versions, which one drafts, and the switches
between them and the base model (an owner's; each is logged, none is silent)."""

from __future__ import annotations

from pathlib import Path

from workbench import store
from workbench.core.access import Action, require
from workbench.core.errors import Kind, NotFound, WorkbenchError
from workbench.core.messages import N_, t
from workbench.core.records import Job, ModelVersion, Project
from workbench.core.workbench import Workbench
from workbench.jobs.lifecycle import live_job

KIND = "tune"  # the fine-tune jobs' kind
ENGINE = "faster-whisper"  # what the versions are written for (CTranslate2 folders)
CANCELLED = N_("cancelled; no version was kept")  # a cancelled fine-tune, in words (t() shows it)


def version_model(version: ModelVersion) -> str:
    """The name a project's asr_model takes for a version: its folder inside `models/`."""
    return Path(version.path).relative_to("models").as_posix()


def in_use(project: Project, version: ModelVersion) -> bool:
    """Whether the project drafts with this version now."""
    return project.asr_engine == version.engine and project.asr_model == version_model(version)


def outcome(project: Project, version: ModelVersion, job: Job | None = None) -> str:
    """A version's state in words: in use, ready (and why it was not made the drafting
    model), training, failed (why, when its job is given) or cancelled (nothing kept); in the
    reader's language."""
    if version.state == "ready":
        if in_use(project, version):
            return t("in use")
        if version.better:
            return t("ready, not in use")
        return t("ready, not in use: not better on the held-out set")
    if version.state == "failed":
        reason = job.error if job is not None and job.error else t("the job stopped")
        return t("failed: {reason}", reason=reason.splitlines()[0])
    if version.state == "cancelled":
        return t(CANCELLED)
    return t("training") if version.state == "training" else version.state


def scores(version: ModelVersion) -> str:
    """'WER 31.0% → 24.5%': the held-out error of the model before and of this version."""
    metric = (version.metric or "").upper()
    return f"{metric} {_pct(version.error_before)} → {_pct(version.error_after)}"


def label(project: Project, versions: list[ModelVersion] | tuple[ModelVersion, ...]) -> str:
    """The project's drafting model as the owner knows it: 'v2', or the model's name."""
    for version in versions:
        if in_use(project, version):
            return f"v{version.n}"
    return project.asr_model


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def list_models(wb: Workbench, project: Project) -> list[ModelVersion]:
    """The project's versions, newest first; one left 'training' by a job that ended is
    marked failed first."""
    require(wb, Action.DRAFT, project.id)
    running = live_job(wb, project, KIND)
    out = []
    for v in store.list_models(wb.db, project.id):
        if v.state == "training" and (running is None or running.id != v.job_id):
            ended = store.get_job(wb.db, v.job_id).state if v.job_id is not None else "failed"
            v = store.update_model(
                wb.db, v.id, state="cancelled" if ended == "cancelled" else "failed"
            )
        out.append(v)
    return out


def switch_to(wb: Workbench, project: Project, version: ModelVersion, event: str) -> None:
    """Make the version the project's drafting model; logged."""
    values = {"asr_engine": version.engine, "asr_model": version_model(version)}
    store.update_project(wb.db, project.id, **values)
    if version.promoted_at is None:
        store.update_model(wb.db, version.id, promoted_at=store.now())
    store.log_event(
        wb.db,
        wb.actor.name,
        event,
        project.id,
        {
            "version": version.n,
            "from": [project.asr_engine, project.asr_model],
            "error_before": version.error_before,
            "error_after": version.error_after,
        },
    )


def promote(wb: Workbench, project: Project, model_n: int) -> Project:
    """An owner makes the ready version `model_n` the project's drafting model."""
    require(wb, Action.DRAFT, project.id)
    version = store.get_model(wb.db, project.id, model_n)
    if version is None or version.state != "ready":
        raise NotFound(f"no ready version v{model_n} in this project")
    if not (wb.path(version.path) / "model.bin").is_file():
        raise WorkbenchError(
            f"the files of v{model_n} are missing from the models folder", kind=Kind.UNAVAILABLE
        )
    switch_to(wb, project, version, "model chosen")
    return store.get_project(wb.db, project.id)


def base_model(wb: Workbench, project: Project) -> tuple[str, str] | None:
    """(engine, model) the project drafted with before its first version, or None when it has
    no version."""
    versions = store.list_models(wb.db, project.id)
    if not versions:
        return None
    first = versions[-1]
    return first.params.get("base_engine", ENGINE), first.base


def use_base(wb: Workbench, project: Project) -> Project:
    """An owner goes back to the model the project drafted with before any version."""
    user = require(wb, Action.DRAFT, project.id)
    base = base_model(wb, project)
    if base is None:
        raise WorkbenchError(
            "this project has no fine-tuned version: it drafts with its base model"
        )
    engine, model = base
    store.update_project(wb.db, project.id, asr_engine=engine, asr_model=model)
    store.log_event(
        wb.db,
        user.name,
        "model chosen",
        project.id,
        {"version": "base", "model": model, "from": [project.asr_engine, project.asr_model]},
    )
    return store.get_project(wb.db, project.id)
