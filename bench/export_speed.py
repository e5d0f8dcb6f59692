"""Export throughput: audio-seconds exported per wall second, NeMo manifest with WAV clips.

Builds a temporary workbench with HOURS of generated audio (a few long recordings) in SEGMENTS
drafted segments, then times `export_batch`. Prints the figures; asserts nothing.

    .venv/bin/python bench/export_speed.py [--hours 2] [--segments 5000] [--recordings 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench import store
from workbench.formats.corpus_export import ExportOptions, export_batch
from workbench.intake.audio_files import import_paths
from workbench.projects.settings import ensure_project, open_workbench

RATE = 16000  # Hz: generated at the working copies' rate, so import only re-encodes
CHUNK = 60 * RATE  # samples generated at a time (one minute)


def generate(path: Path, seconds: float, seed: int) -> Path:
    """A long recording: a tone gliding over a minute, noise, a quiet gap each second."""
    rng = np.random.default_rng(seed)
    total = int(seconds * RATE)
    with sf.SoundFile(str(path), "w", RATE, 1, "PCM_16", format="FLAC") as out:
        for first in range(0, total, CHUNK):
            t = np.arange(first, min(total, first + CHUNK)) / RATE
            tone = 0.3 * np.sin(2 * np.pi * (200 + 100 * np.sin(t / 60)) * t)
            block = (tone + 0.03 * rng.standard_normal(len(t))) * (t % 1.0 < 0.8)
            out.write(block.astype(np.float32))
    return path


def build(home: Path, hours: float, segments: int, recordings: int):
    wb = open_workbench(home, f"sqlite:///{home / 'workbench.db'}")
    project = ensure_project(wb, "bench", "ko")
    seconds = hours * 3600 / recordings
    sources = [generate(home / f"long{i}.flac", seconds, i) for i in range(recordings)]
    import_paths(wb, project, sources)
    per = segments // recordings
    length = seconds / per
    for rec in store.list_recordings(wb.db, project.id):
        drafts = [
            {
                "start": round(i * length, 3),
                "end": round(min(rec.duration, (i + 1) * length), 3),
                "text": f"세그먼트 {i} segment",
                "speaker": f"speaker {i % 7}",
            }
            for i in range(per)
        ]
        store.add_drafted_segments(wb.db, rec.id, drafts, author="bench")
    return wb, project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--segments", type=int, default=5000)
    parser.add_argument("--recordings", type=int, default=4)
    parser.add_argument("--clips", default="wav", choices=("wav", "flac", "none"))
    parser.add_argument("--format", default="nemo")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="export-bench-") as scratch:
        home = Path(scratch)
        started = time.perf_counter()
        wb, project = build(home, args.hours, args.segments, args.recordings)
        print(
            f"setup: {args.hours:g} h in {args.recordings} recordings, {args.segments} segments, "
            f"{time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        result = export_batch(
            wb,
            project,
            home / "out",
            args.format,
            status="drafted",
            options=ExportOptions(clips=args.clips),
        )
        wall = time.perf_counter() - started
        print(
            f"export: {args.format} with {args.clips} clips: {result.segments} segments, "
            f"{result.seconds:.0f} s of audio in {wall:.2f} s wall"
        )
        print(
            f"throughput: {result.seconds / wall:.0f} audio-seconds per wall second "
            f"({result.seconds / wall:.0f}x real time)"
        )


if __name__ == "__main__":
    main()
