"""In headless Chromium, the owner's Models page after two fine-tunes (one better on the
held-out set and in use, one not better and left unused); the owner chooses the other
version from the page. Takes docs/models.png."""

from __future__ import annotations

from tests.browser.helpers import BROWSER_MARKS, _docs_screenshot, _signed_in, _wait_until, expect
from tests.helpers.scripted_engines import script
from tests.helpers.tuning import PARAMS
from workbench import store
from workbench.projects import people
from workbench.tuning.jobs import run_tune_job, start_tune_job

pytestmark = BROWSER_MARKS


def test_models_page_in_the_browser(wb, project, server, browser_page, monkeypatch):
    script(monkeypatch, wb, project, new_is_better=True)
    run_tune_job(wb, start_tune_job(wb, project, PARAMS))
    script(monkeypatch, wb, project, new_is_better=False)
    run_tune_job(
        wb, start_tune_job(wb, store.get_project(wb.db, project.id), {**PARAMS, "method": "lora"})
    )
    people.create_first_owner(wb, "olga", "owner-pass-1")
    page = browser_page
    _signed_in(page, server, "olga", "owner-pass-1")
    page.goto(f"{server}/models?project={project.id}")
    expect(page.get_by_role("heading", name="Versions")).to_be_visible()
    expect(page.get_by_role("button", name="Use v2")).to_be_enabled()
    expect(page.get_by_role("button", name="Use v1")).to_be_disabled()
    _docs_screenshot(page, "models.png")

    page.get_by_role("button", name="Use v2").click()
    _wait_until(
        lambda: store.get_project(wb.db, project.id).asr_model == f"project-{project.id}/v2",
        "the choice never reached the store",
    )
    expect(page.get_by_text("v2 drafts from now on.")).to_be_visible()
    expect(page.get_by_role("button", name="Use v1")).to_be_enabled()
