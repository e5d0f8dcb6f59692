"""NeMo ASR manifest: one JSON object per line, audio paths relative to the manifest.

With clips each line names its own clip; without, `offset` and `duration` locate the utterance in
a whole recording (NeMo's datasets read such manifests as they are).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from workbench.formats.reading import (
    AnnotationError,
    Read,
    collect,
    json_lines,
    json_object,
    seconds,
    string,
)
from workbench.formats.utterance import Annotation, Utterance, one_line

__all__ = ["ManifestEntry", "entry_for", "write_manifest", "read_manifest", "read_annotations"]


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
    offset: float | None = None  # seconds into audio_filepath; None for a clip
    # the text's words timed: (word, start, end), seconds into audio_filepath like offset
    words: tuple[tuple[str, float, float], ...] = ()


def entry_for(u: Utterance) -> ManifestEntry:
    """The manifest line of an utterance (an offset only when its audio is a whole recording)."""
    assert u.audio is not None
    whole = not u.clip
    return ManifestEntry(
        audio_filepath=u.audio.path,
        duration=u.duration if whole else u.audio.duration,
        text=u.text,
        segment_id=u.segment_id,
        recording=u.recording,
        start=u.start,
        end=u.end,
        speaker=u.speaker,
        offset=u.offset if whole else None,
        words=u.words,
    )


def write_manifest(entries: Iterable[ManifestEntry], f: TextIO) -> int:
    """Write entries as JSON lines (UTF-8 text kept as is); returns how many were written."""
    count = 0
    for e in entries:
        record: dict[str, Any] = {"audio_filepath": e.audio_filepath}
        if e.offset is not None:
            record["offset"] = round(e.offset, 3)
        record |= {
            "duration": round(e.duration, 3),
            "text": one_line(e.text),
            "segment_id": e.segment_id,
            "recording": e.recording,
            "start": round(e.start, 3),
            "end": round(e.end, 3),
        }
        if e.speaker:
            record["speaker"] = e.speaker
        if e.words:
            record["words"] = [
                {"word": w, "start": round(a, 3), "end": round(b, 3)} for w, a, b in e.words
            ]
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def read_manifest(f: TextIO) -> list[dict]:
    """Parse a manifest back into dicts (blank lines skipped)."""
    return [json.loads(line) for line in f if line.strip()]


def read_annotations(f: TextIO) -> Read:
    """A manifest's lines as annotations: a clip each, or `offset`+`duration` into a recording;
    a line that cannot be read is skipped as a problem (see `reading`)."""

    def parse(raw: object) -> Annotation:
        record = json_object(raw)
        audio = string(record.get("audio_filepath"), "audio_filepath").strip()
        if not audio:
            raise AnnotationError("has no audio_filepath")
        start = seconds(record.get("offset"), "offset")
        duration = seconds(record.get("duration"), "duration")
        end = start + duration if start is not None and duration is not None else None
        return Annotation(
            audio,
            start,
            end,
            one_line(string(record.get("text"), "text")),
            one_line(string(record.get("speaker"), "speaker")) or None,
        )

    return collect(json_lines(f.read()), parse)
