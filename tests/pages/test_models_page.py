"""The Models page (owners): start a fine-tune, its progress and end, the versions table, and
the buttons that choose a version or the base model; not offered to other roles."""

from __future__ import annotations

import pytest

from tests.conftest import PG_URL, open_page
from tests.helpers.scripted_engines import script
from tests.helpers.tuning import PARAMS
from workbench import store
from workbench.tuning.jobs import run_tune_job, start_tune_job

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="the pages open the home's SQLite database")
PAGE = "workbench/pages/models.py"


def _page(home, project_id, user=("olga", "owner")):
    at = open_page(home, PAGE, project_id, user)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_owner_starts_a_fine_tune_and_sees_the_new_version(home, wb, project, monkeypatch):
    from workbench.ui import jobs

    script(monkeypatch, wb, project, new_is_better=True)
    at = _page(home, project.id)
    assert any("No fine-tuned version yet" in i.value for i in at.info)
    assert any("**tiny**" in m.value for m in at.markdown)
    method = next(s.key for s in at.selectbox if s.key.startswith("tune_method"))
    at.selectbox(key=method).set_value("decoder")
    steps = next(n.key for n in at.number_input if n.key.startswith("tune_steps"))
    at.number_input(key=steps).set_value(2)
    at.button(key=next(b.key for b in at.button if "start_tune" in b.key)).click().run()
    assert not at.exception, [e.value for e in at.exception]
    job = store.latest_job(wb.db, project.id, "tune")
    assert job is not None and job.params["method"] == "decoder" and job.params["steps"] == 2
    jobs.wait(job.id, 120)
    assert store.get_job(wb.db, job.id).state == "done"
    at = _page(home, project.id)
    table = at.dataframe[0].value
    assert list(table["version"]) == ["v1"] and table["state"][0].startswith("in use")
    assert at.button(key=f"use_model_{project.id}_1").disabled
    at.button(key=f"use_base_{project.id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.get_project(wb.db, project.id).asr_model == "tiny"
    assert any("drafts from now on" in s.value for s in at.success)
    at.button(key=f"use_model_{project.id}_1").click().run()
    assert store.get_project(wb.db, project.id).asr_model == f"project-{project.id}/v1"


def test_a_version_not_better_is_shown_with_why(home, wb, project, monkeypatch):
    script(monkeypatch, wb, project, new_is_better=False)
    run_tune_job(wb, start_tune_job(wb, project, PARAMS))
    at = _page(home, project.id)
    state = at.dataframe[0].value["state"][0]
    assert "not better on the held-out set" in state
    assert not at.button(key=f"use_model_{project.id}_1").disabled
    assert at.button(key=f"use_base_{project.id}").disabled  # the base drafts now
    assert any("not better" in s.value for s in at.success)  # the last job's outcome


def test_a_running_job_shows_progress_and_cancels(home, wb, project):
    job = start_tune_job(wb, project, PARAMS)
    store.update_job(wb.db, job.id, message="training: step 1/3, loss 9.000", done=2.0)
    at = _page(home, project.id)
    assert at.button(key=f"cancel_tune_{project.id}")
    at.button(key=f"cancel_tune_{project.id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.cancel_requested(wb.db, job.id)
    assert at.get("progress")  # the bar with the job's message


def test_wrong_settings_are_refused_on_the_page(home, wb, project):
    store.update_project(wb.db, project.id, holdout_share=0.0)
    at = _page(home, project.id)
    at.button(key=next(b.key for b in at.button if "start_tune" in b.key)).click().run()
    assert any(
        "Not started" in e.value and "not enough final segments" in e.value for e in at.error
    )
    assert store.latest_job(wb.db, project.id, "tune") is None


@pytest.mark.parametrize("role", ["labeler", "reviewer"])
def test_other_roles_are_not_offered_the_page(home, wb, project, role):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP, session_token

    at = open_page(home, "workbench/pages/overview.py", project.id, ("lee", role))
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE).run()
    # the page itself, reached without the router, is refused by the service
    page = AppTest.from_file(
        str(APP.parent / "workbench" / "pages" / "models.py"), default_timeout=60
    )
    page.session_state["wb_token"] = session_token(home, "lee", role)
    page.session_state["project_id"] = project.id
    page.run()
    assert [e.proto.type for e in page.exception] == ["workbench.core.access.Forbidden"]


def test_a_cancelled_fine_tune_says_so_once_and_lists_no_version(home, wb, project):
    job = start_tune_job(wb, project, PARAMS)
    version = store.model_of_job(wb.db, job.id)
    # as the job ends when cancelled (tests/tuning/test_jobs.py runs it)
    store.update_model(wb.db, version.id, state="cancelled")
    store.update_job(wb.db, job.id, state="cancelled", message="cancelled; no version was kept")
    at = _page(home, project.id)
    said = [m.value for m in (*at.info, *at.success, *at.error, *at.markdown)]
    assert sum(text.count("cancelled") for text in said) == 1, said
    assert any("cancelled; no version was kept" in text for text in said)
    assert not at.dataframe  # no 'v1 cancelled' row
    assert any("No fine-tuned version yet" in i.value for i in at.info)
