"""Subtitles of one recording: SubRip (.srt) and WebVTT (.vtt), written and read back.

A speaker is written as WebVTT's voice span (`<v Kim Min-su>text`) and, in SubRip, which has
no such thing, as a `Name: ` prefix; reading SubRip takes a short prefix before ': ' as the
speaker. Times are milliseconds, both formats' precision.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import TextIO

from workbench.formats.reading import AnnotationError, Read, collect, shown, unwrap
from workbench.formats.utterance import Annotation, Utterance, one_line

__all__ = ["write_srt", "write_vtt", "read_srt", "read_vtt", "timestamp"]

MAX_SPEAKER_PREFIX = 40  # characters: a longer 'xxx: ' prefix is read as text, not a speaker


def timestamp(seconds: float, sep: str = ".") -> str:
    """HH:MM:SS.mmm (or with ',' before the milliseconds, for SubRip)."""
    ms = max(0, round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _span(u: Utterance) -> tuple[float, float]:
    return u.offset, u.offset + u.duration


def write_srt(utterances: Iterable[Utterance], f: TextIO) -> int:
    """Numbered SubRip cues in time order: one per utterance, or one per word where the
    utterance carries its timed words; returns how many were written."""
    n = 0
    for u in sorted(utterances, key=_span):
        for start, end, text in _cue_texts(u):
            n += 1
            if u.speaker and not u.words:
                text = f"{one_line(u.speaker)}: {text}".rstrip()
            f.write(f"{n}\n{timestamp(start, ',')} --> {timestamp(end, ',')}\n{text}\n\n")
    return n


def _cue_texts(u: Utterance) -> list[tuple[float, float, str]]:
    """(start, end, text) of an utterance's cues: its words where it carries them timed."""
    if u.words:
        return [(a, b, one_line(w)) for w, a, b in u.words]
    start, end = _span(u)
    return [(start, end, one_line(u.text))]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_vtt(utterances: Iterable[Utterance], f: TextIO) -> int:
    """A WebVTT file with one cue per utterance, or one per word where the utterance carries
    its timed words (ids `uid`, or `uid-wN`); returns how many were written."""
    f.write("WEBVTT\n\n")
    n = 0
    for u in sorted(utterances, key=_span):
        cues = _cue_texts(u)
        for k, (start, end, text) in enumerate(cues, 1):
            text = _escape(text)
            if u.speaker:
                text = f"<v {_escape(one_line(u.speaker))}>{text}"
            cue_id = f"{u.uid}-w{k}" if u.words else u.uid
            f.write(f"{cue_id}\n{timestamp(start)} --> {timestamp(end)}\n{text}\n\n")
            n += 1
    return n


# ---------------------------------------------------------------- reading

_TIME = r"(?:(\d{1,9}):)?(\d{1,2}):(\d{2})[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s|$)")
_PREFIX = re.compile(rf"^([^:?!]{{1,{MAX_SPEAKER_PREFIX}}}):(?: (.*))?$", re.S)
_VOICE = re.compile(r"^<v(?:\.[^\s>]*)?\s+([^>]*)>")
_TAG = re.compile(r"</?[^>]*>")

Cue = tuple[float, float, list[str]]  # start, end, payload lines


def _seconds(h: str | None, m: str, s: str, frac: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(frac.ljust(3, "0")) / 1000


def _cues(f: TextIO) -> list[tuple[str, Cue | AnnotationError]]:
    """('cue N (line L)', (start, end, payload lines)) for every timing line and the lines up
    to a blank one; a line with '-->' that is not a timing comes as an AnnotationError. A file
    with no such line at all raises AnnotationError."""
    lines = f.read().lstrip("\ufeff").splitlines()
    cues: list[tuple[str, Cue | AnnotationError]] = []
    i = 0
    while i < len(lines):
        line, i = lines[i], i + 1
        if "-->" not in line:
            continue
        where = f"cue {len(cues) + 1} (line {i})"
        payload = []
        while i < len(lines) and lines[i].strip():
            payload.append(lines[i])
            i += 1
        match = _TIMING.match(line)
        if match is None:
            cues.append(
                (
                    where,
                    AnnotationError(
                        f"the timing {shown(line.strip())} is not HH:MM:SS,mmm --> HH:MM:SS,mmm"
                    ),
                )
            )
            continue
        g = match.groups()
        cues.append((where, (_seconds(*g[:4]), _seconds(*g[4:]), payload)))
    if not cues:
        raise AnnotationError("holds no cues (no line such as 00:00:01,000 --> 00:00:02,500)")
    return cues


def _srt_cue(raw: Cue | AnnotationError) -> Annotation:
    start, end, payload = unwrap(raw)
    text, speaker = " ".join(payload).strip(), None
    match = _PREFIX.match(text)
    if match:
        speaker, text = match.group(1).strip(), (match.group(2) or "").strip()
    return Annotation("", start, end, one_line(_TAG.sub("", text)), one_line(speaker or "") or None)


def _vtt_cue(raw: Cue | AnnotationError) -> Annotation:
    start, end, payload = unwrap(raw)
    text, speaker = " ".join(payload).strip(), None
    match = _VOICE.match(text)
    if match:
        speaker = one_line(html.unescape(match.group(1))) or None
    return Annotation("", start, end, one_line(html.unescape(_TAG.sub("", text))), speaker)


def read_srt(f: TextIO) -> Read:
    """SubRip cues as annotations; a short 'Name: ' prefix becomes the speaker. A cue that
    cannot be read is skipped as a problem (see `reading`)."""
    return collect(_cues(f), _srt_cue)


def read_vtt(f: TextIO) -> Read:
    """WebVTT cues as annotations; a voice span `<v Name>` becomes the speaker. A cue that
    cannot be read is skipped as a problem (see `reading`)."""
    return collect(_cues(f), _vtt_cue)
