"""In headless Chromium, the owner's Models page after two fine-tunes (one better on the
held-out set and in use, one not better and left unused); the owner chooses the other
version from the page. Takes docs/models.png."""

from __future__ import annotations

import shutil
import time

from tests.browser.helpers import BROWSER_MARKS, DOCS, _signed_in, expect
from tests.conftest import ARTIFACTS
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
    run_tune_job(wb, start_tune_job(wb, store.get_project(wb.db, project.id),
                                    {**PARAMS, "method": "lora"}))
    people.create_first_owner(wb, "olga", "owner-pass-1")
    page = browser_page
    _signed_in(page, server, "olga", "owner-pass-1")
    page.goto(f"{server}/models?project={project.id}")
    expect(page.get_by_role("heading", name="Versions")).to_be_visible()
    expect(page.get_by_role("button", name="Use v2")).to_be_enabled()
    expect(page.get_by_role("button", name="Use v1")).to_be_disabled()
    page.wait_for_timeout(1500)  # the table draws
    DOCS.mkdir(parents=True, exist_ok=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "models.png"), full_page=True)
    shutil.copyfile(DOCS / "models.png", ARTIFACTS / "models.png")

    page.get_by_role("button", name="Use v2").click()
    deadline = time.monotonic() + 20
    while store.get_project(wb.db, project.id).asr_model != f"project-{project.id}/v2":
        assert time.monotonic() < deadline, "the choice never reached the store"
        time.sleep(0.1)
    expect(page.get_by_text("v2 drafts from now on.")).to_be_visible()
    expect(page.get_by_role("button", name="Use v1")).to_be_enabled()
