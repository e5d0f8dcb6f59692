"""AI Hub label files of the dataSet/dialogs shape: one JSON per session beside a WAV and a TXT
per utterance (회의 음성, 고객 응대 음성, 저음질 전화망 음성인식 and like sets).

    {"dataSet": {"version": ..., "date": ...,
                 "typeInfo": {"category": ..., "subcategory": ..., "place": ...,
                              "inputType": ..., "speakers": [{"id": ..., "age": ...,
                                                              "gender": ..., "residence": ...}]},
                 "dialogs": [{"speaker": ..., "audioPath": "clips/x.wav",
                              "textPath": "clips/x.txt"}]}}

Paths are relative to the JSON. A dialog's transcript is its TXT file (UTF-8 here; CP949 read
too), read through the `text_of` the caller gives, which knows where files may be read from.
Each dialog's audio is the whole utterance. Fields the layout lacks or does not know are noted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TextIO

from workbench.formats.reading import AnnotationError, Fields, Read, collect, json_document, string
from workbench.formats.speakers import SESSION_SPEAKER, speaker_facts, speaker_record, speakers_of
from workbench.formats.utterance import Annotation, Utterance

__all__ = [
    "DATASET",
    "TYPE_INFO",
    "DIALOG",
    "looks_like",
    "text_path",
    "write_session",
    "read_session",
]

DATASET = ("version", "date", "typeInfo", "dialogs")
TYPE_INFO = ("category", "subcategory", "place", "inputType", "speakers")
DIALOG = ("speaker", "audioPath", "textPath")

TextOf = Callable[[str], str]  # textPath -> the transcript it holds (AnnotationError if none)


def looks_like(value: Any) -> bool:
    """Whether a file's JSON value has this shape: a dataSet holding dialogs."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("dataSet"), dict)
        and "dialogs" in value["dataSet"]
    )


def text_path(audio_path: str) -> str:
    """The TXT written beside an utterance's WAV."""
    return audio_path.rsplit(".", 1)[0] + ".txt"


def write_session(utterances: list[Utterance], f: TextIO) -> None:
    """The JSON of one session (a recording's clips, each with its TXT at `text_path`)."""
    type_info: dict[str, Any] = dict.fromkeys(TYPE_INFO, "")
    type_info["speakers"] = [
        speaker_record(s, SESSION_SPEAKER, e) for s, e in speakers_of(utterances).items()
    ]
    dialogs = []
    for u in utterances:
        assert u.audio is not None
        dialogs.append(
            {
                "speaker": u.speaker or "",
                "audioPath": u.audio.path,
                "textPath": text_path(u.audio.path),
            }
        )
    session = {"dataSet": {"version": "", "date": "", "typeInfo": type_info, "dialogs": dialogs}}
    json.dump(session, f, ensure_ascii=False, indent=2)
    f.write("\n")


def read_session(f: TextIO, text_of: TextOf) -> Read:
    """The dialogs of a session JSON, each with the text of its TXT."""
    fields = Fields()
    top = fields.check(json_document(f.read()), ("dataSet",))
    dataset = fields.check(top.get("dataSet"), DATASET, "dataSet")
    if not isinstance(dataset.get("dialogs"), list):
        raise AnnotationError("no dialogs list in dataSet")
    described = []
    if "typeInfo" in dataset:
        type_info = fields.check(dataset["typeInfo"], TYPE_INFO, "dataSet.typeInfo")
        for n, speaker in enumerate(type_info.get("speakers") or [], 1):
            record = fields.check(speaker, SESSION_SPEAKER, "dataSet.typeInfo.speakers")
            described.append(speaker_facts(record, SESSION_SPEAKER, f"typeInfo.speakers {n}"))
    rows = [(f"dialog {n}", d) for n, d in enumerate(dataset["dialogs"], 1)]
    read = collect(rows, lambda d: _dialog(fields, text_of, d))
    named = tuple(s for s in described if s.name)
    return Read(read.annotations, read.problems, fields.notes(), named)


def _dialog(fields: Fields, text_of: TextOf, dialog: Any) -> Annotation:
    dialog = fields.check(dialog, DIALOG, "dataSet.dialogs")
    audio = string(dialog.get("audioPath"), "audioPath")
    path = string(dialog.get("textPath"), "textPath")
    if not audio.strip() or not path.strip():
        raise AnnotationError(f"no {'audioPath' if not audio.strip() else 'textPath'}")
    speaker = string(dialog.get("speaker"), "speaker")
    return Annotation(audio, None, None, string(text_of(path), "the text"), speaker or None)
