"""Hugging Face audiofolder: clips plus `metadata.jsonl` with `file_name` and one column per field.

`datasets.load_dataset("audiofolder", data_dir=folder)` reads it; sub-folders train/, dev/ and
test/ become its splits. JSON lines rather than CSV, so that empty text stays '' and a
transcript such as "123" stays a string.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from workbench.formats.reading import (
    AnnotationError,
    Read,
    collect,
    csv_rows,
    json_lines,
    json_object,
    string,
)
from workbench.formats.utterance import Annotation, Utterance, one_line

__all__ = ["METADATA", "write_metadata", "read_annotations", "TEXT_COLUMNS"]

METADATA = "metadata.jsonl"
TEXT_COLUMNS = ("transcription", "text", "sentence", "normalized_text")  # read, in this order


def write_metadata(utterances: Iterable[Utterance], f: TextIO) -> int:
    """One JSON line per clip; returns how many were written."""
    count = 0
    for u in utterances:
        assert u.audio is not None and u.clip
        record = {
            "file_name": u.audio.path,
            "transcription": one_line(u.text),
            "speaker": u.speaker or "",  # '' not null: every split's metadata has one type
            "start": round(u.start, 3),
            "end": round(u.end, 3),
            "duration": round(u.audio.duration, 3),
            "segment_id": u.segment_id,
            "recording": u.recording,
            "language": u.language or "",
        }
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def read_annotations(f: TextIO, csv_format: bool = False) -> Read:
    """Rows of metadata.jsonl (or metadata.csv) as annotations, one whole file each; a row that
    cannot be read is skipped as a problem (see `reading`)."""
    text = f.read()
    if csv_format:
        header, rows = csv_rows(text, ",")
        if "file_name" not in header:
            raise AnnotationError("metadata.csv has no file_name column")
    else:
        rows = json_lines(text)

    def parse(raw: object) -> Annotation:
        row = json_object(raw, "the row")
        audio = string(row.get("file_name"), "file_name").strip()
        if not audio:
            raise AnnotationError("has no file_name")
        column = next((c for c in TEXT_COLUMNS if row.get(c) is not None), None)
        text = string(row[column], column) if column else ""
        speaker = one_line(string(row.get("speaker"), "speaker")) or None
        return Annotation(audio, None, None, one_line(text), speaker)

    return collect(rows, parse)
