"""AI Hub label files of the document/utterance shape: one JSON per long WAV, of the same base
name (주요 영역별 회의 음성, 방송 콘텐츠 대화체 음성인식 and like sets).

    {"metadata": {"title": ..., "creator": ..., ..., "annotation_level": ...},
     "speaker": [{"id": "0001", "name": ..., "age": ..., "occupation": ..., "role": ...,
                  "sex": ...}],
     "utterance": [{"id": "A220002.1", "start": 11.7, "end": 16.435, "form": ...,
                    "original_form": ..., "speaker_id": "0001"}]}

The field names are those public loaders of these sets read (the MeetingSpeech and
BroadcastSpeech dataset cards on Hugging Face); start and end are seconds into the WAV. `form`
is the transcript with its dual transcriptions, in some sets pronunciation first
(`(십일월)/(11월)`): the export writes it in the order of the profile's `export.dual_order`, and
the import (`intake.transcripts`) turns it back. Written here: `form` the exported text,
`original_form` the text as the labeller wrote it, speakers as `speakers` makes them (from the
project's speaker registry), metadata fields the project has no value for empty. Read: `form`,
`start`, `end` and `speaker_id` of each utterance, and each speaker's record as written (for
the registry); fields the layout lacks or does not know are noted, not guessed.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from workbench.formats.reading import (
    AnnotationError,
    Fields,
    Read,
    collect,
    json_document,
    seconds,
    string,
)
from workbench.formats.speakers import (
    DOCUMENT_SPEAKER,
    SpeakerFacts,
    speaker_facts,
    speaker_record,
    speakers_of,
)
from workbench.formats.utterance import Annotation, Utterance

__all__ = ["TOP", "METADATA", "UTTERANCE", "looks_like", "write_document", "read_document"]

TOP = ("metadata", "speaker", "utterance")
METADATA = (
    "title",
    "creator",
    "distributor",
    "year",
    "category",
    "sampling",
    "date",
    "topic",
    "media",
    "communication",
    "type",
    "domain",
    "speaker_num",
    "organization",
    "annotation_level",
)
UTTERANCE = ("id", "start", "end", "form", "original_form", "speaker_id")
# utterance fields the public loaders show besides those (not read)
UTTERANCE_MORE = ("term", "environment", "isIdiom", "hangeulToEnglish", "hangeulToNumber")


def looks_like(value: Any) -> bool:
    """Whether a file's JSON value has this shape: an utterance list beside speakers or metadata."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("utterance"), list)
        and ("speaker" in value or "metadata" in value)
    )


def write_document(utterances: list[Utterance], stem: str, f: TextIO) -> None:
    """The JSON of one recording's `utterances` (times into its whole audio); `stem`: the WAV's
    base name, which utterance ids start with."""
    speakers = speakers_of(utterances)
    metadata: dict[str, str | int] = dict.fromkeys(METADATA, "")
    metadata.update(title=utterances[0].recording if utterances else "", speaker_num=len(speakers))
    document = {
        "metadata": metadata,
        "speaker": [speaker_record(s, DOCUMENT_SPEAKER, e) for s, e in speakers.items()],
        "utterance": [
            {
                "id": f"{stem}.{n}",
                "start": round(u.offset, 3),
                "end": round(u.offset + u.duration, 3),
                "form": u.text,
                "original_form": u.written,
                "speaker_id": u.speaker or "",
            }
            for n, u in enumerate(utterances, 1)
        ],
    }
    json.dump(document, f, ensure_ascii=False, indent=2)
    f.write("\n")


def read_document(f: TextIO) -> Read:
    """The utterances of a document JSON (the audio: the WAV of its base name, '' here)."""
    fields = Fields()
    document = fields.check(json_document(f.read()), TOP)
    if not isinstance(document.get("utterance"), list):
        raise AnnotationError("no utterance list")
    if "metadata" in document:
        fields.check(document["metadata"], METADATA, "metadata")
    speakers = document.get("speaker", [])
    if not isinstance(speakers, list):
        raise AnnotationError("speaker is not a list")
    described = [_speaker(fields, s, f"speaker {n}") for n, s in enumerate(speakers, 1)]
    known = {s.name for s in described}
    strangers: dict[str, None] = {}
    rows = [(f"utterance {n}", u) for n, u in enumerate(document["utterance"], 1)]
    read = collect(rows, lambda u: _utterance(fields, known, strangers, u))
    notes = fields.notes()
    if strangers:
        notes += (AnnotationError(f"speaker_id {', '.join(strangers)} not in the speaker list"),)
    return Read(read.annotations, read.problems, notes, tuple(s for s in described if s.name))


def _speaker(fields: Fields, speaker: Any, where: str) -> SpeakerFacts:
    record = fields.check(speaker, DOCUMENT_SPEAKER, "speaker")
    string(record.get("id"), "speaker.id")  # an id that is not text is no speaker
    return speaker_facts(record, DOCUMENT_SPEAKER, where)


def _utterance(
    fields: Fields, speakers: set[str], strangers: dict[str, None], u: Any
) -> Annotation:
    u = fields.check(u, UTTERANCE, "utterance", UTTERANCE_MORE)
    start, end = seconds(u.get("start"), "start"), seconds(u.get("end"), "end")
    if start is None or end is None:
        raise AnnotationError(f"no {'start' if start is None else 'end'} time")
    if "form" not in u:
        raise AnnotationError("no form (its transcript)")
    speaker = string(u.get("speaker_id"), "speaker_id")
    if speaker and speaker not in speakers:
        strangers.setdefault(speaker, None)
    return Annotation("", start, end, string(u["form"], "form"), speaker or None)
