"""The records every writer and reader shares: an exported utterance and an imported annotation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from workbench.core.records import Speaker
from workbench.text import clean

__all__ = ["Utterance", "AudioFile", "Annotation", "recording_uid", "safe_stem", "one_line"]


@dataclass(frozen=True)
class AudioFile:
    """An audio file written into a corpus: a clip, or a whole recording."""

    path: str  # relative to the corpus folder, with '/' separators
    sample_rate: int  # Hz
    num_samples: int

    @property
    def duration(self) -> float:
        return self.num_samples / self.sample_rate


@dataclass(frozen=True)
class Utterance:
    """One exported segment: its text and where its audio lies in the corpus."""

    uid: str  # corpus.segment_uid: stable across exports
    segment_id: int
    recording_id: int
    recording: str  # the recording's original name
    recording_uid: str  # recording_uid(recording_id)
    start: float  # seconds into the recording (padding included)
    end: float
    text: str
    speaker: str | None
    language: str | None
    audio: AudioFile | None  # None for formats that write no audio (txt)
    offset: float  # seconds into `audio` where the utterance starts (0 for a clip)
    clip: bool  # whether `audio` holds this utterance alone (else a whole recording)
    written: str = ""  # the text as the labeller wrote it, before the export's text options
    # the words of `text` timed against the audio (the saved text re-timed after each save):
    # (word, start, end), seconds into `audio` like `offset`; () where not carried
    words: tuple[tuple[str, float, float], ...] = ()
    # the speaker's entry in the project's registry (gender, age group, region, role), if any
    speaker_entry: Speaker | None = None

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Annotation:
    """One transcribed region read from an existing annotation file, for import."""

    audio: str  # the audio file as the source names it ('' for a sidecar of one audio file)
    start: float | None  # seconds into the audio; None: from its beginning
    end: float | None  # None: to its end
    text: str
    speaker: str | None = None
    where: str = ""  # the row in its file ('line 3', 'cue 2'...), for messages


def recording_uid(recording_id: int) -> str:
    """A recording's id in exports (file names, Kaldi and lhotse recording ids)."""
    return f"rec{recording_id:06d}"


_UNSAFE = re.compile(r"[^\w.-]+")


def safe_stem(name: str, limit: int = 60) -> str:
    """A file-name-safe stem of `name` (letters of any script, digits, '.', '-', '_')."""
    stem = name.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = _UNSAFE.sub("_", unicodedata.normalize("NFC", stem)).strip("._")
    return stem[:limit] or "audio"


def one_line(text: str) -> str:
    """Text with every run of whitespace (newlines, tabs) made one space, trimmed, and without
    control characters or bidi overrides (see `workbench.text.clean`)."""
    return clean.one_line(text)
