"""What every command's parser shares: the common options, the handler it runs, --project."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from workbench.core.workbench import Workbench

Handler = Callable[[Workbench, argparse.Namespace], int]  # runs the command; its exit status


def add_command(sub: argparse._SubParsersAction, common: argparse.ArgumentParser, name: str,
                handler: Handler, help: str, project: bool = True) -> argparse.ArgumentParser:
    """The parser of the command `name`, run by `handler`, with the common options (--home,
    --db, --user) and, where `project`, a required --project; the caller adds the rest."""
    p = sub.add_parser(name, parents=[common], help=help)
    if project:
        p.add_argument("--project", required=True)
    p.set_defaults(func=handler)
    return p
