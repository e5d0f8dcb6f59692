"""Cut Whisper drafts into segments that ASR training can use (pure functions).

Whisper's segments follow its 30-second decoding windows, not the speech: some run long,
some are a word, some overlap. `cut` makes them usable: long ones split at word boundaries at
the largest pause, tiny ones merged into a neighbour, overlaps removed, and boundaries snapped
to the quietest point nearby without cutting into a word.

A draft is a dict: start, end, text, asr_meta (with "words": [{word, start, end,
probability}]), as `drafting.to_draft` makes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_GAP = 0.001  # seconds kept between a word and a boundary moved next to it


@dataclass(frozen=True)
class CutOptions:
    """max_len/min_len: segment lengths in seconds; snap_window: how far a boundary may move."""

    max_len: float = 20.0
    min_len: float = 0.5
    snap_window: float = 0.2


def cut(
    drafts: list[dict],
    duration: float,
    options: CutOptions = CutOptions(),
    energy: np.ndarray | None = None,
    energy_rate: float = 100.0,
) -> list[dict]:
    """Split, merge, de-overlap and snap a recording's drafts; returns new drafts in time order.

    `energy` is a loudness value per frame at `energy_rate` frames a second (e.g. the peak
    range from the stored peaks); without it, boundaries are not snapped.
    """
    kept = _clip_and_sort(drafts, duration)
    split: list[dict] = []
    for draft in kept:
        split.extend(_split(draft, options.max_len))
    merged = _merge(split, options.min_len, options.max_len)
    if energy is not None and len(energy):
        merged = _snap(
            merged,
            duration,
            energy,
            energy_rate,
            options.snap_window,
            options.min_len,
            options.max_len,
        )
    return [_rounded(d) for d in merged]


def _words(draft: dict) -> list[dict]:
    return list((draft.get("asr_meta") or {}).get("words") or [])


def _with(draft: dict, start: float, end: float, words: list[dict] | None = None) -> dict:
    """A copy of `draft` with new bounds (and words, whose text then becomes the text)."""
    new = {**draft, "start": start, "end": end}
    if words is not None:
        new["asr_meta"] = {**(draft.get("asr_meta") or {}), "words": words}
        new["text"] = "".join(w["word"] for w in words).strip()
    return new


def _clip_and_sort(drafts: list[dict], duration: float) -> list[dict]:
    """Clip to [0, duration], sort, and trim each start to the previous end."""
    out: list[dict] = []
    for d in sorted(drafts, key=lambda d: (d["start"], d["end"])):
        start, end = max(0.0, min(d["start"], duration)), max(0.0, min(d["end"], duration))
        if out and start < out[-1]["end"]:
            start = out[-1]["end"]
        if end - start > 0:
            out.append(_with(d, start, end))
        elif out and _words(d):  # a vanished draft hands its words to the previous one
            prev = out[-1]
            out[-1] = _with(prev, prev["start"], prev["end"], _words(prev) + _words(d))
    return out


def _split(draft: dict, max_len: float) -> list[dict]:
    """Split at the largest pause between words until every part is at most max_len."""
    words = _words(draft)
    if draft["end"] - draft["start"] <= max_len or len(words) < 2:
        return [draft]
    gaps = [words[i + 1]["start"] - words[i]["end"] for i in range(len(words) - 1)]
    middle = (len(words) - 2) / 2
    i = max(range(len(gaps)), key=lambda k: (round(gaps[k], 3), -abs(k - middle)))
    at = (words[i]["end"] + words[i + 1]["start"]) / 2
    at = min(max(at, draft["start"]), draft["end"])
    left = _with(draft, draft["start"], at, words[: i + 1])
    right = _with(draft, at, draft["end"], words[i + 1 :])
    parts = [p for p in (left, right) if p["end"] > p["start"]]
    if len(parts) < 2:  # the pause sits on an edge: nothing to gain
        return [draft]
    return [piece for part in parts for piece in _split(part, max_len)]


def _join(a: dict, b: dict) -> dict:
    """One draft covering a then b; scores weighted by duration."""
    da, db = a["end"] - a["start"], b["end"] - b["start"]
    total = max(da + db, 1e-9)
    ma, mb = a.get("asr_meta") or {}, b.get("asr_meta") or {}
    meta = {**ma, "words": _words(a) + _words(b)}
    for key in ("avg_logprob", "no_speech_prob"):
        if key in ma and key in mb:
            meta[key] = (ma[key] * da + mb[key] * db) / total
    if "compression_ratio" in ma and "compression_ratio" in mb:
        meta["compression_ratio"] = max(ma["compression_ratio"], mb["compression_ratio"])
    text = (
        "".join(w["word"] for w in meta["words"]).strip()
        if meta["words"]
        else (f"{a['text']} {b['text']}".strip())
    )
    return {**a, "start": a["start"], "end": b["end"], "text": text, "asr_meta": meta}


def _merge(drafts: list[dict], min_len: float, max_len: float) -> list[dict]:
    """Merge each draft shorter than min_len into the neighbour across the smaller gap."""
    out = list(drafts)
    i = 0
    while i < len(out):
        d = out[i]
        if d["end"] - d["start"] >= min_len:
            i += 1
            continue
        options = []
        if i > 0 and d["end"] - out[i - 1]["start"] <= max_len:
            options.append((d["start"] - out[i - 1]["end"], i - 1))
        if i + 1 < len(out) and out[i + 1]["end"] - d["start"] <= max_len:
            options.append((out[i + 1]["start"] - d["end"], i))
        if not options:  # a short utterance standing alone: keep it
            i += 1
            continue
        _, left = min(options)
        out[left : left + 2] = [_join(out[left], out[left + 1])]
        i = max(0, left)
    return out


def _quietest(energy: np.ndarray, rate: float, lo: float, hi: float, near: float) -> float:
    """The time of the quietest frame in [lo, hi] (the one nearest `near` on ties)."""
    if hi <= lo:
        return near
    a = max(0, int(np.ceil(lo * rate - 0.5)))
    b = min(len(energy), int(np.floor(hi * rate - 0.5)) + 1)
    if b <= a:
        return near
    frames = np.arange(a, b)
    centres = (frames + 0.5) / rate
    order = np.lexsort((np.abs(centres - near), energy[a:b]))
    return float(min(max(centres[order[0]], lo), hi))


def _snap(
    drafts: list[dict],
    duration: float,
    energy: np.ndarray,
    rate: float,
    window: float,
    min_len: float,
    max_len: float,
) -> list[dict]:
    """Move each boundary to the quietest point within `window`, never into a word or neighbour,
    and never taking a segment outside [min_len, max_len] (or past its own length, if it was
    already outside)."""
    out: list[dict] = []
    for i, d in enumerate(drafts):
        words = _words(d)
        longest = max(max_len, d["end"] - d["start"])
        shortest = min(min_len, d["end"] - d["start"])
        prev_end = out[-1]["end"] if out else 0.0
        next_start = drafts[i + 1]["start"] if i + 1 < len(drafts) else duration
        first = min((w["start"] for w in words), default=d["end"]) - MIN_GAP
        last = max((w["end"] for w in words), default=d["start"]) + MIN_GAP
        start = _quietest(
            energy,
            rate,
            max(prev_end, d["start"] - window, 0.0, d["end"] - longest),
            min(first, d["start"] + window, d["end"] - shortest),
            d["start"],
        )
        end = _quietest(
            energy,
            rate,
            max(last, d["end"] - window, start + max(MIN_GAP, shortest)),
            min(next_start, d["end"] + window, duration, start + longest),
            d["end"],
        )
        start = max(start, prev_end)
        if end <= start:
            start, end = max(prev_end, d["start"]), d["end"]
        out.append(_with(d, start, end))
    return out


def _rounded(d: dict) -> dict:
    return {**d, "start": round(d["start"], 3), "end": round(d["end"], 3)}
