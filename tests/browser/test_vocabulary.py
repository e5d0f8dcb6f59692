"""In headless Chromium, the owner's Vocabulary page after labellers fixed the same draft word
the same way: the learned term, the suggested rule, the prompt the next drafts get. The owner
accepts the rule from the page. Takes docs/vocabulary.png."""

from __future__ import annotations

from tests.browser.helpers import (
    BROWSER_MARKS,
    _docs_screenshot,
    _owner_and_crowd,
    _signed_in,
    _wait_until,
    expect,
)
from workbench import store
from workbench.labelling.labeller_edits import save_segment
from workbench.learning import learn
from workbench.review.verdicts import approve

pytestmark = BROWSER_MARKS


def _taught(wb, project) -> None:
    """'x0' written 'kubectl' by lena and mia, approved; the owner learned and uses the terms."""
    boss = _owner_and_crowd(wb, project, {"lena": "labeler", "mia": "labeler"})
    queue = store.segment_queue(wb.db, project.id)
    for index, name in ((0, "lena"), (3, "mia")):
        q = queue[index]
        save_segment(
            wb.as_user(store.find_user(wb.db, name)[0]),
            q["id"],
            1,
            "w0 kubectl",
            q["start"],
            q["end"],
        )
        approve(boss, q["id"], 2)
    learn.learn(boss, project)
    learn.add_term(boss, project.id, "Argo CD")
    learn.set_use_terms(boss, project.id, True)


def test_vocabulary_page_in_the_browser(wb, drafted, server, browser_page):
    _taught(wb, drafted)
    page = browser_page
    _signed_in(page, server, "olga", "owner-pass-1")
    page.goto(f"{server}/vocabulary?project={drafted.id}")
    expect(page.get_by_role("heading", name="Suggested rules")).to_be_visible()
    expect(page.get_by_text("x0 → kubectl")).to_be_visible()
    expect(page.get_by_text("Argo CD, kubectl").first).to_be_visible()  # the prompt
    page.set_viewport_size({"width": 1300, "height": 1700})
    _docs_screenshot(page, "vocabulary.png")

    page.get_by_role("button", name="Accept").click()
    _wait_until(
        lambda: bool(learn.rewrites_of(wb, drafted.id, "accepted")),
        "the acceptance never reached the store",
    )
    expect(page.get_by_text("Rule accepted")).to_be_visible()
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
