"""AI Hub label files with Korean keys: one JSON per utterance WAV, of the same base name
(자유대화 음성 and like sets).

    {"발화정보": {"stt": "안녕하세요.", "scriptId": ..., "fileNm": "x.wav", "recrdTime": "5.000",
                 "recrdQuality": "16K", "recrdDt": ..., "scriptSetNo": ...},
     "대화정보": {"recrdEnvrn": ..., "colctUnitCode": ..., "cityCode": ..., "recrdUnit": ...,
                 "convrsThema": ...},
     "녹음자정보": {"gender": ..., "recorderId": ..., "age": ...}}

The field names are those public loaders of these sets read. The transcript is 발화정보.stt, the
speaker 녹음자정보.recorderId; the audio is the WAV of the JSON's own base name (a fileNm naming
another file is noted, not followed). Written here: what the project has (the text, the file's
name, length and rate, the speaker as `speakers` makes it from the project's registry); the
other fields empty. Read back, 녹음자정보 is also the speaker's record, for the registry.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from workbench.formats.reading import AnnotationError, Fields, Read, json_document, string
from workbench.formats.speakers import RECORDER, speaker_facts, speaker_record
from workbench.formats.utterance import Annotation, Utterance

__all__ = ["UTTERANCE", "DIALOGUE", "SECTIONS", "looks_like", "write_label", "read_label"]

UTTERANCE = ("stt", "scriptId", "fileNm", "recrdTime", "recrdQuality", "recrdDt", "scriptSetNo")
DIALOGUE = ("recrdEnvrn", "colctUnitCode", "cityCode", "recrdUnit", "convrsThema")
SECTIONS = {"발화정보": UTTERANCE, "대화정보": DIALOGUE, "녹음자정보": RECORDER}


def looks_like(value: Any) -> bool:
    """Whether a file's JSON value has this shape: an 발화정보 section."""
    return isinstance(value, dict) and isinstance(value.get("발화정보"), dict)


def write_label(u: Utterance, f: TextIO) -> None:
    """The JSON of one utterance clip."""
    assert u.audio is not None
    rate = u.audio.sample_rate
    utterance = dict.fromkeys(UTTERANCE, "")
    utterance.update(
        stt=u.text,
        fileNm=u.audio.path.rsplit("/", 1)[-1],
        recrdTime=f"{u.audio.duration:.3f}",
        recrdQuality=f"{rate // 1000}K" if rate % 1000 == 0 else "",
    )
    label = {
        "발화정보": utterance,
        "대화정보": dict.fromkeys(DIALOGUE, ""),
        "녹음자정보": speaker_record(u.speaker, RECORDER, u.speaker_entry),
    }
    json.dump(label, f, ensure_ascii=False, indent=2)
    f.write("\n")


def read_label(f: TextIO, stem: str) -> Read:
    """The utterance of a label JSON whose file's base name is `stem`."""
    fields = Fields()
    label = fields.check(json_document(f.read()), tuple(SECTIONS))
    sections = {
        name: fields.check(label.get(name, {}), keys, name)
        for name, keys in SECTIONS.items()
        if name in label
    }
    utterance = sections.get("발화정보", {})
    if "stt" not in utterance:
        raise AnnotationError("no 발화정보.stt (its transcript)")
    speaker = string(sections.get("녹음자정보", {}).get("recorderId"), "녹음자정보.recorderId")
    notes = fields.notes()
    named = string(utterance.get("fileNm"), "발화정보.fileNm")
    if named and named.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0] != stem:
        notes += (
            AnnotationError(
                f"발화정보.fileNm {named!r} names another file than the JSON's "
                f"own name; the audio named {stem}.* is used"
            ),
        )
    text = string(utterance["stt"], "발화정보.stt")
    recorder = sections.get("녹음자정보", {})
    described = (speaker_facts(recorder, RECORDER, "녹음자정보"),) if speaker else ()
    return Read((Annotation("", None, None, text, speaker or None),), (), notes, described)
