"""Every page's address opened cold in Chromium (a new browser context, no session yet): the
router at the repository root serves it, with its project, and nothing fails."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import BROWSER_MARKS, expect
from tests.conftest import ROOT

pytestmark = BROWSER_MARKS

# the router's table: "slug": ("workbench/pages/<file>.py", "Title", ...
SLUGS = re.findall(
    r'"([a-z-]+)": \(\s*"workbench/pages/\w+\.py"',
    (ROOT / "streamlit_app.py").read_text(encoding="utf-8"),
)


def test_the_router_lists_every_page():
    pages = {p.stem for p in (ROOT / "workbench" / "pages").glob("*.py")}
    assert len(SLUGS) == len(pages) - 2  # all but the sign-in and set-up pages, reached apart


@pytest.mark.parametrize("slug", SLUGS)
def test_a_cold_deep_link_opens_its_page(slug, drafted, server, browser_page):
    page = browser_page
    context = page.context.browser.new_context(viewport={"width": 1300, "height": 1000})
    cold = context.new_page()
    path = "" if slug == "overview" else slug  # the default page's address is the root
    try:
        cold.goto(f"{server}/{path}?project={drafted.id}")
        # the page's title: the sidebar may hold headings too (the guidelines, folded)
        expect(cold.get_by_test_id("stMain").locator("h1").first).to_be_visible()
        cold.wait_for_timeout(500)
        assert not cold.get_by_text("Page not found").count()
        assert not cold.get_by_test_id("stException").count(), slug
        assert f"/{path}?" in cold.url and f"project={drafted.id}" in cold.url
    finally:
        context.close()
