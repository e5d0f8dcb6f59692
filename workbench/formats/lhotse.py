"""lhotse manifests: `recordings.jsonl.gz` and `supervisions.jsonl.gz`, as lhotse serialises them.

Audio paths are relative to the corpus folder; load with
`lhotse.load_manifest(folder / RECORDINGS).with_path_prefix(folder)` to read the audio.
The writers format JSON lines into a text file object; the caller opens it (through gzip).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TextIO

from workbench.formats.reading import (
    AnnotationError,
    Read,
    collect,
    json_lines,
    json_object,
    seconds,
    shown,
    string,
)
from workbench.formats.utterance import Annotation, Utterance, one_line

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
    """One SupervisionSegment per utterance; `custom` keeps the workbench's ids (and the
    speaker's age group, region and role where the registry has them), `gender` the speaker's
    from the registry, `alignment` the text's timed words where the utterance carries them."""
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
        entry = u.speaker_entry
        if entry is not None and entry.gender:
            record["gender"] = entry.gender
        if u.words:  # lhotse's AlignmentItem: symbol, start (in the recording), duration
            record["alignment"] = {
                "word": [[w, round(a, 3), round(max(0.0, b - a), 3)] for w, a, b in u.words]
            }
        custom: dict[str, object] = {
            "segment_id": u.segment_id,
            "recording": u.recording,
            "start": round(u.start, 3),
            "end": round(u.end, 3),
        }
        if entry is not None:  # what else the registry knows of the speaker
            custom.update(
                (f"speaker_{k}", v) for k in ("age", "region", "role") if (v := getattr(entry, k))
            )
        record["custom"] = custom
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def read_annotations(recordings: TextIO, supervisions: TextIO) -> Read:
    """Supervisions as annotations on their recordings' files (type 'file' sources only); a
    recording or supervision that cannot be read is skipped as a problem (see `reading`)."""
    sources: dict[str, str] = {}
    problems = []
    for where, raw in json_lines(recordings.read()):
        try:
            rec = json_object(raw)
            rec_id = string(rec.get("id"), "id")
            listed = rec.get("sources")
            listed = listed if isinstance(listed, list) else []
            files = [s for s in listed if isinstance(s, dict) and s.get("type") == "file"]
            if not files:
                raise AnnotationError(f"recording {shown(rec_id)} has no audio file source")
            sources[rec_id] = string(files[0].get("source"), "source")
        except AnnotationError as exc:
            problems.append(exc.at(f"recordings {where}"))

    def parse(raw: object) -> Annotation:
        sup = json_object(raw)
        rec_id = string(sup.get("recording_id"), "recording_id")
        if rec_id not in sources:
            raise AnnotationError(
                f"supervision {shown(sup.get('id'))} names an unknown recording {shown(rec_id)}"
            )
        start = seconds(sup.get("start"), "start")
        duration = seconds(sup.get("duration"), "duration")
        if start is None or duration is None:
            raise AnnotationError("a supervision needs a start and a duration")
        return Annotation(
            sources[rec_id],
            start,
            start + duration,
            one_line(string(sup.get("text"), "text")),
            one_line(string(sup.get("speaker"), "speaker")) or None,
        )

    rows = ((f"supervisions {where}", raw) for where, raw in json_lines(supervisions.read()))
    read = collect(rows, parse)
    return Read(read.annotations, (*problems, *read.problems))
