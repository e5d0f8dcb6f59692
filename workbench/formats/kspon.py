"""KsponSpeech as distributed (AI Hub 한국어 음성, Bang et al. 2020): headerless PCM with a
transcript per utterance, and script lists.

    KsponSpeech_01/KsponSpeech_0001/KsponSpeech_000001.pcm   16 kHz, 16-bit signed LE, mono
    KsponSpeech_01/KsponSpeech_0001/KsponSpeech_000001.txt   its transcript, CP949
    scripts/train.trn      KsponSpeech_01/KsponSpeech_0001/KsponSpeech_000001.pcm :: 전사

(the corpus ships its lists as KsponSpeech_scripts/train.trn, dev.trn, eval_clean.trn and
eval_other.trn). An export numbers its utterances in corpus order, a thousand a folder and 124
folders a part, as the original training set; writes each .txt in CP949 (a text CP949 cannot
hold, an emoji say, in UTF-8 for that file alone) and the lists in UTF-8, as ESPnet's
ksponspeech recipe reads them. An import reads .txt and .trn in UTF-8 (a byte-order mark, or
UTF-16, is recognised) or else CP949; within a tree, a list's line wins over the .txt of the
file it names, so a transcript is taken once.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.formats.clips import wav_header
from workbench.formats.reading import AnnotationError, Read, collect, decode, string
from workbench.formats.utterance import Annotation

__all__ = [
    "SAMPLE_RATE",
    "SEPARATOR",
    "clip_path",
    "trn_name",
    "trn_line",
    "encode_text",
    "decode_text",
    "read_transcript",
    "read_trn",
    "looks_like_tree",
    "read_tree",
    "read_bytes",
    "pcm_as_wav",
]

SAMPLE_RATE = 16000  # Hz: a .pcm says nothing of its rate; KsponSpeech's is this
PER_FOLDER = 1000  # utterances in a KsponSpeech_NNNN folder
FOLDERS_PER_PART = 124  # KsponSpeech_NNNN folders in a KsponSpeech_0N part
SEPARATOR = " :: "  # between the path and the text of a .trn line
MAX_LIST_BYTES = 256 << 20  # a .trn list larger than this is refused
MAX_TEXT_BYTES = 64 << 10  # and a .txt transcript larger than this
_TREE = re.compile(r"KsponSpeech_\d+")
_COPY = 1 << 20  # bytes a read when a .pcm is copied


def clip_path(n: int) -> str:
    """Where utterance `n` (1, 2, ...) of an export lies: KsponSpeech_01/KsponSpeech_0001/..."""
    folder = (n - 1) // PER_FOLDER + 1
    part = (folder - 1) // FOLDERS_PER_PART + 1
    return f"KsponSpeech_{part:02d}/KsponSpeech_{folder:04d}/KsponSpeech_{n:06d}.pcm"


def trn_name(split: str) -> str:
    """The list of a split's folder ('' without splits: train)."""
    return f"scripts/{split or 'train'}.trn"


def trn_line(path: str, text: str) -> str:
    return f"{path}{SEPARATOR}{text}"


def encode_text(text: str) -> bytes:
    """A transcript's bytes: CP949, or UTF-8 where CP949 cannot hold a character."""
    try:
        return text.encode("cp949")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def decode_text(raw: bytes) -> str:
    """A transcript's or a list's text: UTF-8 (or UTF-16 with its mark), else CP949."""
    try:
        return decode(raw)
    except AnnotationError:
        pass
    try:
        return raw.decode("cp949")
    except UnicodeDecodeError:
        raise AnnotationError("the text is neither UTF-8 nor CP949") from None


def read_transcript(text: str) -> Read:
    """The transcript of the .pcm of a .txt's own name ('' for its audio); none when empty."""
    text = " ".join(text.split())
    read = collect([("", text)], lambda t: Annotation("", None, None, string(t, "the text")))
    return read if text else Read(())


def read_trn(text: str, where: str = "") -> Read:
    """The lines of a .trn list: `path :: text`, a path relative to the corpus folder."""
    prefix = f"{where} " if where else ""
    rows = [
        (f"{prefix}line {n}", line) for n, line in enumerate(text.splitlines(), 1) if line.strip()
    ]
    return collect(rows, _trn_row)


def _trn_row(line: str) -> Annotation:
    path, separator, text = line.partition("::")
    if not separator or not path.strip():
        raise AnnotationError("not 'path :: text'")
    return Annotation(path.strip(), None, None, string(" ".join(text.split()), "the text"))


def looks_like_tree(folder: Path) -> bool:
    """Whether `folder` holds KsponSpeech: KsponSpeech_NN folders, .trn lists (or a scripts
    folder of them), or .pcm files with their .txt."""
    try:
        children = list(folder.iterdir())
    except OSError:
        return False
    for child in children:
        if child.is_dir() and (
            _TREE.fullmatch(child.name)
            or (child.name.lower().endswith("scripts") and any(child.glob("*.trn")))
        ):
            return True
        if child.suffix.lower() == ".trn" and child.is_file():
            return True
        if child.suffix.lower() == ".txt" and child.with_suffix(".pcm").is_file():
            return True
    return False


def read_tree(folder: Path) -> tuple[Read, list[Path]]:
    """Every list under `folder` and every .txt beside a .pcm that no list names; with the
    folders the lists' paths may be relative to (the tree's, each list's and its parent)."""
    found: list[Annotation] = []
    problems: list[AnnotationError] = []
    bases = [folder]
    for trn in sorted(folder.rglob("*.trn")):
        where = trn.relative_to(folder).as_posix()
        try:
            read = read_trn(decode_text(read_bytes(trn, MAX_LIST_BYTES)), where)
        except AnnotationError as exc:
            problems.append(exc.at(where))
            continue
        found += read.annotations
        problems += read.problems
        bases += [b for b in (trn.parent, trn.parent.parent) if b not in bases]
    named = {a.audio.replace("\\", "/").rsplit("/", 1)[-1] for a in found}
    for txt in sorted(folder.rglob("*.txt")):
        pcm = txt.with_suffix(".pcm")
        if pcm.name in named or not pcm.is_file():
            continue
        where = txt.relative_to(folder).as_posix()
        try:
            read = read_transcript(decode_text(read_bytes(txt, MAX_TEXT_BYTES)))
        except AnnotationError as exc:
            problems.append(exc.at(where))
            continue
        audio = pcm.relative_to(folder).as_posix()
        found += [
            Annotation(audio, a.start, a.end, a.text, a.speaker, where) for a in read.annotations
        ]
    return Read(tuple(found), tuple(problems)), bases


def read_bytes(path: Path, limit: int) -> bytes:
    """A small file's bytes; AnnotationError when it cannot be read or is over `limit`."""
    try:
        with open(path, "rb") as f:
            raw = f.read(limit + 1)
    except OSError:
        raise AnnotationError("the file cannot be read") from None
    if len(raw) > limit:
        raise AnnotationError(f"larger than {limit >> 10} KB")
    return raw


def pcm_as_wav(source: Path, dest: Path) -> None:
    """A headerless KsponSpeech .pcm as a WAV file (a last odd byte, half a sample, left out)."""
    size = source.stat().st_size // 2 * 2
    with open(source, "rb") as raw, open(dest, "wb") as out:
        out.write(wav_header(size // 2, SAMPLE_RATE))
        left = size
        while left:
            block = raw.read(min(_COPY, left))
            if not block:
                break
            out.write(block)
            left -= len(block)
