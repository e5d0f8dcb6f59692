"""What the headless Chromium tests share: where Chromium is and how it starts, their marks, a
Streamlit server on a free port, an owner and a crowd, signing in, waits on the store and on
what the editor shows, and the screenshots for docs/.

The fixtures are in conftest.py: `browser_page` (tests/conftest.py, the packaging test uses it
too), `server` and `long_project` (tests/browser/conftest.py)."""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS, ROOT
from workbench import store
from workbench.projects import people
from workbench.ui.cookie import COOKIE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DOCS = ROOT / "docs"

try:
    from playwright.sync_api import expect
except ImportError as exc:  # pragma: no cover - depends on the environment
    _PLAYWRIGHT_ERROR: str | None = f"playwright cannot be imported: {exc}"
    expect = None
else:
    _PLAYWRIGHT_ERROR = None
    expect.set_options(timeout=20_000)

BROWSER_MARKS = [  # each browser test module's pytestmark
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"headless Chromium not found at {CHROMIUM}"),
    pytest.mark.skipif(_PLAYWRIGHT_ERROR is not None, reason=_PLAYWRIGHT_ERROR or ""),
]

TIMEOUT_MS = 20_000
CHARTS = "[data-testid='stVegaLiteChart']"

SECONDS = 240.0  # the generated recording of `long_project`
EVERY = 4.0  # a segment every 4 s, 3 s long
LOOP_AT = 2  # this segment's draft is a loop: piled words and words far outside it


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit not healthy after {limit:.0f} s:\n{log.read_text()}")


@contextlib.contextmanager
def serving(app: str | Path, cwd: Path, env: dict[str, str], log: Path) -> Iterator[str]:
    """`streamlit run app` from `cwd` on a free port, its output in `log`; yields the base URL
    once the server is healthy, and stops it afterwards."""
    port = _free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(app),
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://localhost:{port}"
        _wait_healthy(f"{base}/_stcore/health", proc, log)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _owner_and_crowd(wb, project, roles: dict[str, str]):
    """'olga', the first owner (password owner-pass-1), and accounts of these roles by name
    (password secret-pass), all members of `project`; the workbench acting as olga."""
    owner = people.create_first_owner(wb, "olga", "owner-pass-1").user
    as_owner = wb.as_user(owner)
    for name, role in roles.items():
        people.create_user(as_owner, name, role, "secret-pass")
    people.set_members(
        as_owner, project.id, [u.id for u in store.list_users(wb.db) if u.role.value != "owner"]
    )
    return as_owner


def _sign_in(page, base: str, name: str, password: str) -> None:
    page.goto(base)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(re.compile(f"Signed in as {name}"))).to_be_visible()
    for _ in range(100):  # the cookie is written by the page just after: a new load needs it
        if any(c["name"] == "workbench_session" for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the session cookie was never set")


def _signed_in(page, base: str, name: str, password: str) -> None:
    """Sign in, and wait until the browser holds the session cookie (a component writes it
    just after the page says who is signed in; a page opened before would find none)."""
    _sign_in(page, base, name, password)
    deadline = time.monotonic() + 20
    while not any(c["name"] == COOKIE for c in page.context.cookies()):
        assert time.monotonic() < deadline, "no session cookie after signing in"
        page.wait_for_timeout(100)


def _wait_until(done: Callable[[], bool], what: str) -> None:
    """Wait (20 s at most) until `done()`, e.g. until a click on the page reaches the store;
    `what` fails the test when it never does."""
    deadline = time.monotonic() + 20
    while not done():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _docs_screenshot(page, name: str) -> None:
    """The whole page as docs/`name` (and in the artifacts), once its charts and tables drew."""
    page.wait_for_timeout(1500)  # the charts and tables draw
    DOCS.mkdir(parents=True, exist_ok=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / name), full_page=True)
    shutil.copyfile(DOCS / name, ARTIFACTS / name)


def _wait_status(wb, seg_id: int, status: str) -> None:
    deadline = time.monotonic() + 20
    while store.get_segment(wb.db, seg_id).status.value != status:
        assert time.monotonic() < deadline, store.get_segment(wb.db, seg_id)
        time.sleep(0.1)


def _editor(page, base: str, total: int):
    page.goto(f"{base}/editor")
    expect(page.get_by_text(f"Segment 1 of {total}")).to_be_visible()
    expect(page.locator(".ed-canvas")).to_be_visible()
    expect(page.locator(".ed-words span").first).to_be_visible()
    return page.locator(".ed-text")


def _value(page, selector: str) -> float:
    return float(page.locator(selector).input_value())


def _wait_value(page, selector: str, expected: float, tol: float = 0.02) -> float:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    value = float("nan")
    while time.monotonic() < deadline:
        value = _value(page, selector)
        if abs(value - expected) <= tol:
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"{selector} shows {value}, expected about {expected}")


def _shown_key(page) -> str | None:
    """The key of the segment the editor shows; None while no editor is on the page (it may be
    gone between two looks, when the last save empties the queue: never wait for it)."""
    from playwright.sync_api import Error as PlaywrightError

    root = page.locator(".ed-root")  # in the component's shadow root: locators reach it
    if not root.count():
        return None
    try:
        return root.first.evaluate("el => el._st && el._st.key", timeout=1000)
    except PlaywrightError:  # removed between the count and the look
        return None


DONE = re.compile(r"No segments match|segments? of this filter (are|is) labelled")  # the queue end


def _wait_key_change(page, old: str | None) -> str:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        if page.get_by_text(DONE).count():
            return ""
        key = _shown_key(page)
        if key and key != old:
            page.wait_for_timeout(300)  # let the reruns after the move settle
            return key
        page.wait_for_timeout(100)
    raise AssertionError(f"the editor still shows {old}")


def _open(page, base, wb, project):
    queue = store.segment_queue(wb.db, project.id)
    page.goto(f"{base}/editor")
    expect(page.get_by_text(f"Segment 1 of {len(queue)}")).to_be_visible()
    expect(page.locator(".ed-minimap")).to_be_visible()
    key = _wait_key_change(page, None)
    assert key == f"{queue[0]['id']}-1"
    return queue, key


def _st(page, expr: str):
    return page.locator(".ed-root").first.evaluate(f"el => {expr}")
