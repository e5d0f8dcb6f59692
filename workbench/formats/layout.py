"""The files of a corpus folder: each format's manifests, written by its writer module.

`write_manifests` opens the files (text, or gzip text with no time stamp so that equal corpora
are equal bytes) and hands them to the writers in this package, which only format.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from workbench.formats import (
    aihub_dialogs,
    aihub_doc,
    aihub_stt,
    commonvoice,
    eaf,
    hf,
    kaldi,
    kspon,
    lhotse,
    nemo,
    subtitles,
    table,
    textgrid,
)
from workbench.formats.utterance import Utterance, safe_stem

__all__ = ["MANIFEST", "write_manifests", "write_lines"]

MANIFEST = "manifest.json"  # NeMo
SPLIT_FOLDERS = ("train", "dev", "test")  # folders of a split corpus, whose lists are named so


@dataclass(frozen=True)
class Marks:
    """What a writer needs beside the utterances: the ids of segments a reviewer approved
    (Common Voice's up_votes), and whether CSV/TSV cells are kept raw (for programs) instead
    of defused for spreadsheets (`workbench.text.cells`)."""

    approved: frozenset[int] = frozenset()
    raw_cells: bool = False


def write_manifests(
    fmt: str,
    utterances: list[Utterance],
    folder: Path,
    approved: frozenset[int] = frozenset(),
    raw_cells: bool = False,
) -> list[str]:
    """Write the manifests of `fmt` for `utterances` (audio already in `folder`); their names
    (`approved`, `raw_cells`: see `Marks`)."""
    return WRITERS[fmt](fmt, utterances, folder, Marks(approved, raw_cells))


@contextmanager
def _text(path: Path, encoding: str = "utf-8") -> Iterator[TextIO]:
    with open(path, "w", encoding=encoding, newline="\n") as f:
        yield f


@contextmanager
def _gzip_text(path: Path) -> Iterator[TextIO]:
    """A gzip text stream with no time stamp in its header, so equal corpora are equal bytes."""
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", filename="", mtime=0) as gz,
        io.TextIOWrapper(gz, encoding="utf-8", newline="\n") as f,
    ):
        yield f


def write_lines(path: Path, lines: list[str]) -> str:
    """Lines into a UTF-8 text file; returns its name."""
    with _text(path) as f:
        f.writelines(line + "\n" for line in lines)
    return path.name


def _nemo(fmt: str, us: list[Utterance], folder: Path, marks: Marks) -> list[str]:
    with _text(folder / MANIFEST) as f:
        nemo.write_manifest((nemo.entry_for(u) for u in us), f)
    return [MANIFEST]


def _hf(fmt: str, us: list[Utterance], folder: Path, marks: Marks) -> list[str]:
    with _text(folder / hf.METADATA) as f:
        hf.write_metadata(us, f)
    return [hf.METADATA]


def _kaldi(fmt: str, us: list[Utterance], folder: Path, marks: Marks) -> list[str]:
    entries = kaldi.kaldi_entries(us)
    writers = {
        "wav.scp": kaldi.write_wav_scp,
        "text": kaldi.write_text,
        "utt2spk": kaldi.write_utt2spk,
        "spk2utt": kaldi.write_spk2utt,
        "spk2name": kaldi.write_spk2name,
    }
    if any(not u.clip for u in us):
        writers["segments"] = kaldi.write_segments
    if any(u.words for u in us):  # the saved texts' words, timed
        writers["ctm"] = kaldi.write_ctm
    if kaldi.genders_known(entries):  # every speaker's, from the speaker registry
        writers["spk2gender"] = kaldi.write_spk2gender
    for name, write in writers.items():
        with _text(folder / name) as f:
            write(entries, f)
    return sorted(writers)


def _lhotse(fmt: str, us: list[Utterance], folder: Path, marks: Marks) -> list[str]:
    with _gzip_text(folder / lhotse.RECORDINGS) as f:
        lhotse.write_recordings(us, f)
    with _gzip_text(folder / lhotse.SUPERVISIONS) as f:
        lhotse.write_supervisions(us, f)
    return [lhotse.RECORDINGS, lhotse.SUPERVISIONS]


def _cv(fmt: str, us: list[Utterance], folder: Path, marks: Marks) -> list[str]:
    name = f"{folder.name}.tsv" if folder.name in SPLIT_FOLDERS else "validated.tsv"
    with _text(folder / name) as f:
        commonvoice.write_tsv(us, f, marks.approved, marks.raw_cells)
    return [name]


def _per_recording(fmt: str, us: list[Utterance], folder: Path, marks: Marks) -> list[str]:
    files = []
    by_audio: dict[str, list[Utterance]] = {}
    for u in us:
        assert u.audio is not None
        by_audio.setdefault(u.audio.path, []).append(u)
    for media, part in by_audio.items():
        name = media.rsplit(".", 1)[0] + "." + {"textgrid": "TextGrid"}.get(fmt, fmt)
        duration = part[0].audio.duration  # type: ignore[union-attr]
        with _text(folder / name) as f:
            if fmt == "srt":
                subtitles.write_srt(part, f)
            elif fmt == "vtt":
                subtitles.write_vtt(part, f)
            elif fmt == "textgrid":
                textgrid.write_textgrid(part, duration, f)
            else:
                eaf.write_eaf(part, duration, media, f)
        files.append(name)
    return files


def _csv(fmt: str, us: list[Utterance], folder: Path, marks: Marks) -> list[str]:
    with _text(folder / "segments.csv", encoding="utf-8-sig") as f:
        table.write_csv(us, f, marks.raw_cells)
    return ["segments.csv"]


def _txt(fmt: str, us: list[Utterance], folder: Path, marks: Marks) -> list[str]:
    with _text(folder / "transcripts.txt") as f:
        table.write_txt(us, f)
    return ["transcripts.txt"]


def _kspon(fmt: str, us: list[Utterance], folder: Path, marks: Marks) -> list[str]:
    """A .txt beside each .pcm, and the split's list of them all."""
    files, lines = [], []
    for u in us:
        assert u.audio is not None
        name = u.audio.path.rsplit(".", 1)[0] + ".txt"
        (folder / name).write_bytes(kspon.encode_text(u.text))
        files.append(name)
        lines.append(kspon.trn_line(u.audio.path, u.text))
    listing = kspon.trn_name(folder.name if folder.name in SPLIT_FOLDERS else "")
    (folder / listing).parent.mkdir(exist_ok=True)
    write_lines(folder / listing, lines)
    return [listing, *files]


def _by_recording(us: list[Utterance]) -> dict[int, list[Utterance]]:
    groups: dict[int, list[Utterance]] = {}
    for u in us:
        groups.setdefault(u.recording_id, []).append(u)
    return groups


def _aihub_doc(fmt: str, us: list[Utterance], folder: Path, marks: Marks) -> list[str]:
    """A JSON beside each whole recording's WAV, of its base name."""
    files = []
    for part in _by_recording(us).values():
        assert part[0].audio is not None
        stem = part[0].audio.path.rsplit(".", 1)[0]
        with _text(folder / f"{stem}.json") as f:
            aihub_doc.write_document(part, stem.rsplit("/", 1)[-1], f)
        files.append(f"{stem}.json")
    return files


def _aihub_dialogs(fmt: str, us: list[Utterance], folder: Path, marks: Marks) -> list[str]:
    """A TXT beside each clip, and a JSON per recording (a session) naming them."""
    files = []
    for u in us:
        assert u.audio is not None
        name = aihub_dialogs.text_path(u.audio.path)
        write_lines(folder / name, [u.text])
        files.append(name)
    for part in _by_recording(us).values():
        name = f"{part[0].recording_uid}-{safe_stem(part[0].recording)}.json"
        with _text(folder / name) as f:
            aihub_dialogs.write_session(part, f)
        files.append(name)
    return files


def _aihub_stt(fmt: str, us: list[Utterance], folder: Path, marks: Marks) -> list[str]:
    """A JSON beside each clip, of its base name."""
    files = []
    for u in us:
        assert u.audio is not None
        name = u.audio.path.rsplit(".", 1)[0] + ".json"
        with _text(folder / name) as f:
            aihub_stt.write_label(u, f)
        files.append(name)
    return files


Writer = Callable[[str, list[Utterance], Path, Marks], list[str]]
WRITERS: dict[str, Writer] = {
    "nemo": _nemo,
    "hf": _hf,
    "kaldi": _kaldi,
    "lhotse": _lhotse,
    "cv": _cv,
    "srt": _per_recording,
    "vtt": _per_recording,
    "textgrid": _per_recording,
    "eaf": _per_recording,
    "csv": _csv,
    "txt": _txt,
    "kspon": _kspon,
    "aihub-doc": _aihub_doc,
    "aihub-dialogs": _aihub_dialogs,
    "aihub-stt": _aihub_stt,
}
