"""Whose time zone: a person's choice (Account page), else the project's (Asia/Seoul for a
Korean project, set when it is made, changed by the owner), else the server's; and the pages
that show times in it (AppTest). The server's zone is UTC in the tests (tests/conftest.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.conftest import as_user
from tests.helpers.pages import _no_errors
from workbench import store
from workbench.core.access import Forbidden
from workbench.core.errors import WorkbenchError
from workbench.projects.settings import ensure_project, update_settings
from workbench.projects.time_zones import my_zone, my_zone_choice, project_zone, set_my_zone
from workbench.store.schema import events
from workbench.ui.common import form_key

SEOUL = ZoneInfo("Asia/Seoul")
UTC = ZoneInfo("UTC")


def test_a_korean_project_is_made_in_seoul_time(wb):
    korean = ensure_project(wb, "한국어", "ko")
    other = ensure_project(wb, "english", "en")
    assert (korean.time_zone, other.time_zone) == ("Asia/Seoul", None)
    assert (project_zone(korean), project_zone(other)) == (SEOUL, UTC)


def test_the_owner_changes_the_projects_zone_from_the_iana_list(wb):
    project = ensure_project(wb, "demo", "en")
    assert update_settings(wb, project.id, time_zone=" Europe/Berlin ").time_zone == (
        "Europe/Berlin"
    )
    for wrong in ("Berlin", "Europe/Nowhere", "../etc/passwd"):
        with pytest.raises(WorkbenchError, match="unknown time zone"):
            update_settings(wb, project.id, time_zone=wrong)
    assert store.get_project(wb.db, project.id).time_zone == "Europe/Berlin"
    assert update_settings(wb, project.id, time_zone="").time_zone is None  # the server's
    with pytest.raises(Forbidden):
        update_settings(as_user(wb, "lena"), project.id, time_zone="Asia/Seoul")
    logged = store.list_events(wb.db, project_id=project.id)
    assert any("time_zone" in e["detail"] for e in logged if e["action"] == "settings changed")


def test_a_persons_zone_comes_before_the_projects(wb):
    korean = ensure_project(wb, "한국어", "ko")
    lena, otto = as_user(wb, "lena"), as_user(wb, "otto")
    assert my_zone(lena, korean) == SEOUL and my_zone(lena) == UTC  # no project: the server's
    assert set_my_zone(lena, "America/New_York") == "America/New_York"
    assert my_zone(lena, korean) == my_zone(lena) == ZoneInfo("America/New_York")
    assert my_zone(otto, korean) == SEOUL  # one person's choice is theirs only
    with pytest.raises(WorkbenchError, match="unknown time zone"):
        set_my_zone(lena, "Mars/Olympus")
    assert my_zone_choice(lena) == "America/New_York"
    assert set_my_zone(lena, "") is None and my_zone(lena, korean) == SEOUL


# ---------------------------------------------------------------- pages (AppTest)


def _audit_times(at) -> list[str]:
    log = at.dataframe[-1].value  # the audit log: last on the page, its columns in Korean here
    return list(log.iloc[:, 0])  # when


def test_pages_show_times_in_seoul_and_follow_the_persons_choice(app, wb):
    """A Korean project's owner reads the audit log in Seoul time; choosing Berlin on the
    Account page changes it on the next page they open."""
    korean = ensure_project(wb, "한국어", "ko")
    store.log_event(wb.db, "olga", "test event", korean.id, {})
    with wb.db.begin() as conn:  # 00:30 on 1 March in Seoul
        conn.execute(
            sa.update(events)
            .where(events.c.action == "test event")
            .values(at=datetime(2025, 2, 28, 15, 30))
        )
    at = app("workbench/pages/people.py", project_id=korean.id, user=("olga", "owner"))
    _no_errors(at)
    assert "2025-03-01 00:30 KST" in _audit_times(at)
    at.switch_page("workbench/pages/account.py").run()
    _no_errors(at)
    assert any("(Asia/Seoul)" in t.value for t in at.text)  # now, in the project's zone
    at.selectbox(key="tz_choice").set_value("Europe/Berlin")
    at.button(key="tz_save").click().run()
    _no_errors(at)
    assert any("(Europe/Berlin)" in t.value for t in at.text)
    assert my_zone_choice(as_user(wb, "olga")) == "Europe/Berlin"
    at.switch_page("workbench/pages/people.py").run()
    times = _audit_times(at)
    assert "2025-02-28 16:30 CET" in times and "2025-03-01 00:30 KST" not in times
    at.switch_page("workbench/pages/account.py").run()
    at.selectbox(key="tz_choice").set_value("")  # back to the project's
    at.button(key="tz_save").click().run()
    at.switch_page("workbench/pages/people.py").run()
    assert "2025-03-01 00:30 KST" in _audit_times(at)


def test_the_owner_sets_the_projects_zone_on_the_projects_page(app, wb):
    project = ensure_project(wb, "demo", "en")
    at = app("workbench/pages/projects.py", project_id=project.id)
    _no_errors(at)
    at.selectbox(key=form_key(project, "set_time_zone")).set_value("Asia/Seoul")
    at.button(key=form_key(project, "save_time_zone")).click().run()
    _no_errors(at)
    assert store.get_project(wb.db, project.id).time_zone == "Asia/Seoul"
