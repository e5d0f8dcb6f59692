"""The pay report: the arithmetic (pure), what is paid in a period, and the CLI."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import as_user
from workbench import store
from workbench.cli import main
from workbench.core.access import Forbidden
from workbench.core.errors import WorkbenchError
from workbench.core.records import Edit
from workbench.crowd.pay import (
    PayItem,
    csv_file_name,
    csv_text,
    pay_report,
    pay_rows,
    report_of,
    weight,
)
from workbench.labelling.labeller_edits import save
from workbench.projects.settings import update_settings
from workbench.projects.time_zones import set_my_zone
from workbench.review.sampling import drawn
from workbench.review.verdicts import fix_and_approve
from workbench.store.schema import reviews

MARCH = (date(2025, 3, 1), date(2025, 4, 1))


# ---------------------------------------------------------------- arithmetic (pure)


def test_weight_is_half_plus_the_clamped_edit():
    assert weight(0.0) == Decimal("0.5")
    assert weight(0.25) == Decimal("0.75")
    assert weight(1.0) == weight(3.0) == Decimal("1.5")  # capped
    assert weight(-0.2) == Decimal("0.5")
    assert weight(None) == Decimal(1)  # nothing to measure against


def test_per_item_and_per_minute():
    items = [PayItem("ann", 30.0), PayItem("ann", 90.0), PayItem("bob", 60.0)]
    per_item = {r.labeller: r for r in pay_rows(items, "item", Decimal("2.5"), False)}
    assert (per_item["ann"].items, per_item["ann"].units, per_item["ann"].amount) == (
        2,
        Decimal("2.0000"),
        Decimal("5.00"),
    )
    assert per_item["bob"].amount == Decimal("2.50")
    per_minute = {r.labeller: r for r in pay_rows(items, "minute", Decimal("0.8"), False)}
    assert (per_minute["ann"].minutes, per_minute["ann"].amount) == (
        Decimal("2.00"),
        Decimal("1.60"),
    )
    assert per_minute["bob"].amount == Decimal("0.80")


def test_weighted_units():
    items = [PayItem("ann", 60.0, 0.0), PayItem("ann", 60.0, 1.0), PayItem("ann", 60.0, None)]
    (row,) = pay_rows(items, "minute", Decimal(1), True)
    assert row.units == Decimal("3.0000")  # 0.5 + 1.5 + 1
    assert row.amount == Decimal("3.00")
    (row,) = pay_rows(items[:2], "item", Decimal(10), True)
    assert (row.units, row.amount) == (Decimal("2.0000"), Decimal("20.00"))
    (plain,) = pay_rows(items[:2], "item", Decimal(10), False)
    assert plain.units == Decimal("2.0000")


def test_totals_are_the_sums_of_the_rounded_rows():
    items = [PayItem(name, 60.0) for name in ("ann", "bob", "cy")]
    report = report_of(1, *MARCH, items, "item", 0.335, False)
    assert [r.amount for r in report.rows] == [Decimal("0.34")] * 3  # half up, each
    assert report.total.amount == Decimal("1.02")  # not 1.005 rounded
    many = report_of(1, *MARCH, [PayItem("ann", 1.0)] * 10, "item", 0.1, False)
    assert many.total.amount == Decimal("1.00")  # no float drift (0.1 * 10 in floats)
    thirds = report_of(
        1,
        *MARCH,
        [PayItem("ann", 20.0), PayItem("bob", 20.0), PayItem("cy", 20.0)],
        "minute",
        1.0,
        False,
    )
    assert [r.amount for r in thirds.rows] == [Decimal("0.33")] * 3
    assert thirds.total.amount == Decimal("0.99") == sum(r.amount for r in thirds.rows)


def test_report_checks_its_arguments():
    with pytest.raises(WorkbenchError, match="end must be after"):
        report_of(1, date(2025, 3, 2), date(2025, 3, 2), [], "item", 1.0, False)
    with pytest.raises(WorkbenchError, match="pay unit"):
        report_of(1, *MARCH, [], "hour", 1.0, False)
    with pytest.raises(WorkbenchError, match="0 or more"):
        report_of(1, *MARCH, [], "item", -1.0, False)


def test_csv_has_a_row_per_labeller_and_totals():
    report = report_of(
        1, *MARCH, [PayItem("ann", 90.0), PayItem("=cmd", 30.0)], "minute", 2.0, False
    )
    rows = list(csv.DictReader(io.StringIO(csv_text(report))))
    assert [r["labeller"] for r in rows] == ["'=cmd", "ann", "(total)"]  # never a formula
    assert [r["amount"] for r in rows] == ["1.00", "3.00", "4.00"]
    assert rows[-1]["items"] == "2" and rows[-1]["audio_minutes"] == "2.00"
    assert (rows[0]["from"], rows[0]["to"], rows[0]["unit"]) == (
        "2025-03-01",
        "2025-04-01",
        "minute",
    )


# ---------------------------------------------------------------- the service


def test_approved_work_in_the_period_only(wb, worked):
    project, _, _ = worked
    report = pay_report(wb, project.id, *MARCH, unit="item", rate=1.25, weighted=False)
    rows = {r.labeller: r for r in report.rows}
    # lena: a1 (1 March 00:00) and a2 (31 March 23:59:59); otto: b1 only (a3 rejected, b2 not
    # reviewed, b3 approved on 1 April 00:00, the first moment after the period)
    assert (rows["lena"].items, rows["lena"].amount) == (2, Decimal("2.50"))
    assert (rows["otto"].items, rows["otto"].amount) == (1, Decimal("1.25"))
    assert report.total.amount == Decimal("3.75")
    april = pay_report(wb, project.id, date(2025, 4, 1), date(2025, 4, 2), unit="item", rate=1)
    assert [(r.labeller, r.items) for r in april.rows] == [("otto", 1)]
    early = pay_report(wb, project.id, date(2025, 3, 1), date(2025, 3, 31), unit="item", rate=1)
    assert {r.labeller: r.items for r in early.rows} == {"lena": 1, "otto": 1}
    before = pay_report(wb, project.id, date(2025, 2, 1), date(2025, 3, 1), unit="item", rate=1)
    assert before.rows == () and before.total.amount == Decimal(0)


def test_per_minute_and_weighted_from_the_store(wb, worked):
    project, _, seconds = worked
    report = pay_report(wb, project.id, *MARCH, unit="minute", rate=60, weighted=False)
    rows = {r.labeller: r for r in report.rows}
    lena_seconds = Decimal(str(round(seconds[(0, 0)], 3))) + Decimal(str(round(seconds[(0, 1)], 3)))
    assert rows["lena"].amount == lena_seconds.quantize(Decimal("0.01"))  # 60 a minute: 1 a second
    weighted = pay_report(wb, project.id, *MARCH, unit="item", rate=1.25, weighted=True)
    rows = {r.labeller: r for r in weighted.rows}
    # lena: a1 unchanged (0.5) + a2 half its words changed (1.0); otto: b1 rewritten (1.5)
    assert rows["lena"].units == Decimal("1.5000") and rows["lena"].amount == Decimal("1.88")
    assert rows["otto"].units == Decimal("1.5000") and rows["otto"].amount == Decimal("1.88")
    assert weighted.total.amount == Decimal("3.76")


def _today() -> tuple[date, date]:
    today = store.now().date()
    return today, date.fromordinal(today.toordinal() + 1)


def test_passed_work_is_paid_as_final(wb, drafted):
    """A segment not drawn for review (passed) is final work: paid on the day of its save."""
    update_settings(wb, drafted.id, review_share=0.01)  # the least share to review
    lena = as_user(wb, "lena")
    queue = [q for q in store.segment_queue(wb.db, drafted.id) if not drawn(q["id"], 0.01)]
    ids = [q["id"] for q in queue[:3]]
    for q in queue[:3]:
        seg = store.get_segment(wb.db, q["id"])
        save(lena, seg.id, seg.version, Edit("heard and written", seg.start, seg.end))
    assert {store.get_segment(wb.db, i).status.value for i in ids} == {"passed"}
    report = pay_report(wb, drafted.id, *_today(), unit="item", rate=2)
    assert [(r.labeller, r.items, r.amount) for r in report.rows] == [("lena", 3, Decimal("6.00"))]
    yesterday = date.fromordinal(_today()[0].toordinal() - 1)
    assert pay_report(wb, drafted.id, yesterday, _today()[0], unit="item", rate=2).rows == ()


def test_blind_answers_are_paid_when_the_project_says_so(wb, worked):
    project, _, _ = worked  # answers given today: lena 2 hidden gold, otto a second label
    plain = pay_report(wb, project.id, *_today(), unit="item", rate=1)
    assert plain.answers is False and all(r.answers == 0 for r in plain.rows)
    update_settings(wb, project.id, pay_answers=True)
    assert store.get_project(wb.db, project.id).pay_answers is True
    report = pay_report(wb, project.id, *_today(), unit="item", rate=1, weighted=True)
    rows = {r.labeller: r for r in report.rows}
    assert (rows["lena"].answers, rows["lena"].items) == (2, 2)  # weight 1 each, weighted too
    assert (rows["otto"].answers, rows["otto"].amount) == (1, Decimal("1.00"))
    assert report.total.answers == 3 and report.total.amount == Decimal("3.00")
    per_minute = pay_report(wb, project.id, *_today(), unit="minute", rate=60)
    assert per_minute.total.amount == Decimal("3.00")  # 1 s of audio each, 60 a minute
    out = list(csv.DictReader(io.StringIO(csv_text(report))))
    assert [r["blind_answers"] for r in out] == ["2", "1", "3"]
    march = pay_report(wb, project.id, *MARCH, unit="item", rate=1)
    assert march.total.answers == 0  # answered today, not in March
    off = pay_report(wb, project.id, *_today(), unit="item", rate=1, answers=False)
    assert off.rows == ()


def test_project_defaults_and_overrides(wb, worked):
    project, _, _ = worked
    update_settings(wb, project.id, pay_unit="item", pay_rate=2.0, pay_weighted=True)
    report = pay_report(wb, project.id, *MARCH)
    assert (report.unit, report.rate, report.weighted) == ("item", Decimal("2.0"), True)
    assert report.total.units == Decimal("3.0000")
    plain = pay_report(wb, project.id, *MARCH, weighted=False, rate=3)
    assert (plain.weighted, plain.total.amount) == (False, Decimal("9.00"))
    with pytest.raises(WorkbenchError, match="pay unit"):
        pay_report(wb, project.id, *MARCH, unit="hour")
    with pytest.raises(WorkbenchError, match="pay rate"):
        pay_report(wb, project.id, *MARCH, rate=-2)


def test_a_reviewers_fix_keeps_the_credit_with_the_labeller(wb, worked):
    project, ids, _ = worked
    rita = as_user(wb, "rita", "reviewer")
    seg = store.get_segment(wb.db, ids[(1, 1)])  # otto's, not reviewed
    fix_and_approve(rita, seg.id, seg.version, Edit("fixed by rita", seg.start, seg.end))
    today = store.now().date()
    report = pay_report(
        wb, project.id, today, date.fromordinal(today.toordinal() + 1), unit="item", rate=1
    )
    assert [(r.labeller, r.items) for r in report.rows] == [("otto", 1)]


def test_only_owners_see_pay(wb, worked):
    project, _, _ = worked
    for name, role in (("lena", "labeler"), ("rita", "reviewer")):
        with pytest.raises(Forbidden):
            pay_report(as_user(wb, name, role), project.id, *MARCH)


# ---------------------------------------------------------------- the CLI


def test_cli_prints_the_report_as_csv(wb, worked, home, capsys):
    db = wb.db.url.render_as_string(hide_password=False)
    args = [
        "--home",
        str(home),
        "--db",
        db,
        "pay",
        "--project",
        "demo",
        "--from",
        "2025-03-01",
        "--to",
        "2025-04-01",
    ]
    assert main([*args, "--unit", "item", "--rate", "1.25", "--weighted"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["labeller"], r["items"], r["amount"]) for r in rows] == [
        ("lena", "2", "1.88"),
        ("otto", "1", "1.88"),
        ("(total)", "3", "3.76"),
    ]
    assert main([*args, "--unit", "item", "--rate", "1", "--no-weighted"]) == 0
    assert csv_total(capsys.readouterr().out) == "3.00"
    assert main([*args, "--unit", "item"]) == 0  # no rate given, none set: paid 0, and said
    out, err = capsys.readouterr()
    assert csv_total(out) == "0.00" and "the rate is 0" in err
    assert main([*args[:-4], "--from", "2025-03-01", "--to", "March"]) == 2
    assert "--to: a date as YYYY-MM-DD" in capsys.readouterr().err
    assert main([*args, "--user", "lena"]) == 2
    assert "may not" in capsys.readouterr().err


def csv_total(text: str) -> str:
    return list(csv.DictReader(io.StringIO(text)))[-1]["amount"]


@pytest.mark.parametrize(
    ("project_name", "expected"),
    [
        ("한국어 회의 음성", "pay-한국어-회의-음성-2025-03-01-2025-04-01.csv"),
        ("AI Hub 자유대화", "pay-AI-Hub-자유대화-2025-03-01-2025-04-01.csv"),
        ('calls/2025: "a|b"', "pay-calls-2025-a-b-2025-03-01-2025-04-01.csv"),
        ("../..", "pay-project-7-2025-03-01-2025-04-01.csv"),
        ("/ \\ ?", "pay-project-7-2025-03-01-2025-04-01.csv"),
    ],
)
def test_the_csv_file_name_keeps_the_project_name_in_any_script(project_name, expected):
    assert csv_file_name(7, project_name, *MARCH) == expected


# ---------------------------------------------------------------- days in the project's zone


def test_pay_days_are_the_projects_time_zone(wb, worked):
    """Work approved at 08:00 KST on 1 March (23:00 UTC on 28 February) is March's in a
    Seoul project; 1 April 08:59 KST (31 March 23:59:59 UTC) is April's. Whoever reads."""
    project, ids, _ = worked
    with wb.db.begin() as conn:  # otto's (1, 0): approved at 08:00 KST on 1 March
        conn.execute(
            sa.update(reviews)
            .where(reviews.c.segment_id == ids[(1, 0)])
            .values(created_at=datetime(2025, 2, 28, 23, 0))
        )

    def items(start: date, end: date) -> dict[str, int]:
        report = pay_report(wb, project.id, start, end, unit="item", rate=1)
        return {r.labeller: r.items for r in report.rows}

    february = (date(2025, 2, 1), date(2025, 3, 1))
    first_of_april = (date(2025, 4, 1), date(2025, 4, 2))
    assert store.get_project(wb.db, project.id).time_zone is None  # the server's: UTC here
    assert (items(*february), items(*MARCH)) == ({"otto": 1}, {"lena": 2})
    update_settings(wb, project.id, time_zone="Asia/Seoul")
    assert items(*february) == {}
    assert items(*MARCH) == {"lena": 1, "otto": 1}  # lena's 31 March 23:59:59 UTC left out
    assert items(*first_of_april) == {"lena": 1, "otto": 1}
    set_my_zone(wb, "America/New_York")  # the reader's zone does not move the pay days
    assert items(*MARCH) == {"lena": 1, "otto": 1}
    report = pay_report(wb, project.id, *MARCH, unit="item", rate=1)
    out = list(csv.DictReader(io.StringIO(csv_text(report))))
    assert {r["time_zone"] for r in out} == {"Asia/Seoul"}
    assert (out[0]["from"], out[0]["to"]) == ("2025-03-01", "2025-04-01")
