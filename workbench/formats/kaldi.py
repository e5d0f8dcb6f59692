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

from workbench.formats.reading import AnnotationError, Read, collect, decode, seconds, shown
from workbench.formats.utterance import Annotation, Utterance, one_line

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
    "write_spk2gender",
    "genders_known",
    "write_ctm",
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
    # the text's words timed: (word, start, end), seconds from the utterance's start
    words: tuple[tuple[str, float, float], ...] = ()
    gender: str = ""  # spk2gender's 'm' or 'f', from the speaker's registry entry; '' unknown


_KALDI_GENDER = {"male": "m", "female": "f"}  # spk2gender knows these two only


def _c_order(key: str) -> bytes:
    return key.encode("utf-8")


def speaker_id(name: str) -> str:
    """A Kaldi-safe speaker id: no whitespace, nothing that sorts before '-'."""
    chars = ["_" if c.isspace() or ord(c) < 0x2E else c for c in one_line(name)]
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
        out.append(
            KaldiUtt(
                utt_id=utt,
                reco_id=utt if u.clip else u.recording_uid,
                speaker_id=spk,
                speaker=u.speaker or None,
                text=one_line(u.text),
                start=None if u.clip else u.offset,
                end=None if u.clip else u.offset + u.duration,
                audio=u.audio.path,
                words=tuple((w, s - u.offset, e - u.offset) for w, s, e in u.words),
                gender=_KALDI_GENDER.get(u.speaker_entry.gender, "") if u.speaker_entry else "",
            )
        )
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


def write_ctm(entries: Sequence[KaldiUtt], f: TextIO) -> int:
    """The timed words as a CTM: `utt-id 1 start duration word` a line, seconds from the
    utterance's start (as Kaldi's get_ctm writes them), utterances in byte order; returns
    how many words were written."""
    count = 0
    for e in entries:
        for word, start, end in e.words:
            f.write(f"{e.utt_id} 1 {start:.3f} {max(0.0, end - start):.3f} {word}\n")
            count += 1
    return count


def write_spk2name(entries: Sequence[KaldiUtt], f: TextIO) -> int:
    """`<spk-id> <name as written>` for named speakers (not a Kaldi file; Kaldi ignores it)."""
    names = {e.speaker_id: e.speaker for e in entries if e.speaker}
    for spk in sorted(names, key=_c_order):
        f.write(f"{spk} {one_line(names[spk] or '')}\n")
    return len(names)


def genders_known(entries: Sequence[KaldiUtt]) -> bool:
    """Whether every speaker of `entries` has a gender spk2gender can say (Kaldi's scripts
    want the file to cover every speaker of utt2spk, or to be absent)."""
    return bool(entries) and all(e.gender for e in entries)


def write_spk2gender(entries: Sequence[KaldiUtt], f: TextIO) -> int:
    """`<spk-id> m|f` for every speaker, in byte order (see `genders_known`)."""
    genders = {e.speaker_id: e.gender for e in entries}
    for spk in sorted(genders, key=_c_order):
        f.write(f"{spk} {genders[spk]}\n")
    return len(genders)


# ---------------------------------------------------------------- reading


Table = dict[str, tuple[int, str]]  # key -> (line number, the rest of the line)


def _table(path: Path, problems: list[AnnotationError], required: bool = False) -> Table:
    """A Kaldi table file as {key: (line number, rest of the line)}; {} when absent and not
    required. A key written again is kept as first written; the later line goes to `problems`."""
    if not path.is_file():
        if required:
            raise AnnotationError(f"{path.name} is missing")
        return {}
    try:
        raw = path.read_bytes()
    except OSError:
        raise AnnotationError(f"{path.name} cannot be read") from None
    try:
        text = decode(raw)
    except AnnotationError as exc:
        raise exc.at(path.name) from None
    table: Table = {}
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            key, _, rest = line.strip().partition(" ")
            if key in table:
                problems.append(
                    AnnotationError(
                        f"{shown(key)} is written again (first on line {table[key][0]}); "
                        "this line is skipped",
                        f"{path.name} line {n}",
                    )
                )
                continue
            table[key] = (n, rest.strip())
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


def read_data_dir(folder: Path) -> Read:
    """A data directory's utterances as annotations (audio as wav.scp names it); an utterance
    that cannot be read is skipped as a problem (see `reading`). A segment's end of -1 is the
    end of the recording, as in Kaldi."""
    problems: list[AnnotationError] = []
    wav = _table(folder / "wav.scp", problems, required=True)
    text = _table(folder / "text", problems, required=True)
    segments = _table(folder / "segments", problems)
    utt2spk = _table(folder / "utt2spk", problems)
    spk2name = _table(folder / "spk2name", problems)
    has_names = (folder / "spk2name").is_file()

    def parse(utt: str) -> Annotation:
        if segments:
            if utt not in segments:
                raise AnnotationError(f"utterance {shown(utt)} is not in segments")
            fields = segments[utt][1].split()
            if len(fields) < 3:
                raise AnnotationError(
                    f"segments line {segments[utt][0]} has no recording, start and end"
                )
            reco, start, end = fields[0], seconds(fields[1], "start"), seconds(fields[2], "end")
            span = (start, None if end == -1 else end)
        else:
            reco, span = utt, (None, None)
        if reco not in wav:
            raise AnnotationError(
                f"recording {shown(reco)} of utterance {shown(utt)} is not in wav.scp"
            )
        spk = utt2spk[utt][1] if utt in utt2spk else None
        if spk in spk2name:
            speaker: str | None = spk2name[spk][1]
        elif spk is None or spk in (utt, reco) or has_names:
            speaker = None
        else:
            speaker = spk
        return Annotation(
            audio_path_of(wav[reco][1]),
            *span,
            one_line(text[utt][1]),
            one_line(speaker or "") or None,
        )

    read = collect(((f"text line {n}", utt) for utt, (n, _) in text.items()), parse)
    return Read(read.annotations, (*problems, *read.problems))
