"""lhotse manifests: `recordings.jsonl.gz` and `supervisions.jsonl.gz`, as lhotse serialises them.

Audio paths are relative to the corpus folder; load with
`lhotse.load_manifest(folder / RECORDINGS).with_path_prefix(folder)` to read the audio.
The writers format JSON lines into a text file object; the caller opens it (through gzip).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TextIO

from workbench.export.utterance import Annotation, Utterance, one_line

__all__ = [
    "RECORDINGS",
    "SUPERVISIONS",
    "recording_id",
    "write_recordings",
    "write_supervisions",
    "read_annotations",
]

RECORDINGS = "recordings.jsonl.gz"
SUPERVISIONS = "supervisions.jsonl.gz"


def recording_id(u: Utterance) -> str:
    """The lhotse recording an utterance lies in: its clip, or its whole recording."""
    return u.uid if u.clip else u.recording_uid


def write_recordings(utterances: Sequence[Utterance], f: TextIO) -> int:
    """One lhotse Recording per distinct audio file, in first-seen order."""
    seen: set[str] = set()
    for u in utterances:
        assert u.audio is not None
        rid = recording_id(u)
        if rid in seen:
            continue
        seen.add(rid)
        record = {
            "id": rid,
            "sources": [{"type": "file", "channels": [0], "source": u.audio.path}],
            "sampling_rate": u.audio.sample_rate,
            "num_samples": u.audio.num_samples,
            "duration": round(u.audio.duration, 6),
            "channel_ids": [0],
        }
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(seen)


def write_supervisions(utterances: Iterable[Utterance], f: TextIO) -> int:
    """One SupervisionSegment per utterance; `custom` keeps the workbench's ids."""
    count = 0
    for u in utterances:
        assert u.audio is not None
        record = {
            "id": u.uid,
            "recording_id": recording_id(u),
            "start": round(u.offset, 3),
            "duration": round(min(u.duration, u.audio.duration - u.offset), 3),
            "channel": 0,
            "text": one_line(u.text),
        }
        if u.language:
            record["language"] = u.language
        if u.speaker:
            record["speaker"] = u.speaker
        record["custom"] = {"segment_id": u.segment_id, "recording": u.recording,
                            "start": round(u.start, 3), "end": round(u.end, 3)}
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def read_annotations(recordings: TextIO, supervisions: TextIO) -> list[Annotation]:
    """Supervisions as annotations on their recordings' files (type 'file' sources only)."""
    sources = {}
    for line in recordings:
        if line.strip():
            rec = json.loads(line)
            files = [s for s in rec.get("sources", []) if s.get("type") == "file"]
            if not files:
                raise ValueError(f"recording {rec.get('id')} has no audio file source")
            sources[rec["id"]] = files[0]["source"]
    found = []
    for line in supervisions:
        if not line.strip():
            continue
        sup = json.loads(line)
        if sup["recording_id"] not in sources:
            raise ValueError(f"supervision {sup.get('id')} names an unknown recording")
        start = float(sup["start"])
        found.append(Annotation(sources[sup["recording_id"]], start,
                                start + float(sup["duration"]), str(sup.get("text") or ""),
                                sup.get("speaker") or None))
    return found
