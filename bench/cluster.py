"""Drafting here against drafting on a Ray cluster: the same recordings, the same model.

Cuts RECORDINGS different recordings from a real clip (each the clip turned round by a few
seconds: the same length, no duplicates), drafts them with the embedded Whisper base model
in this process (the model loaded first, as a running server has it), then as a draft job on a
Ray cluster: a local one of WORKERS CPUs started for the run (`ray.init`), or the one at
--address. Prints the wall times, their ratio and the cluster's overhead per recording (its
workers starting and loading the model, the audio sent over). Asserts nothing.

    .venv/bin/python bench/cluster.py [--recordings 4] [--workers 2] [--address HOST:PORT]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import workbench
from workbench import store
from workbench.asr import load_engine
from workbench.drafts.draft_job import options_for, run_draft_job, start_draft_job
from workbench.intake.audio_files import import_paths
from workbench.jobs.cluster import open_transcriber
from workbench.projects.settings import Workbench, ensure_project, open_workbench

SHARED = Path(__file__).resolve().parents[2] / "shared" / "audio"


def recordings(source: Path, count: int, folder: Path) -> list[Path]:
    """`count` recordings of the clip's length: the clip turned round by 3 s more each."""
    speech, rate = sf.read(str(source), dtype="float32", always_2d=True)
    paths = []
    for k in range(count):
        path = folder / f"{source.stem}-{k}.flac"
        sf.write(str(path), np.roll(speech[:, 0], -3 * k * rate), rate)
        paths.append(path)
    return paths


def draft(wb: Workbench, name: str, sources: list[Path], address: str | None) -> float:
    """Import `sources` into a new project and draft it (on the cluster at `address`, or
    here); the wall seconds of the draft job."""
    project = ensure_project(wb, name, "auto")
    import_paths(wb, project, sources)
    job = start_draft_job(wb, project, {"engine": "faster-whisper", "model": "base"})
    started = time.perf_counter()
    transcriber = open_transcriber(
        wb.with_ray(address), "faster-whisper", "base", f"bench-{job.id}"
    )
    job = run_draft_job(wb, job, transcriber, options_for(project))
    seconds = time.perf_counter() - started
    assert job.state == "done" and not job.error, job
    count = len(store.segment_queue(wb.db, project.id))
    print(f"  {name:<8} {seconds:7.1f} s wall, {count} segments drafted")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="CPUs of the local cluster")
    parser.add_argument("--address", help="an existing cluster (default: a local one)")
    parser.add_argument("--source", type=Path, default=SHARED / "multilingual.mp3")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    import ray

    if args.address is None:
        package = str(Path(workbench.__file__).parent)
        ray.init(
            num_cpus=args.workers,
            include_dashboard=False,
            log_to_driver=False,
            runtime_env={"py_modules": [package]},
        )
    address = args.address or ray.get_runtime_context().gcs_address
    with tempfile.TemporaryDirectory(prefix="cluster-bench-") as scratch:
        home = Path(scratch)
        wb = open_workbench(home, f"sqlite:///{home / 'workbench.db'}")
        sources = recordings(args.source, args.recordings, home)
        audio = args.recordings * sf.info(str(args.source)).duration
        load_engine("faster-whisper", "base", wb.settings.models_dir)  # loaded, as on a server
        resources = ray.cluster_resources()
        print(
            f"{args.recordings} recordings, {audio / 60:.1f} min of audio; cluster at {address}: "
            f"{resources.get('CPU', 0):g} CPUs, {resources.get('GPU', 0):g} GPUs"
        )
        here = draft(wb, "here", sources, None)
        there = draft(wb, "cluster", sources, address)
    print(f"real time here: {audio / here:.1f}x; on the cluster: {audio / there:.1f}x")
    print(f"cluster / here: {here / there:.2f}x the speed")
    print(f"overhead per recording: {(there - here) / args.recordings:+.2f} s")
    ray.shutdown()


if __name__ == "__main__":
    main()
