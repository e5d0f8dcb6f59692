"""The speaker records the AI Hub label files carry, made and read in one place for every shape,
and what an export in a format that needs speaker metadata lacks.

A speaker is named by the `speaker` string of its recording or segment, which becomes the
record's id (and recorderId); the project's speaker registry (`workbench.core.records.Speaker`)
fills in gender, age group, region and role, spelled as the shape spells them (`여성` in the
document shape's `sex`, `여` in the others' `gender`: the spellings public loaders of these sets
read). What the registry does not know is written empty, never guessed; `missing_metadata`
names it first, so that an export can refuse (see `corpus_export`).

Read back, a record's values come as the file holds them (`SpeakerFacts`): the registry's
use case (`workbench.projects.speakers`) decides which it understands and notes the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from workbench.core.records import SPEAKER_FIELDS, Speaker
from workbench.formats.utterance import Utterance

__all__ = [
    "DOCUMENT_SPEAKER",
    "SESSION_SPEAKER",
    "RECORDER",
    "FIELD_NAMES",
    "SpeakerFacts",
    "speaker_record",
    "speakers_of",
    "speaker_facts",
    "missing_metadata",
    "missing_message",
]

# the fields of each shape's speaker record, in the order the files write them
DOCUMENT_SPEAKER = ("id", "name", "age", "occupation", "role", "sex")  # speaker[] (aihub-doc)
SESSION_SPEAKER = ("id", "age", "gender", "residence")  # dataSet.typeInfo.speakers[]
RECORDER = ("gender", "recorderId", "age")  # 녹음자정보 (aihub-stt)
_ID_FIELDS = ("id", "recorderId")

# a shape's field -> the registry's (the same meaning under each shape's name)
_REGISTRY_FIELD = {
    "sex": "gender",
    "gender": "gender",
    "age": "age",
    "residence": "region",
    "role": "role",
}

# how the shapes spell a gender: the document shape's `sex` in full, the others' `gender` short
_SEX = {"female": "여성", "male": "남성", "other": "기타"}
_GENDER = {"female": "여", "male": "남", "other": "기타"}

FIELD_NAMES = {"gender": "gender", "age": "age group", "region": "region", "role": "role"}


@dataclass(frozen=True)
class SpeakerFacts:
    """A speaker record as a label file holds it: its id and the registry fields it gave, as
    written there (strings; '' where the file leaves a field empty or lacks it)."""

    name: str
    values: tuple[tuple[str, str], ...]  # (registry field, the file's value)
    where: str = ""  # the record in its file ('speaker 2'), for messages


def speaker_record(
    speaker: str | None, fields: tuple[str, ...], known: Speaker | None = None
) -> dict[str, str]:
    """The record of `speaker` (None: unknown, an empty id) with `fields`, in their order,
    filled from its registry entry `known` where it has the field (else empty)."""
    spelling = _SEX if "sex" in fields else _GENDER
    record = {}
    for f in fields:
        if f in _ID_FIELDS:
            record[f] = speaker or ""
        elif known is not None and f in _REGISTRY_FIELD:
            value = getattr(known, _REGISTRY_FIELD[f])
            record[f] = spelling.get(value, value) if f in ("sex", "gender") else value
        else:
            record[f] = ""
    return record


def speakers_of(utterances: Iterable[Utterance]) -> dict[str, Speaker | None]:
    """The named speakers of `utterances`, in first-seen order, with their registry entries."""
    found: dict[str, Speaker | None] = {}
    for u in utterances:
        if u.speaker:
            found.setdefault(u.speaker, u.speaker_entry)
    return found


def speaker_facts(record: Mapping[str, Any], fields: tuple[str, ...], where: str) -> SpeakerFacts:
    """What a file's speaker record (already checked to be an object) says of its speaker:
    the id and the registry fields among `fields`, as strings (a number as its digits)."""
    name = next((_text(record.get(f)) for f in _ID_FIELDS if f in fields), "")
    values = tuple(
        (_REGISTRY_FIELD[f], _text(record.get(f)))
        for f in fields
        if f in _REGISTRY_FIELD and f in record
    )
    return SpeakerFacts(name, values, where)


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    return " ".join(value.split()) if isinstance(value, str) else ""


def missing_metadata(
    registry: Iterable[Speaker], names: Iterable[str], needed: tuple[str, ...]
) -> list[tuple[str, tuple[str, ...], bool]]:
    """For each of `names` (in first-seen order) whose registry entry lacks one of the
    `needed` fields: (name, the fields it lacks, whether it has an entry at all)."""
    by_name = {s.name: s for s in registry}
    missing = []
    for name in dict.fromkeys(names):
        entry = by_name.get(name)
        lacking = tuple(f for f in needed if f in SPEAKER_FIELDS and not getattr(entry, f, ""))
        if lacking:
            missing.append((name, lacking, entry is not None))
    return missing


def missing_message(
    what: str, missing: list[tuple[str, tuple[str, ...], bool]], unnamed: int
) -> str:
    """What an export in the format `what` lacks of its speakers (see `missing_metadata`),
    each speaker by name with the fields it lacks, and the segments that name no speaker."""
    parts = []
    for name, lacking, registered in missing:
        fields = ", ".join(FIELD_NAMES[f] for f in lacking)
        parts.append(f"{name}: {fields}" if registered else f"{name}: not in the registry")
    if unnamed:
        parts.append(f"{unnamed} segment{'s' if unnamed != 1 else ''} with no speaker")
    return f"{what} needs speaker metadata the speaker registry lacks: " + "; ".join(parts)
