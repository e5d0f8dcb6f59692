"""`python -m workbench`: the same operations as the pages, for scripts and batch jobs."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import time
from pathlib import Path

from workbench import store
from workbench.asr import EMBEDDED_NAME, ENGINES, ModelNotFound, TranscribeOptions, load_engine
from workbench.corpus import Job
from workbench.drafting import JobRunning, run_draft_job, start_draft_job
from workbench.export import FORMATS
from workbench.exporting import DEFAULT_STATUS, STATUS_CHOICES, export_batch
from workbench.importing import import_paths
from workbench.service import NotFound, Workbench, ensure_project, get_project, open_workbench, project_status


class Progress:
    """A one-line progress bar on stderr (redrawn on a terminal, a line per 10% otherwise)."""

    def __init__(self, label: str):
        self.label = label
        self.tty = sys.stderr.isatty()
        self.last_decile = -1
        self.started = time.monotonic()

    def show(self, done: float, total: float, note: str = "") -> None:
        share = 1.0 if total <= 0 else min(1.0, done / total)
        elapsed = time.monotonic() - self.started
        eta = f" ETA {elapsed / share - elapsed:.0f}s" if 0 < share < 1 else ""
        bar = "#" * int(share * 30)
        line = f"{self.label} [{bar:<30}] {share:6.1%}{eta} {note}"[:120]
        if self.tty:
            print("\r" + line.ljust(120), end="", file=sys.stderr, flush=True)
        elif int(share * 10) != self.last_decile:
            self.last_decile = int(share * 10)
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.tty:
            print(file=sys.stderr)


def cmd_import(wb: Workbench, args: argparse.Namespace) -> int:
    project = ensure_project(wb, args.project, language=args.language)
    bar = Progress("import")
    report = import_paths(wb, project, args.paths, progress=lambda d, t, n: bar.show(d, t, n))
    bar.close()
    for item in report.items:
        if item.outcome != "imported":
            print(f"{item.outcome}: {item.name}: {item.reason}")
    print(f"{project.name}: {report.summary()}")
    return 1 if report.failed else 0


def cmd_transcribe(wb: Workbench, args: argparse.Namespace) -> int:
    project = get_project(wb, args.project)
    engine_name = args.engine or project.asr_engine
    model = args.model or (project.asr_model if engine_name == project.asr_engine else EMBEDDED_NAME)
    language = args.language or project.language
    options = TranscribeOptions(language=language, beam_size=args.beam_size)
    job = start_draft_job(wb, project, {"engine": engine_name, "model": model, "language": language})
    try:
        engine = load_engine(engine_name, model, wb.settings.models_dir)
    except ModelNotFound as exc:
        store.update_job(wb.db, job.id, state="failed", error=str(exc), message="model not found")
        raise
    bar = Progress("draft")

    def show(j: Job) -> None:
        bar.show(j.done, j.total, j.message)

    job = run_draft_job(wb, job, engine, options, on_progress=show)
    bar.close()
    for line in (job.error or "").splitlines():
        print(f"failed: {line}")
    counts = project_status(wb, project)["segments"]
    print(f"{project.name}: job {job.state}; {counts['drafted']} segments drafted in all")
    return 0 if job.state == "done" and not job.error else 1


def cmd_export(wb: Workbench, args: argparse.Namespace) -> int:
    project = get_project(wb, args.project)
    bar = Progress("export")
    result = export_batch(
        wb, project, Path(args.out), fmt=args.format, status=args.status,
        author=getpass.getuser(), progress=lambda d, t: bar.show(d, t),
    )
    bar.close()
    print(
        f"wrote {result.segments} segments, {result.hours:.3f} h, to {result.path} "
        f"(manifest sha256 {result.checksum[:12]})"
    )
    return 0


def cmd_status(wb: Workbench, args: argparse.Namespace) -> int:
    status = project_status(wb, get_project(wb, args.project))
    if args.json:
        print(json.dumps(status, indent=2))
        return 0
    print(f"{status['project']} (language {status['language']})")
    print(f"  recordings      {status['recordings']}  ({status['audio_hours']:.3f} h of audio)")
    for name, count in status["segments"].items():
        print(f"  {name:<15} {count}")
    print(f"  labelled        {status['labelled_hours']:.3f} h")
    return 0


def _common_options(default: object) -> argparse.ArgumentParser:
    """--home and --db, accepted before or after the command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", default=default,
                        help="workbench folder (default: $WORKBENCH_HOME or data)")
    common.add_argument("--db", default=default,
                        help="SQLAlchemy database URL (default: SQLite in the home)")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options(argparse.SUPPRESS)  # a subcommand's copy must not reset the top's
    parser = argparse.ArgumentParser(prog="python -m workbench", parents=[_common_options(None)],
                                     description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", parents=[common], help="import audio files, folders or zips")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--project", required=True)
    p.add_argument("--language", default="auto", help="for a new project: auto or a code (ko, en)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("transcribe", parents=[common], help="draft undrafted recordings")
    p.add_argument("--project", required=True)
    p.add_argument("--engine", choices=sorted(ENGINES), help="default: the project's")
    p.add_argument("--model", help=f"model name or path (default: the project's, {EMBEDDED_NAME})")
    p.add_argument("--language", help="auto or a code (default: the project's)")
    p.add_argument("--beam-size", type=int, default=5)
    p.set_defaults(func=cmd_transcribe)

    p = sub.add_parser("export", parents=[common], help="export a batch as a training corpus")
    p.add_argument("--project", required=True)
    p.add_argument("--format", default="nemo", choices=FORMATS)
    p.add_argument("--out", required=True, help="folder to create")
    p.add_argument("--status", default=DEFAULT_STATUS, choices=STATUS_CHOICES)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("status", parents=[common], help="counts by status and hours")
    p.add_argument("--project", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; errors the user can fix print one line and exit 2, no traceback."""
    args = build_parser().parse_args(argv)
    try:
        wb = open_workbench(args.home, args.db)
        return args.func(wb, args)
    except (NotFound, ValueError, FileExistsError, ModelNotFound, JobRunning, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
