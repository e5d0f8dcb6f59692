"""Tables of segments for spreadsheets (CSV, plain text), and reading CSV/TSV transcripts back.

The CSV has a row per segment with its audio file (relative to the CSV), start and end in
seconds into that file, text and speaker; it is written with a byte-order mark (the caller opens
it as 'utf-8-sig') so spreadsheet programs take it as UTF-8. The plain text has the text of one
segment per line, in the order of `segments.txt`. Cells that a spreadsheet would take for a
formula are written with an apostrophe in front unless the export asks for raw cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from workbench.formats.reading import AnnotationError, Read, collect, csv_rows, seconds, unwrap
from workbench.formats.utterance import Annotation, Utterance, one_line
from workbench.text.cells import write_rows

__all__ = ["CSV_COLUMNS", "ALIASES", "write_csv", "write_txt", "read_table"]

CSV_COLUMNS = (
    "file",
    "start",
    "end",
    "duration",
    "text",
    "speaker",
    "segment_id",
    "uid",
    "recording",
    "language",
)

# column names accepted on import, for each field, in order of preference
ALIASES = {
    "file": ("file", "file_name", "filename", "path", "audio", "audio_filepath", "wav"),
    "start": ("start", "offset", "begin", "start_time"),
    "end": ("end", "end_time", "stop"),
    "duration": ("duration",),
    "text": ("text", "transcription", "transcript", "sentence"),
    "speaker": ("speaker", "client_id", "speaker_id", "spk"),
}


def write_csv(utterances: Iterable[Utterance], f: TextIO, raw: bool = False) -> int:
    """A header and a row per utterance; returns how many rows. Text that a spreadsheet would
    run as a formula is defused (see `workbench.text.cells`) unless `raw`."""
    rows = (
        [
            u.audio.path if u.audio else "",
            f"{u.offset:.3f}",
            f"{u.offset + u.duration:.3f}",
            f"{u.duration:.3f}",
            one_line(u.text),
            u.speaker or "",
            u.segment_id,
            u.uid,
            u.recording,
            u.language or "",
        ]
        for u in utterances
    )
    return write_rows(f, CSV_COLUMNS, rows, raw=raw)


def write_txt(utterances: Iterable[Utterance], f: TextIO) -> int:
    """The text of each utterance on its own line (an empty text leaves an empty line)."""
    count = 0
    for u in utterances:
        f.write(one_line(u.text) + "\n")
        count += 1
    return count


def _column(header: list[str], field: str) -> str | None:
    lowered = {h.strip().lower(): h for h in header}
    return next((lowered[a] for a in ALIASES[field] if a in lowered), None)


def read_table(f: TextIO, delimiter: str | None = None) -> Read:
    """Rows of a CSV/TSV with a file and a text column (start, end or duration, and speaker
    optional); a row that cannot be read is skipped as a problem (see `reading`)."""
    sample = f.read().lstrip("\ufeff")
    if delimiter is None:
        first = sample.split("\n", 1)[0]
        delimiter = max(("\t", ",", ";"), key=first.count)
    header, rows = csv_rows(sample, delimiter)
    cols = {field: _column(header, field) for field in ALIASES}
    if cols["file"] is None or cols["text"] is None:
        raise AnnotationError("the table needs a file column (file, path, ...) and a text column")

    def parse(raw: dict | AnnotationError) -> Annotation:
        row = unwrap(raw)
        cell = {field: row[col].strip() if col else "" for field, col in cols.items()}
        if not cell["file"]:
            raise AnnotationError("names no audio file")
        start = seconds(cell["start"], "start")
        end = seconds(cell["end"], "end")
        duration = seconds(cell["duration"], "duration")
        if end is None and duration is not None:
            end = (start or 0.0) + duration
        return Annotation(
            cell["file"], start, end, one_line(cell["text"]), one_line(cell["speaker"]) or None
        )

    return collect(rows, parse)
