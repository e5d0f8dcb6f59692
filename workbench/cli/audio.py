"""Audio in, drafts out: import, transcribe, cancel (the draft job) and status (what the
project holds)."""

from __future__ import annotations

import argparse
import json
import logging

from workbench.asr import EMBEDDED_NAME, ENGINES, ModelNotFound
from workbench.cli.parsers import add_command, add_project_command, add_ray, on_cluster
from workbench.cli.progress import Progress
from workbench.core.records import Job, Project
from workbench.drafts.draft_job import cancel_draft_job, options_for, run_draft_job, start_draft_job
from workbench.intake.transcripts import AudioScope, import_any
from workbench.jobs.cluster import ClusterUnavailable, open_transcriber
from workbench.jobs.lifecycle import fail_job
from workbench.projects.settings import (
    Workbench,
    ensure_project,
    project_status,
    projects,
    suggested_conventions,
)
from workbench.text.clean import shown

log = logging.getLogger(__name__)


def add_import(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "import",
        cmd_import,
        "import audio files, folders or zips, and transcripts with their audio "
        "(NeMo, audiofolder, Kaldi, lhotse, SRT, VTT, TextGrid, EAF, CSV/TSV, "
        "KsponSpeech, AI Hub JSON)",
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--project", required=True)
    p.add_argument("--language", default="auto", help="for a new project: auto or a code (ko, en)")
    p.add_argument(
        "--conventions",
        metavar="PROFILE",
        help="for a new project: plain, kspon, verbatim-en, or a profile file's path "
        "(default: the language's usual profile, kspon for ko; plain otherwise)",
    )


def cmd_import(wb: Workbench, args: argparse.Namespace) -> int:
    suggested = suggested_conventions(args.language)
    conventions = args.conventions or suggested or "plain"
    existed = args.project.strip() in {p.name for p in projects(wb)}
    project = ensure_project(
        wb, args.project, language=args.language, conventions=conventions, allow_path=True
    )
    if not existed and not args.conventions and suggested:
        print(
            f"conventions: {suggested}, the usual for {args.language} "
            "(--conventions plain or another profile to choose otherwise)"
        )
    bar = Progress("import")
    result = import_any(
        wb,
        project,
        args.paths,
        progress=lambda d, t, n: bar.show(d, t, n),
        audio_from=AudioScope.server(),
    )  # the operator's own files
    bar.close()
    report = result.report
    for item in report.items:
        if item.outcome != "imported" or item.reason:
            print(f"{item.outcome}: {shown(item.name)}: {shown(item.reason)}")
    attached = f"; {result.segments} segments from annotations" if result.segments else ""
    print(f"{shown(project.name)}: {report.summary()}{attached}")
    return 1 if report.failed else 0


def add_transcribe(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(sub, common, "transcribe", cmd_transcribe, "draft undrafted recordings")
    p.add_argument("--engine", choices=sorted(ENGINES), help="default: the project's")
    p.add_argument("--model", help=f"model name or path (default: the project's, {EMBEDDED_NAME})")
    p.add_argument("--language", help="auto or a code (default: the project's)")
    p.add_argument("--beam-size", type=int, default=5)
    add_ray(p)


def cmd_transcribe(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    wb = on_cluster(wb, args)
    engine_name = args.engine or project.asr_engine
    model = args.model or (
        project.asr_model if engine_name == project.asr_engine else EMBEDDED_NAME
    )
    language = args.language or project.language
    options = options_for(project, language, beam_size=args.beam_size)
    job = start_draft_job(
        wb, project, {"engine": engine_name, "model": model, "language": language}
    )
    try:
        transcriber = open_transcriber(wb, engine_name, model, f"draft-{job.id}")
    except (ModelNotFound, ClusterUnavailable) as exc:
        log.warning(
            "draft job %d for project %r: cannot load %s model %r: %s",
            job.id,
            project.name,
            engine_name,
            model,
            exc,
        )
        fail_job(wb, job, str(exc))
        raise
    bar = Progress("draft")

    def show(j: Job) -> None:
        bar.show(j.done, j.total, j.message)

    job = run_draft_job(wb, job, transcriber, options, on_progress=show)
    bar.close()
    for line in (job.error or "").splitlines():
        print(f"failed: {shown(line)}")
    counts = project_status(wb, project)["segments"]
    print(
        f"{shown(project.name)}: job {job.state}; the project has {counts['drafted']} drafted "
        "segment(s) to label"
    )
    return 0 if job.state == "done" and not job.error else 1


def add_cancel(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    add_project_command(sub, common, "cancel", cmd_cancel, "stop a running draft job")


def cmd_cancel(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    job = cancel_draft_job(wb, project)
    if job is None:
        print(f"{shown(project.name)}: no draft job is running")
        return 1
    if job.state == "running":
        print(f"{shown(project.name)}: job {job.id} will stop after the recording it is drafting")
    else:
        print(f"{shown(project.name)}: job {job.id} {shown(job.message)}; marked {job.state}")
    return 0


def add_status(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(sub, common, "status", cmd_status, "counts by status and hours")
    p.add_argument("--json", action="store_true")


def cmd_status(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    status = project_status(wb, project)
    if args.json:
        print(json.dumps(status, indent=2))
        return 0
    print(f"{shown(status['project'])} (language {status['language']})")
    print(f"  recordings      {status['recordings']}  ({status['audio_hours']:.3f} h of audio)")
    for name, count in status["segments"].items():
        print(f"  {name:<15} {count}")
    print(f"  labelled        {status['labelled_hours']:.3f} h")
    return 0
