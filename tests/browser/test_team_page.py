"""In headless Chromium, the owner's Team page with a crowd at work: work handed out and
capped, gold in the test, one labeller passed but paused by the defect rules, one who failed
the test. The owner allows another attempt from the page. Takes docs/team.png."""

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
from workbench.crowd import claims, qualification
from workbench.crowd import gold as crowd_gold
from workbench.labelling.labeller_edits import save_segment
from workbench.projects.settings import update_settings
from workbench.review.verdicts import reject

pytestmark = BROWSER_MARKS

REFERENCE = "alpha beta gamma delta"


def _crowd(wb, project) -> None:
    boss = _owner_and_crowd(wb, project, {"lena": "labeler", "mia": "labeler", "rita": "reviewer"})
    lena, mia, rita = (wb.as_user(store.find_user(wb.db, n)[0]) for n in ("lena", "mia", "rita"))
    first, second = store.list_recordings(wb.db, project.id)
    items = store.segments_of(wb.db, project.id, second.id)[:2]
    for seg in items:
        crowd_gold.mark_gold(boss, seg, REFERENCE, in_test=True)
    update_settings(
        boss,
        project.id,
        assignment="segment",
        qualify_required=True,
        gold_share=0.05,
        rules_min=1,
        double_share=0.1,
    )
    for seg in items:
        qualification.answer(lena, project.id, seg, REFERENCE)
        qualification.answer(mia, project.id, seg, "nothing like the reference")
    q = store.segment_queue(wb.db, project.id)[0]
    save_segment(lena, q["id"], 1, "lena's words", q["start"], q["end"])
    reject(rita, q["id"], store.get_segment(wb.db, q["id"]).version, "wrong text")
    claims.assign(boss, project.id, "lena", recording_id=first.id)
    claims.set_cap(boss, project.id, "mia", 20)


def test_team_page_in_the_browser(wb, drafted, server, browser_page):
    _crowd(wb, drafted)
    page = browser_page
    _signed_in(page, server, "olga", "owner-pass-1")
    page.goto(f"{server}/team?project={drafted.id}")
    expect(page.get_by_role("heading", name="Defect rules")).to_be_visible()
    expect(page.get_by_role("button", name="Allow another attempt")).to_be_visible()
    expect(page.get_by_role("button", name="Lift pause")).to_be_visible()
    page.set_viewport_size({"width": 1300, "height": 3000})
    _docs_screenshot(page, "team.png")

    page.get_by_role("button", name="Allow another attempt").click()
    _wait_until(
        lambda: store.get_standing(wb.db, drafted.id, "mia")["attempt"] == 1,
        "the retake never reached the store",
    )
    expect(page.get_by_text("mia may take the test again")).to_be_visible()
    expect(page.get_by_role("button", name="Allow another attempt")).to_have_count(0)
