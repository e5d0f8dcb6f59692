"""In headless Chromium, the corpus audit as a reviewer meets it: a NeMo manifest of real
speech with one wrong label, Whisper's second opinion, the audit page (numbers, charts, the
ranking), and the review page in the audit's order, where the wrong label comes first and is
fixed & approved by keyboard. Takes the README's screenshots docs/audit.png and
docs/review.png."""

from __future__ import annotations

import shutil

import pytest

from tests.browser.helpers import DOCS, _signed_in, _wait_status, expect
from tests.conftest import ARTIFACTS, needs_shared
from tests.helpers.audit import WRONG, licence_manifest
from workbench import store
from workbench.asr import load_engine
from workbench.intake.transcripts import AudioScope, import_any
from workbench.projects import people
from workbench.projects.settings import ensure_project
from workbench.review.corpus_audit import audit_options, run_audit_job, start_audit_job

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_shared]


def test_audit_and_review_by_disagreement_in_the_browser(wb, tmp_path, server, browser_page):
    owner = people.create_first_owner(wb, "olga", "owner-pass-1").user
    as_owner = wb.as_user(owner)
    people.create_user(as_owner, "rita", "reviewer", "secret-pass")
    project = ensure_project(as_owner, "licence corpus", "en")
    people.set_members(as_owner, project.id, [store.find_user(wb.db, "rita")[0].id])
    manifest, count = licence_manifest(tmp_path)
    import_any(as_owner, project, [manifest], audio_from=AudioScope.server())
    engine = load_engine(project.asr_engine, project.asr_model, wb.settings.models_dir)
    run_audit_job(as_owner, start_audit_job(as_owner, project, {}), engine, audit_options(project))
    wrong = next(q["id"] for q in store.segment_queue(wb.db, project.id) if q["text"] == WRONG)

    page = browser_page
    _signed_in(page, server, "rita", "secret-pass")
    page.goto(f"{server}/audit?project={project.id}")
    expect(page.get_by_text("Largest disagreement (WER) first")).to_be_visible()
    expect(page.get_by_text(f"{count} / {count}")).to_be_visible()  # second opinions
    expect(page.locator("[data-testid='stVegaLiteChart']").first).to_be_visible()
    page.set_viewport_size({"width": 1300, "height": 2300})  # the whole page, charts included
    page.wait_for_timeout(1500)  # the charts draw
    DOCS.mkdir(parents=True, exist_ok=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "audit.png"), full_page=True)
    shutil.copyfile(DOCS / "audit.png", ARTIFACTS / "audit.png")

    page.set_viewport_size({"width": 1300, "height": 1000})
    page.get_by_role("button", name="Review in this order").click()
    expect(page.get_by_text(f"Segment 1 of {count} to review")).to_be_visible()
    expect(page.locator(".ed-text")).to_have_value(WRONG)
    expect(page.get_by_text("Second opinion", exact=False).first).to_be_visible()
    expect(page.locator(".ed-canvas")).to_be_visible()
    page.wait_for_timeout(500)
    page.screenshot(path=str(DOCS / "review.png"), full_page=True)
    shutil.copyfile(DOCS / "review.png", ARTIFACTS / "review.png")
    page.locator(".ed-text").fill("the above copyright notice and this permission notice")
    page.keyboard.press("Control+Enter")
    _wait_status(wb, wrong, "approved")
    latest = store.list_revisions(wb.db, wrong)[-1]
    assert (latest.source, latest.author) == ("review", "rita")
    expect(page.get_by_text(f"Segment 1 of {count - 1} to review")).to_be_visible()
