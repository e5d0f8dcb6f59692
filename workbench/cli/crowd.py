"""Handing out and paying for work: assign, gold and pay."""

from __future__ import annotations

import argparse
import sys

from workbench.cli.parsers import add_project_command
from workbench.core.errors import NotFound, WorkbenchError
from workbench.core.records import TODO, Project
from workbench.crowd import claims as crowd_claims
from workbench.crowd import gold as crowd_gold
from workbench.formats.select import matches_recording
from workbench.projects.settings import Workbench, recordings, update_settings
from workbench.text import pad
from workbench.text.clean import shown


def add_assign(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(
        sub,
        common,
        "assign",
        cmd_assign,
        "hand out work: claims (off, by segment or by recording), batches "
        "for a person, a person's cap; lists who has what",
    )
    p.add_argument(
        "--mode",
        choices=crowd_claims.UNITS,
        help="what one claim takes; off: everyone steps through the whole queue",
    )
    p.add_argument("--minutes", type=int, help="how long a claim lasts unsaved (default 30)")
    p.add_argument("--to", metavar="NAME", help="the person to hand segments to, or to cap")
    p.add_argument(
        "--recording", metavar="ID|NAME", help="hand out this recording's segments still to do"
    )
    p.add_argument("--segments", metavar="ID,ID", help="hand out these segments")
    p.add_argument("--unassign", action="store_true", help="hand the named segments back to anyone")
    p.add_argument("--cap", metavar="N|none", help="the most segments --to may label here")


def cmd_assign(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    """Hand out work: the project's assignment mode, a batch for a person, a person's cap."""
    settings = {
        k: v
        for k, v in (("assignment", args.mode), ("claim_minutes", args.minutes))
        if v is not None
    }
    if settings:
        project = update_settings(wb, project.id, **settings)
    batch = args.recording is not None or args.segments is not None
    if (batch or args.cap is not None) and not (args.to or args.unassign):
        raise WorkbenchError("name the person with --to (or --unassign the segments)")
    if batch:
        recording_id = None
        if args.recording is not None:
            recording_id = next(
                (
                    r.id
                    for r in recordings(wb, project)
                    if matches_recording(r.id, r.original_name, args.recording)
                ),
                None,
            )
            if recording_id is None:
                raise NotFound(f"no recording {args.recording!r} in project {project.name!r}")
        try:
            ids = [int(i) for i in (args.segments or "").split(",") if i.strip()]
        except ValueError:
            raise WorkbenchError(
                f"--segments: ids separated by commas, not {args.segments!r}"
            ) from None
        to = None if args.unassign else args.to.lower()
        count = crowd_claims.assign(
            wb, project.id, to, segment_ids=ids, recording_id=recording_id, statuses=TODO
        )
        print(f"{count} segments handed to {to or 'anyone'}")
    if args.cap is not None:
        if args.cap.lower() != "none" and not args.cap.isdigit():
            raise WorkbenchError(f"--cap: a number of segments or 'none', not {args.cap!r}")
        cap = None if args.cap.lower() == "none" else int(args.cap)
        crowd_claims.set_cap(wb, project.id, args.to.lower(), cap)
    print(
        f"{shown(project.name)}: assignment {project.assignment}, "
        f"claims last {project.claim_minutes} min"
    )
    for row in crowd_claims.workload(wb, project.id, TODO):
        shown_cap = "" if row["cap"] is None else f"  cap {row['cap']}"
        print(
            f"  {pad(row['user'], 20)}  {row['assigned']:>6} assigned  {row['labelled']:>6} "
            f"labelled  {row['claims']:>3} claims{shown_cap}"
        )
    return 0


def add_gold(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(
        sub,
        common,
        "gold",
        cmd_gold,
        "gold segments: mark with a reference text (for the qualification "
        "test, or hidden in queues), unmark, list",
    )
    p.add_argument("--add", metavar="ID,ID", help="make these segments gold")
    p.add_argument("--text", help="the reference text (one segment; default: its current text)")
    p.add_argument(
        "--test", action="store_true", help="the added segments are part of the qualification test"
    )
    p.add_argument("--remove", metavar="ID,ID", help="these segments are gold no more")


def cmd_gold(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    """Gold segments: mark (with a reference text, in the qualification test or hidden),
    unmark, and list them."""
    for name in ("add", "remove"):
        try:
            setattr(
                args, name, [int(i) for i in (getattr(args, name) or "").split(",") if i.strip()]
            )
        except ValueError:
            raise WorkbenchError(f"--{name}: segment ids separated by commas") from None
    if args.text is not None and len(args.add) != 1:
        raise WorkbenchError("--text goes with one segment in --add")
    for segment_id in args.add:
        crowd_gold.mark_gold(wb, segment_id, args.text, in_test=args.test, project_id=project.id)
    for segment_id in args.remove:
        crowd_gold.unmark_gold(wb, segment_id, project_id=project.id)
    rows = crowd_gold.gold_list(wb, project.id)
    print(
        f"{shown(project.name)}: {len(rows)} gold segments, "
        f"{sum(r['in_test'] for r in rows)} in the qualification test"
    )
    for r in rows:
        where = "test  " if r["in_test"] else "hidden"
        print(
            f"  {r['segment_id']:>7}  {where}  {pad(r['recording'], 24)} "
            f"{r['start']:8.2f}–{r['end']:.2f} s  {shown(r['text'])}"
        )
    return 0


def add_pay(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(
        sub,
        common,
        "pay",
        cmd_pay,
        "the pay report of a period as CSV: final segments (approved, or passed without "
        "review) per labeller, counted on the day they became final (owners)",
    )
    p.add_argument(
        "--from",
        dest="start",
        required=True,
        metavar="YYYY-MM-DD",
        help="the first day of the period (days in the project's time zone)",
    )
    p.add_argument(
        "--to",
        dest="end",
        required=True,
        metavar="YYYY-MM-DD",
        help="the day after the last (not included): --from 2025-03-01 --to 2025-04-01 is March",
    )
    p.add_argument(
        "--unit",
        choices=["item", "minute"],
        help="paid per final segment (approved, or passed without review) or per minute of "
        "its audio (default: the project's)",
    )
    p.add_argument("--rate", type=float, help="per unit (default: the project's)")
    p.add_argument(
        "--weighted",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="weight each item by the edit effort, 0.5 + the draft's error (at "
        "most 1.5) (default: the project's setting)",
    )
    p.add_argument(
        "--answers",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="pay blind answers too: second labels, hidden gold, qualification test items "
        "(default: the project's setting)",
    )


def cmd_pay(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    """The pay report of a period as CSV on stdout (owners)."""
    from datetime import date

    from workbench.crowd.pay import csv_text, pay_report

    days = []
    for option, value in (("--from", args.start), ("--to", args.end)):
        try:
            days.append(date.fromisoformat(value))
        except ValueError:
            raise WorkbenchError(f"{option}: a date as YYYY-MM-DD, not {value!r}") from None
    report = pay_report(
        wb,
        project.id,
        *days,
        unit=args.unit,
        rate=args.rate,
        weighted=args.weighted,
        answers=args.answers,
    )
    if not report.rate:
        print(
            f"warning: the rate is 0 (project {shown(project.name)!r} has no pay rate set): give "
            "--rate, or set the project's pay defaults on the Dashboard",
            file=sys.stderr,
        )
    sys.stdout.write(csv_text(report))
    return 0
