"""Several app processes on one store: concurrent saves from two OS processes lose nothing and
a race on one segment is refused as stale; two Streamlit servers serve one home."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tests.browser.helpers import BROWSER_MARKS, serving
from tests.conftest import ROOT, as_user
from workbench import store
from workbench.projects import people

ROUNDS = 5

# One labeller's process: save each of its segments ROUNDS times, then race the other process
# on the shared segment (both read its version before either saves). Prints what happened.
WORKER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from workbench import store
    from workbench.core.records import StaleEdit
    from workbench.core.workbench import open_workbench
    from workbench.labelling.labeller_edits import save_segment

    home, me, other, rounds, shared, *mine = sys.argv[1:]
    rounds, shared, mine = int(rounds), int(shared), [int(i) for i in mine]
    wb = open_workbench(home)
    wb = wb.as_user(store.find_user(wb.db, me)[0])

    def barrier(name):
        (Path(home) / f"{name}-{me}").touch()
        deadline = time.monotonic() + 60
        while not (Path(home) / f"{name}-{other}").exists():
            if time.monotonic() > deadline:
                sys.exit(f"{me}: {other} never reached {name}")
            time.sleep(0.01)

    def save(i, version, text):
        seg = store.get_segment(wb.db, i)
        save_segment(wb, i, version, text, seg.start, seg.end)

    barrier("start")
    for r in range(1, rounds + 1):
        for i in mine:
            save(i, store.get_segment(wb.db, i).version, f"{me} round {r}")
    version = store.get_segment(wb.db, shared).version
    barrier("race")
    try:
        save(shared, version, f"{me} won")
        outcome = "won"
    except StaleEdit:
        outcome = "stale"
    print(json.dumps({"saved": rounds * len(mine), "shared": outcome}))
""")


def test_two_processes_save_concurrently_and_lose_nothing(wb, drafted, tmp_path):
    if wb.db.dialect.name != "sqlite":
        pytest.skip("the processes open the home's SQLite database")
    for name in ("lena", "otto"):
        as_user(wb, name)
    ids = [q["id"] for q in store.segment_queue(wb.db, drafted.id)]
    shared, rest = ids[0], ids[1:]
    mine = {"lena": rest[0::2], "otto": rest[1::2]}
    env = dict(os.environ, PYTHONPATH=str(ROOT), WORKBENCH_LOG_LEVEL="WARNING")
    env.pop("WORKBENCH_DB_URL", None)
    home = str(wb.settings.home)
    procs = {
        me: subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                home,
                me,
                other,
                str(ROUNDS),
                str(shared),
                *map(str, mine[me]),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for me, other in (("lena", "otto"), ("otto", "lena"))
    }
    results = {}
    for me, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results[me] = json.loads(out.strip().splitlines()[-1])

    assert sorted(r["shared"] for r in results.values()) == ["stale", "won"]
    winner = next(me for me, r in results.items() if r["shared"] == "won")
    for me, segment_ids in mine.items():
        for i in segment_ids:  # every save is there, in order: nothing overwritten or lost
            texts = [r.text for r in store.list_revisions(wb.db, i)]
            assert texts[1:] == [f"{me} round {r}" for r in range(1, ROUNDS + 1)]
            assert store.get_segment(wb.db, i).version == 1 + ROUNDS
    assert [r.text for r in store.list_revisions(wb.db, shared)][1:] == [f"{winner} won"]
    assert store.get_segment(wb.db, shared).version == 2


def _browser(test):
    for mark in BROWSER_MARKS:
        test = mark(test)
    return test


@_browser
def test_two_streamlit_servers_serve_one_home(wb, drafted, tmp_path):
    """Two servers on one home: both show the sign-in page, and a session made on one is
    known to the other (sessions live in the database; only the websocket is per process)."""
    from playwright.sync_api import expect, sync_playwright

    from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, _sign_in

    if wb.db.dialect.name != "sqlite":
        pytest.skip("the servers open the home's SQLite database")
    people.create_first_owner(wb, "olga", "owner-pass-1")
    env = dict(
        os.environ, WORKBENCH_HOME=str(wb.settings.home), STREAMLIT_SERVER_FILE_WATCHER_TYPE="none"
    )
    env.pop("WORKBENCH_DB_URL", None)
    app = "streamlit_app.py"
    with (
        serving(app, ROOT, env, tmp_path / "a.log") as first,
        serving(app, ROOT, env, tmp_path / "b.log") as second,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context().new_page()
            for base in (first, second):
                page.goto(base)
                expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=20_000)
            _sign_in(page, first, "olga", "owner-pass-1")
            page.goto(second)  # the same cookie (same host), the other process
            expect(page.get_by_text("Signed in as olga")).to_be_visible(timeout=20_000)
            expect(
                page.get_by_test_id("stSidebarNav").get_by_role("link", name="Export")
            ).to_be_visible(timeout=20_000)  # the owner's pages
        finally:
            browser.close()
