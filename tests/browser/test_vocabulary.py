"""In headless Chromium, the owner's Vocabulary page after labellers fixed the same draft word
the same way: the learned term, the suggested rule, the prompt the next drafts get. The owner
accepts the rule from the page. Takes docs/vocabulary.png."""

from __future__ import annotations

import shutil
import time

from tests.browser.helpers import BROWSER_MARKS, DOCS, _signed_in, expect
from tests.conftest import ARTIFACTS
from workbench import store
from workbench.labelling.labeller_edits import save_segment
from workbench.learning import learn
from workbench.projects import people
from workbench.review.verdicts import approve

pytestmark = BROWSER_MARKS


def _taught(wb, project) -> None:
    """'x0' written 'kubectl' by lena and mia, approved; the owner learned and uses the terms."""
    owner = people.create_first_owner(wb, "olga", "owner-pass-1").user
    boss = wb.as_user(owner)
    for name in ("lena", "mia"):
        people.create_user(boss, name, "labeler", "secret-pass")
    people.set_members(boss, project.id, [u.id for u in store.list_users(wb.db)
                                          if u.role.value != "owner"])
    queue = store.segment_queue(wb.db, project.id)
    for index, name in ((0, "lena"), (3, "mia")):
        q = queue[index]
        save_segment(wb.as_user(store.find_user(wb.db, name)[0]), q["id"], 1, "w0 kubectl",
                     q["start"], q["end"])
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
    page.wait_for_timeout(1500)  # the table draws
    DOCS.mkdir(parents=True, exist_ok=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "vocabulary.png"), full_page=True)
    shutil.copyfile(DOCS / "vocabulary.png", ARTIFACTS / "vocabulary.png")

    page.get_by_role("button", name="Accept").click()
    deadline = time.monotonic() + 20
    while not learn.rewrites_of(wb, drafted.id, "accepted"):
        assert time.monotonic() < deadline, "the acceptance never reached the store"
        time.sleep(0.1)
    expect(page.get_by_text("Rule accepted")).to_be_visible()
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
