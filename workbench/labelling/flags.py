"""What a person must look at in a Whisper draft: pure checks over one drafted segment.

Whisper's known failure modes (openai/whisper's own thresholds, faster-whisper's
`hallucination_silence_threshold`, and what transcriptionists report): repetition loops,
text over silence, its prompt written back as the transcript, words timed outside their
segment, and low confidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from workbench.core.messages import N_

COMPRESSION_RATIO_MAX = 2.4  # gzip ratio over which Whisper's text is likely a loop
LOGPROB_MIN = -1.0  # average log-probability under which a segment is unsure
NO_SPEECH_MIN = 0.6  # with a low log-probability: text over silence
WORD_PROBABILITY_MIN = 0.5  # words under this are unsure
SILENCE_LEVEL = 0.01  # peak amplitude under which a segment's audio is silence
OUTSIDE_SLACK = 0.5  # seconds a word may stray past its segment before it is flagged
PROMPT_RUN = 3  # words in a row copied from the prompt that may be an echo of it...
PROMPT_RUN_ALONE = 6  # ...when they are half the draft, or this many whatever the rest

_PUNCT = re.compile(r"[^\w']+")

FLAG_LABELS = {
    "repetition": N_("repeats itself (likely a Whisper loop)"),
    "high_compression": N_("text compresses too well (likely a loop)"),
    "no_speech": N_("text over what Whisper thinks is silence"),
    "silent_audio": N_("text over near-silent audio"),
    "prompt_echo": N_("text copied from the drafting prompt (likely not said)"),
    "words_outside": N_("words timed outside the segment"),
    "low_logprob": N_("low average confidence"),
    "unsure_words": N_("words under the confidence threshold"),
}


@dataclass(frozen=True)
class DraftStats:
    """What the checks read: the draft's text, scores, word timings, and the audio's level."""

    text: str
    start: float
    end: float
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    words: Sequence[tuple[float, float, float]]  # (start, end, probability)
    peak_level: float | None = None  # max |amplitude| of the segment's audio, if known
    prompt: str | None = None  # the initial prompt the engine was given (terms included)


def repeated_ngram(text: str, min_repeats: int = 3, max_n: int = 8) -> bool:
    """Whether the text loops: a run of 1..max_n words repeated `min_repeats` times in a row,
    or a phrase of 3 or more words occurring `min_repeats` times anywhere in it.

    Case and punctuation are ignored: Whisper's loops vary both ("notice and the above
    copyright notice and the above copyright notice.").
    """
    words = _plain_words(text)
    for n in range(1, max_n + 1):
        seen: dict[tuple[str, ...], int] = {}
        for i in range(len(words) - n + 1):
            gram = words[i : i + n]
            if i + n * min_repeats <= len(words) and all(
                words[i + k * n : i + (k + 1) * n] == gram for k in range(1, min_repeats)
            ):
                return True
            if n >= 3:
                key = tuple(gram)
                seen[key] = seen.get(key, 0) + 1
                if seen[key] >= min_repeats:
                    return True
    return False


def _plain_words(text: str) -> list[str]:
    return [w for w in (_PUNCT.sub("", w) for w in text.lower().split()) if w]


def echoes_prompt(text: str, prompt: str | None) -> bool:
    """Whether a draft writes its prompt back: PROMPT_RUN or more words in a row that are
    also words in a row of the prompt, making up half the draft or PROMPT_RUN_ALONE words.

    Given a prompt (the project's, with its learned terms), Whisper on unclear audio or
    silence often returns the prompt, or its list of terms, as the transcript. A speaker
    using two terms in a sentence is not flagged; the prompt's list read back is. Case and
    punctuation are ignored.
    """
    if not prompt:
        return False
    said, given = _plain_words(text), _plain_words(prompt)
    if len(said) < PROMPT_RUN or len(given) < PROMPT_RUN:
        return False
    run = (
        SequenceMatcher(None, said, given, autojunk=False)
        .find_longest_match(0, len(said), 0, len(given))
        .size
    )
    return run >= PROMPT_RUN and (2 * run >= len(said) or run >= PROMPT_RUN_ALONE)


def draft_flags(d: DraftStats) -> list[str]:
    """The flags of one draft, most serious first."""
    flags = []
    if repeated_ngram(d.text):
        flags.append("repetition")
    if d.compression_ratio > COMPRESSION_RATIO_MAX:
        flags.append("high_compression")
    if d.no_speech_prob > NO_SPEECH_MIN and d.avg_logprob < LOGPROB_MIN:
        flags.append("no_speech")
    if d.peak_level is not None and d.peak_level < SILENCE_LEVEL and d.text.strip():
        flags.append("silent_audio")
    if echoes_prompt(d.text, d.prompt):
        flags.append("prompt_echo")
    if any(
        ws < d.start - OUTSIDE_SLACK or we > d.end + OUTSIDE_SLACK or we < ws
        for ws, we, _ in d.words
    ):
        flags.append("words_outside")
    if d.avg_logprob < LOGPROB_MIN:
        flags.append("low_logprob")
    if any(p < WORD_PROBABILITY_MIN for _, _, p in d.words):
        flags.append("unsure_words")
    return flags


def after_human_edit(flags: Sequence[str], draft_text: str | None, text: str) -> tuple[str, ...]:
    """The flags a segment keeps once a person saved `text` over the draft.

    Unchanged text keeps every flag of the draft (nobody fixed what they point at). Edited
    text keeps only what still holds for it: 'repetition' when the new text itself loops, and
    'silent_audio' while there is text at all (the audio did not change). The others judged
    the model's text and timings, which a person has now replaced.
    """
    if draft_text is not None and " ".join(text.split()) == " ".join(draft_text.split()):
        return tuple(flags)
    kept = []
    if repeated_ngram(text):
        kept.append("repetition")
    if "silent_audio" in flags and text.strip():
        kept.append("silent_audio")
    return tuple(kept)


# flags that suggest the draft is wrong rather than merely unsure; the queue shows them first
SERIOUS_FLAGS = (
    "repetition",
    "high_compression",
    "no_speech",
    "silent_audio",
    "prompt_echo",
    "words_outside",
)
