"""`python -m workbench`: the same operations as the pages, for scripts and batch jobs."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from workbench.cli import audio, backup, crowd, export, learning, people, review, speakers
from workbench.core.config import load_settings
from workbench.core.errors import Kind, WorkbenchError
from workbench.core.logs import configure_logging
from workbench.jobs.failures import describe
from workbench.projects.people import resolve_cli_user
from workbench.projects.settings import open_workbench
from workbench.text.clean import shown

log = logging.getLogger(__name__)

# each command's parser (one module per command group adds it), in the order --help lists them
COMMANDS = (
    audio.add_import,
    audio.add_transcribe,
    export.add_export,
    review.add_lint,
    review.add_replace,
    audio.add_cancel,
    audio.add_status,
    people.add_user,
    people.add_members,
    review.add_audit_corpus,
    learning.add_tune,
    learning.add_measure,
    learning.add_batches,
    learning.add_models,
    crowd.add_assign,
    crowd.add_gold,
    learning.add_terms,
    learning.add_rules,
    speakers.add_speakers,
    people.add_audit,
    crowd.add_pay,
    backup.add_backup,
    backup.add_restore,
    backup.add_move_database,
)

# the exit status of a command refused by a WorkbenchError, by its kind. All are 2, as for a
# wrong option (argparse), which scripts test for; 1 is a command that ran and found trouble
# (failed files, lint errors, skipped segments), or a bug.
EXIT_STATUS = {
    Kind.FORBIDDEN: 2,
    Kind.NOT_FOUND: 2,
    Kind.INVALID: 2,
    Kind.CONFLICT: 2,
    Kind.BUSY: 2,
    Kind.UNAVAILABLE: 2,
}


def _common_options(default: object) -> argparse.ArgumentParser:
    """--home, --db and --user, accepted before or after the command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--home", default=default, help="workbench folder (default: $WORKBENCH_HOME or data)"
    )
    common.add_argument(
        "--db", default=default, help="SQLAlchemy database URL (default: SQLite in the home)"
    )
    common.add_argument(
        "--user",
        default=default,
        metavar="NAME",
        help="act as this account (default: the local operator, an owner: "
        "whoever runs this on the server can read the database anyway)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options(argparse.SUPPRESS)  # a subcommand's copy must not reset the top's
    parser = argparse.ArgumentParser(
        prog="python -m workbench", parents=[_common_options(None)], description=__doc__
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for add in COMMANDS:
        add(sub, common)
    return parser


def error_line(exc: BaseException, home: Path | None = None) -> tuple[str, int]:
    """What `main` prints for an exception, without "error: ", and its exit status.

    A WorkbenchError (no such project, a bad option, a refusal) exits by its kind
    (`EXIT_STATUS`); the machine's trouble (a full disk, a read-only home, a locked database,
    a missing working copy: see `workbench.jobs.failures`) exits 2; anything else is a bug,
    named by its type, and exits 1. Always one line: the traceback goes to the log at DEBUG
    (WORKBENCH_LOG_LEVEL=DEBUG).
    """
    if isinstance(exc, WorkbenchError):
        message, status = str(exc) or type(exc).__name__, EXIT_STATUS[exc.kind]
    elif (cause := describe(exc, home)) is not None:
        message, status = cause, 2
    elif isinstance(exc, OSError):
        message, status = str(exc), 2
    else:
        message = (
            f"internal error ({type(exc).__name__}: {exc}); run again with "
            "WORKBENCH_LOG_LEVEL=DEBUG for the details"
        )
        status = 1
    return shown(" ".join(message.split())), status


def _home(args: argparse.Namespace) -> Path | None:
    """The workbench home, to recognise a missing working copy; None when the settings are what
    failed (a WORKBENCH_* variable that is not a number)."""
    try:
        return load_settings(args.home, args.db).home
    except WorkbenchError:
        return None


def main(argv: list[str] | None = None) -> int:
    """Run one command; an error prints one line ("error: ...") and no traceback."""
    args = build_parser().parse_args(argv)
    configure_logging(tracebacks=False)
    try:
        wb = resolve_cli_user(open_workbench(args.home, args.db), args.user)
        return args.func(wb, args)
    except Exception as exc:
        log.debug("workbench %s failed", args.command, exc_info=True)  # the traceback, at DEBUG
        message, status = error_line(exc, _home(args))
        print(f"error: {message}", file=sys.stderr)
        return status
    except KeyboardInterrupt:
        log.info("workbench %s interrupted", args.command)
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # `python -m workbench.cli` as `python -m workbench`
    sys.exit(main())
