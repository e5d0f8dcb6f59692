"""The files of a corpus folder: each format's manifests, written by its writer module.

`write_manifests` opens the files (text, or gzip text with no time stamp so that equal corpora
are equal bytes) and hands them to the writers in this package, which only format.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from workbench.formats import (
    commonvoice,
    eaf,
    hf,
    kaldi,
    lhotse,
    nemo,
    subtitles,
    table,
    textgrid,
)
from workbench.formats.utterance import Utterance

__all__ = ["MANIFEST", "write_manifests", "write_lines"]

MANIFEST = "manifest.json"  # NeMo


def write_manifests(
    fmt: str, utterances: list[Utterance], folder: Path, approved: frozenset[int] = frozenset()
) -> list[str]:
    """Write the manifests of `fmt` for `utterances` (audio already in `folder`); their names.

    `approved` holds the ids of segments a reviewer approved (Common Voice's up_votes).
    """
    return WRITERS[fmt](fmt, utterances, folder, approved)


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


def _nemo(fmt: str, us: list[Utterance], folder: Path, approved: frozenset[int]) -> list[str]:
    with _text(folder / MANIFEST) as f:
        nemo.write_manifest((nemo.entry_for(u) for u in us), f)
    return [MANIFEST]


def _hf(fmt: str, us: list[Utterance], folder: Path, approved: frozenset[int]) -> list[str]:
    with _text(folder / hf.METADATA) as f:
        hf.write_metadata(us, f)
    return [hf.METADATA]


def _kaldi(fmt: str, us: list[Utterance], folder: Path, approved: frozenset[int]) -> list[str]:
    entries = kaldi.kaldi_entries(us)
    writers = {
        "wav.scp": kaldi.write_wav_scp, "text": kaldi.write_text, "utt2spk": kaldi.write_utt2spk,
        "spk2utt": kaldi.write_spk2utt, "spk2name": kaldi.write_spk2name,
    }
    if any(not u.clip for u in us):
        writers["segments"] = kaldi.write_segments
    for name, write in writers.items():
        with _text(folder / name) as f:
            write(entries, f)
    return sorted(writers)


def _lhotse(fmt: str, us: list[Utterance], folder: Path, approved: frozenset[int]) -> list[str]:
    with _gzip_text(folder / lhotse.RECORDINGS) as f:
        lhotse.write_recordings(us, f)
    with _gzip_text(folder / lhotse.SUPERVISIONS) as f:
        lhotse.write_supervisions(us, f)
    return [lhotse.RECORDINGS, lhotse.SUPERVISIONS]


def _cv(fmt: str, us: list[Utterance], folder: Path, approved: frozenset[int]) -> list[str]:
    name = f"{folder.name}.tsv" if folder.name in ("train", "dev", "test") else "validated.tsv"
    with _text(folder / name) as f:
        commonvoice.write_tsv(us, f, approved)
    return [name]


def _per_recording(
    fmt: str, us: list[Utterance], folder: Path, approved: frozenset[int]
) -> list[str]:
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


def _csv(fmt: str, us: list[Utterance], folder: Path, approved: frozenset[int]) -> list[str]:
    with _text(folder / "segments.csv", encoding="utf-8-sig") as f:
        table.write_csv(us, f)
    return ["segments.csv"]


def _txt(fmt: str, us: list[Utterance], folder: Path, approved: frozenset[int]) -> list[str]:
    with _text(folder / "transcripts.txt") as f:
        table.write_txt(us, f)
    return ["transcripts.txt"]


Writer = Callable[[str, list[Utterance], Path, frozenset[int]], list[str]]
WRITERS: dict[str, Writer] = {
    "nemo": _nemo, "hf": _hf, "kaldi": _kaldi, "lhotse": _lhotse, "cv": _cv,
    "srt": _per_recording, "vtt": _per_recording, "textgrid": _per_recording,
    "eaf": _per_recording, "csv": _csv, "txt": _txt,
}
