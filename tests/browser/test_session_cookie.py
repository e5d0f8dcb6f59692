"""The session cookie: a copy of it works only in the browser that signed in (its User-Agent
and network), not in another one (workbench.projects.people.binding)."""

from __future__ import annotations

from tests.browser.helpers import BROWSER_MARKS, _sign_in, expect
from workbench.projects import people
from workbench.ui.cookie import COOKIE

pytestmark = BROWSER_MARKS


def test_a_copied_cookie_does_not_sign_in_another_browser(wb, drafted, server, browser_page):
    people.create_first_owner(wb, "olga", "owner-pass-1")
    page = browser_page
    _sign_in(page, server, "olga", "owner-pass-1")
    cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE)
    page.reload()  # the cookie alone signs its own browser in again
    expect(page.get_by_text("Signed in as olga")).to_be_visible()

    thief = page.context.browser.new_context(user_agent="Mozilla/5.0 (stolen copy)")
    try:
        other = thief.new_page()
        thief.add_cookies([cookie])
        other.goto(server)
        expect(other.get_by_role("button", name="Sign in")).to_be_visible()
        assert not other.get_by_text("Signed in as").count()
    finally:
        thief.close()
