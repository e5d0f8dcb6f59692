"""The pay report: what each labeller earned in a period for final work.

Final segments are paid: approved by a reviewer, or passed (not drawn for review by the
project's review sampling, so final without a review). Each is credited to the author of the
segment's latest 'human' revision (a reviewer's fix does not take the credit away), and counted
in the period it became final: an approved segment at its latest approval (the review's
time), a passed one at that latest save. A period is [start, end) of dates, the end day not
included, in the project's time zone (`projects.time_zones.project_zone`: Asia/Seoul for a
Korean project), whoever reads it: work saved at 08:00 KST on the 1st belongs to the 1st, not
to the last day of the month before as in UTC. The CSV names the zone. A segment approved,
labelled again and approved again later is paid once, in the period of its latest approval.

Blind answers (second labels of double-labelled segments, hidden gold, qualification test
items) never become a segment's text; they are paid only when the project says so
(`pay_answers`), each at its answer's time, as an item of its audio's length that weighs 1.

Rate: per item (a final segment or a paid answer) or per minute of its audio, at the
project's pay unit and rate unless the report names others.

Weighting by edit effort (optional). Each item's units are multiplied by

    weight = 0.5 + min(max(edit, 0), 1)        (so 0.5 <= weight <= 1.5)

where `edit` is the error of the ASR draft against the labeller's latest label (the
language's headline rate, CER for Korean, WER otherwise, as on the dashboard; a reviewer's fix
after it is not the labeller's effort). A draft the labeller only
had to check (edit 0) earns half: listening and checking is work too; a draft they rewrote
entirely (edit 1 or more) earns one and a half; a typical draft with half of it changed earns
the plain rate. A segment without an ASR draft (split off, or imported text) cannot be
measured and weighs 1.

Money is decimal: a row's units are rounded to 4 places, its amount (units x rate) to cents,
half up; the totals are the sums of the rounded rows, so they always add up.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from workbench import store
from workbench.core.access import Action, require
from workbench.core.clock import period
from workbench.core.errors import WorkbenchError
from workbench.core.workbench import Workbench
from workbench.crowd.dashboard import edit_scorer
from workbench.crowd.rules import PAY_UNITS, check_quality
from workbench.projects.time_zones import project_zone
from workbench.text.cells import cell

__all__ = [
    "PayItem",
    "PayRow",
    "PayReport",
    "weight",
    "units_of",
    "pay_rows",
    "report_of",
    "csv_text",
    "csv_file_name",
    "pay_report",
]

CENT = Decimal("0.01")
UNIT_PLACES = Decimal("0.0001")  # units (items, minutes, weighted) are kept to 4 places
LEAST_WEIGHT = Decimal("0.5")  # an item whose draft needed no edit
UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\s]+')  # paths, Windows, controls, spaces
TOTAL = "(total)"  # the label of the totals row in the CSV (never a sign-in name)


@dataclass(frozen=True)
class PayItem:
    """One final segment or blind answer to pay: its labeller, length, and the draft's error
    against it (None: no ASR draft, or an answer)."""

    labeller: str
    seconds: float
    edit: float | None = None
    answer: bool = False  # a blind answer (second label, hidden gold, test item)


@dataclass(frozen=True)
class PayRow:
    """One labeller's pay for the period (or the totals, labeller TOTAL)."""

    labeller: str
    items: int  # final segments and paid answers
    minutes: Decimal  # minutes of audio, to cents of a minute
    units: Decimal  # items or minutes, weighted when the report is, 4 places
    amount: Decimal  # to cents
    answers: int = 0  # of `items`, the blind answers paid


@dataclass(frozen=True)
class PayReport:
    """The pay of a period [start, end): rows by labeller and their totals."""

    project_id: int
    start: date
    end: date  # not included
    unit: str  # 'item' | 'minute'
    rate: Decimal  # per unit
    weighted: bool
    rows: tuple[PayRow, ...]
    total: PayRow
    answers: bool = False  # blind answers paid too
    time_zone: str = "UTC"  # the IANA zone whose days the period's dates are


def weight(edit: float | None) -> Decimal:
    """An item's weight for its edit effort: 0.5 + the draft's error clamped to 0..1 (so
    0.5..1.5); 1 when there was no draft to measure against."""
    if edit is None:
        return Decimal(1)
    return LEAST_WEIGHT + Decimal(str(round(min(max(edit, 0.0), 1.0), 4)))


def _minutes(seconds: float) -> Decimal:
    return Decimal(str(round(seconds, 3))) / 60


def units_of(item: PayItem, unit: str, weighted: bool) -> Decimal:
    """An item's units before rounding: 1 or its minutes of audio, times its weight when
    weighted."""
    if unit not in PAY_UNITS:
        raise ValueError(f"pay unit: one of {', '.join(PAY_UNITS)}")
    base = Decimal(1) if unit == "item" else _minutes(item.seconds)
    return base * weight(item.edit) if weighted else base


def pay_rows(
    items: Iterable[PayItem], unit: str, rate: Decimal, weighted: bool
) -> tuple[PayRow, ...]:
    """One row per labeller (by name): items, minutes, units and the amount, rounded."""
    count: dict[str, int] = defaultdict(int)
    answers: dict[str, int] = defaultdict(int)
    minutes: dict[str, Decimal] = defaultdict(Decimal)
    units: dict[str, Decimal] = defaultdict(Decimal)
    for item in items:
        count[item.labeller] += 1
        answers[item.labeller] += item.answer
        minutes[item.labeller] += _minutes(item.seconds)
        units[item.labeller] += units_of(item, unit, weighted)
    rows = []
    for name in sorted(count):
        u = units[name].quantize(UNIT_PLACES, ROUND_HALF_UP)
        rows.append(
            PayRow(
                name,
                count[name],
                minutes[name].quantize(CENT, ROUND_HALF_UP),
                u,
                (u * rate).quantize(CENT, ROUND_HALF_UP),
                answers[name],
            )
        )
    return tuple(rows)


def totals(rows: Iterable[PayRow]) -> PayRow:
    """The sums of the (rounded) rows."""
    rows = list(rows)
    return PayRow(
        TOTAL,
        sum(r.items for r in rows),
        sum((r.minutes for r in rows), Decimal(0)),
        sum((r.units for r in rows), Decimal(0)),
        sum((r.amount for r in rows), Decimal(0)),
        sum(r.answers for r in rows),
    )


def report_of(
    project_id: int,
    start: date,
    end: date,
    items: Iterable[PayItem],
    unit: str,
    rate: float | Decimal,
    weighted: bool,
    answers: bool = False,
    time_zone: str = "UTC",
) -> PayReport:
    """The report of `items` (checked: a known unit, a rate of 0 or more, start before end);
    `answers`: whether blind answers are among them (as the project chose); `time_zone`: the
    zone whose days `start` and `end` are."""
    if not start < end:
        raise WorkbenchError("the period's end must be after its start")
    rate = rate if isinstance(rate, Decimal) else Decimal(str(rate))
    if unit not in PAY_UNITS:
        raise WorkbenchError(f"pay unit: one of {', '.join(PAY_UNITS)}")
    if rate < 0:
        raise WorkbenchError("pay rate: 0 or more")
    rows = pay_rows(items, unit, rate, weighted)
    return PayReport(
        project_id,
        start,
        end,
        unit,
        rate,
        bool(weighted),
        rows,
        totals(rows),
        bool(answers),
        time_zone,
    )


def csv_text(report: PayReport) -> str:
    """The report as CSV: a row per labeller and a last row of totals (names a spreadsheet
    would run as formulas defused: `workbench.text.cells`); `from` and `to` are days in the
    zone of the `time_zone` column."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "labeller",
            "items",
            "audio_minutes",
            "unit",
            "rate",
            "weighted",
            "units",
            "amount",
            "blind_answers",
            "from",
            "to",
            "time_zone",
        ]
    )
    for row in (*report.rows, report.total):
        writer.writerow(
            [
                cell(row.labeller),
                row.items,
                f"{row.minutes:.2f}",
                report.unit,
                report.rate,
                "yes" if report.weighted else "no",
                f"{row.units:.4f}",
                f"{row.amount:.2f}",
                row.answers,
                report.start.isoformat(),
                report.end.isoformat(),
                report.time_zone,
            ]
        )
    return out.getvalue()


def csv_file_name(project_id: int, project_name: str, start: date, end: date) -> str:
    """The name the pay CSV downloads as: `pay-<project>-<start>-<end>.csv`. The project's
    name keeps its letters in any script (a Korean name stays Korean); only characters a
    file system or a shell path refuses, and white space, become '-'."""
    name = UNSAFE_IN_NAMES.sub("-", project_name).strip("-.")
    return f"pay-{name or f'project-{project_id}'}-{start}-{end}.csv"


def pay_report(
    wb: Workbench,
    project_id: int,
    start: date,
    end: date,
    *,
    unit: str | None = None,
    rate: float | None = None,
    weighted: bool | None = None,
    answers: bool | None = None,
) -> PayReport:
    """An owner's pay report for [start, end) (days in the project's time zone): the
    project's pay unit, rate, weighting and pay for blind answers unless named here (see the
    module's notes for what is paid and how)."""
    require(wb, Action.SETTINGS, project_id)
    project = store.get_project(wb.db, project_id)
    chosen = check_quality(
        {
            "pay_unit": project.pay_unit if unit is None else unit,
            "pay_rate": project.pay_rate if rate is None else rate,
            "pay_weighted": project.pay_weighted if weighted is None else weighted,
            "pay_answers": project.pay_answers if answers is None else answers,
        }
    )
    zone = project_zone(project)
    since, until = period(start, end, zone)
    rows = store.final_work(wb.db, project_id, since, until) if start < end else []
    scorer = edit_scorer(project) if chosen["pay_weighted"] else None
    items = [
        PayItem(
            r["labeller"],
            r["seconds"],
            scorer(r["draft"], r["label"]) if scorer and r["draft"] is not None else None,
        )
        for r in rows
    ]
    if chosen["pay_answers"] and start < end:
        items += [
            PayItem(a["user_name"], a["audio_seconds"], answer=True)
            for a in store.list_answers(wb.db, project_id, since=since)
            if a["created_at"] < until
        ]
    return report_of(
        project_id,
        start,
        end,
        items,
        chosen["pay_unit"],
        chosen["pay_rate"],
        chosen["pay_weighted"],
        chosen["pay_answers"],
        zone.key,
    )
