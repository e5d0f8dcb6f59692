"""Dashboard (owners): progress, throughput per day, each labeller's speed and quality, and
the pay report of a period."""

import datetime as dt
from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from workbench.core.errors import WorkbenchError
from workbench.core.lengths import audio_length, length_unit
from workbench.crowd.dashboard import dashboard
from workbench.crowd.pay import csv_file_name, csv_text, pay_report
from workbench.crowd.rules import PAY_UNITS
from workbench.projects.settings import update_settings
from workbench.projects.time_zones import project_zone
from workbench.ui.common import MISSING, form_key, project_page, show_error, show_flash

STATUS_COLOURS = {
    "new": "#9ca3af",
    "drafted": "#60a5fa",
    "gold": "#eab308",
    "labeled": "#f59e0b",
    "passed": "#a3e635",
    "approved": "#16a34a",
    "rejected": "#dc2626",
    "deleted": "#6b7280",
}
PERCENT = st.column_config.NumberColumn(format="percent")


wb, project = project_page("Dashboard")
try:
    board = dashboard(wb, project.id)
except WorkbenchError as exc:
    show_error(exc)
    st.stop()
if board.empty:
    st.info(
        "No segments yet: import audio and draft it (Projects, Drafts); progress, "
        "throughput, each labeller's numbers and pay show here once there is work."
    )
    st.stop()

# ---------------------------------------------------------------- progress
status = pd.DataFrame(
    [
        {"status": r.status, "segments": r.segments, "seconds": r.hours * 3600}
        for r in board.status
        if r.segments
    ]
)
done = status[status["status"].isin(["labeled", "passed", "approved"])]
approved = status[status["status"] == "approved"]
cols: Sequence[DeltaGenerator] = st.columns(5)
cols[0].metric("Recordings", f"{board.recordings:,}")
cols[1].metric("Audio", audio_length(board.audio_hours * 3600))
cols[2].metric("Segments", f"{board.segments:,}")
for col, name, rows, what in (
    (
        cols[3],
        "Labelled",
        done,
        "labeled (awaiting review), passed (not drawn for review) or approved",
    ),
    (cols[4], "Approved", approved, "approved by a reviewer"),
):
    col.metric(
        name,
        f"{int(rows['segments'].sum()):,} · {audio_length(float(rows['seconds'].sum()))}",
        help=f"Segments · their audio: {what}.",
    )

st.subheader("Progress by status")
colour = alt.Color(
    "status:N",
    scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
    legend=None,
)
order = [s for s in STATUS_COLOURS if s in set(status["status"])]
_, word, per = length_unit(float(status["seconds"].max()))
audio = f"{word} of audio"
status[audio] = (status["seconds"] / per).round(2)
charts = st.columns(2)
for col, field in ((charts[0], "segments"), (charts[1], audio)):
    col.altair_chart(
        alt.Chart(status)
        .mark_bar()
        .encode(
            x=alt.X(
                f"{field}:Q",
                title=field,
                axis=alt.Axis(tickMinStep=1) if field == "segments" else alt.Axis(),
            ),
            y=alt.Y("status:N", sort=order, title=None),
            color=colour,
            tooltip=["status", "segments", alt.Tooltip(f"{audio}:Q", format=".2f")],
        )
        .properties(height=alt.Step(30)),
        width="stretch",
    )

# ---------------------------------------------------------------- throughput
st.subheader("Labelled per day")
if board.days:
    _, word, per = length_unit(max(r.minutes for r in board.days) * 60)
    audio = f"{word} of audio"
    days = pd.DataFrame(
        [
            {
                "day": pd.Timestamp(r.day),
                "segments": r.segments,
                audio: round(r.minutes * 60 / per, 2),
            }
            for r in board.days
        ]
    )
    charts = st.columns(2)
    for col, field in ((charts[0], "segments"), (charts[1], audio)):
        col.altair_chart(
            alt.Chart(days)
            .mark_bar(color="#2563eb")
            .encode(
                x=alt.X(
                    "yearmonthdate(day):O",
                    title=None,
                    axis=alt.Axis(format="%b %d", labelAngle=0, labelOverlap="parity"),
                ),
                y=alt.Y(
                    f"{field}:Q",
                    title=field,
                    axis=alt.Axis(tickMinStep=1) if field == "segments" else alt.Axis(),
                ),
                tooltip=[alt.Tooltip("yearmonthdate(day):T", title="day"), field],
            )
            .properties(height=220),
            width="stretch",
        )
    st.caption(f"A segment counts on the day ({board.time_zone}) of its first save by a person.")
else:
    st.info("Nothing labelled yet.")

# ---------------------------------------------------------------- labellers
st.subheader("Labellers")
if board.labellers:
    metric = board.metric
    symbol, _, per = length_unit(max(r.minutes for r in board.labellers) * 60)
    audio = f"audio ({symbol})"
    people = pd.DataFrame(
        [
            {
                "labeller": r.labeller,
                "segments": r.items,
                audio: round(r.minutes * 60 / per, 2),
                "active s / audio min": None
                if r.active_per_minute is None
                else round(r.active_per_minute, 1),
                "reviews": r.reviews,
                "rejection rate": r.rejection_rate,
                "gold answers": r.golds,
                "gold accuracy": r.gold_accuracy,
                f"draft edit ({metric})": r.draft_edit,
                "second labels": r.seconds,
                "agreement": r.agreement,
            }
            for r in board.labellers
        ]
    )
    st.dataframe(
        people,
        hide_index=True,
        width="stretch",
        key=f"dash_people_{project.id}",
        column_config=dict.fromkeys(
            ("rejection rate", "gold accuracy", f"draft edit ({metric})", "agreement"), PERCENT
        ),
        placeholder=MISSING,
    )
    st.caption(
        f"Gold accuracy: 1 − mean {metric} on hidden gold. Draft edit: mean {metric} of "
        "the ASR draft against their latest label (how much they changed; high: the "
        f"draft saved them little). Agreement: 1 − mean {metric} between the two labels "
        "of segments labelled twice."
    )
    charts = st.columns(2)
    charts[0].altair_chart(
        alt.Chart(people)
        .mark_bar(color="#2563eb")
        .encode(
            x=alt.X("segments:Q", title="segments labelled", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("labeller:N", title=None),
            tooltip=["labeller", "segments", audio],
        )
        .properties(height=alt.Step(30)),
        width="stretch",
    )
    rates = people.melt(
        id_vars="labeller",
        value_vars=["rejection rate", "gold accuracy", "agreement"],
        var_name="measure",
        value_name="rate",
    ).dropna()
    if not rates.empty:
        charts[1].altair_chart(
            alt.Chart(rates)
            .mark_bar()
            .encode(
                x=alt.X(
                    "rate:Q", title=None, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])
                ),
                y=alt.Y("labeller:N", title=None),
                yOffset="measure:N",
                color=alt.Color(
                    "measure:N",
                    title=None,
                    legend=alt.Legend(orient="bottom"),
                    scale=alt.Scale(
                        domain=["rejection rate", "gold accuracy", "agreement"],
                        range=["#dc2626", "#16a34a", "#7c3aed"],
                    ),
                ),
                tooltip=["labeller", "measure", alt.Tooltip("rate:Q", format=".0%")],
            )
            .properties(height=alt.Step(12)),
            width="stretch",
        )
    else:
        charts[1].caption("No reviews, gold answers or second labels yet.")
    if board.pairs:
        st.markdown("**Agreement by pair** (segments labelled twice)")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "first label by": p.first,
                        "second label by": p.second,
                        "segments": p.items,
                        f"mean {metric}": p.error,
                        "agreement": p.agreement,
                    }
                    for p in board.pairs
                ]
            ),
            hide_index=True,
            width="stretch",
            key=f"dash_pairs_{project.id}",
            column_config={f"mean {metric}": PERCENT, "agreement": PERCENT},
            placeholder=MISSING,
        )
else:
    st.info("No labeller has saved a segment yet.")

# ---------------------------------------------------------------- pay
st.subheader("Pay")
st.caption(
    "Final segments: approved by a reviewer, or passed (not drawn for review), credited to "
    "the person who labelled them and counted on the day they became final (the "
    "approval, or the save that passed them). Weighted: each item counts 0.5 + the draft's "
    f"{board.metric} against the label (at most 1.5): a draft only checked earns half, "
    "one rewritten entirely one and a half; a segment without a Whisper draft (imported "
    "text, a split-off part) counts 1. Blind answers (second labels, hidden gold, test "
    "items) are paid only when ticked below, each as one item of its audio on the day it "
    "was given, weighing 1. Days are the project's time zone's "
    f"({project_zone(project).key}), whoever reads the report; the CSV names it."
)
show_flash(f"pay_flash_{project.id}")
today = dt.datetime.now(project_zone(project)).date()
settings_key = form_key(project, "pay")  # fresh inputs after the defaults change
cols = st.columns(4)
start = cols[0].date_input("From", value=today.replace(day=1), key=f"pay_from_{project.id}")
end = cols[1].date_input(
    "To (not included)", value=today + dt.timedelta(days=1), key=f"pay_to_{project.id}"
)
unit = cols[2].selectbox(
    "Paid per",
    PAY_UNITS,
    index=PAY_UNITS.index(project.pay_unit),
    format_func=lambda u: {"item": "final segment", "minute": "minute of audio"}[u],
    key=f"{settings_key}_unit",
)
rate = cols[3].number_input(
    "Rate",
    min_value=0.0,
    value=float(project.pay_rate),
    step=0.05,
    format="%.4f",
    key=f"{settings_key}_rate",
)
cols = st.columns(4)
weighted = cols[0].checkbox(
    "Weighted by edit effort", value=project.pay_weighted, key=f"{settings_key}_weighted"
)
answers = cols[1].checkbox(
    "Pay blind answers",
    value=project.pay_answers,
    key=f"{settings_key}_answers",
    help="second labels, hidden gold and qualification test items",
)
changed = (unit, round(rate, 4), weighted, answers) != (
    project.pay_unit,
    project.pay_rate,
    project.pay_weighted,
    project.pay_answers,
)
if st.button(
    "Save as the project's pay defaults", key=f"pay_save_{project.id}", disabled=not changed
):
    try:
        update_settings(
            wb, project.id, pay_unit=unit, pay_rate=rate, pay_weighted=weighted, pay_answers=answers
        )
        st.session_state[f"pay_flash_{project.id}"] = ("success", "Pay defaults saved.")
        st.rerun()
    except WorkbenchError as exc:
        show_error(exc)

try:
    report = pay_report(
        wb, project.id, start, end, unit=unit, rate=rate, weighted=weighted, answers=answers
    )
except WorkbenchError as exc:
    show_error(exc)
    st.stop()
if not report.rows:
    st.info(
        f"No segment became final from {start:%Y-%m-%d} to {end:%Y-%m-%d} (not included)"
        + (", and no blind answer was given." if report.answers else ".")
    )
else:
    unit_word = "segments" if report.unit == "item" else "minutes"
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "labeller": r.labeller,
                    ("items" if report.answers else "segments"): r.items,
                    **({"of them blind answers": r.answers} if report.answers else {}),
                    "audio (min)": float(r.minutes),  # as the CSV and a per-minute rate
                    f"units ({unit_word}{', weighted' if report.weighted else ''})": float(r.units),
                    "amount": float(r.amount),
                }
                for r in (*report.rows, report.total)
            ]
        ),
        hide_index=True,
        width="stretch",
        key=f"pay_table_{project.id}",
        column_config={"amount": st.column_config.NumberColumn(format="%.2f")},
        placeholder=MISSING,
    )
    st.download_button(
        "Download CSV",
        csv_text(report),
        file_name=csv_file_name(project.id, project.name, start, end),
        mime="text/csv",
        key=f"pay_csv_{project.id}",
    )
