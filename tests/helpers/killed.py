"""Code run in a process of its own and killed (SIGKILL) at a chosen point, for tests of what a
killed import, export or backup leaves behind and how the next run removes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT


def killed_while(code: str, home: Path) -> str:
    """Run `code` in a new process with `wb` open at `home`; kill it (SIGKILL) once it prints
    a line, and return that line."""
    script = textwrap.dedent(f"""
        import sys, time
        from workbench.core.workbench import open_workbench
        wb = open_workbench({str(home)!r})
    """) + textwrap.dedent(code)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    ) as child:
        line = child.stdout.readline().strip()
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert line, "the child failed before it got to the point of being killed"
    return line
