"""The browser's history: one press of Back leaves a page, as on any web site (the server
adding ?project= or ?segment= to a page's address adds no entry of its own)."""

from __future__ import annotations

from tests.browser.helpers import BROWSER_MARKS, expect

pytestmark = BROWSER_MARKS


def _back(page) -> None:
    page.go_back()
    page.wait_for_timeout(1000)  # a second entry of the same page would show itself now


def test_one_back_press_leaves_the_overview(drafted, server, browser_page):
    page = browser_page
    page.goto(f"{server}/projects?project={drafted.id}")
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    page.goto(f"{server}/")  # typed: the project is not in the address
    expect(page.get_by_role("heading", name="Speech workbench")).to_be_visible()
    page.wait_for_timeout(1000)
    _back(page)
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    assert "/projects" in page.url

    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_text("Editor").click()
    expect(page.get_by_text("Segment 1 of 6")).to_be_visible()
    nav.get_by_text("Overview").click()
    expect(page.get_by_role("heading", name="Speech workbench")).to_be_visible()
    page.wait_for_timeout(1000)
    _back(page)
    expect(page.get_by_text("Segment 1 of 6")).to_be_visible()
    assert "/editor" in page.url
