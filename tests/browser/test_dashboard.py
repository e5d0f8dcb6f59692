"""In headless Chromium, the owner's dashboard with work in it (tests/helpers/dashboard_data.py):
the charts draw, the labellers' table shows, and March's pay report appears once its dates are
typed in. Takes the README's screenshot docs/dashboard.png."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

from tests.browser.helpers import BROWSER_MARKS, CHARTS, _docs_screenshot, _signed_in, expect
from tests.helpers.dashboard_data import build_work
from workbench.projects import people
from workbench.projects.settings import update_settings

try:
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # pragma: no cover - the tests are skipped then (see tests/browser/helpers.py)
    PlaywrightError = Exception

pytestmark = BROWSER_MARKS


def _fill_date(page, label: str, year: str, month: str, day: str) -> None:
    """Type a date into a date input, part by part (its year, month and day spinbuttons)."""
    for part, value in (("year", year), ("month", month), ("day", day)):
        page.get_by_role("spinbutton", name=f"{part}, {label}").click()
        page.keyboard.type(value)
    page.keyboard.press("Escape")  # close its calendar


def test_dashboard_in_the_browser(wb, drafted, server, browser_page):
    people.create_first_owner(wb, "olga", "owner-pass-1")
    build_work(wb, drafted)
    update_settings(wb, drafted.id, pay_unit="item", pay_rate=1.25, pay_weighted=True)

    page = browser_page
    _signed_in(page, server, "olga", "owner-pass-1")
    page.set_viewport_size({"width": 1300, "height": 2400})
    page.goto(f"{server}/dashboard?project={drafted.id}")
    expect(page.get_by_role("heading", name="Labellers")).to_be_visible()
    expect(page.get_by_text("Agreement by pair")).to_be_visible()
    charts = page.locator(CHARTS)
    expect(charts.nth(5)).to_be_visible()  # status x2, per day x2, labellers x2
    drawn = page.locator(f"{CHARTS} canvas, {CHARTS} svg.marks")
    expect(drawn.nth(5)).to_be_visible()  # every chart drew, not only its frame
    assert drawn.count() >= 6

    _fill_date(page, "From", "2025", "03", "01")
    _fill_date(page, "To (not included)", "2025", "04", "01")
    page.get_by_role("heading", name="Pay").click()  # leave the inputs: the app reruns
    expect(page.get_by_text("No segment became final")).to_have_count(0)
    # the table is drawn on a canvas: read what the page offers to download instead
    deadline = time.monotonic() + 20
    rows: list[dict] = []
    while not rows or rows[0]["to"] != "2025-04-01":
        assert time.monotonic() < deadline, rows
        page.wait_for_timeout(300)
        try:
            with page.expect_download() as download:
                page.get_by_role("button", name="Download CSV").click()
            text = Path(download.value.path()).read_text()
        except PlaywrightError:  # the app reran under the click: the download was cancelled
            continue
        rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["labeller"], r["amount"]) for r in rows] == [
        ("lena", "1.88"),
        ("otto", "1.88"),
        ("(total)", "3.76"),
    ]  # March, weighted, 1.25 each
    page.set_viewport_size({"width": 1300, "height": 1950})  # the page, without blank below
    _docs_screenshot(page, "dashboard.png")
