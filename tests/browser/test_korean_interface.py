"""The interface in Korean, in headless Chromium: a labeller switches it on the Account page; the
sidebar, the editor page and the editor component then speak Korean, and the convention
checks tell her in plain Korean what to fix, quoting the place. The screenshot is
docs/korean-interface.png."""

from __future__ import annotations

from tests.browser.helpers import (
    BROWSER_MARKS,
    _docs_screenshot,
    _owner_and_crowd,
    _sign_in,
    expect,
)
from workbench import store

pytestmark = BROWSER_MARKS


def test_a_labeller_switches_the_interface_to_korean(wb, drafted, server, browser_page):
    page = browser_page
    project = store.update_project(wb.db, drafted.id, language="ko", conventions="kspon")
    _owner_and_crowd(wb, project, {"lena": "labeler"})
    store.set_pref(wb.db, "lena", "language", "en")  # she chose English once: no Korean yet
    _sign_in(page, server, "lena", "secret-pass")
    expect(page.get_by_role("link", name="Editor")).to_be_visible()

    page.goto(f"{server}/account")
    page.get_by_text("한국어").click()
    expect(page.get_by_role("heading", name="내 계정")).to_be_visible()
    expect(page.get_by_role("link", name="전사 편집기")).to_be_visible()  # the sidebar too
    assert store.get_prefs(wb.db, "lena")["language"] == "ko"

    page.set_viewport_size({"width": 1300, "height": 1450})  # the screenshot: down to the checks
    page.goto(f"{server}/editor")
    expect(page.get_by_role("heading", name="전사 편집기")).to_be_visible()
    expect(page.get_by_text("구간 1 /")).to_be_visible()
    expect(page.locator(".ed-save-next")).to_have_text("저장 후 다음")  # the component
    expect(page.locator(".ed-play")).to_contain_text("구간")
    expect(page.locator(".ed-text")).to_have_attribute("aria-label", "전사")
    assert "Ctrl+Enter" in page.locator(".ed-save-next").get_attribute("title")

    box = page.locator(".ed-text")
    box.fill("어제  3시에 친구를 만났어요")
    expect(page.get_by_text("숫자가 있습니다")).to_be_visible()  # what to do, in Korean
    expect(page.get_by_text("단어 사이에 빈칸이 2개 있습니다. 한 칸만 띄우세요.")).to_be_visible()
    expect(page.locator("mark", has_text="3")).to_be_visible()  # the place, marked in the text
    expect(page.get_by_text("오류", exact=True)).to_be_visible()  # the level in words
    _docs_screenshot(page, "korean-interface.png")
