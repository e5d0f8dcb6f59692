"""Numbers typed in a Korean project, in headless Chromium: the editor offers the dual form
with the reading under the text box, and writes it in only when the labeller presses the key."""

from __future__ import annotations

from tests.browser.helpers import BROWSER_MARKS, _editor, expect
from workbench import store
from workbench.labelling.shortcuts import SHORTCUTS

pytestmark = BROWSER_MARKS


def _pressed(action: str) -> str:
    """The key combination of `action` in the shortcut table, as Playwright presses it."""
    (keys,) = next(s for s in SHORTCUTS if s.action == action).keys
    mods = [m for m, on in (("Control", keys.ctrl), ("Alt", keys.alt), ("Shift", keys.shift)) if on]
    return "+".join([*mods, keys.code])


def test_typing_70_percent_offers_its_dual_form_and_one_key_writes_it(
    wb, drafted, server, browser_page
):
    # a Korean project speaks Korean to its members: this one keeps English (the texts below)
    store.update_project(
        wb.db, drafted.id, language="ko", conventions="kspon", interface_language="en"
    )
    page = browser_page
    queue = store.segment_queue(wb.db, drafted.id)
    box = _editor(page, server, len(queue))
    offer = page.locator(".ed-numeral")
    box.fill("")
    page.keyboard.type("약 70% 정도", delay=20)
    expect(offer).to_contain_text("70% → (70%)/(칠십 퍼센트)")
    expect(box).to_have_value("약 70% 정도")  # offered, not applied
    page.keyboard.press(_pressed("numeral"))
    expect(box).to_have_value("약 (70%)/(칠십 퍼센트) 정도")
    expect(offer).to_be_hidden()
    page.keyboard.press(_pressed("save"))
    expect(page.get_by_text(f"Saved segment #{queue[0]['id']} (revision 2).")).to_be_visible()
    assert store.segment_view(wb.db, queue[0]["id"]).text == "약 (70%)/(칠십 퍼센트) 정도"
