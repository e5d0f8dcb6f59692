"""The corpus audit's numbers, as pure functions over rows: per segment (duration, character
rate, disagreement with a second opinion) and per corpus (hours, utterances, vocabulary, the
alphabet with counts, histograms, and the segments out of range).

Character rate counts the characters a person would read aloud: the label normalised as the
metrics compare it (`text.metrics.normalise`: no punctuation, case folded), spaces left out,
so Korean and English rates are comparable across transcribers' spacing habits.
"""

from __future__ import annotations

import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from workbench.core.messages import t
from workbench.text.metrics import normalise

LONGEST = 30.0  # seconds: longer utterances do not fit Whisper's (and most ASR training's) window
SHORTEST = 0.3  # seconds: shorter ones are mostly cut words or noise
MAD_LIMIT = 4.0  # a character rate this many robust deviations from the median is out of range
ROBUST_AFTER = 10  # rows needed before the median and MAD are trusted; before: the fixed range
FIXED_RATE = (1.0, 40.0)  # characters per second, for small corpora


@dataclass(frozen=True)
class AuditRow:
    """One labelled segment as the audit sees it."""

    segment_id: int
    recording: str
    start: float
    end: float
    status: str
    text: str
    flags: tuple[str, ...] = ()
    opinion: str | None = None  # the second opinion's text
    wer: float | None = None
    cer: float | None = None
    disagreement: float | None = None  # the language's headline rate (CER or WER)
    stale: bool = False  # the opinion judged an earlier label

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def chars(self) -> int:
        return len(normalise(self.text).replace(" ", ""))

    @property
    def char_rate(self) -> float:
        return self.chars / self.duration if self.duration > 0 else 0.0


@dataclass(frozen=True)
class Character:
    """One character of the corpus's alphabet."""

    char: str
    count: int
    name: str  # its Unicode name, or U+XXXX
    category: str  # Unicode general category (Lu, Lo, Nd, Po, So, Cc...)

    @property
    def letter_or_digit(self) -> bool:
        return self.category[0] in "LN" or self.category == "Mn"


@dataclass(frozen=True)
class CorpusStats:
    """What the audit page and `audit` command show about a corpus."""

    utterances: int
    hours: float
    words: int
    vocabulary: int  # distinct words, normalised
    alphabet: tuple[Character, ...]  # symbols and others first, then letters; by count
    rate_range: tuple[float, float]  # characters per second accepted
    out_of_range: tuple[tuple[int, str], ...]  # (segment id, why)


def alphabet(texts: Iterable[str]) -> tuple[Character, ...]:
    """Every character of the texts but the space, with its count: what is not a letter or a
    digit first (so stray symbols and control characters show), then by count, rarest first."""
    counts = Counter(ch for text in texts for ch in unicodedata.normalize("NFC", text) if ch != " ")
    chars = [
        Character(ch, n, unicodedata.name(ch, f"U+{ord(ch):04X}"), unicodedata.category(ch))
        for ch, n in counts.items()
    ]
    return tuple(sorted(chars, key=lambda c: (c.letter_or_digit, c.count, c.char)))


def rate_range(rates: list[float]) -> tuple[float, float]:
    """The character rates accepted: the median ± MAD_LIMIT robust deviations (MAD × 1.4826)
    once there are ROBUST_AFTER rates, else FIXED_RATE."""
    if len(rates) < ROBUST_AFTER:
        return FIXED_RATE
    median = statistics.median(rates)
    spread = 1.4826 * statistics.median(abs(r - median) for r in rates)
    spread = max(spread, 0.1 * median)  # a corpus read at one steady pace is not all outliers
    return max(0.0, median - MAD_LIMIT * spread), median + MAD_LIMIT * spread


def out_of_range(row: AuditRow, rates: tuple[float, float]) -> str | None:
    """Why a segment is out of range (duration, empty text, character rate), or None; in the
    reader's language."""
    if row.duration > LONGEST:
        return t(
            "{length} s is longer than {limit} s",
            length=f"{row.duration:.1f}",
            limit=f"{LONGEST:.0f}",
        )
    if row.duration < SHORTEST:
        return t(
            "{length} s is shorter than {limit} s", length=f"{row.duration:.2f}", limit=SHORTEST
        )
    if row.chars == 0:
        return t("no words in the text")
    low, high = rates
    if row.char_rate > high:
        return t(
            "{rate} characters/s is faster than {limit}",
            rate=f"{row.char_rate:.1f}",
            limit=f"{high:.1f}",
        )
    if row.char_rate < low:
        return t(
            "{rate} characters/s is slower than {limit}",
            rate=f"{row.char_rate:.1f}",
            limit=f"{low:.1f}",
        )
    return None


def corpus_stats(rows: list[AuditRow]) -> CorpusStats:
    """The corpus's totals, alphabet and out-of-range segments."""
    words = [w for row in rows for w in normalise(row.text).split()]
    rates = rate_range([r.char_rate for r in rows if r.duration > 0 and r.chars])
    out = tuple((r.segment_id, why) for r in rows if (why := out_of_range(r, rates)) is not None)
    return CorpusStats(
        utterances=len(rows),
        hours=sum(r.duration for r in rows) / 3600,
        words=len(words),
        vocabulary=len(set(words)),
        alphabet=alphabet(r.text for r in rows),
        rate_range=rates,
        out_of_range=out,
    )


def by_disagreement(rows: list[AuditRow]) -> list[AuditRow]:
    """Rows with a current second opinion, the largest disagreement first."""
    judged = [(r.disagreement, r) for r in rows if r.disagreement is not None and not r.stale]
    return [r for _, r in sorted(judged, key=lambda dr: (-dr[0], dr[1].segment_id))]
