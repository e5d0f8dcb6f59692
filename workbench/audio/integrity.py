"""Whether a compressed file was cut short, read from its container's own structure.

Decoders stop quietly at the end of what is there, so a truncated Ogg, MP4/M4A or MP3 decodes
as shorter audio without a word. Each container says enough to tell: an Ogg stream ends with a
page marked end-of-stream, an MP4 box declares its size, an MP3 frame its length (and a Xing
header the count of frames). `truncation` walks that structure without decoding; it claims a
cut only where the structure proves one, and says nothing about a layout it does not know.
WAV/AIFF (chunk sizes) and FLAC (the frame count in STREAMINFO) are checked in `decode`.
"""

from __future__ import annotations

import mmap
import struct
from pathlib import Path

# MPEG audio: kbit/s by (version is MPEG-1, layer) and bitrate index; sample rates by version
_BITRATES = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_MP4_TYPES = (b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot")
_EBML, _SEGMENT = b"\x1a\x45\xdf\xa3", b"\x18\x53\x80\x67"  # Matroska/WebM element IDs
_CLUSTER = b"\x1f\x43\xb6\x75"
_ELEMENTS = {
    _SEGMENT: "Segment",
    _CLUSTER: "Cluster",
    b"\xa3": "SimpleBlock",
    b"\xa0": "BlockGroup",
}


def doubt(path: str | Path) -> str | None:
    """Why `path` may be cut short where its structure cannot prove it (a sentence starting
    'it may be cut short'), or None: a fragmented MP4 that ends on a whole fragment but lacks
    the index of its fragments ('mfra') that FFmpeg writes last, even to a pipe. A recorder
    that never writes one (a browser's) makes such files whole, so this is no refusal."""
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[4:8] not in _MP4_TYPES:
            return None
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            kinds, cut = _mp4_boxes(data)
    if cut is None and b"moof" in kinds and b"mfra" not in kinds:
        return (
            "it may be cut short: a fragmented MP4 that does not end with the index of its "
            "fragments ('mfra') that a finished recording has"
        )
    return None


def truncation(path: str | Path) -> str | None:
    """Why `path` looks cut short (a sentence starting 'the file is truncated'), or None."""
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12:
            return None
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            if head[:4] == b"OggS":
                return _ogg(data)
            if head[4:8] in _MP4_TYPES:
                return _mp4(data)
            if head[:4] == _EBML:
                return _matroska(data)
            if head[:3] == b"ID3" or _mp3_frame(data, 0) is not None:
                return _mp3(data)
    return None


def _ogg(data: mmap.mmap) -> str | None:
    size, pos = len(data), 0
    open_streams: set[int] = set()
    while pos < size:
        if data[pos : pos + 4] != b"OggS":
            if b"OggS".startswith(data[pos : pos + 4]):  # the first bytes of a page
                return "the file is truncated: its last Ogg page is cut off"
            return None  # not a page: trailing data this walk does not judge
        if pos + 27 > size:
            return "the file is truncated: its last Ogg page is cut off"
        flags = data[pos + 5]
        serial = struct.unpack_from("<I", data, pos + 14)[0]
        segments = data[pos + 26]
        if pos + 27 + segments > size:
            return "the file is truncated: its last Ogg page is cut off"
        body = sum(data[pos + 27 : pos + 27 + segments])
        end = pos + 27 + segments + body
        if end > size:
            return "the file is truncated: its last Ogg page is cut off"
        if flags & 0x02:
            open_streams.add(serial)
        if flags & 0x04:
            open_streams.discard(serial)
        pos = end
    if open_streams:
        return "the file is truncated: its Ogg stream has no end-of-stream page"
    return None


def _mp4(data: mmap.mmap) -> str | None:
    kinds, cut = _mp4_boxes(data)
    if cut is not None:
        return cut or None
    if b"moov" not in kinds:
        return (
            "the file is truncated: it has no 'moov' box, the index of its audio "
            "(cut short, or a recording never finished)"
        )
    return None


def _mp4_boxes(data: mmap.mmap) -> tuple[list[bytes], str | None]:
    """The kinds of an MP4 file's top-level boxes, in order, and why the walk stopped: a cut
    (a sentence), '' where it cannot judge what follows (or the last box runs to the end of
    the file), None where every box is whole."""
    size, pos = len(data), 0
    kinds: list[bytes] = []
    while pos + 8 <= size:
        length, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if length == 1:
            if pos + 16 > size:
                return kinds, "the file is truncated: its last MP4 box is cut off"
            length, header = struct.unpack_from(">Q", data, pos + 8)[0], 16
        elif length == 0:
            return kinds, ""  # the last box runs to the end of the file
        if length < header:
            return kinds, ""  # not a box: this walk does not judge
        if pos + length > size:
            name = kind.decode("latin-1")
            return kinds, (
                f"the file is truncated: its '{name}' box declares {length} bytes "
                f"but only {size - pos} are present"
            )
        kinds.append(kind)
        pos += length
    return kinds, None


def _matroska(data: mmap.mmap) -> str | None:
    """A WebM/Matroska file's elements against the file's length: the top-level ones (the
    EBML header, then the Segment holding everything), and where the Segment's size is unknown
    (written live) the elements in it, stepping into Clusters of unknown size (a browser's
    recorder writes those) to their blocks."""
    size, pos, live = len(data), 0, False
    while pos < size:
        ident = _vint(data, pos, keep_marker=True)
        length = None if ident is None else _vint(data, pos + ident[1], keep_marker=False)
        if ident is None or length is None:
            if live and _header_cut(data, pos):
                return "the file is truncated: its last element is cut off"
            return None
        start = pos + ident[1] + length[1]
        if length[0] == (1 << (7 * length[1])) - 1:  # unknown size: runs to the end of the file
            if data[pos : pos + 4] not in (_SEGMENT, _CLUSTER):
                return None
            pos, live = start, True  # a live Segment or Cluster: walk what it holds
            continue
        if start + length[0] > size:
            name = _ELEMENTS.get(bytes(data[pos : pos + ident[1]]), "last" if live else "top-level")
            return (
                f"the file is truncated: its {name} element declares {length[0]} bytes "
                f"but only {size - start} are present"
            )
        pos = start + length[0]
    return None


def _header_cut(data: mmap.mmap, pos: int) -> bool:
    """Whether the element header at `pos` (its ID, then its size) runs past the end of the
    file; False where it is no header at all."""
    for _ in range(2):  # the ID, then the size
        if pos >= len(data):
            return True
        if data[pos] == 0:
            return False
        pos += 9 - data[pos].bit_length()
        if pos > len(data):
            return True
    return False


def _vint(data: mmap.mmap, pos: int, keep_marker: bool) -> tuple[int, int] | None:
    """An EBML variable-length integer at `pos`: (value, bytes), None where none can be read."""
    if pos >= len(data) or data[pos] == 0:
        return None
    width = 9 - data[pos].bit_length()
    if pos + width > len(data):
        return None
    value = int.from_bytes(data[pos : pos + width], "big")
    return (value if keep_marker else value & ((1 << (7 * width)) - 1)), width


def _mp3_frame(data: mmap.mmap, pos: int) -> tuple[int, int, bool, bool] | None:
    """(frame length, side-info length, MPEG-1, mono) of an MPEG audio frame header at `pos`."""
    if pos + 4 > len(data) or data[pos] != 0xFF or data[pos + 1] & 0xE0 != 0xE0:
        return None
    b1, b2, b3 = data[pos + 1], data[pos + 2], data[pos + 3]
    version, layer = (b1 >> 3) & 3, 4 - ((b1 >> 1) & 3)
    index, rate_index, padding = b2 >> 4, (b2 >> 2) & 3, (b2 >> 1) & 1
    if version == 1 or layer == 4 or index in (0, 15) or rate_index == 3:
        return None  # reserved values, or a free-format bitrate this walk does not follow
    mpeg1, mono = version == 3, (b3 >> 6) == 3
    bitrate = _BITRATES[(mpeg1, layer)][index] * 1000
    rate = _RATES[version][rate_index]
    if layer == 1:
        length = (12 * bitrate // rate + padding) * 4
    elif layer == 3 and not mpeg1:
        length = 72 * bitrate // rate + padding
    else:
        length = 144 * bitrate // rate + padding
    side = (17 if mono else 32) if mpeg1 else (9 if mono else 17)
    return length, side, mpeg1, mono


def _mp3(data: mmap.mmap) -> str | None:
    size, pos = len(data), 0
    while pos + 10 <= size and data[pos : pos + 3] == b"ID3":  # ID3v2 tags, their size syncsafe
        flags, tag = data[pos + 5], data[pos + 6 : pos + 10]
        body = tag[0] << 21 | tag[1] << 14 | tag[2] << 7 | tag[3]
        pos += 10 + body + (10 if flags & 0x10 else 0)
    end = size
    if end >= 128 and data[end - 128 : end - 125] == b"TAG":  # ID3v1, at the end
        end -= 128
    if end >= 32 and data[end - 32 : end - 24] == b"APETAGEX":  # an APE tag's footer
        length, flags = struct.unpack_from("<I4xI", data, end - 20)
        end -= length + (32 if flags & 0x80000000 else 0)
    first = _mp3_frame(data, pos)
    if first is None:
        return None
    declared = _xing_frames(data, pos, first)
    frames = 0
    while pos < end:
        frame = _mp3_frame(data, pos)
        if frame is None and end - pos < 4 and data[pos] == 0xFF:  # a frame header, cut
            return "the file is truncated: its last MP3 frame is cut off"
        if frame is None:
            return None  # other data after the frames: nothing to judge
        if pos + frame[0] > end:
            return "the file is truncated: its last MP3 frame is cut off"
        pos += frame[0]
        frames += 1
    if declared is not None and frames - 1 < declared:  # the Xing frame holds no audio
        return (
            f"the file is truncated: its header declares {declared} MP3 frames "
            f"but only {frames - 1} are present"
        )
    return None


def _xing_frames(data: mmap.mmap, pos: int, frame: tuple[int, int, bool, bool]) -> int | None:
    """The count of audio frames a Xing/Info header in the frame at `pos` declares, if any."""
    at = pos + 4 + frame[1]
    if data[at : at + 4] not in (b"Xing", b"Info") or at + 12 > len(data):
        return None
    flags = struct.unpack_from(">I", data, at + 4)[0]
    return struct.unpack_from(">I", data, at + 8)[0] if flags & 1 else None
