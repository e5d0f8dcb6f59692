"""Failures of the machine rather than of the input, in one plain line each: a full disk, a
read-only or unwritable home, a locked or unreachable database, a missing working copy.

`describe` is what the command line prints after "error:" (and what a page may show an
owner); `environmental` tells a batch to stop rather than fail every remaining item the same
way.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from pathlib import Path

from workbench.store import database_trouble

FULL = (errno.ENOSPC, errno.EDQUOT)  # no space left, quota exceeded
_SOUNDFILE_PATH = re.compile(r"Error opening '(.*)': ")


def environmental(exc: BaseException) -> bool:
    """Whether `exc` is the machine's fault (full disk, read-only file system, database locked
    or gone), so the next item of a batch would fail the same way."""
    return any(
        database_trouble(e) is not None
        or (isinstance(e, OSError) and e.errno in (*FULL, errno.EROFS))
        for e in _chain(exc)
    )


def describe(exc: BaseException, home: Path | None = None, paths: bool = True) -> str | None:
    """One line naming the cause of `exc` when it is the machine's (see the module), else None.

    `home`: the workbench home, to recognise a recording's working copy among missing files.
    `paths`: name the file concerned (not for a browser: no server path there).
    The exception's causes are looked at too (an error raised while handling an OSError).
    """
    for e in _chain(exc):
        line = database_trouble(e) or _os_line(e, home, paths) or _soundfile_line(e, home, paths)
        if line:
            return line
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _os_line(exc: BaseException, home: Path | None, paths: bool) -> str | None:
    if not isinstance(exc, OSError):
        return None
    name = exc.filename if paths else None
    where = f": {name}" if name else ""
    if exc.errno in FULL:
        return f"no space left on device{f' (writing {name})' if name else ''}"
    if exc.errno == errno.EROFS:
        return f"read-only file system{where}"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied{where}"
    if exc.errno == errno.ENOENT and exc.filename:
        return _missing(str(exc.filename), home, paths)
    return None


def _soundfile_line(exc: BaseException, home: Path | None, paths: bool) -> str | None:
    """soundfile says only "System error." for a file that is not there."""
    found = _SOUNDFILE_PATH.match(str(getattr(exc, "prefix", "") or ""))
    if not isinstance(exc, RuntimeError) or found is None:
        return None
    path = found.group(1)
    if not Path(path).exists():
        return _missing(path, home, paths)
    what = f"the audio file {path}" if paths else "an audio file"
    return f"cannot read {what}: {getattr(exc, 'error_string', exc)}"


def _missing(path: str, home: Path | None, paths: bool) -> str:
    where = f": {path}" if paths else ""
    if home is not None and _inside(Path(path), home.resolve() / "audio", home.resolve() / "peaks"):
        return (
            f"a recording's working copy is missing{where} (import the recording again, "
            "or restore the home from a backup)"
        )
    return f"no such file or directory{where}"


def _inside(path: Path, *folders: Path) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(folder) for folder in folders)
