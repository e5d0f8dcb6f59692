"""What every command's parser shares: the common options, the handler it runs, and for a
command on one project, --project and that project."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from workbench.core.records import Project
from workbench.core.workbench import Workbench
from workbench.projects.settings import get_project

Handler = Callable[[Workbench, argparse.Namespace], int]  # runs the command; its exit status
ProjectHandler = Callable[[Workbench, Project, argparse.Namespace], int]


def add_command(
    sub: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    name: str,
    handler: Handler,
    help: str,
) -> argparse.ArgumentParser:
    """The parser of the command `name`, run by `handler`, with the common options (--home,
    --db, --user); the caller adds the rest."""
    p = sub.add_parser(name, parents=[common], help=help)
    p.set_defaults(func=handler)
    return p


def add_project_command(
    sub: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    name: str,
    handler: ProjectHandler,
    help: str,
) -> argparse.ArgumentParser:
    """`add_command` for a command on one project: a required --project, the project it names
    handed to `handler` (NotFound when there is none)."""

    def run(wb: Workbench, args: argparse.Namespace) -> int:
        return handler(wb, get_project(wb, args.project), args)

    p = add_command(sub, common, name, run, help)
    p.add_argument("--project", required=True)
    return p


def add_ray(p: argparse.ArgumentParser) -> None:
    """--ray ADDRESS: the command's long job runs on that Ray cluster."""
    p.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="hear the audio on the Ray cluster at ADDRESS (host:port, or auto on one of its "
        "nodes; default: $WORKBENCH_RAY_ADDRESS, else this machine)",
    )


def on_cluster(wb: Workbench, args: argparse.Namespace) -> Workbench:
    """The workbench with the Ray cluster of --ray, when given (it wins over the variable)."""
    return wb.with_ray(args.ray) if args.ray else wb
