"""Hugging Face audiofolder: clips plus `metadata.jsonl` with `file_name` and one column per field.

`datasets.load_dataset("audiofolder", data_dir=folder)` reads it; sub-folders train/, dev/ and
test/ become its splits. JSON lines rather than CSV, so that empty text stays '' and a
transcript such as "123" stays a string.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from workbench.export.utterance import Annotation, Utterance, one_line

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


def read_annotations(f: TextIO, csv_format: bool = False) -> list[Annotation]:
    """Rows of metadata.jsonl (or metadata.csv) as annotations, one whole file each."""
    if csv_format:
        rows = list(csv.DictReader(f))
    else:
        rows = [json.loads(line) for line in f if line.strip()]
    found = []
    for n, row in enumerate(rows, 1):
        if not row.get("file_name"):
            raise ValueError(f"row {n} has no file_name")
        text = next((row[c] for c in TEXT_COLUMNS if row.get(c) is not None), "")
        speaker = row.get("speaker") or None
        found.append(Annotation(str(row["file_name"]), None, None, str(text),
                                str(speaker) if speaker is not None else None))
    return found
