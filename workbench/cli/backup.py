"""backup and restore (the database and the audio store, as one archive), and move-database
(the database to PostgreSQL, the files staying in the home)."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli.parsers import add_command
from workbench.cli.progress import Progress
from workbench.projects.settings import Workbench
from workbench.text.clean import shown


def add_backup(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "backup",
        cmd_backup,
        "archive the database and the audio store (owners); safe while the app runs",
    )
    p.add_argument(
        "dest",
        nargs="?",
        default=".",
        metavar="DEST",
        help="archive to write (.tar, or .tar.gz), or a folder for "
        "workbench-DATE-TIME.tar (default: the current folder)",
    )


def cmd_backup(wb: Workbench, args: argparse.Namespace) -> int:
    """Archive the database and the audio store; exits 1 when the database names a file that
    the home lacks (the archive is written all the same)."""
    from workbench.projects.backup import backup

    bar = Progress("backup")
    result = backup(wb, Path(args.dest), progress=lambda d, t, n: bar.show(d, t, n))
    bar.close()
    rows = result.rows
    print(
        f"wrote {result.path} ({result.bytes / 1e6:.1f} MB): {result.database} database at "
        f"schema {result.schema}, {rows.get('projects', 0)} projects, "
        f"{rows.get('recordings', 0)} recordings, {rows.get('segments', 0)} segments, "
        f"{rows.get('users', 0)} accounts; {result.files} files"
    )
    for rel in result.missing:
        print(f"  missing: {shown(rel)} is named by the database but not in the home")
    print(
        f"  signed with {wb.settings.home / 'backup.key'}: keep a copy of that key apart from "
        "the archives; a restore into another home needs it (--key)"
    )
    return 1 if result.missing else 0


def add_restore(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "restore",
        cmd_restore,
        "replace the database and audio store by an archive's (owners); stop the app first",
    )
    p.add_argument("archive", metavar="ARCHIVE")
    p.add_argument(
        "--force", action="store_true", help="replace a workbench that already holds data"
    )
    p.add_argument(
        "--key",
        metavar="FILE",
        help="the backup key of the home that made the archive (its backup.key), for a "
        "restore into another home; default: this home's own",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="check the archive and say what a restore would replace; change nothing",
    )
    p.add_argument(
        "--trust-unsigned",
        action="store_true",
        help="restore an archive without a signature (made before archives were signed); "
        "only one you made yourself",
    )


def cmd_restore(wb: Workbench, args: argparse.Namespace) -> int:
    """Replace the database and audio store by an archive's, after checking all of it (or,
    with --dry-run, only check it and say what would be replaced)."""
    from workbench.projects.backup import restore

    bar = Progress("restore")
    result = restore(
        wb,
        Path(args.archive),
        force=args.force,
        progress=lambda d, t, n: bar.show(d, t, n),
        key=Path(args.key) if args.key else None,
        trust_unsigned=args.trust_unsigned,
        dry_run=args.dry_run,
    )
    bar.close()
    print(
        f"{'restored' if result.applied else 'would restore'} {shown(result.archive.name)} "
        f"(made {shown(result.made_at)} by {shown(result.made_by or '?')} from "
        f"{shown(result.source_home)}) into {wb.settings.home}: {_counts(result.rows)}; "
        f"{result.files} files"
    )
    if result.replaced:
        print(f"  {'replaced' if result.applied else 'would replace'}: {_counts(result.replaced)}")
    for rel in result.missing:
        print(f"  missing: {shown(rel)} was already missing when the backup was made")
    return 0


def add_move_database(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "move-database",
        cmd_move_database,
        "copy every table into an empty database, e.g. PostgreSQL, and check it (owners); "
        "stop the app first",
    )
    p.add_argument(
        "target",
        metavar="URL",
        help="the empty database, e.g. postgresql+psycopg://user:password@host/workbench",
    )


def cmd_move_database(wb: Workbench, args: argparse.Namespace) -> int:
    """Copy the workbench's database into the one at URL, one line per table, then say what
    was checked and how to go on."""
    from workbench.projects.database_move import database_url, masked_url, move_database, next_step

    target = masked_url(database_url(args.target))
    print(f"moving {masked_url(wb.db.url)} to {target}", flush=True)
    result = move_database(
        wb, args.target, progress=lambda table, rows: print(f"  {table}: {rows} rows", flush=True)
    )
    print(
        f"verified: {len(result.tables)} tables, {result.rows} rows; row counts and checksums "
        "equal in both databases, table by table"
    )
    print(next_step(wb, result))
    return 0


def _counts(rows: dict[str, int]) -> str:
    return (
        f"{rows.get('projects', 0)} projects, {rows.get('recordings', 0)} recordings, "
        f"{rows.get('segments', 0)} segments, {rows.get('users', 0)} accounts"
    )
