"""A project's speaker registry: speakers list, add, set, remove, import (a CSV)."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli.parsers import add_project_command
from workbench.core.errors import NotFound, WorkbenchError
from workbench.core.records import AGE_GROUPS, GENDERS, Project
from workbench.projects import speakers
from workbench.projects.settings import Workbench
from workbench.text import pad
from workbench.text.clean import shown

_VALUES = ("gender", "age", "region", "role", "notes")


def add_speakers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(
        sub,
        common,
        "speakers",
        cmd_speakers,
        "the speaker registry (what deliveries say of each speaker): list, add, set, "
        "remove, import a CSV (owners change)",
    )
    p.add_argument(
        "action", nargs="?", default="list", choices=["list", "add", "set", "remove", "import"]
    )
    p.add_argument(
        "name", nargs="?", metavar="NAME|CSV", help="the speaker (import: the CSV file's path)"
    )
    p.add_argument("--gender", help=f"{', '.join(GENDERS)} (여, 남 are read too)")
    p.add_argument("--age", help=f"age group: {', '.join(AGE_GROUPS)}, or an age in years")
    p.add_argument("--region", help="region or dialect, as the project writes it")
    p.add_argument("--role", help="the speaker's part (사회자, 상담사, 고객...)")
    p.add_argument("--notes", help="the owner's own (never exported)")
    p.add_argument("--rename", metavar="NEW", help="set: the speaker's new name")


def cmd_speakers(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    """List the registry, add or change (set) a speaker, remove one, or import a CSV of them
    (a header row naming name, gender, age, region, role, notes); 1 when CSV rows were
    skipped."""
    if args.action == "list":
        for n, s in enumerate(speakers.registry(wb, project), 1):
            values = "  ".join(pad(getattr(s, f) or "-", 10) for f in _VALUES[:-1])
            print(f"{n:>3}  {pad(s.name, 20)}  {values}  {shown(s.notes)}".rstrip())
        return 0
    if not args.name:
        raise WorkbenchError(f"speakers {args.action} needs a {_what(args.action)}")
    given = {f: getattr(args, f) for f in _VALUES if getattr(args, f) is not None}
    if args.action == "import":
        return _import(wb, project, Path(args.name))
    if args.action == "add":
        added = speakers.add_speaker(wb, project, args.name, **given)
        print(f"added {shown(speakers.describe(added))}")
        return 0
    entry = next((s for s in speakers.registry(wb, project) if s.name == args.name), None)
    if entry is None:
        raise NotFound(f"no speaker {args.name!r} in the registry of project {project.name!r}")
    if args.action == "remove":
        speakers.remove_speaker(wb, project, entry.id)
        print(f"removed {shown(entry.name)}")
        return 0
    if args.rename is not None:
        given["name"] = args.rename
    changed = speakers.change_speaker(wb, project, entry.id, **given)
    print(f"set {shown(speakers.describe(changed))}")
    return 0


def _what(action: str) -> str:
    return "CSV file" if action == "import" else "speaker name"


def _import(wb: Workbench, project: Project, path: Path) -> int:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise WorkbenchError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # spreadsheets on Korean Windows save CP949
        text = raw.decode("cp949", errors="replace")
    result = speakers.import_csv(wb, project, text)
    print(f"{len(result.added)} speakers added, {len(result.changed)} changed")
    for problem in result.problems:
        print(f"  skipped {shown(problem)}")
    return 1 if result.problems else 0
