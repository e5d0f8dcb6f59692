"""NeMo ASR manifest: one JSON object per line, audio paths relative to the manifest."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True)
class ManifestEntry:
    audio_filepath: str  # relative to the manifest's folder
    duration: float  # seconds
    text: str
    segment_id: int
    recording: str
    start: float  # seconds into the recording
    end: float
    speaker: str | None = None


def write_manifest(entries: Iterable[ManifestEntry], f: TextIO) -> int:
    """Write entries as JSON lines (UTF-8 text kept as is); returns how many were written."""
    count = 0
    for e in entries:
        record = {
            "audio_filepath": e.audio_filepath,
            "duration": round(e.duration, 3),
            "text": e.text,
            "segment_id": e.segment_id,
            "recording": e.recording,
            "start": round(e.start, 3),
            "end": round(e.end, 3),
        }
        if e.speaker:
            record["speaker"] = e.speaker
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def read_manifest(f: TextIO) -> list[dict]:
    """Parse a manifest back into dicts (blank lines skipped)."""
    return [json.loads(line) for line in f if line.strip()]
