"""Cells of the CSV and TSV files people open in a spreadsheet, written so none runs as a formula.

Excel, LibreOffice and Google Sheets take a cell that starts with `=`, `+`, `-` or `@` (or a
tab or carriage return before one) as a formula, so a name or a transcript such as
`=cmd|' /c calc'!a0` could run a command on the machine of whoever opens the file (CSV
injection). Every CSV and TSV the workbench writes (the audit log, the pay report, the CSV and
Common Voice exports) goes through `cell`: such a text gets an apostrophe in front, which a
spreadsheet shows as the text itself. A plain number (`-0.5`, `+3`) stays as it is.

`raw=True` keeps text as it is, for files that programs read (a training pipeline reading a
Common Voice TSV); it is never the default.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, TextIO

__all__ = ["FORMULA_START", "cell", "write_rows"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def cell(value: Any, raw: bool = False) -> Any:
    """`value` as a spreadsheet should show it: a text that would start a formula gets an
    apostrophe in front; numbers, plain numeric text and other values are kept."""
    if raw or not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    return value if _NUMBER.fullmatch(value) else "'" + value


def write_rows(
    f: TextIO,
    header: Iterable[str],
    rows: Iterable[Iterable[Any]],
    *,
    raw: bool = False,
    delimiter: str = ",",
) -> int:
    """A CSV (or, with `delimiter="\\t"`, TSV) of `header` and `rows` into `f`, every cell
    through `cell`; returns how many rows."""
    out = csv.writer(f, delimiter=delimiter, lineterminator="\n")
    out.writerow(header)
    count = 0
    for row in rows:
        out.writerow([cell(value, raw) for value in row])
        count += 1
    return count
