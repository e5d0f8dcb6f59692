"""Several labellers at once in Chromium: N signed-in labellers pressing save & next.

One Chromium, N contexts, each a labeller signed in with their own account (made by the
project's owner, a member of the project), in a project that hands out claims by segment, on a
10-hour recording built as bench/editor_latency.py builds it (9,000 segments), against the app
served by `streamlit run streamlit_app.py`, the server and the browsers on the same machine.
Each labeller listens, types a text of their own over the segment's and presses Ctrl+Enter,
2-4 s from the moment the next segment is on screen (one cannot listen to it before), for
--seconds (after one key each to warm up).

Prints per N: the wait from the key press to the next segment on screen (p50, p95, max, timed
in the page as bench/editor_latency.py does) and the share of keys the browser's window served
(the others: why the window missed them);
the server's CPU time per key (user + system of the server process, /proc/PID/stat); the
websocket bytes the browsers received per key (every frame, Playwright's websocket events); and
the check: every text typed and saved is stored in exactly one revision, nothing else stored.

    .venv/bin/python bench/browser_load.py [--labellers 1,6,10] [--seconds 75]
                                           [--db sqlite,postgresql] [--pg-url URL] [--app PATH]
                                           [--keep]

--db: the stores to run on. PostgreSQL is a scratch database: --pg-url names one (its workbench
tables are dropped first); without it the local cluster is started as .ci/run does (root,
Debian's pg_ctlcluster) and a database `wb_browser_load` made afresh, owned by a role of the
bench's own; without either PostgreSQL is skipped, and the reason printed.
--app: another checkout of the workbench to serve (the editor before a change, for a baseline;
same schema): the bench sets up the store with this checkout's code and serves that one's app.
--keep: keep the bench's workbench and each run's server log (its path is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa
from editor_latency import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    SETTLED,
    WATCH,
    add_drafted_recording,
    serving,
    write_audio,
)
from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

from workbench import store
from workbench.core.records import Role
from workbench.projects import people
from workbench.projects.settings import ensure_project, open_workbench, update_settings
from workbench.ui.cookie import COOKIE

RECORDING = "ten-hours"
SECONDS = 10 * 3600
PASSWORD = "bench-password-1"
PG_DB, PG_ROLE, PG_PASSWORD = "wb_browser_load", "wb_bench", "bench"
CLOCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Labeller:
    """One signed-in browser and what it did."""

    name: str
    typed: list[str] = field(default_factory=list)  # each text typed and saved, in order
    presses: list[dict] = field(default_factory=list)  # the page's record of each key
    received: int = 0  # websocket bytes received
    refusals: list[str] = field(default_factory=list)  # status lines of refused saves


def build(home: Path, url: str, labellers: int):
    """The store: the owner's account first, the project handing out claims by segment, the
    10-hour recording, and the labellers' accounts (members); returns the project and the
    labellers' names."""
    wb = open_workbench(home, url)
    store.migrate(wb.db)  # a store emptied since this process first opened it
    owner = people.create_first_owner(wb, "owner", PASSWORD).user
    wb = wb.as_user(owner)
    project = ensure_project(wb, "browser load", "en")
    working, peaks = (f"audio/{RECORDING}.flac", f"peaks/{RECORDING}.npy")
    if not (home / working).exists():
        working, peaks = write_audio(wb, RECORDING, SECONDS)
    add_drafted_recording(wb, project, RECORDING, SECONDS, working, peaks)
    names = [f"labeller{k:02d}" for k in range(labellers)]
    users = [people.create_user(wb, name, Role.LABELLER, PASSWORD)[0] for name in names]
    people.set_members(wb, project.id, [u.id for u in users if u.id is not None])
    update_settings(wb, project.id, assignment="segment")
    return wb, project, names


def scratch_postgres(given: str | None) -> tuple[str | None, str]:
    """A scratch PostgreSQL database's URL with its tables dropped, or None and why not."""
    if given:
        engine = sa.create_engine(given)
        with engine.begin() as conn:
            store.metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        engine.dispose()
        return given, ""
    if not shutil.which("pg_ctlcluster") or os.geteuid() != 0:
        return None, "no --pg-url, and no local cluster to start (needs root and pg_ctlcluster)"
    subprocess.run(["service", "postgresql", "start"], check=True, capture_output=True)
    subprocess.run(
        ["su", "postgres", "-c", "psql -q -v ON_ERROR_STOP=1"],
        check=True,
        capture_output=True,
        text=True,
        input=f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PG_ROLE}') THEN
        CREATE ROLE {PG_ROLE} LOGIN PASSWORD '{PG_PASSWORD}'; END IF; END $$;
        DROP DATABASE IF EXISTS {PG_DB};
        CREATE DATABASE {PG_DB} OWNER {PG_ROLE};""",
    )
    return f"postgresql+psycopg://{PG_ROLE}:{PG_PASSWORD}@localhost/{PG_DB}", ""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK


async def open_editor(browser, base: str, project_id: int, me: Labeller):
    context = await browser.new_context(viewport={"width": 1300, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(120_000)
    await sign_in(page, base, me.name)

    def count(ws) -> None:
        def add(payload) -> None:
            me.received += len(payload)

        ws.on("framereceived", add)

    page.on("websocket", count)
    await page.goto(f"{base}/editor?project={project_id}")
    root = page.locator(".ed-root").first
    await root.wait_for(state="attached")
    await root.evaluate(WATCH)
    await until(page, SETTLED)
    return page


async def sign_in(page, base: str, name: str) -> None:
    """Sign in on the page, as a person does (a session is bound to the browser that signed
    in), and wait for the session cookie the page then writes."""
    await page.goto(base)
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    for _ in range(600):
        if any(c["name"] == COOKIE for c in await page.context.cookies()):
            return
        await page.wait_for_timeout(100)
    raise RuntimeError(f"{name}: no session cookie after signing in")


async def until(page, condition: str, seconds: float = 120.0) -> None:
    """Wait until `condition` (a function of the editor's root) holds, looked at in the page
    every 100 ms (one look from here would cost N browsers a round trip each)."""
    root = await page.locator(".ed-root").first.element_handle()
    await page.wait_for_function(
        f"(el) => ({condition})(el)", arg=root, polling=100, timeout=seconds * 1000
    )


async def settle(page, seconds: float = 120.0) -> list[dict]:
    """Wait until every key has shown its next segment and the server has acknowledged every
    action; the page's record of the keys."""
    with contextlib.suppress(PlaywrightTimeout):  # counted as keys that showed nothing
        await page.wait_for_function(
            "() => window.__presses.every((p) => p.ready != null)",
            polling=100,
            timeout=seconds * 1000,
        )
    await until(page, SETTLED, seconds)
    await page.wait_for_timeout(500)
    return await page.evaluate("() => window.__presses")


async def work(
    page, me: Labeller, tag: str, keys: int | None, deadline: float, rng: random.Random
) -> None:
    """Listen, type a text of one's own, press Ctrl+Enter, and wait for the next segment (one
    cannot listen to it before): 2-4 s a key besides that wait, until the deadline (or `keys`
    keys)."""
    box = page.locator(".ed-text")
    while (time.monotonic() < deadline) if keys is None else len(me.typed) < keys:
        think = rng.uniform(2.0, 4.0)
        text = f"{tag} {me.name} key {len(me.typed)}"
        typing = len(text) * 0.03
        await page.wait_for_timeout(max(0.0, think - typing) * 1000)  # listening
        status = await page.locator(".ed-root").first.evaluate("el => el._win && el._win.status")
        if status and status[1] == "error":
            me.refusals.append(status[0])
        await box.focus()
        await page.keyboard.press("Control+A")
        await page.keyboard.type(text, delay=30)
        me.typed.append(text)
        count = await page.evaluate("() => window.__presses.length")
        await page.keyboard.press("Control+Enter")
        await shown(page, count)


async def shown(page, index: int, seconds: float = 60.0) -> None:
    """Wait until the key recorded at `index` shows its next segment."""
    with contextlib.suppress(PlaywrightTimeout):  # counted as a key that showed nothing
        await page.wait_for_function(
            "(n) => (window.__presses[n] || {}).ready != null",
            arg=index,
            polling=100,
            timeout=seconds * 1000,
        )


async def run_labellers(
    base: str,
    project_id: int,
    crew: list[Labeller],
    tag: str,
    seconds: float,
    keys: int | None,
    server_pid: int,
) -> dict:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        pages = await asyncio.gather(*(open_editor(browser, base, project_id, me) for me in crew))
        warm = [Labeller(me.name) for me in crew]  # one key each, not counted
        await asyncio.gather(
            *(
                work(page, w, f"{tag}-warm", 1, 0, random.Random(k))
                for k, (page, w) in enumerate(zip(pages, warm, strict=True))
            )
        )
        await asyncio.gather(*(settle(page) for page in pages))
        for w, me in zip(warm, crew, strict=True):
            me.typed[:0] = w.typed
        first = [len(await page.evaluate("() => window.__presses")) for page in pages]
        received = [me.received for me in crew]
        cpu, began = cpu_seconds(server_pid), time.monotonic()
        deadline = began + seconds
        await asyncio.gather(
            *(
                work(page, me, tag, keys, deadline, random.Random(100 + k))
                for k, (page, me) in enumerate(zip(pages, crew, strict=True))
            )
        )
        recorded = await asyncio.gather(*(settle(page) for page in pages))
        cpu, elapsed = cpu_seconds(server_pid) - cpu, time.monotonic() - began
        for me, page_presses, skip, before in zip(crew, recorded, first, received, strict=True):
            me.presses = page_presses[skip:]
            me.received -= before
        await browser.close()
    return {"cpu": cpu, "elapsed": elapsed}


def check_store(wb, project_id: int, tag: str, crew: list[Labeller]) -> list[str]:
    """Each text typed and saved in this run stored in exactly one revision, and no other
    revision of this run's."""
    with wb.db.connect() as conn:
        rows = (
            conn.execute(
                sa.select(store.revisions.c.text)
                .join(store.segments, store.segments.c.id == store.revisions.c.segment_id)
                .join(store.recordings, store.recordings.c.id == store.segments.c.recording_id)
                .where(
                    store.recordings.c.project_id == project_id,
                    store.revisions.c.text.like(f"{tag}%"),
                )
            )
            .scalars()
            .all()
        )
    stored: dict[str, int] = {}
    for text in rows:
        stored[text] = stored.get(text, 0) + 1
    typed = [t for me in crew for t in me.typed]
    problems = [f"not stored: {t!r}" for t in typed if t not in stored]
    problems += [f"stored {n} times: {t!r}" for t, n in stored.items() if n > 1]
    problems += [f"stored, never typed: {t!r}" for t in stored if t not in set(typed)]
    return problems


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[round(q * (len(ordered) - 1))] if ordered else float("nan")


def one_run(home: Path, url: str, db_label: str, n: int, args) -> str:
    """N labellers for --seconds on a fresh store and server; the table's row."""
    wb, project, names = build(home, url, n)
    crew = [Labeller(name) for name in names]
    tag = f"{db_label}-n{n}"
    log = (home / f"server-{tag}.log").open("wb")
    with serving(str(home), url, args.app, log) as (base, proc):
        took = asyncio.run(
            run_labellers(base, project.id, crew, tag, args.seconds, args.keys, proc.pid)
        )
    log.close()
    presses = [p for me in crew for p in me.presses]
    waits = [p["ready"] for p in presses if p["ready"] is not None]
    keys = len(presses)
    served = sum(1 for p in presses if p["window"])
    problems = check_store(wb, project.id, tag, crew)
    refused = sum(len(me.refusals) for me in crew)
    wb.db.dispose()
    checks = (
        "all stored once"
        if not problems
        else f"FAILED: {len(problems)} ({'; '.join(problems[:3])})"
    )
    if keys > len(waits):
        checks += f"; {keys - len(waits)} keys never showed a next segment"
    if refused:
        checks += f"; {refused} refusals: {crew[0].refusals[:1] or ''}"
    empty = sum(
        1 for p in presses if not p["window"] and p["held"] is not None and p["next"] is None
    )
    lost = sum(
        1
        for p in presses
        if not p["window"] and p["next"] is not None and p["next"] not in p["held"]
    )
    return (
        f"{n:>3} {keys:>6} {pct(waits, 0.5):8.0f} {pct(waits, 0.95):8.0f} "
        f"{max(waits, default=float('nan')):8.0f} {served / max(keys, 1):7.0%} "
        f"{took['cpu'] * 1000 / max(keys, 1):9.0f} "
        f"{sum(me.received for me in crew) / max(keys, 1) / 1000:8.1f}   {checks}\n"
        f"{'':13}keys the window missed: {empty} with the window empty, {lost} whose "
        f"next segment the browser never received; load average {os.getloadavg()[0]:.1f}"
    )


def fresh_store(home: Path, kind: str, pg_url: str | None, n: int) -> str:
    """An empty store of `kind` for the run of `n` labellers: a new SQLite file, or the
    scratch PostgreSQL database made again."""
    if kind == "sqlite":
        return f"sqlite:///{home / f'bench-{n}.db'}"
    url, why = scratch_postgres(pg_url)
    if url is None:
        raise RuntimeError(f"no PostgreSQL: {why}")
    return url


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labellers", default="1,6,10", help="the N to run, comma-separated")
    ap.add_argument("--seconds", type=float, default=75.0, help="how long each N presses keys")
    ap.add_argument(
        "--keys", type=int, default=None, help="instead of --seconds: this many keys each"
    )
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--pg-url", default=None, help="a scratch PostgreSQL database (emptied)")
    ap.add_argument("--app", type=Path, default=ROOT, help="the checkout whose app is served")
    ap.add_argument("--keep", action="store_true", help="keep the workbench and server logs")
    args = ap.parse_args()
    if not CHROMIUM.exists():
        print(f"skipped: no Chromium at {CHROMIUM}")
        return 0
    counts = [int(n) for n in args.labellers.split(",")]
    kept = contextlib.nullcontext(tempfile.mkdtemp()) if args.keep else None
    with kept or tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        if args.keep:
            print(f"the workbench and the server logs (server-DB-nN.log) are kept in {home}")
        for kind in args.db.split(","):
            if kind == "postgresql":
                url, why = scratch_postgres(args.pg_url)
                if url is None:
                    print(f"PostgreSQL skipped: {why}\n")
                    continue
            label = "SQLite" if kind == "sqlite" else "PostgreSQL"
            app = "" if args.app == ROOT else f", app served from {args.app}"
            print(
                f"{label}: N labellers, save & next every 2-4 s for "
                f"{f'{args.keys} keys each' if args.keys else f'{args.seconds:.0f} s'}{app}"
            )
            print("  N   keys  p50 ms   p95 ms   max ms  window  CPU ms/key  KB/key   check")
            for n in counts:
                print(
                    one_run(home, fresh_store(home, kind, args.pg_url, n), kind, n, args),
                    flush=True,
                )
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
