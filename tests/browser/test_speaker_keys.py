"""The speaker registry in headless Chromium: the speaker picked by its key (the registry's
order, not the alphabet's) is shown with what the registry says of it, and saved."""

from __future__ import annotations

from tests.browser.helpers import BROWSER_MARKS, _editor, expect
from workbench import store
from workbench.labelling.shortcuts import SHORTCUTS
from workbench.projects.speakers import add_speaker

pytestmark = BROWSER_MARKS


def _pressed(action: str, index: int = 0) -> str:
    """The `index`th key combination of `action` in the shortcut table, as Playwright presses it."""
    keys = next(s for s in SHORTCUTS if s.action == action).keys[index]
    mods = [m for m, on in (("Control", keys.ctrl), ("Alt", keys.alt), ("Shift", keys.shift)) if on]
    return "+".join([*mods, keys.code])


def test_a_speaker_picked_by_its_key_is_saved(wb, drafted, server, browser_page):
    add_speaker(wb, drafted, "M02", gender="male", age="40대")
    add_speaker(wb, drafted, "F01", gender="female", age="20대", region="서울")
    page = browser_page
    queue = store.segment_queue(wb.db, drafted.id)
    _editor(page, server, len(queue))
    speaker = page.locator(".ed-speaker")
    expect(speaker.locator("option")).to_have_text(
        ["—", "1 · M02 · male, 40대", "2 · F01 · female, 20대, 서울"]
    )
    page.locator(".ed-text").click()
    page.keyboard.press(_pressed("speaker", 2))
    expect(speaker).to_have_value("F01")
    expect(page.locator(".ed-note")).to_have_text("Speaker 2: F01 · female, 20대, 서울")
    page.keyboard.press(_pressed("save"))
    expect(page.get_by_text(f"Saved segment #{queue[0]['id']} (revision 2).")).to_be_visible()
    assert store.get_segment(wb.db, queue[0]["id"]).speaker == "F01"
    page.keyboard.press(_pressed("speaker", 0))  # none
    expect(speaker).to_have_value("")
