"""The speaker records the AI Hub label files carry, made in one place for every writer.

What the project knows of a speaker today is the `speaker` string of a recording or segment:
it becomes the record's id (and recorderId); every other field is written empty rather than
guessed. A speaker registry (gender, age group, region, role) fills them in here later, and
every writer follows.
"""

from __future__ import annotations

__all__ = ["DOCUMENT_SPEAKER", "SESSION_SPEAKER", "RECORDER", "speaker_record"]

# the fields of each shape's speaker record, in the order the files write them
DOCUMENT_SPEAKER = ("id", "name", "age", "occupation", "role", "sex")  # speaker[] (aihub-doc)
SESSION_SPEAKER = ("id", "age", "gender", "residence")  # dataSet.typeInfo.speakers[]
RECORDER = ("gender", "recorderId", "age")  # 녹음자정보 (aihub-stt)
_ID_FIELDS = ("id", "recorderId")


def speaker_record(speaker: str | None, fields: tuple[str, ...]) -> dict[str, str]:
    """The record of `speaker` (None: unknown, an empty id) with `fields`, in their order."""
    return {f: (speaker or "") if f in _ID_FIELDS else "" for f in fields}
