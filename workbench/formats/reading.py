"""What every annotation reader shares: its one error type, the rows it read and skipped, and
checked conversions of the values a file holds.

A reader raises `AnnotationError` for a file it cannot read at all (malformed XML, no cues, a
missing column) and nothing else; a row it cannot use (a time that is not a number, a list where
text belongs, a reversed or negative span, a huge field) it skips, keeping the error in
`Read.problems`, so that the rest of the file imports. What it read but found amiss without
skipping anything (fields a documented layout lacks, or it does not know) goes to `Read.notes`.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from workbench.core.errors import WorkbenchError
from workbench.formats.speakers import SpeakerFacts
from workbench.formats.utterance import Annotation

__all__ = [
    "AnnotationError",
    "Read",
    "Fields",
    "MAX_TEXT",
    "MAX_SPEAKER",
    "collect",
    "decode",
    "seconds",
    "shown",
    "string",
    "json_lines",
    "json_object",
    "json_document",
    "csv_rows",
    "unwrap",
]

MAX_TEXT = 10_000  # characters in a row's text; a longer one is not a transcript of a segment
MAX_SPEAKER = 200  # characters in a speaker's name
_SHOWN = 40  # characters of a bad value shown in a message

T = TypeVar("T")


class AnnotationError(WorkbenchError):
    """An annotation file (or one of its rows) that cannot be imported, and why, on one line.

    `where` names the row ('line 3', 'cue 2', 'annotation a7'), '' for the whole file; `file` is
    filled in by the importer, which knows the name to show.
    """

    def __init__(self, reason: str, where: str = "", file: str = ""):
        self.reason = " ".join(str(reason).split())
        self.where = where
        self.file = file
        super().__init__(str(self))

    def __str__(self) -> str:
        place = " ".join(p for p in (self.file, self.where) if p)
        return f"{place}: {self.reason}" if place else self.reason

    def at(self, where: str = "", file: str = "") -> AnnotationError:
        """The same error, with its row (unless it has one) and file (unless it has one)."""
        return AnnotationError(self.reason, self.where or where, self.file or file)


@dataclass(frozen=True)
class Read:
    """What a reader got from a file: the annotations, the rows it skipped (each an error),
    notes on what it read without skipping (fields missing or unknown) and, from formats that
    describe their speakers (AI Hub's), those descriptions as written."""

    annotations: tuple[Annotation, ...]
    problems: tuple[AnnotationError, ...] = ()
    notes: tuple[AnnotationError, ...] = ()
    speakers: tuple[SpeakerFacts, ...] = ()


class Fields:
    """The fields of a file checked against its documented layout: those it lacks and those
    the layout does not have, each named once by its path ('metadata.date', 'speaker.age')."""

    SHOWN = 8  # field names a note lists before counting the rest

    def __init__(self) -> None:
        self.missing: dict[str, None] = {}
        self.unknown: dict[str, None] = {}

    def check(
        self,
        value: Any,
        documented: tuple[str, ...],
        path: str = "",
        optional: tuple[str, ...] = (),
    ) -> dict:
        """`value` as an object (AnnotationError when it is not one), its fields noted: a
        documented one it lacks is missing, one neither documented nor `optional` is unknown."""
        if not isinstance(value, dict):
            raise AnnotationError(f"{path or 'the file'} is {_kind(value)}, not a JSON object")
        prefix = f"{path}." if path else ""
        self.missing.update((f"{prefix}{k}", None) for k in documented if k not in value)
        known = set(documented) | set(optional)
        self.unknown.update((f"{prefix}{k}", None) for k in value if k not in known)
        return value

    def notes(self) -> tuple[AnnotationError, ...]:
        """A note per kind of finding, '' where (the whole file)."""
        found = [
            ("lacks the documented fields", self.missing, ""),
            ("has fields its layout does not document", self.unknown, " (ignored)"),
        ]
        return tuple(
            AnnotationError(f"{what} {self._names(names)}{done}")
            for what, names, done in found
            if names
        )

    def _names(self, names: dict[str, None]) -> str:
        shown = ", ".join(list(names)[: self.SHOWN])
        rest = len(names) - self.SHOWN
        return f"{shown} and {rest} more" if rest > 0 else shown


def shown(value: Any) -> str:
    """A value from a file as a message may quote it: one line, at most a few words."""
    text = " ".join(repr(value).split())
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def seconds(value: Any, field: str) -> float | None:
    """A time in seconds from a file (a number, or text of one); None when absent or ''."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise AnnotationError(f"{field} is {_kind(value)}, not a number")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise AnnotationError(f"{field} {shown(value)} is not a number") from None
    if not math.isfinite(number):
        raise AnnotationError(f"{field} {shown(value)} is not a finite number")
    return number


def string(value: Any, field: str, limit: int = MAX_TEXT) -> str:
    """Text from a file (a string, or a number written without quotes); '' when absent."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise AnnotationError(f"{field} is {_kind(value)}, not text")
    text = str(value)
    if len(text) > limit:
        raise AnnotationError(f"{field} is {len(text)} characters long, more than {limit}")
    return text


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", bool: "true or false", type(None): "null"}
    return names.get(type(value), f"a {type(value).__name__}")


def _check(a: Annotation) -> Annotation:
    """The checks every row passes, whatever its format: times that make a span, sizes."""
    if a.start is not None and a.start < 0:
        raise AnnotationError(f"start {a.start:.3f} s is negative")
    if a.end is not None and a.end <= (a.start or 0.0):
        what = "before" if a.end < (a.start or 0.0) else "at"
        raise AnnotationError(f"end {a.end:.3f} s is {what} start {a.start or 0.0:.3f} s")
    string(a.text, "the text")
    string(a.speaker, "the speaker", MAX_SPEAKER)
    return a


def collect(rows: Iterable[tuple[str, T]], parse: Callable[[T], Annotation | None]) -> Read:
    """Annotations of `rows` ((where, raw row) pairs) as `parse` makes them (None: a row that
    holds nothing, such as an empty interval); a row whose `parse` or checks raise
    AnnotationError is skipped and kept as a problem, named by its `where`."""
    found, problems = [], []
    for where, raw in rows:
        try:
            a = parse(raw)
            if a is not None:
                found.append(replace(_check(a), where=where))
        except AnnotationError as exc:
            problems.append(exc.at(where))
    return Read(tuple(found), tuple(problems))


def decode(raw: bytes) -> str:
    """A file's bytes as text: UTF-8 (with or without a byte-order mark), or UTF-16 with a
    byte-order mark or, without one, with the zero bytes of mostly-ASCII UTF-16 text."""
    try:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            return raw.decode("utf-16")
        if len(raw) >= 2 and len(raw) % 2 == 0 and b"\x00" in raw[:200]:
            head = raw[:200]
            if head[1::2].count(0) > len(head) // 4:
                return raw.decode("utf-16-le")
            if head[0::2].count(0) > len(head) // 4:
                return raw.decode("utf-16-be")
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AnnotationError("the text is neither UTF-8 nor UTF-16") from None


def json_lines(text: str) -> Iterator[tuple[str, Any]]:
    """(where, value) for each non-blank line of JSON lines; a line that is not valid JSON comes
    as an AnnotationError in place of its value."""
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield f"line {n}", json.loads(line)
        except (ValueError, RecursionError):
            yield f"line {n}", AnnotationError("not valid JSON")


def json_document(text: str) -> Any:
    """A whole file's JSON value; AnnotationError when it is not valid JSON."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise AnnotationError("not valid JSON") from None


def unwrap(value: T | AnnotationError) -> T:
    """A row from `json_lines` or `csv_rows`, or the AnnotationError that came in its place."""
    if isinstance(value, AnnotationError):
        raise value
    return value


def json_object(value: Any, what: str = "the line") -> dict:
    """`value` (from `json_lines`) as a JSON object, else AnnotationError."""
    value = unwrap(value)
    if not isinstance(value, dict):
        raise AnnotationError(f"{what} is {_kind(value)}, not a JSON object")
    return value


def csv_rows(text: str, delimiter: str) -> tuple[list[str], Iterator[tuple[str, dict]]]:
    """The header of a CSV (or, with a tab, TSV: no quoting) and (where, {column: cell}) for each
    row; a row with more or fewer cells than the header comes as an AnnotationError instead.

    Whole-file problems raise AnnotationError: no header, a quote left open (the rows after it
    would be read as one cell), a field too large for Python's csv module.
    """
    text = text.lstrip("\ufeff")
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        strict=True,
        quoting=csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL,
    )
    try:
        rows = list(_lines(reader, delimiter))
    except csv.Error as exc:
        raise AnnotationError(f"line {reader.line_num}: {exc} (a quote left open?)") from None
    if not rows:
        raise AnnotationError("the file is empty")
    header = [h.strip() for h in rows[0][1]]
    return header, _cells(header, rows[1:])


def _lines(reader: Any, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    last = 0
    for cells in reader:
        first, last = last + 1, reader.line_num
        least = max(1, len(cells) - 1)  # delimiters in a line that looks like a row
        runs_on = any(line.count(delimiter) >= least for c in cells for line in c.split("\n")[1:])
        if runs_on:
            raise AnnotationError(
                f"line {first}: a quoted cell runs on to line {last} over what look like rows "
                "(a quote left open?)"
            )
        if any(c.strip() for c in cells):
            yield first, cells


def _cells(header: list[str], rows: list[tuple[int, list[str]]]) -> Iterator[tuple[str, Any]]:
    for n, cells in rows:
        if len(cells) != len(header):
            why = AnnotationError(
                f"has {len(cells)} cells, the header {len(header)} "
                "(a delimiter in an unquoted cell, or a cell missing?)"
            )
            yield f"line {n}", why
        else:
            yield f"line {n}", dict(zip(header, cells, strict=True))
