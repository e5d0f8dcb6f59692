"""Accounts and who did what: user, members and audit (the audit log)."""

from __future__ import annotations

import argparse
import sys

from workbench.cli.parsers import add_command, add_project_command
from workbench.core.errors import NotFound, WorkbenchError
from workbench.core.records import Project
from workbench.projects import people
from workbench.projects.settings import Workbench, get_project
from workbench.projects.time_zones import my_zone
from workbench.text import pad
from workbench.text.clean import shown


def add_user(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "user",
        cmd_user,
        "accounts: add, list, role, deactivate, activate, reset-password",
    )
    p.add_argument(
        "action", choices=["add", "list", "role", "deactivate", "activate", "reset-password"]
    )
    p.add_argument("name", nargs="?")
    p.add_argument("--role", choices=["labeler", "reviewer", "owner"])
    p.add_argument("--display-name")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new account's password from stdin instead of generating one",
    )


def cmd_user(wb: Workbench, args: argparse.Namespace) -> int:
    """Accounts: add, list, role, deactivate, activate, reset-password (owners only)."""
    if args.action == "list":
        for u in people.list_users(wb):
            state = "" if u.active else "  (deactivated)"
            print(f"{u.id:>4}  {pad(u.name, 20)}  {u.role.value:<9} {shown(u.display_name)}{state}")
        return 0
    if args.action == "add":
        password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
        user, password = people.create_user(
            wb, args.name, args.role or "labeler", password, display_name=args.display_name or ""
        )
        print(f"added {user.name} ({user.role.value})")
        if not args.password_stdin:
            print(f"temporary password: {password}")
        return 0
    target = next((u for u in people.list_users(wb) if u.name == (args.name or "").lower()), None)
    if target is None:
        raise NotFound(f"no account named {args.name!r}")
    if args.action == "role":
        if not args.role:
            raise WorkbenchError("--role is required")
        people.set_role(wb, target.account_id, args.role)
    elif args.action in ("deactivate", "activate"):
        people.set_active(wb, target.account_id, args.action == "activate")
    elif args.action == "reset-password":
        print(f"temporary password: {people.reset_password(wb, target.account_id)}")
    print(f"{target.name}: {args.action} done")
    return 0


def add_members(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(sub, common, "members", cmd_members, "show or set a project's members")
    p.add_argument("--set", metavar="NAME,NAME", help="make exactly these accounts members")


def cmd_members(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    """Show or set who works on a project."""
    if args.set is not None:
        by_name = {u.name: u.account_id for u in people.list_users(wb)}
        names = [n.strip().lower() for n in args.set.split(",") if n.strip()]
        missing = [n for n in names if n not in by_name]
        if missing:
            raise NotFound(f"no account named {missing[0]!r}")
        people.set_members(wb, project.id, [by_name[n] for n in names])
    members = people.members(wb, project.id)
    for u in members:
        print(f"{u.name} ({u.role.value})")
    if not members:
        print(
            f"{shown(project.name)}: no members yet (owners see every project); add them with "
            "--set NAME,NAME"
        )
    return 0


def add_audit(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_command(sub, common, "audit", cmd_audit, "the audit log as CSV")
    p.add_argument("--project")
    p.add_argument("--limit", type=int, default=10000)


def cmd_audit(wb: Workbench, args: argparse.Namespace) -> int:
    """The audit log as CSV on stdout, newest first (nothing written when it is refused);
    times with their offset, in the zone of the acting user (else the project's, the
    server's)."""
    project = get_project(wb, args.project) if args.project else None
    lines = people.audit_log(wb, project.id if project else None, limit=args.limit)
    people.write_audit_csv(lines, sys.stdout, my_zone(wb, project))
    return 0
