"""Kaldi data directory: wav.scp, segments, text, utt2spk, spk2utt (and spk2name).

Every file is sorted in C-locale (byte) order, as Kaldi's `utils/validate_data_dir.sh` wants.
Utterance ids start with their speaker id, so sorting utt2spk by utterance also groups it by
speaker. A segment without a speaker gets its recording's id as speaker (never one global
speaker, which would spoil per-speaker CMVN). Speaker ids keep letters of any script but turn
whitespace and the ASCII characters that sort before '-' into '_', so that no speaker id
followed by '-' can sort after a longer id it prefixes; `spk2name` keeps the names as written.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from workbench.export.utterance import Annotation, Utterance, one_line

__all__ = [
    "KaldiUtt",
    "FILES",
    "kaldi_entries",
    "speaker_id",
    "write_wav_scp",
    "write_segments",
    "write_text",
    "write_utt2spk",
    "write_spk2utt",
    "write_spk2name",
    "read_data_dir",
    "audio_path_of",
    "is_command",
]

FILES = ("wav.scp", "segments", "text", "utt2spk", "spk2utt", "spk2name")


@dataclass(frozen=True)
class KaldiUtt:
    utt_id: str
    reco_id: str  # key in wav.scp: the utterance id itself when its audio is a clip
    speaker_id: str
    speaker: str | None  # the name as written, None when the speaker id is the recording's
    text: str
    start: float | None  # seconds into the recording; None for a clip (no segments file)
    end: float | None
    audio: str  # path relative to the corpus folder


def _c_order(key: str) -> bytes:
    return key.encode("utf-8")


def speaker_id(name: str) -> str:
    """A Kaldi-safe speaker id: no whitespace, nothing that sorts before '-'."""
    chars = ["_" if c.isspace() or ord(c) < 0x2E else c for c in name.strip()]
    return "".join(chars) or "_"


def kaldi_entries(utterances: Iterable[Utterance]) -> list[KaldiUtt]:
    """Kaldi ids for utterances, sorted by utterance id in byte order."""
    ids: dict[str, str] = {}  # speaker name -> id
    taken: set[str] = set()
    out = []
    for u in utterances:
        assert u.audio is not None
        if u.speaker:
            if u.speaker not in ids:
                base = sid = speaker_id(u.speaker)
                n = 1
                while sid in taken:
                    n += 1
                    sid = f"{base}_{n}"
                ids[u.speaker] = sid
                taken.add(sid)
            spk = ids[u.speaker]
            utt = f"{spk}-{u.uid}"
        else:
            spk = u.recording_uid
            utt = u.uid  # already starts with the recording id and '-'
        out.append(KaldiUtt(
            utt_id=utt,
            reco_id=utt if u.clip else u.recording_uid,
            speaker_id=spk,
            speaker=u.speaker or None,
            text=one_line(u.text),
            start=None if u.clip else u.offset,
            end=None if u.clip else u.offset + u.duration,
            audio=u.audio.path,
        ))
    return sorted(out, key=lambda e: _c_order(e.utt_id))


def _rxfilename(path: str) -> str:
    """What wav.scp says for a file: the path for WAV, a decoding pipe for FLAC."""
    if path.lower().endswith(".flac"):
        return f"flac -c -d -s {shlex.quote(path)} |"
    return path


def write_wav_scp(entries: Sequence[KaldiUtt], f: TextIO) -> int:
    """One line per recording (or per clip): `<reco-id> <rxfilename>`."""
    recos = {e.reco_id: e.audio for e in entries}
    for reco in sorted(recos, key=_c_order):
        f.write(f"{reco} {_rxfilename(recos[reco])}\n")
    return len(recos)


def write_segments(entries: Sequence[KaldiUtt], f: TextIO) -> int:
    """`<utt-id> <reco-id> <start> <end>` for utterances within whole recordings."""
    count = 0
    for e in entries:
        if e.start is not None and e.end is not None:
            f.write(f"{e.utt_id} {e.reco_id} {e.start:.3f} {e.end:.3f}\n")
            count += 1
    return count


def write_text(entries: Sequence[KaldiUtt], f: TextIO) -> int:
    """`<utt-id> <transcript>` (an empty transcript leaves the id alone on its line)."""
    for e in entries:
        f.write(f"{e.utt_id} {e.text}\n" if e.text else f"{e.utt_id}\n")
    return len(entries)


def write_utt2spk(entries: Sequence[KaldiUtt], f: TextIO) -> int:
    for e in entries:
        f.write(f"{e.utt_id} {e.speaker_id}\n")
    return len(entries)


def write_spk2utt(entries: Sequence[KaldiUtt], f: TextIO) -> int:
    """`<spk-id> <utt-id> ...`, speakers and their utterances in byte order."""
    by_speaker: dict[str, list[str]] = {}
    for e in entries:
        by_speaker.setdefault(e.speaker_id, []).append(e.utt_id)
    for spk in sorted(by_speaker, key=_c_order):
        f.write(f"{spk} {' '.join(sorted(by_speaker[spk], key=_c_order))}\n")
    return len(by_speaker)


def write_spk2name(entries: Sequence[KaldiUtt], f: TextIO) -> int:
    """`<spk-id> <name as written>` for named speakers (not a Kaldi file; Kaldi ignores it)."""
    names = {e.speaker_id: e.speaker for e in entries if e.speaker}
    for spk in sorted(names, key=_c_order):
        f.write(f"{spk} {names[spk]}\n")
    return len(names)


# ---------------------------------------------------------------- reading


def _table(path: Path, required: bool = False) -> dict[str, str]:
    """A Kaldi table file as {key: rest of the line}; {} when absent and not required."""
    if not path.is_file():
        if required:
            raise ValueError(f"{path.name} is missing")
        return {}
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            key, _, rest = line.strip().partition(" ")
            table[key] = rest.strip()
    return table


def audio_path_of(rxfilename: str) -> str:
    """The audio file a wav.scp entry reads: the path itself, or the file that the decoding pipe
    `write_wav_scp` writes (`flac -c -d -s FILE |`) decodes. Nothing here runs a command: any
    other command comes back as written, for `is_command` to refuse."""
    if rxfilename.endswith("|"):
        try:
            tokens = shlex.split(rxfilename[:-1])
        except ValueError:
            return rxfilename
        if len(tokens) == 5 and _rxfilename(tokens[4]) == rxfilename:
            return tokens[4]
    return rxfilename


_SHELL = re.compile(r"[|;&$`<>\n]")  # a pipe, a list, a substitution or a redirection


def is_command(entry: str) -> bool:
    """Whether a wav.scp entry (after `audio_path_of`) is a command rather than a file."""
    return bool(_SHELL.search(entry))


def read_data_dir(folder: Path) -> list[Annotation]:
    """A data directory's utterances as annotations (audio as wav.scp names it)."""
    wav = _table(folder / "wav.scp", required=True)
    text = _table(folder / "text", required=True)
    segments = _table(folder / "segments")
    utt2spk = _table(folder / "utt2spk")
    spk2name = _table(folder / "spk2name")
    has_names = (folder / "spk2name").is_file()
    found = []
    for utt, transcript in text.items():
        if segments:
            if utt not in segments:
                raise ValueError(f"utterance {utt} is not in segments")
            reco, start, end = segments[utt].split()[:3]
            span: tuple[float | None, float | None] = (float(start), float(end))
        else:
            reco, span = utt, (None, None)
        if reco not in wav:
            raise ValueError(f"recording {reco} of utterance {utt} is not in wav.scp")
        spk = utt2spk.get(utt)
        if spk in spk2name:
            speaker = spk2name[spk]
        elif spk is None or spk in (utt, reco) or has_names:
            speaker = None
        else:
            speaker = spk
        found.append(Annotation(audio_path_of(wav[reco]), *span, transcript, speaker))
    return found
