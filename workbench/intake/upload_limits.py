"""The size limits of a browser upload, checked before anything of it is written.

`Limits.upload_file_mb` caps each file and `Limits.upload_batch_mb` all files of one upload
together. A size known beforehand (bytes, Streamlit's uploaded files, server paths, seekable
streams) is checked before the first byte is written; a stream of unknown length is counted as
it is copied, and removed as soon as it passes what is left.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import BinaryIO

from workbench.core.config import MB, Limits, describe_size
from workbench.core.errors import WorkbenchError

Content = bytes | bytearray | memoryview | BinaryIO | os.PathLike


class TooLarge(WorkbenchError):
    """An upload (or the rest of its batch) passed its limit while being written."""


def content_size(content: Content) -> int | None:
    """The bytes an upload's content holds, or None when that cannot be known without reading."""
    if hasattr(content, "getbuffer"):  # io.BytesIO, Streamlit's UploadedFile
        with content.getbuffer() as view:
            return view.nbytes
    if isinstance(content, (bytes, bytearray)):
        return len(content)
    if isinstance(content, memoryview):
        return content.nbytes
    if isinstance(content, os.PathLike):
        try:
            return os.stat(content).st_size
        except OSError:
            return None  # reported when it is copied
    try:
        if content.seekable():
            here = content.tell()
            end = content.seek(0, os.SEEK_END)
            content.seek(here)
            return end - here
    except (AttributeError, OSError, ValueError):
        pass
    return None


def file_refusal(size: int | None, limits: Limits) -> str:
    """Why one file of an upload is refused by its size alone, or ''."""
    limit = limits.upload_file_mb * MB
    if size is not None and size > limit:
        return (
            f"the file is {describe_size(size)}, more than the limit of "
            f"{describe_size(limit)} a file; not imported"
        )
    return ""


def batch_refusal(sizes: list[int | None], limits: Limits) -> str:
    """Why a whole upload is refused by the sizes of its files (those within the per-file
    limit), or ''."""
    total = sum(s for s in sizes if s is not None and not file_refusal(s, limits))
    limit = limits.upload_batch_mb * MB
    if total > limit:
        return (
            f"the upload holds {describe_size(total)} in all, more than the limit of "
            f"{describe_size(limit)} an upload; nothing was imported"
        )
    return ""


def stream_refusal(room: int, limits: Limits) -> str:
    """Why a file of unknown size was refused once it passed what was left (`room`, of the
    batch limit) or the limit a file."""
    if room < limits.upload_file_mb * MB:
        return (
            f"with this file the upload passes the limit of "
            f"{describe_size(limits.upload_batch_mb * MB)} an upload; not imported"
        )
    return (
        f"the file is more than the limit of {describe_size(limits.upload_file_mb * MB)} "
        f"a file; not imported"
    )


def write_upload(target: Path, content: Content, limit: int) -> int:
    """Write an upload's content to `target`, at most `limit` bytes (else TooLarge, and
    nothing stays behind); the bytes written."""
    try:
        if hasattr(content, "getbuffer"):  # all of it, however far it was read
            with content.getbuffer() as view:
                _check(view.nbytes, limit)
                target.write_bytes(view)
                return view.nbytes
        if isinstance(content, (bytes, bytearray, memoryview)):
            size = content.nbytes if isinstance(content, memoryview) else len(content)
            _check(size, limit)
            target.write_bytes(content)
            return size
        if isinstance(content, os.PathLike):
            _check(os.stat(content).st_size, limit)
            shutil.copyfile(content, target)
            return target.stat().st_size
        if hasattr(content, "read"):
            written = 0
            with open(target, "wb") as out:
                while chunk := content.read(1 << 20):
                    written += len(chunk)
                    _check(written, limit)
                    out.write(chunk)
            return written
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    raise TypeError(f"an upload's content is bytes, a binary file or a path, not {type(content)}")


def _check(size: int, limit: int) -> None:
    if size > limit:
        raise TooLarge(f"more than the limit of {describe_size(limit)}")
