"""In headless Chromium, the owner's Draft quality page with two draft batches and a measured
ladder: both charts draw, the tables show. Takes the README's screenshot docs/draft_quality.png."""

from __future__ import annotations

import shutil

from tests.browser.helpers import BROWSER_MARKS, CHARTS, DOCS, _signed_in, expect
from tests.conftest import ARTIFACTS
from tests.helpers.dashboard_data import _two_jobs, build_work
from workbench import store
from workbench.core.records import Measure
from workbench.learning.heldout import record_measure
from workbench.projects import people

pytestmark = BROWSER_MARKS


def test_draft_quality_in_the_browser(wb, drafted, server, browser_page):
    people.create_first_owner(wb, "olga", "owner-pass-1")
    build_work(wb, drafted)
    _two_jobs(wb, drafted)
    owner = wb.as_user(store.find_user(wb.db, "olga")[0])
    for step, error in (
        ("base model", 0.31),
        ("+ vocabulary", 0.22),
        ("+ rules", 0.18),
        ("model v1 (in use)", 0.12),
    ):
        record_measure(
            owner,
            drafted,
            step,
            Measure("wer", error, 12, 40.0, {"terms": 3, "rules": 1, "ladder": 1}),
        )

    page = browser_page
    _signed_in(page, server, "olga", "owner-pass-1")
    page.set_viewport_size({"width": 1300, "height": 1900})
    page.goto(f"{server}/draft-quality?project={drafted.id}")
    expect(page.get_by_role("heading", name="Draft WER by batch")).to_be_visible()
    expect(
        page.get_by_role("heading", name="On the held-out segments, step by step")
    ).to_be_visible()
    drawn = page.locator(f"{CHARTS} canvas, {CHARTS} svg.marks")
    expect(drawn.nth(1)).to_be_visible()  # both charts drew
    expect(page.get_by_role("button", name="Measure the drafts now")).to_be_visible()
    page.wait_for_timeout(800)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "draft_quality.png"
    page.screenshot(path=str(shot), full_page=True)
    DOCS.mkdir(exist_ok=True)
    shutil.copyfile(shot, DOCS / "draft_quality.png")
    assert store.list_measures(wb.db, drafted.id)
