"""ELAN annotation document (.eaf) of one recording: a tier per speaker, written and read back.

Times are whole milliseconds, ELAN's unit. Annotations on one tier never overlap (ELAN refuses
that), so overlapping utterances of one speaker are made disjoint as in TextGrids; empty texts
are kept as empty annotations. The media descriptor names the audio file beside the .eaf.
Where utterances carry their words timed, each speaker's tier has a child tier of words
(linguistic type WORD_TYPE, "Included_In" its parent); reading skips child tiers.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import datetime
from typing import TextIO

from workbench.formats.reading import AnnotationError, Read, collect, seconds, shown
from workbench.formats.textgrid import NO_SPEAKER, WORD_TIER, Interval, disjoint, speaker_tiers
from workbench.formats.utterance import Annotation, Utterance, one_line

__all__ = ["write_eaf", "read_eaf", "LINGUISTIC_TYPE", "WORD_TYPE"]

LINGUISTIC_TYPE = "transcription"
WORD_TYPE = "words"  # the word tiers' linguistic type: time-aligned, included in the parent
MIME = {".wav": "audio/x-wav", ".flac": "audio/flac", ".mp3": "audio/mpeg"}


def write_eaf(
    utterances: Iterable[Utterance],
    duration: float,
    media: str,
    f: TextIO,
    date: datetime | None = None,
) -> int:
    """An EAF 3.0 document with a tier per speaker (sorted by name), each with its child tier
    of words where its utterances carry timed words; returns the tier count."""
    tiers, words = speaker_tiers(utterances)
    specs: list[tuple[dict[str, str], list[Interval]]] = []
    for name in sorted(tiers):
        attrs = {"LINGUISTIC_TYPE_REF": LINGUISTIC_TYPE, "TIER_ID": name}
        if name != NO_SPEAKER:
            attrs["PARTICIPANT"] = name
        specs.append((attrs, disjoint(tiers[name], duration)))
        if words.get(name):
            child = {**attrs, "LINGUISTIC_TYPE_REF": WORD_TYPE, "TIER_ID": name + WORD_TIER}
            specs.append(({**child, "PARENT_REF": name}, disjoint(words[name], duration)))
    root, header = _document(media, date)
    order = ET.SubElement(root, "TIME_ORDER")
    tier_elements, annotations = _tiers(specs, order)
    prop = ET.SubElement(header, "PROPERTY", {"NAME": "lastUsedAnnotationId"})
    prop.text = str(annotations)
    root.extend(tier_elements)
    _linguistic_types(root, with_words=bool(words))
    ET.indent(root)
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    f.write(ET.tostring(root, encoding="unicode"))
    f.write("\n")
    return len(specs)


def _linguistic_types(root: ET.Element, with_words: bool) -> None:
    """The transcription type; and the words' (with its constraint) when there are words."""
    ET.SubElement(
        root,
        "LINGUISTIC_TYPE",
        {
            "GRAPHIC_REFERENCES": "false",
            "LINGUISTIC_TYPE_ID": LINGUISTIC_TYPE,
            "TIME_ALIGNABLE": "true",
        },
    )
    if not with_words:
        return
    ET.SubElement(
        root,
        "LINGUISTIC_TYPE",
        {
            "CONSTRAINTS": "Included_In",
            "GRAPHIC_REFERENCES": "false",
            "LINGUISTIC_TYPE_ID": WORD_TYPE,
            "TIME_ALIGNABLE": "true",
        },
    )
    ET.SubElement(
        root,
        "CONSTRAINT",
        {
            "DESCRIPTION": "Time alignable annotations within the parent annotation's time "
            "interval, gaps are allowed",
            "STEREOTYPE": "Included_In",
        },
    )


def _document(media: str, date: datetime | None) -> tuple[ET.Element, ET.Element]:
    """The document's root and its header, which describes the media file."""
    stamp = (date or datetime.now().astimezone()).replace(microsecond=0).isoformat()  # offset
    root = ET.Element(
        "ANNOTATION_DOCUMENT",
        {
            "AUTHOR": "workbench",
            "DATE": stamp,
            "FORMAT": "3.0",
            "VERSION": "3.0",
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:noNamespaceSchemaLocation": "http://www.mpi.nl/tools/elan/EAFv3.0.xsd",
        },
    )
    header = ET.SubElement(root, "HEADER", {"MEDIA_FILE": "", "TIME_UNITS": "milliseconds"})
    suffix = media[media.rfind(".") :].lower() if "." in media else ""
    ET.SubElement(
        header,
        "MEDIA_DESCRIPTOR",
        {
            "MEDIA_URL": f"file:///{media}",
            "RELATIVE_MEDIA_URL": f"./{media}",
            "MIME_TYPE": MIME.get(suffix, "audio/*"),
        },
    )
    return root, header


def _tiers(
    specs: list[tuple[dict[str, str], list[Interval]]], order: ET.Element
) -> tuple[list[ET.Element], int]:
    """A TIER per spec (its attributes, its disjoint spans), their time slots added to
    order; and the annotation count."""
    slots = 0
    annotations = 0
    tier_elements = []
    for attrs, spans in specs:
        tier = ET.Element("TIER", attrs)
        for start, end, text in spans:
            refs = []
            for t in (start, end):
                slots += 1
                ET.SubElement(
                    order,
                    "TIME_SLOT",
                    {"TIME_SLOT_ID": f"ts{slots}", "TIME_VALUE": str(round(t * 1000))},
                )
                refs.append(f"ts{slots}")
            annotations += 1
            holder = ET.SubElement(tier, "ANNOTATION")
            aligned = ET.SubElement(
                holder,
                "ALIGNABLE_ANNOTATION",
                {
                    "ANNOTATION_ID": f"a{annotations}",
                    "TIME_SLOT_REF1": refs[0],
                    "TIME_SLOT_REF2": refs[1],
                },
            )
            ET.SubElement(aligned, "ANNOTATION_VALUE").text = text
        tier_elements.append(tier)
    return tier_elements, annotations


def _xml(text: str) -> ET.Element:
    """The document's root element, or AnnotationError saying where the XML breaks."""
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        why = str(exc).split(":", 1)[0]  # expat's reason, without its own position
        raise AnnotationError(f"not valid XML (line {line}, column {column}: {why})") from None
    except (ValueError, RecursionError):
        raise AnnotationError("not valid XML") from None


def read_eaf(f: TextIO) -> Read:
    """Time-aligned annotations of every top-level tier; the participant (or tier) = speaker.
    An annotation whose time slots have no time (ELAN interpolates such slots; the importer
    cannot) or whose times make no span is skipped as a problem (see `reading`)."""
    root = _xml(f.read())
    if root.tag != "ANNOTATION_DOCUMENT":
        raise AnnotationError("not an ELAN annotation document")
    times = {slot.get("TIME_SLOT_ID"): slot.get("TIME_VALUE") for slot in root.iter("TIME_SLOT")}
    aligned_types = {
        lt.get("LINGUISTIC_TYPE_ID")
        for lt in root.iter("LINGUISTIC_TYPE")
        if lt.get("TIME_ALIGNABLE", "true") == "true"
    }
    rows = []
    for tier in root.iter("TIER"):
        if tier.get("PARENT_REF") or tier.get("LINGUISTIC_TYPE_REF") not in aligned_types:
            continue
        tier_id = tier.get("TIER_ID") or ""
        speaker = one_line(tier.get("PARTICIPANT") or "") or (
            None if tier_id in (NO_SPEAKER, "default", "") else one_line(tier_id) or None
        )
        for n, ann in enumerate(tier.iter("ALIGNABLE_ANNOTATION"), 1):
            where = f"annotation {shown(ann.get('ANNOTATION_ID') or n)} on tier {shown(tier_id)}"
            rows.append((where, (ann, speaker)))

    def slot(ann: ET.Element, ref: str) -> float:
        name = ann.get(ref)
        if name not in times:
            raise AnnotationError(f"its time slot {shown(name)} is not in the time order")
        if times[name] is None:
            raise AnnotationError(
                f"its time slot {shown(name)} has no time (ELAN interpolates "
                "it; the importer cannot)"
            )
        return (seconds(times[name], f"the time of slot {shown(name)}") or 0.0) / 1000

    def parse(row: tuple[ET.Element, str | None]) -> Annotation:
        ann, speaker = row
        value = ann.findtext("ANNOTATION_VALUE") or ""
        return Annotation(
            "", slot(ann, "TIME_SLOT_REF1"), slot(ann, "TIME_SLOT_REF2"), one_line(value), speaker
        )

    read = collect(rows, parse)
    ordered = sorted(read.annotations, key=lambda x: (x.start or 0.0, x.speaker or ""))
    return Read(tuple(ordered), read.problems)
