"""In headless Chromium, a new labeller's first day under the crowd rules: the qualification
test item by item in the editor (the draft pre-filled, typed over, Ctrl+Enter), the score and
the diffs, the queue opening after a pass; then a blind second label of a colleague's segment,
which shows the draft, not the colleague's text."""

from __future__ import annotations

import re

from tests.browser.helpers import BROWSER_MARKS, DOCS, _owner_and_crowd, _signed_in, expect
from tests.conftest import ARTIFACTS
from workbench import store
from workbench.core.records import Edit
from workbench.crowd import gold as crowd_gold
from workbench.labelling.labeller_edits import save

pytestmark = BROWSER_MARKS


def test_qualification_then_a_second_label_in_the_browser(wb, drafted, server, browser_page):
    as_owner = _owner_and_crowd(wb, drafted, {"lena": "labeler", "mia": "labeler"})
    ids = [q["id"] for q in store.segment_queue(wb.db, drafted.id)]
    gold = {ids[0]: "the quick brown fox", ids[1]: "jumps over the lazy dog"}
    for sid, text in gold.items():
        crowd_gold.mark_gold(as_owner, sid, text, in_test=True)
    store.update_project(
        wb.db, drafted.id, qualify_required=True, qualify_max_error=0.3, double_share=1.0
    )
    mia = wb.as_user(store.find_user(wb.db, "mia")[0])
    store.set_standing(wb.db, drafted.id, "mia", passed_at=store.now())
    seg = store.get_segment(wb.db, ids[2])
    save(mia, ids[2], seg.version, Edit("what mia heard", seg.start, seg.end))
    page = browser_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    _signed_in(page, server, "lena", "secret-pass")
    page.goto(f"{server}/editor?project={drafted.id}")
    answers = {ids[0]: "the quick brown box", ids[1]: "jumps over the lazy dog"}
    for k in (1, 2):
        expect(page.get_by_text(f"Qualification test: item {k} of 2", exact=False)).to_be_visible()
        # the draft is pre-filled, never the gold text
        drafts = {store.segment_view(wb.db, i).draft.text: i for i in answers}
        expect(page.locator(".ed-text")).to_have_value(re.compile("|".join(map(re.escape, drafts))))
        shown = drafts[page.locator(".ed-text").input_value()]
        page.locator(".ed-text").fill(answers[shown])
        page.keyboard.press("Control+Enter")
        if k == 1:
            expect(page.get_by_text("Saved test item 1 of 2")).to_be_visible()
    expect(page.get_by_text("Test finished: you passed", exact=False)).to_be_visible()
    page.get_by_text("Your qualification test: passed", exact=False).click()
    expect(page.locator("del").first).to_be_visible()  # 'fox' struck through, 'box' added
    page.screenshot(path=str(ARTIFACTS / "qualification.png"), full_page=True)
    page.screenshot(path=str(DOCS / "qualification.png"), full_page=True)

    # the queue is open; its first item is the blind second label of mia's segment
    expect(page.get_by_text("Second label", exact=False)).to_be_visible()
    expect(page.locator(".ed-text")).to_have_value(store.segment_view(wb.db, ids[2]).draft.text)
    page.locator(".ed-text").fill("what lena heard")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("Saved your label of segment", exact=False)).to_be_visible()
    row = store.list_answers(wb.db, drafted.id, kind="second")[0]
    assert (row["user_name"], row["other"], row["text"]) == ("lena", "mia", "what lena heard")
    assert store.get_segment(wb.db, ids[2]).status.value == "labeled"  # went to review
    expect(page.get_by_text("Segment 1 of", exact=False)).to_be_visible()
