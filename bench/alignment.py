"""Word timings after a correction: the saved text re-timed against the audio, against the
draft's timings carried over, both measured on speech whose word boundaries are known.

Each sentence is spoken word by word by espeak-ng and joined with known silences (some words
joined, the rest 0.08 to 0.4 s apart; see tests/helpers/spoken.py), in English and Korean.
The embedded Whisper base model drafts each clip as a draft job does (faster-whisper, word
timestamps); the labeller's correction is the sentence as written, which differs from the
draft wherever the model misheard (names, numbers; espeak's Korean voice is heard poorly).

- stale: the draft's word timings carried over to the corrected words, as well as a carry-over
  can: a word the draft has too (difflib's matching blocks) keeps its time; words that replace
  draft words share the span of the words they replace evenly; an inserted word is an instant
  after the previous draft word.
- re-timed: the corrected words aligned to the audio by the same model (what the re-timing job
  after each save does: `FasterWhisperEngine.align`).

The error is |start - known start| and |end - known end| of every word, in milliseconds.

    .venv/bin/python bench/alignment.py
"""

from __future__ import annotations

import argparse
import difflib
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.helpers.spoken import boundary_errors, spoken
from workbench.asr import TranscribeOptions, load_engine
from workbench.asr.faster import FasterWhisperEngine
from workbench.asr.models import EMBEDDED_NAME
from workbench.text.metrics import wer

SENTENCES = {  # language -> (espeak-ng voice, what the labeller saves)
    "en": (
        "en-us",
        [
            "please send the blue folder to Kowalczyk before noon on Tuesday",
            "the meeting moved to room thirty seven on the fourth floor",
            "Anneliese ordered two hundred and twelve copies of the annual report",
            "call Doctor Okonkwo if the fever lasts longer than three days",
        ],
    ),
    "ko": (
        "ko",
        [
            "오늘 아침에 우리는 시장에서 사과를 샀습니다",
            "회의는 사층 삼십칠 호실로 옮겨졌습니다",
            "김민준 씨가 보고서 이백십이 부를 주문했습니다",
            "열이 사흘 넘게 계속되면 병원에 전화하세요",
        ],
    ),
}
JOINED = 0.3  # share of words followed by no silence at all
GAPS = (0.08, 0.4)  # seconds of silence after the other words


def carried_over(
    draft: list[tuple[str, float, float]], words: list[str]
) -> list[tuple[float, float]]:
    """The draft's timings given to the corrected `words` (see the module's "stale")."""
    key = [_plain(w) for w, _, _ in draft]
    matcher = difflib.SequenceMatcher(a=key, b=[_plain(w) for w in words], autojunk=False)
    out: list[tuple[float, float]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [(draft[i][1], draft[i][2]) for i in range(i1, i2)]
        elif op == "replace":
            start, end = draft[i1][1], draft[i2 - 1][2]
            step = (end - start) / (j2 - j1)
            out += [(start + k * step, start + (k + 1) * step) for k in range(j2 - j1)]
        elif op == "insert":
            at = draft[i1 - 1][2] if i1 > 0 else (draft[0][1] if draft else 0.0)
            out += [(at, at)] * (j2 - j1)
    return out


def _plain(word: str) -> str:
    return re.sub(r"[^\w]", "", word.lower())


def measure(engine: FasterWhisperEngine, language: str, seed: int) -> dict:
    """Errors of the stale and the re-timed words over the language's sentences."""
    voice, sentences = SENTENCES[language]
    rng = np.random.default_rng(seed)
    stale, retimed, drafts, seconds = [], [], [], 0.0
    for sentence in sentences:
        words = sentence.split()
        gaps = np.where(rng.random(len(words)) < JOINED, 0.0, rng.uniform(*GAPS, len(words)))
        audio, known = spoken(words, voice, list(gaps))
        transcript = engine.transcribe(audio, TranscribeOptions(language=language))
        draft = [(w.word.strip(), w.start, w.end) for seg in transcript.segments for w in seg.words]
        drafts.append(" ".join(w for w, _, _ in draft))
        stale.append(boundary_errors(carried_over(draft, words), known))
        began = time.process_time()
        aligned = engine.align(audio, words, language)
        seconds += time.process_time() - began
        retimed.append(boundary_errors([(w.start, w.end) for w in aligned], known))
    return {
        "words": sum(len(s.split()) for s in sentences),
        "draft_wer": wer(list(sentences), drafts),
        "stale": np.concatenate(stale) * 1000,
        "retimed": np.concatenate(retimed) * 1000,
        "align_s": seconds / len(sentences),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0, help="the silences' random seed")
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is not on PATH: apt-get install espeak-ng")
    with tempfile.TemporaryDirectory() as models:
        engine = load_engine("faster-whisper", EMBEDDED_NAME, Path(models))
        assert isinstance(engine, FasterWhisperEngine)
        print(
            "| language | words | draft WER vs correction | stale median / p90 (ms) "
            "| re-timed median / p90 (ms) | alignment CPU per sentence |"
        )
        print("|---|---|---|---|---|---|")
        for language in SENTENCES:
            m = measure(engine, language, args.seed)
            print(
                f"| {language} | {m['words']} | {m['draft_wer']:.0%} "
                f"| {np.median(m['stale']):.0f} / {np.percentile(m['stale'], 90):.0f} "
                f"| {np.median(m['retimed']):.0f} / {np.percentile(m['retimed'], 90):.0f} "
                f"| {m['align_s']:.2f} s |"
            )


if __name__ == "__main__":
    main()
