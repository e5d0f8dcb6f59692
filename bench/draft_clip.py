"""Draft one audio file the way the workbench does; print its segments as JSON lines.

bench/asr_speed.py times the whole process.

python bench/draft_clip.py CLIP [--no-words] [--sequential] [--models DIR]
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.asr import TranscribeOptions, load_engine
from workbench.audio.decode import stream_mono


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("clip")
    ap.add_argument("--no-words", action="store_true")
    ap.add_argument("--sequential", action="store_true")
    ap.add_argument("--models", default="data/models")
    args = ap.parse_args()
    audio = np.concatenate(list(stream_mono(args.clip, 16000)))
    engine = load_engine("faster-whisper", "base", Path(args.models))
    options = TranscribeOptions(
        word_timestamps=not args.no_words, batch_size=0 if args.sequential else 8
    )
    transcript = engine.transcribe(audio, options)
    for seg in transcript.segments:
        print(json.dumps({"start": seg.start, "end": seg.end, "text": seg.text}))


if __name__ == "__main__":
    main()
