"""Editor latency on a long recording: a 10-hour recording with 9,000 segments against a
1-minute one.

Both are built alike: a tone burst every 3.6 s, each covered by a drafted segment except every
tenth, left as speech no segment covers (the editor lists it, and draws it), so the two differ
only in length.

Times, server side, what one run of the editor page does (`page_run`), through the same use
cases: for "open segment N" (a jump, nothing cached: the labeller's step, the screen with the
segment's neighbours, history and the speech no segment covers, the component's data with its
audio slice and the minimap, and the window of the next segments with theirs), and for "save &
next" (one run: the screen the browser acted on, the save, the screen of the segment the
browser moved to, and the window refilled: one new segment's data, the rest the browser holds).
Prints median and 95th percentile for both recordings and their ratio, which should be close
to 1: the cost follows the segment, not the recording.

Then, in headless Chromium (Debian's /usr/bin/chromium; skipped without it or with --no-browser)
against the app served on the same workbench, the time a person waits: from the key press
(Ctrl+↓ "next", Ctrl+Enter "save & next") to the next segment on screen in the editor (its key
replaced, seen at the next frame), timed in the page with performance.now(). Each key is
pressed as a person who reads for a second would: once the server has acknowledged every
action and the browser's window holds the next segment. Last, on the 10-hour recording,
save & next with 2-4 s of thinking and typing before each key: the share of keys the window
served, and the wait of all of them. With --spectrogram the editor shows the spectrogram (the
user's preference, on), which the browser computes from each segment's audio after it is
shown: compare a run with it and one without.

    .venv/bin/python bench/editor_latency.py [--samples 200] [--browser-samples 12]
                                             [--think-presses 20] [--no-browser] [--spectrogram]
"""

from __future__ import annotations

import argparse
import hashlib
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
import streamlit.logger

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
streamlit.logger.set_log_level("error")  # "no runtime found": the use cases need none here

from workbench import store
from workbench.audio.peaks import PeakAccumulator, save_peaks
from workbench.core.records import QueueFilter, Role
from workbench.labelling.editor_actions import apply_action
from workbench.labelling.editor_screen import EditorScreen, open_editor
from workbench.labelling.queue import given_back
from workbench.labelling.window import WINDOW, window_after
from workbench.projects.settings import ensure_project, open_workbench
from workbench.ui.editor import _slice, editor_data, minimap_data

RATE = 16000
SEGMENT_EVERY = 3.6  # seconds: a burst of "speech" (3 s) and its segment
UNCOVERED_EVERY = 10  # every tenth burst has no segment: 9,000 segments in 10 hours
BLOCK = 72  # seconds of audio written at a time: a whole number of bursts
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]


def write_audio(wb, name: str, seconds: int) -> tuple[str, str]:
    """A working copy and its peaks, written directly (a 10-hour import would only time the
    decoder); their paths in the workbench's home."""
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
    return working, peaks_path


def add_drafted_recording(
    wb, project, name: str, seconds: int, working: str, peaks_path: str
) -> None:
    """The recording written by `write_audio`, in `project`, with its drafted segments."""
    rec = store.add_recording(
        wb.db,
        project_id=project.id,
        original_name=name,
        sha256=hashlib.sha256(name.encode()).hexdigest(),
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


def make_recording(wb, project, name: str, seconds: int) -> None:
    """A drafted recording of `seconds`, built as the module says."""
    add_drafted_recording(wb, project, name, seconds, *write_audio(wb, name, seconds))


def _key(state) -> str:
    seg = state.view.segment
    return f"{seg.id}-{seg.version}"


def page_run(
    wb,
    project,
    queue: QueueFilter,
    shown: int,
    action: dict | None = None,
    sent: list[str] | None = None,
) -> tuple[EditorScreen, list[str]]:
    """What one run of the editor page does through the use cases (pages/editor.py): the
    screen the browser acted on; the action applied and the screen of the segment it went to
    (one run a key); the component's data (the audio slice, peaks, minimap); the window after
    it, with the data of each segment the browser does not hold (`sent`: the keys it does).
    Returns the screen shown and the keys the browser holds after it."""
    screen = open_editor(wb, project.id, queue, shown=shown, pinned=shown)
    if action is not None:
        state = screen.segment
        assert state is not None, "the bench's queue has a segment to act on"
        moved = action.get("moved_to")
        outcome = apply_action(
            wb,
            action,
            shown=state.view.segment.id,
            previous=state.previous,
            following=moved if moved is not None else state.following,
            queue=queue,
        )
        given_back(wb, project.id)  # a rejection since the last run comes next
        go_to = outcome.go_to if outcome.go_to is not None else shown
        screen = open_editor(
            wb,
            project.id,
            queue,
            shown=go_to,
            pinned=go_to if outcome.pin or go_to == moved else None,
        )
    state = screen.segment
    assert state is not None, "the bench's queue has a segment to show"
    _component_data(wb, project, state, minimap=True)
    window = window_after(wb, project.id, state, queue)
    held = list(sent or [])
    for step in window:
        if _key(step) not in held:
            _component_data(wb, project, step, minimap=False)
    held = [k for k in held if k not in {_key(s) for s in (state, *window)}]
    return screen, [*held, _key(state), *map(_key, window)][-8:]


def _component_data(wb, project, state, *, minimap: bool) -> dict:
    view = state.view
    return editor_data(
        view,
        wb.settings.home,
        project_id=project.id,
        user=wb.actor.name,
        tags=[],
        before=state.before and state.before["text"],
        after=state.after and state.after["text"],
        can_prev=state.previous is not None,
        can_next=state.following is not None,
        minimap=minimap_data(wb, project.id, view.recording, [view.segment.id])
        if minimap
        else None,
    )


def measure(wb, project, samples: int) -> tuple[list[float], list[float]]:
    """Seconds of "open segment N" (a jump to a random segment, nothing cached) and of the
    save & next after it (the browser moved on to the window's next segment)."""
    queue = QueueFilter(statuses=())
    # not the queue's last few: the window after them is shorter, and costs less to send
    ids = [q["id"] for q in store.segment_queue(wb.db, project.id)][: -(WINDOW + 2)]
    rng = random.Random(1)
    opens, saves = [], []
    for _ in range(samples):
        target = rng.choice(ids)
        _slice.clear()  # cold: the 1-minute recording's few slices would otherwise all be cached
        t = time.perf_counter()
        screen, sent = page_run(wb, project, queue, target)
        opens.append(time.perf_counter() - t)
        state = screen.segment
        seg = state.view.segment
        action = {
            "type": "save_next",
            "segment_id": seg.id,
            "version": seg.version,
            "text": "corrected text",
            "start": seg.start,
            "end": seg.end,
            "moved_to": state.following,
        }
        t = time.perf_counter()
        page_run(wb, project, queue, seg.id, action, sent)
        saves.append(time.perf_counter() - t)
    return opens, saves


def stats(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(home: str, url: str, app_root: Path = ROOT, log=subprocess.DEVNULL):
    """The app (`streamlit run streamlit_app.py` in `app_root`) on the bench's workbench;
    yields its URL and its process."""
    port = free_port()
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
        cwd=app_root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://localhost:{port}"
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {proc.returncode}") from None
                time.sleep(0.1)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# In the page: each Ctrl+Enter / Ctrl+↓ timed from the key press until the editor shows
# another segment, looked at every frame (when a person could see it), and whether the editor
# had moved on by the end of the key's event (the browser's window served it). The editor's
# root is in the component's shadow DOM: looked up again when a rerun replaced it.
WATCH = """(el) => {
  window.__edRoot = el;
  if (window.__presses) return;
  window.__presses = [];
  const find = () => {
    if (window.__edRoot && window.__edRoot.isConnected) return window.__edRoot;
    for (const host of document.querySelectorAll('*')) {
      const found = host.shadowRoot && host.shadowRoot.querySelector('.ed-root');
      if (found) return (window.__edRoot = found);
    }
    return null;
  };
  window.addEventListener('keydown', (e) => {
    if (!e.ctrlKey || !['Enter', 'ArrowDown'].includes(e.key)) return;
    const t0 = performance.now(), root = find(), before = root && root._st && root._st.key;
    const win = root && root._win, here = win && win.cache.get(win.shown);
    const press = { key: e.key, before, ready: null, window: null, shown: null,
      pending: win ? win.pending.length : null, next: here ? here.next_key || null : null,
      held: win ? [...win.cache.keys()] : null };
    window.__presses.push(press);
    setTimeout(() => {
      const r = find();
      press.window = !!(r && r._st && r._st.key !== before);
    }, 0);
    const frame = () => {
      const r = find();
      if (r && r._st && r._st.key !== before) {
        press.ready = performance.now() - t0;
        press.shown = r._st.key;
      } else if (performance.now() - t0 < 60000) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }, true);
}"""
# the browser holds the next segment and the server has acknowledged every action (a page
# without the window, before it, is ready when its rerun is over)
WINDOW_HOLDS_NEXT = """(el) => {
  const win = el._win;
  if (!win) return true;
  const shown = win.cache.get(win.shown);
  return win.pending.length === 0 && !!shown && !!shown.next_key && win.cache.has(shown.next_key);
}"""
SETTLED = "(el) => !el._win || el._win.pending.length === 0"


def editor_root(page):
    """The editor's root element (in the component's shadow DOM: the locator reaches it)."""
    return page.locator(".ed-root").first


def watch(page) -> None:
    editor_root(page).evaluate(WATCH)


def wait_for(page, condition: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not editor_root(page).evaluate(condition):
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {seconds:.0f} s: {condition}")
        page.wait_for_timeout(20)


def press(page, keys: str, seconds: float = 60.0) -> dict:
    """Press `keys` (a timed one) and return the page's record of it once the editor shows
    another segment: ready (ms), window (served by the browser's window), shown (its key)."""
    count = page.evaluate("() => window.__presses.length")
    page.keyboard.press(keys)
    deadline = time.monotonic() + seconds
    while True:
        done = page.evaluate("(n) => window.__presses[n] || null", count)
        if done and done["ready"] is not None and done["window"] is not None:
            return done
        if time.monotonic() > deadline:
            raise TimeoutError(f"{keys}: the editor still shows {done and done['before']}")
        page.wait_for_timeout(10)


def open_editor_page(browser, base: str, project_id: int, recording: str):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(f"{base}/editor?project={project_id}")  # the app opens the named project
    page.get_by_text(f"{recording} ·", exact=False).first.wait_for()  # the editor's header
    editor_root(page).wait_for(state="attached")
    watch(page)
    return page


def browser_measure(
    base: str, project_id: int, recording: str, samples: int
) -> tuple[list[float], list[float]]:
    """Seconds from key press to the next segment on screen, for a segment the browser's
    window holds: Ctrl+↓ (next), Ctrl+Enter (save & next)."""
    from playwright.sync_api import sync_playwright

    nexts, saves = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = open_editor_page(browser, base, project_id, recording)
        box = page.locator(".ed-text")

        def timed(keys: str) -> float:
            wait_for(page, WINDOW_HOLDS_NEXT)
            page.wait_for_timeout(1000)  # a person reads before the next key
            done = press(page, keys)
            assert done["window"], f"{keys} was not served by the window: {done}"
            return done["ready"] / 1000

        for i in range(samples + 1):  # the first round warms up
            box.focus()
            ahead = timed("Control+ArrowDown")
            wait_for(page, SETTLED)
            key = editor_root(page).evaluate("el => el._st.key")
            page.keyboard.press("Control+ArrowUp")  # back, so "next" does not use up the queue
            wait_for(page, f"el => el._st.key !== {key!r}")
            box.fill(f"corrected {i}")
            saved = timed("Control+Enter")
            if i:
                nexts.append(ahead)
                saves.append(saved)
        browser.close()
    return nexts, saves


def browser_thinking(
    base: str, project_id: int, recording: str, presses: int, seed: int = 7
) -> list[dict]:
    """Save & next as a labeller works: 2-4 s of listening and typing from the moment the
    segment is on screen, then the key; the page's record of each key (see `press`)."""
    from playwright.sync_api import sync_playwright

    rng = random.Random(seed)
    done = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = open_editor_page(browser, base, project_id, recording)
        box = page.locator(".ed-text")
        wait_for(page, WINDOW_HOLDS_NEXT)
        for i in range(presses):
            think = time.monotonic() + rng.uniform(2.0, 4.0)
            box.focus()
            page.keyboard.press("Control+A")
            page.keyboard.type(f"thought {i}", delay=30)
            page.wait_for_timeout(max(0.0, think - time.monotonic()) * 1000)
            done.append(press(page, "Control+Enter"))
        wait_for(page, SETTLED)
        browser.close()
    return done


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


def thinking_table(done: list[dict]) -> None:
    waits = [d["ready"] / 1000 for d in done[1:]]  # the first warms up
    served = sum(1 for d in done[1:] if d["window"])
    median, p95 = stats(waits)
    print(
        f"With 2-4 s of thinking and typing, save & next ({len(waits)} keys, 10-hour "
        f"recording): {served / len(waits):.0%} served by the window; key to next segment "
        f"median {median:.1f} ms, p95 {p95:.1f} ms, max {max(waits) * 1000:.1f} ms\n"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--browser-samples", type=int, default=12)  # the 1-minute queue has 15
    ap.add_argument("--think-presses", type=int, default=20)
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
            with serving(tmp, url) as (base, _):
                for label, project, recording in (
                    ("1-minute recording", short_p, "one-minute"),
                    ("10-hour recording", long_p, "ten-hours"),
                ):
                    shown[label] = browser_measure(
                        base, project.id, recording, args.browser_samples
                    )
                thinking = browser_thinking(base, long_p.id, "ten-hours", args.think_presses + 1)
            table(
                f"In Chromium, key press to the next segment on screen, the window holding it "
                f"({args.browser_samples} samples each; spectrogram "
                f"{'on' if args.spectrogram else 'off'})",
                shown,
                ("Ctrl+↓ next", "Ctrl+Enter save & next"),
            )
            thinking_table(thinking)
        labeller = store.create_user(wb.db, "bench", Role.LABELLER, "!")  # a member, as in use
        for project in (long_p, short_p):
            store.add_member(wb.db, labeller.id, project.id)
        wb = wb.as_user(labeller)
        results = {}
        for label, project in (("1-minute recording", short_p), ("10-hour recording", long_p)):
            results[label] = measure(wb, project, args.samples)
        table(
            "Server side, as a labeller: one run of the editor page",
            results,
            ("open segment N", "save & next"),
        )


if __name__ == "__main__":
    main()
