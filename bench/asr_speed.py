"""Drafting speed and accuracy: the workbench's faster-whisper pipeline against plain
openai-whisper.

Both sides run Whisper base with the same weights (the embedded CTranslate2 model, converted to an
openai-whisper checkpoint with ../shared/tools/ct2_to_openai_whisper.py) on the same clips, as
whole processes, alternating runs. openai-whisper runs the way its users run it: its `whisper`
command with its defaults (beam 5, best of 5, temperature fallback, fp32 on CPU). Prints the
real-time factor of each, their ratio, and the WER of each against the reference transcripts in
../shared/audio/README.md (case and punctuation ignored).

    .venv/bin/python bench/asr_speed.py [--runs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from workbench.asr.models import embedded_model_dir  # noqa: E402
from workbench.audio import probe  # noqa: E402
from workbench.text import wer  # noqa: E402

# clip -> (reference, seconds of the clip it covers: None for all)
REFERENCES = {
    "jfk.flac": (
        "And so my fellow Americans, ask not what your country can do for you, ask what "
        "you can do for your country.",
        None,
    ),
    # the README gives the English part (up to 30 s); the German part repeats it in German, and
    # any text there, looping or German, would count as insertions against English alone
    "multilingual.mp3": (
        "Permission is hereby granted, free of charge, to any person obtaining a "
        "copy of the software and associated documentation files to deal in the software without "
        "restriction, including without limitation the rights to use, copy, modify, merge, "
        "publish, distribute, sublicense, and/or sell copies of the software, and to permit "
        "persons to whom the software is furnished to do so, subject to the following conditions: "
        "the above copyright notice and this permission notice shall be included in all copies or "
        "substantial portions of the software.",
        30.0,
    ),
}


def openai_checkpoint(models: Path) -> Path:
    target = models / "bench" / "whisper-base-from-ct2.pt"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(SHARED / "tools" / "ct2_to_openai_whisper.py"),
                str(embedded_model_dir(models)),
                str(target),
                "--fp32",
            ],
            check=True,
        )
    return target


def ffmpeg_on_path() -> dict:
    """openai-whisper shells out to `ffmpeg`: give it the binary of the imageio-ffmpeg wheel."""
    import imageio_ffmpeg

    folder = Path(tempfile.mkdtemp())
    (folder / "ffmpeg").symlink_to(imageio_ffmpeg.get_ffmpeg_exe())
    return {**os.environ, "PATH": f"{folder}:{os.environ['PATH']}"}


def timed(cmd: list[str], env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return elapsed, done.stdout


def segments_of(stdout: str, out_dir: Path | None) -> list[dict]:
    """(start, end, text) of each segment: openai-whisper's JSON file, or our JSON lines."""
    if out_dir is not None:
        return json.loads(next(out_dir.glob("*.json")).read_text())["segments"]
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def text_until(segments: list[dict], until: float | None) -> str:
    return " ".join(s["text"].strip() for s in segments if until is None or s["start"] < until)


def whisper_command(whisper_cli: str, clip: Path, ckpt: Path, out: Path) -> list[str]:
    """The openai-whisper CLI transcribing `clip` on the CPU into a JSON file in `out`."""
    return [
        whisper_cli,
        str(clip),
        "--model",
        str(ckpt),
        "--device",
        "cpu",
        "--output_dir",
        str(out),
        "--output_format",
        "json",
        "--verbose",
        "False",
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--models", default=str(ROOT / "data" / "models"))
    args = ap.parse_args()
    models = Path(args.models)
    ckpt = openai_checkpoint(models)
    env = ffmpeg_on_path()
    whisper_cli = str(Path(sys.executable).with_name("whisper"))
    ours = [sys.executable, "bench/draft_clip.py", "--models", str(models)]
    variants = {
        "openai-whisper CLI": None,
        "workbench (default)": ours,
        "workbench, no word timestamps": [*ours, "--no-words"],
        "workbench, sequential (no batching)": [*ours, "--sequential"],
    }
    print(f"{os.cpu_count()} CPU cores; Whisper base, same weights; {args.runs} alternating runs\n")
    totals = {name: [0.0, 0.0] for name in variants}
    for clip_name, (reference, until) in REFERENCES.items():
        clip = SHARED / "audio" / clip_name
        seconds = probe(clip).duration
        times: dict[str, list[float]] = {name: [] for name in variants}
        texts: dict[str, str] = {}
        for _ in range(args.runs):
            for name, cmd in variants.items():
                out = None
                if cmd is None:
                    out = Path(tempfile.mkdtemp())
                    cmd = whisper_command(whisper_cli, clip, ckpt, out)
                else:
                    cmd = [*cmd, str(clip)]
                elapsed, stdout = timed(cmd, env)
                times[name].append(elapsed)
                texts[name] = text_until(segments_of(stdout, out), until)
        scope = f", WER on the first {until:.0f} s" if until else ""
        print(f"{clip_name} ({seconds:.1f} s{scope})")
        base = statistics.median(times["openai-whisper CLI"])
        for name in variants:
            median = statistics.median(times[name])
            totals[name][0] += median
            totals[name][1] += seconds
            print(
                f"  {name:<38} {median:6.2f} s  RTF {median / seconds:5.3f}  "
                f"x{base / median:5.2f} vs openai  WER {wer([reference], [texts[name]]):6.1%}"
            )
        print()
    base = totals["openai-whisper CLI"][0]
    print("both clips together")
    for name, (wall, audio) in totals.items():
        print(f"  {name:<38} {wall:6.2f} s  RTF {wall / audio:5.3f}  x{base / wall:5.2f} vs openai")


if __name__ == "__main__":
    main()
