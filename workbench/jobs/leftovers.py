"""What a killed process leaves behind, and how the next run knows it may remove it.

Scratch folders, half-written exports and working copies being written carry the tag of the
process that made them (`owner_tag`: its pid and, where /proc exists, its start time, so a pid
reused after a restart, by a new container say, does not pass for the old owner). A leftover is
removed only when its owner is no longer running.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

TAG = r"(?P<pid>\d+)(?:-(?P<start>\d+))?"  # a pid, and its start time when known


def _start_time(pid: int) -> int | None:
    """The process's start time in clock ticks after boot (Linux); None where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # the name, in brackets, may hold spaces
    try:
        return int(fields[19])  # field 22 of proc(5); the fields after the name start at 3
    except (IndexError, ValueError):
        return None


def owner_tag() -> str:
    """This process as a leftover's owner: 'pid-start' (or 'pid' where the start is unknown)."""
    pid = os.getpid()
    start = _start_time(pid)
    return f"{pid}" if start is None else f"{pid}-{start}"


def owner_alive(pid: int, start: int | None = None) -> bool:
    """Whether the process that made a leftover still runs (a pid of another user counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it runs, as someone else
    except OSError:
        return True  # cannot tell: keep the leftover
    if start is not None:
        now = _start_time(pid)
        return now is None or now == start
    return True


def remove_stale(folder: Path, pattern: re.Pattern[str]) -> list[Path]:
    """Remove the entries of `folder` whose names match `pattern` (holding a `TAG`) and whose
    owner is no longer running; the paths removed."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        pid, start = int(match["pid"]), match["start"]
        if owner_alive(pid, int(start) if start else None):
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as exc:
            log.warning("cannot remove %s, left by a stopped process: %s", path, exc)
            continue
        log.info("removed %s, left by a stopped process (%s)", path, match.group(0))
        removed.append(path)
    return removed
