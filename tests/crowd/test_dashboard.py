"""The owner's dashboard: its numbers on a constructed project (see
tests/helpers/dashboard_data.py), the pure pieces, who may see it, and the page (AppTest)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import as_user, open_page
from workbench import store
from workbench.core.access import Forbidden
from workbench.crowd.dashboard import by_day, dashboard, edit_scorer, labeller_rows, pair_rows
from workbench.projects.settings import ensure_project, update_settings
from workbench.ui.common import form_key


def test_progress_by_status(wb, worked):
    project, _, seconds = worked
    board = dashboard(wb, project.id)
    rows = {r.status: r for r in board.status}
    assert {s: r.segments for s, r in rows.items() if r.segments} == {
        "approved": 4,
        "rejected": 1,
        "labeled": 1,
    }
    approved = sum(seconds[k] for k in ((0, 0), (0, 1), (1, 0), (1, 2)))
    assert rows["approved"].hours == pytest.approx(approved / 3600)
    assert (board.segments, board.recordings, board.metric, board.empty) == (6, 2, "WER", False)


def test_throughput_counts_a_segment_on_its_first_labelled_day(wb, worked):
    project, ids, seconds = worked
    lena = as_user(wb, "lena")
    seg = store.get_segment(wb.db, ids[(0, 0)])  # labelled again today: still 1 March's
    from workbench.labelling.labeller_edits import save_segment

    save_segment(lena, seg.id, seg.version, "w0 x0 again", seg.start, seg.end)
    days = dashboard(wb, project.id).days
    assert [(d.day, d.segments) for d in days] == [
        (date(2025, 3, 1), 1),
        (date(2025, 3, 2), 0),
        (date(2025, 3, 3), 2),
        (date(2025, 3, 4), 0),
        (date(2025, 3, 5), 3),
    ]
    march_5 = seconds[(1, 0)] + seconds[(1, 1)] + seconds[(1, 2)]
    assert days[-1].minutes == pytest.approx(march_5 / 60)


def test_per_labeller_numbers(wb, worked):
    project, _, seconds = worked
    rows = {r.labeller: r for r in dashboard(wb, project.id).labellers}
    assert set(rows) == {"lena", "otto"}
    lena, otto = rows["lena"], rows["otto"]
    lena_minutes = (seconds[(0, 0)] + seconds[(0, 1)]) / 60
    assert (lena.items, lena.minutes) == (2, pytest.approx(lena_minutes))
    assert lena.active_per_minute == pytest.approx(60.0 / lena_minutes)  # 30 s a save
    assert otto.active_per_minute is None  # no active time measured
    assert (lena.reviews, lena.rejection_rate) == (2, 0.0)
    assert (otto.reviews, otto.rejection_rate) == (3, pytest.approx(1 / 3))
    assert (lena.golds, lena.gold_accuracy) == (2, pytest.approx(0.8))
    assert (otto.golds, otto.gold_accuracy) == (0, None)
    # lena: a1 unchanged (0), a2 'w1 y1' (1 of 2 words); otto: a3 two words added to two
    # (0.5), b1 rewritten (1, capped), b2 and b3 unchanged
    assert (lena.drafted, lena.draft_edit) == (2, pytest.approx(0.25))
    assert (otto.drafted, otto.draft_edit) == (4, pytest.approx(0.375))
    assert (lena.seconds, lena.agreement) == (1, pytest.approx(0.8))
    assert (otto.seconds, otto.agreement) == (1, pytest.approx(0.8))
    (pair,) = dashboard(wb, project.id).pairs
    assert (pair.first, pair.second, pair.items) == ("lena", "otto", 1)
    assert pair.agreement == pytest.approx(0.8)


def test_korean_projects_score_by_character(wb):
    project = ensure_project(wb, "ko", "ko", conventions="kspon")
    score = edit_scorer(project)
    assert score("안녕하세요", "안녕하세요") == 0.0
    assert score("안녕하세여", "안녕하세요") == pytest.approx(0.2)  # 1 of 5 characters
    assert score("전혀 다른 말입니다 정말로", "네") == 1.0  # capped
    assert dashboard(wb, project.id).metric == "CER"


def test_pure_pieces():
    assert by_day([], UTC) == ()
    first = [
        {"first": "2025-03-01 10:00:00.000000", "seconds": 30.0},
        {"first": datetime(2025, 3, 3, 23, 59), "seconds": 90.0},
    ]
    days = by_day(first, UTC)
    assert [(d.day, d.segments, d.minutes) for d in days] == [
        (date(2025, 3, 1), 1, 0.5),
        (date(2025, 3, 2), 0, 0.0),
        (date(2025, 3, 3), 1, 1.5),
    ]
    # in Seoul the second is 08:59 on the 4th (UTC+9)
    seoul = by_day(first, ZoneInfo("Asia/Seoul"))
    assert [(d.day, d.segments) for d in seoul] == [
        (date(2025, 3, 1), 1),
        (date(2025, 3, 2), 0),
        (date(2025, 3, 3), 0),
        (date(2025, 3, 4), 1),
    ]
    answers = [
        {"kind": "second", "user_name": "b", "other": "a", "error": 0.1},
        {"kind": "second", "user_name": "b", "other": "a", "error": 0.3},
        {"kind": "second", "user_name": "a", "other": "c", "error": 0.0},
        {"kind": "test", "user_name": "d", "other": None, "error": 0.9},
    ]
    pairs = {(p.first, p.second): p for p in pair_rows(answers)}
    assert set(pairs) == {("a", "b"), ("c", "a")}
    assert pairs[("a", "b")].error == pytest.approx(0.2)
    rows = {r.labeller: r for r in labeller_rows([], [], answers, [])}
    assert set(rows) == {"a", "b", "c"}  # a test answer alone makes no row
    assert rows["a"].seconds == 3 and rows["a"].agreement == pytest.approx(1 - 0.4 / 3)
    assert rows["b"].items == 0 and rows["b"].rejection_rate is None


def test_empty_project(wb):
    project = ensure_project(wb, "empty", "en")
    board = dashboard(wb, project.id)
    assert board.empty and board.days == () and board.labellers == () and board.pairs == ()


def test_only_owners_see_the_dashboard(wb, worked):
    project, _, _ = worked
    for name, role in (("lena", "labeler"), ("rita", "reviewer")):
        with pytest.raises(Forbidden):
            dashboard(as_user(wb, name, role), project.id)


# ---------------------------------------------------------------- the page


def _no_errors(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_dashboard_page_for_an_owner(home, wb, worked):
    project, _, _ = worked
    at = open_page(home, "workbench/pages/dashboard.py", project.id, ("olga", "owner"))
    _no_errors(at)
    assert at.title[0].value == "Dashboard"
    people = _table(at, "gold accuracy")
    assert list(people["labeller"]) == ["lena", "otto"]
    assert list(people["segments"]) == [2, 4]
    assert _table(at, "second label by").iloc[0]["second label by"] == "otto"
    # pay: March, per approved segment at 1.25, weighted
    at.date_input(key=f"pay_from_{project.id}").set_value(date(2025, 3, 1))
    at.date_input(key=f"pay_to_{project.id}").set_value(date(2025, 4, 1))
    stem = form_key(store.get_project(wb.db, project.id), "pay")
    at.selectbox(key=f"{stem}_unit").select("item")
    at.number_input(key=f"{stem}_rate").set_value(1.25)
    at.checkbox(key=f"{stem}_weighted").check()
    at.run()
    _no_errors(at)
    pay = _table(at, "amount")
    assert list(pay["labeller"]) == ["lena", "otto", "(total)"]
    assert list(pay["amount"]) == [1.88, 1.88, 3.76]
    at.button(key=f"pay_save_{project.id}").click().run()
    _no_errors(at)
    stored = store.get_project(wb.db, project.id)
    assert (stored.pay_unit, stored.pay_rate, stored.pay_weighted) == ("item", 1.25, True)
    assert any("Pay defaults saved" in s.value for s in at.success)
    assert at.button(key=f"pay_save_{project.id}").disabled  # nothing left to save
    at.date_input(key=f"pay_to_{project.id}").set_value(date(2025, 3, 1)).run()
    assert any("end must be after" in e.value for e in at.error)


def test_pay_on_the_page_says_what_is_final_and_pays_answers_when_chosen(home, wb, worked):
    project, _, _ = worked
    at = open_page(home, "workbench/pages/dashboard.py", project.id, ("olga", "owner"))
    _no_errors(at)
    said = " ".join(c.value for c in at.caption)
    assert "passed (not drawn for review)" in said and "Blind answers" in said
    stem = form_key(store.get_project(wb.db, project.id), "pay")
    assert at.checkbox(key=f"{stem}_answers").value is False  # off by default
    # this month: nothing became final (the work is dated March), the answers are unpaid
    assert any("No segment became final" in i.value for i in at.info)
    at.checkbox(key=f"{stem}_answers").check().run()
    _no_errors(at)
    pay = _table(at, "amount")
    assert list(pay["of them blind answers"]) == [2, 1, 3]  # lena, otto, the total
    at.button(key=f"pay_save_{project.id}").click().run()
    assert store.get_project(wb.db, project.id).pay_answers is True


def test_a_small_projects_dashboard_reads_in_seconds_and_shows_no_none(home, wb, worked):
    """A project of a few seconds of audio: durations in seconds (no 0.000 h axes), counts
    and durations side by side in the same form, and missing values shown as '–'."""
    import json

    project, _, _ = worked
    at = open_page(home, "workbench/pages/dashboard.py", project.id, ("olga", "owner"))
    _no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Audio"] == "5.5 s"
    assert (metrics["Labelled"], metrics["Approved"]) == ("5 · 4.5 s", "4 · 3.5 s")
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    titles = [
        axis.get("title") for spec in specs for axis in spec["encoding"].values() if "title" in axis
    ]
    assert "seconds of audio" in titles and not any("hours" in str(t) for t in titles)
    people = _table(at, "gold accuracy")
    assert "audio (s)" in people.columns
    assert people.isna().any().any()  # a missing value to show...
    assert {d.proto.placeholder for d in at.dataframe} == {"–"}  # ...as '–', never 'None'


def _table(at, column: str):
    """The one table of the page with `column`."""
    (table,) = [d.value for d in at.dataframe if column in d.value.columns]
    return table


def test_dashboard_page_of_an_empty_project(home, wb):
    project = ensure_project(wb, "empty", "en")
    at = open_page(home, "workbench/pages/dashboard.py", project.id, ("olga", "owner"))
    _no_errors(at)
    assert any("No segments yet" in i.value for i in at.info)


def test_dashboard_page_before_any_label(home, wb, drafted):
    update_settings(wb, drafted.id, pay_rate=1.0)
    at = open_page(home, "workbench/pages/dashboard.py", drafted.id, ("olga", "owner"))
    _no_errors(at)
    infos = [i.value for i in at.info]
    assert "Nothing labelled yet." in infos and "No labeller has saved a segment yet." in infos
    assert any("No segment became final" in i for i in infos)


def test_labellers_and_reviewers_do_not_get_the_page(home, wb, worked):
    project, _, _ = worked
    for name, role in (("nina", "labeler"), ("remy", "reviewer")):  # accounts that sign in
        at = open_page(home, "workbench/pages/overview.py", project.id, (name, role))
        _no_errors(at)
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page("workbench/pages/dashboard.py").run()
        assert not any(t.value == "Dashboard" for t in at.title)


def test_dashboard_page_in_korean(home, wb, worked):
    """Charts and tables keep working with their columns named in Korean."""
    project, _, _ = worked
    store.update_project(wb.db, project.id, interface_language="ko")
    at = open_page(home, "workbench/pages/dashboard.py", project.id, ("olga", "owner"))
    _no_errors(at)
    assert at.title[0].value == "대시보드"
    assert list(_table(at, "정답 문항 정확도")["전사자"]) == ["lena", "otto"]
    at.date_input(key=f"pay_from_{project.id}").set_value(date(2025, 3, 1))
    at.date_input(key=f"pay_to_{project.id}").set_value(date(2025, 4, 1)).run()
    _no_errors(at)
    assert list(_table(at, "금액")["전사자"]) == ["lena", "otto", "(total)"]
