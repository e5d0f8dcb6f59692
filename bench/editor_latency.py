"""Editor latency on a long recording: a 10-hour recording with 9,000 segments against a
1-minute one.

Both are built alike: a tone burst every 3.6 s, each covered by a drafted segment except every
tenth, left as speech no segment covers (the editor lists it, and draws it), so the two differ
only in length.

Times, server side, what the editor page does for "open segment N" (queue position by keyset,
the segment and its neighbours, the peaks and audio slice sent to the browser, the minimap) and for
"save & next" (the save, then opening the next segment). Prints median and 95th percentile for
both recordings and their ratio, which should be close to 1: the cost follows the segment, not
the recording.

Then, in headless Chromium (Debian's /usr/bin/chromium; skipped without it or with --no-browser)
against the app served on the same workbench, the time a person waits: from the key press
(Ctrl+↓ "next", Ctrl+Enter "save & next") to the next segment ready in the editor (its key,
text and waveform replaced), timed in the page with performance.now(). With --spectrogram the
editor shows the spectrogram (the user's preference, on), which the browser computes from each
segment's audio after it is shown: compare a run with it and one without.

    .venv/bin/python bench/editor_latency.py [--samples 200] [--browser-samples 30] [--no-browser]
        [--spectrogram]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
logging.getLogger("streamlit").setLevel(logging.ERROR)

from workbench import store
from workbench.audio.peaks import PeakAccumulator, save_peaks
from workbench.core.records import QueueFilter, Role
from workbench.crowd.qualification import next_step
from workbench.labelling.editor_actions import apply_action
from workbench.labelling.queue import EditorState, open_segment
from workbench.projects.settings import ensure_project, open_workbench
from workbench.ui.editor import _slice, editor_data, minimap_data

RATE = 16000
SEGMENT_EVERY = 3.6  # seconds: a burst of "speech" (3 s) and its segment
UNCOVERED_EVERY = 10  # every tenth burst has no segment: 9,000 segments in 10 hours
BLOCK = 72  # seconds of audio written at a time: a whole number of bursts
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")


def make_recording(wb, project, name: str, seconds: int) -> None:
    """Write a working copy and peaks directly (a 10-hour import would only time the decoder)."""
    working, peaks_path = f"audio/{name}.flac", f"peaks/{name}.npy"
    for p in (working, peaks_path):
        wb.path(p).parent.mkdir(parents=True, exist_ok=True)
    peaks = PeakAccumulator()
    rng = np.random.default_rng(0)
    block = (0.2 * np.sin(2 * np.pi * 220 * np.arange(BLOCK * RATE) / RATE)).astype(np.float32)
    block *= np.arange(BLOCK * RATE) / RATE % SEGMENT_EVERY < 3.0  # speech-like gaps
    with sf.SoundFile(str(wb.path(working)), "w", RATE, 1, "PCM_16", format="FLAC") as out:
        for start in range(0, seconds, BLOCK):
            chunk = block[: min(BLOCK, seconds - start) * RATE] + rng.normal(0, 0.001, 1).astype(
                np.float32
            )
            out.write(chunk)
            peaks.add(chunk)
    save_peaks(peaks.finish(), wb.path(peaks_path))
    rec = store.add_recording(
        wb.db,
        project_id=project.id,
        original_name=name,
        sha256=name * 8,
        source_path=name,
        working_path=working,
        peaks_path=peaks_path,
        sample_rate=RATE,
        channels=1,
        num_samples=seconds * RATE,
        duration=float(seconds),
    )
    starts = np.arange(0, seconds - SEGMENT_EVERY, SEGMENT_EVERY)
    drafts = [
        {
            "start": float(s),
            "end": float(s + 3.0),
            "text": f"segment at {s:.1f} seconds",
            "asr_meta": {
                "words": [
                    {
                        "word": " segment",
                        "start": float(s),
                        "end": float(s) + 0.5,
                        "probability": 0.9,
                    }
                ]
            },
        }
        for i, s in enumerate(starts)
        if i % UNCOVERED_EVERY != UNCOVERED_EVERY - 1
    ]
    store.add_drafted_segments(wb.db, rec.id, drafts, author="bench")


def open_one(wb, project, current: int) -> EditorState:
    """What the editor page does to show a segment: the labeller's step (test, pause, blind
    item: none here), the use case, then the component's data."""
    _slice.clear()  # cold: the 1-minute recording's few slices would otherwise all be cached
    next_step(wb, project.id)
    state = open_segment(wb, project.id, current, QueueFilter(statuses=()))
    # the minimap: cached per recording (its columns for MINIMAP_TTL seconds), as in use; the
    # segment the user changed last is read fresh and drawn over them
    minimap = minimap_data(wb, project.id, state.view.recording, [current])
    editor_data(
        state.view,
        wb.settings.home,
        project_id=project.id,
        tags=[],
        before=state.before and state.before["text"],
        after=state.after and state.after["text"],
        can_prev=state.previous is not None,
        can_next=state.following is not None,
        minimap=minimap,
    )
    return state


def measure(wb, project, samples: int) -> tuple[list[float], list[float]]:
    ids = [q["id"] for q in store.segment_queue(wb.db, project.id)]
    rng = random.Random(1)
    opens, saves = [], []
    for _ in range(samples):
        target = rng.choice(ids)
        t = time.perf_counter()
        state = open_one(wb, project, target)
        opens.append(time.perf_counter() - t)
        seg = state.view.segment
        action = {
            "type": "save_next",
            "segment_id": seg.id,
            "version": seg.version,
            "text": "corrected text",
            "start": seg.start,
            "end": seg.end,
        }
        t = time.perf_counter()
        outcome = apply_action(
            wb, action, shown=seg.id, previous=state.previous, following=state.following
        )
        open_one(wb, project, outcome.go_to)
        saves.append(time.perf_counter() - t)
    return opens, saves


def stats(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


@contextmanager
def serving(home: str, url: str):
    """The app (`streamlit run streamlit_app.py`) on the bench's workbench; yields its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(
        os.environ,
        WORKBENCH_HOME=home,
        WORKBENCH_DB_URL=url,
        STREAMLIT_SERVER_FILE_WATCHER_TYPE="none",
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "streamlit_app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://localhost:{port}"
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# in the page: the time of the last Ctrl+Enter / Ctrl+↓, and when the editor shows a new key
_ARM = """() => { window.addEventListener('keydown', (e) => {
  if (e.ctrlKey && ['Enter', 'ArrowDown', 'ArrowUp'].includes(e.key))
    window.__pressed = performance.now();
}, true); }"""
_READY = """([el, old]) => {
  if (!el.isConnected || !el._st || el._st.key === old || !el.querySelector('.ed-canvas').width)
    return false;
  return performance.now() - window.__pressed; }"""


def browser_measure(
    base: str, project_id: int, recording: str, samples: int
) -> tuple[list[float], list[float]]:
    """Seconds from key press to the next segment ready: Ctrl+↓ (next), Ctrl+Enter (save & next)."""
    from playwright.sync_api import sync_playwright

    nexts, saves = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(f"{base}/editor?project={project_id}")  # the app opens the named project
        page.get_by_text(f"{recording} ·", exact=False).first.wait_for()  # the editor's header
        root = page.locator(".ed-root").first  # in the component's shadow DOM: the locator
        page.evaluate(_ARM)
        page.wait_for_timeout(1500)  # the project's first render settles
        key = root.evaluate("el => el._st.key")

        def press(keys: str) -> float:
            nonlocal key
            page.keyboard.press(keys)
            waited = (
                page.wait_for_function(
                    _READY, arg=[root.element_handle(), key], polling="raf"
                ).json_value()
                / 1000
            )
            key = root.evaluate("el => el._st.key")
            page.wait_for_timeout(150)  # a person reads before the next key
            return waited

        for i in range(samples + 1):  # the first round warms up
            page.locator(".ed-text").focus()
            ahead = press("Control+ArrowDown")
            press("Control+ArrowUp")  # back, so "next" does not use up the short queue
            page.locator(".ed-text").fill(f"corrected {i}")
            saved = press("Control+Enter")
            if i:
                nexts.append(ahead)
                saves.append(saved)
        browser.close()
    return nexts, saves


def table(title: str, results: dict, columns: tuple[str, str]) -> None:
    """Median and p95 of two timings per recording, and the 10 h / 1 min ratio."""
    print(title)
    print(f"{'':22}{columns[0]:>28}{columns[1]:>28}")
    print(f"{'':22}{'median':>14}{'p95':>14}{'median':>14}{'p95':>14}")
    for label, (first, second) in results.items():
        (om, op), (sm, sp) = stats(first), stats(second)
        print(f"{label:22}{om:11.1f} ms{op:11.1f} ms{sm:11.1f} ms{sp:11.1f} ms")
    (om1, op1), (sm1, sp1) = map(stats, results["1-minute recording"])
    (om2, op2), (sm2, sp2) = map(stats, results["10-hour recording"])
    print(
        f"{'ratio 10 h / 1 min':22}{om2 / om1:13.2f}x{op2 / op1:13.2f}x"
        f"{sm2 / sm1:13.2f}x{sp2 / sp1:13.2f}x\n"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--browser-samples", type=int, default=12)  # the 1-minute queue has 15
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--spectrogram", action="store_true", help="the editor shows it")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        wb = open_workbench(Path(tmp), url)
        long_p, short_p = ensure_project(wb, "ten hours"), ensure_project(wb, "one minute")
        t = time.perf_counter()
        make_recording(wb, long_p, "ten-hours", 10 * 3600)
        make_recording(wb, short_p, "one-minute", 60)
        n_long = len(store.segment_queue(wb.db, long_p.id))
        print(
            f"set-up: {time.perf_counter() - t:.0f} s; {n_long} segments in 10 h, "
            f"{len(store.segment_queue(wb.db, short_p.id))} in 1 min; {args.samples} samples\n"
        )
        if not args.no_browser and CHROMIUM.exists():  # before any account: the local operator
            store.set_pref(wb.db, "local", "editor:spectrogram", args.spectrogram)
            shown = {}
            with serving(tmp, url) as base:
                for label, project, recording in (
                    ("1-minute recording", short_p, "one-minute"),
                    ("10-hour recording", long_p, "ten-hours"),
                ):
                    shown[label] = browser_measure(
                        base, project.id, recording, args.browser_samples
                    )
            table(
                f"In Chromium, key press to the next segment ready ({args.browser_samples} "
                f"samples each; spectrogram {'on' if args.spectrogram else 'off'})",
                shown,
                ("Ctrl+↓ next", "Ctrl+Enter save & next"),
            )
        labeller = store.create_user(wb.db, "bench", Role.LABELLER, "!")  # a member, as in use
        for project in (long_p, short_p):
            store.add_member(wb.db, labeller.id, project.id)
        wb = wb.as_user(labeller)
        results = {}
        for label, project in (("1-minute recording", short_p), ("10-hour recording", long_p)):
            results[label] = measure(wb, project, args.samples)
        table("Server side, as a labeller", results, ("open segment N", "save & next"))


if __name__ == "__main__":
    main()
