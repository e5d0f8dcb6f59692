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
from workbench.core.messages import N_, status_name, t
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
# the axis of a chart of audio, by the unit `length_unit` picked
OF_AUDIO = {
    "hours": N_("hours of audio"),
    "minutes": N_("minutes of audio"),
    "seconds": N_("seconds of audio"),
}


wb, project = project_page("Dashboard")
try:
    board = dashboard(wb, project.id)
except WorkbenchError as exc:
    show_error(exc)
    st.stop()
if board.empty:
    st.info(
        t(
            "No segments yet: import audio and draft it (Projects, Drafts); progress, "
            "throughput, each labeller's numbers and pay show here once there is work."
        )
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
cols[0].metric(t("Recordings"), f"{board.recordings:,}")
cols[1].metric(t("Audio"), audio_length(board.audio_hours * 3600))
cols[2].metric(t("Segments"), f"{board.segments:,}")
for col, name, rows, what in (
    (
        cols[3],
        t("Labelled"),
        done,
        t("labelled (awaiting review), passed (not drawn for review) or approved"),
    ),
    (cols[4], t("Approved"), approved, t("approved by a reviewer")),
):
    col.metric(
        name,
        f"{int(rows['segments'].sum()):,} · {audio_length(float(rows['seconds'].sum()))}",
        help=t("Segments · their audio: {what}.", what=what),
    )

st.subheader(t("Progress by status"))
status["status"] = status["status"].map(status_name)  # shown in the reader's language
colour = alt.Color(
    "status:N",
    scale=alt.Scale(
        domain=[status_name(s) for s in STATUS_COLOURS], range=list(STATUS_COLOURS.values())
    ),
    legend=None,
)
order = [status_name(s) for s in STATUS_COLOURS if status_name(s) in set(status["status"])]
_, word, per = length_unit(float(status["seconds"].max()))
audio = t(OF_AUDIO[word])
segments = t("segments")
status = status.rename(columns={"segments": segments})
status[audio] = (status["seconds"] / per).round(2)
charts = st.columns(2)
for col, field in ((charts[0], segments), (charts[1], audio)):
    col.altair_chart(
        alt.Chart(status)
        .mark_bar()
        .encode(
            x=alt.X(
                f"{field}:Q",
                title=field,
                axis=alt.Axis(tickMinStep=1) if field == segments else alt.Axis(),
            ),
            y=alt.Y("status:N", sort=order, title=None),
            color=colour,
            tooltip=[
                alt.Tooltip("status:N", title=t("status")),
                segments,
                alt.Tooltip(f"{audio}:Q", format=".2f"),
            ],
        )
        .properties(height=alt.Step(30)),
        width="stretch",
    )

# ---------------------------------------------------------------- throughput
st.subheader(t("Labelled per day"))
if board.days:
    _, word, per = length_unit(max(r.minutes for r in board.days) * 60)
    audio = t(OF_AUDIO[word])
    days = pd.DataFrame(
        [
            {
                "day": pd.Timestamp(r.day),
                segments: r.segments,
                audio: round(r.minutes * 60 / per, 2),
            }
            for r in board.days
        ]
    )
    charts = st.columns(2)
    for col, field in ((charts[0], segments), (charts[1], audio)):
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
                    axis=alt.Axis(tickMinStep=1) if field == segments else alt.Axis(),
                ),
                tooltip=[alt.Tooltip("yearmonthdate(day):T", title=t("day")), field],
            )
            .properties(height=220),
            width="stretch",
        )
    st.caption(
        t(
            "A segment counts on the day ({zone}) of its first save by a person.",
            zone=board.time_zone,
        )
    )
else:
    st.info(t("Nothing labelled yet."))

# ---------------------------------------------------------------- labellers
st.subheader(t("Labellers"))
if board.labellers:
    metric = board.metric
    symbol, _, per = length_unit(max(r.minutes for r in board.labellers) * 60)
    audio = t("audio ({unit})", unit=symbol)
    labeller, rejection = t("labeller"), t("rejection rate")
    accuracy, agreement = t("gold accuracy"), t("agreement")
    draft_edit = t("draft edit ({metric})", metric=metric)
    people = pd.DataFrame(
        [
            {
                labeller: r.labeller,
                segments: r.items,
                audio: round(r.minutes * 60 / per, 2),
                t("active s / audio min"): None
                if r.active_per_minute is None
                else round(r.active_per_minute, 1),
                t("reviews"): r.reviews,
                rejection: r.rejection_rate,
                t("gold answers"): r.golds,
                accuracy: r.gold_accuracy,
                draft_edit: r.draft_edit,
                t("second labels"): r.seconds,
                agreement: r.agreement,
            }
            for r in board.labellers
        ]
    )
    st.dataframe(
        people,
        hide_index=True,
        width="stretch",
        key=f"dash_people_{project.id}",
        column_config=dict.fromkeys((rejection, accuracy, draft_edit, agreement), PERCENT),
        placeholder=MISSING,
    )
    st.caption(
        t(
            "Gold accuracy: 1 − mean {metric} on hidden gold. Draft edit: mean {metric} of "
            "the ASR draft against their latest label (how much they changed; high: the "
            "draft saved them little). Agreement: 1 − mean {metric} between the two labels "
            "of segments labelled twice.",
            metric=metric,
        )
    )
    charts = st.columns(2)
    charts[0].altair_chart(
        alt.Chart(people)
        .mark_bar(color="#2563eb")
        .encode(
            x=alt.X(f"{segments}:Q", title=t("segments labelled"), axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(f"{labeller}:N", title=None),
            tooltip=[labeller, segments, audio],
        )
        .properties(height=alt.Step(30)),
        width="stretch",
    )
    rates = people.melt(
        id_vars=labeller,
        value_vars=[rejection, accuracy, agreement],
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
                y=alt.Y(f"{labeller}:N", title=None),
                yOffset="measure:N",
                color=alt.Color(
                    "measure:N",
                    title=None,
                    legend=alt.Legend(orient="bottom"),
                    scale=alt.Scale(
                        domain=[rejection, accuracy, agreement],
                        range=["#dc2626", "#16a34a", "#7c3aed"],
                    ),
                ),
                tooltip=[
                    labeller,
                    alt.Tooltip("measure:N", title=t("measure")),
                    alt.Tooltip("rate:Q", title=t("rate"), format=".0%"),
                ],
            )
            .properties(height=alt.Step(12)),
            width="stretch",
        )
    else:
        charts[1].caption(t("No reviews, gold answers or second labels yet."))
    if board.pairs:
        st.markdown(t("**Agreement by pair** (segments labelled twice)"))
        mean_error = t("mean {metric}", metric=metric)
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        t("first label by"): p.first,
                        t("second label by"): p.second,
                        segments: p.items,
                        mean_error: p.error,
                        agreement: p.agreement,
                    }
                    for p in board.pairs
                ]
            ),
            hide_index=True,
            width="stretch",
            key=f"dash_pairs_{project.id}",
            column_config={mean_error: PERCENT, agreement: PERCENT},
            placeholder=MISSING,
        )
else:
    st.info(t("No labeller has saved a segment yet."))

# ---------------------------------------------------------------- pay
st.subheader(t("Pay"))
st.caption(
    t(
        "Final segments: approved by a reviewer, or passed (not drawn for review), credited "
        "to the person who labelled them and counted on the day they became final (the "
        "approval, or the save that passed them). Weighted: each item counts 0.5 + the "
        "draft's {metric} against the label (at most 1.5): a draft only checked earns half, "
        "one rewritten entirely one and a half; a segment without a Whisper draft (imported "
        "text, a split-off part) counts 1. Blind answers (second labels, hidden gold, test "
        "items) are paid only when ticked below, each as one item of its audio on the day it "
        "was given, weighing 1. Days are the project's time zone's ({zone}), whoever reads "
        "the report; the CSV names it.",
        metric=board.metric,
        zone=project_zone(project).key,
    )
)
show_flash(f"pay_flash_{project.id}")
today = dt.datetime.now(project_zone(project)).date()
settings_key = form_key(project, "pay")  # fresh inputs after the defaults change
cols = st.columns(4)
start = cols[0].date_input(t("From"), value=today.replace(day=1), key=f"pay_from_{project.id}")
end = cols[1].date_input(
    t("To (not included)"), value=today + dt.timedelta(days=1), key=f"pay_to_{project.id}"
)
unit = cols[2].selectbox(
    t("Paid per"),
    PAY_UNITS,
    index=PAY_UNITS.index(project.pay_unit),
    format_func={"item": t("final segment"), "minute": t("minute of audio")}.__getitem__,
    key=f"{settings_key}_unit",
)
rate = cols[3].number_input(
    t("Rate"),
    min_value=0.0,
    value=float(project.pay_rate),
    step=0.05,
    format="%.4f",
    key=f"{settings_key}_rate",
)
cols = st.columns(4)
weighted = cols[0].checkbox(
    t("Weighted by edit effort"), value=project.pay_weighted, key=f"{settings_key}_weighted"
)
answers = cols[1].checkbox(
    t("Pay blind answers"),
    value=project.pay_answers,
    key=f"{settings_key}_answers",
    help=t("second labels, hidden gold and qualification test items"),
)
changed = (unit, round(rate, 4), weighted, answers) != (
    project.pay_unit,
    project.pay_rate,
    project.pay_weighted,
    project.pay_answers,
)
if st.button(
    t("Save as the project's pay defaults"), key=f"pay_save_{project.id}", disabled=not changed
):
    try:
        update_settings(
            wb, project.id, pay_unit=unit, pay_rate=rate, pay_weighted=weighted, pay_answers=answers
        )
        st.session_state[f"pay_flash_{project.id}"] = ("success", t("Pay defaults saved."))
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
    period = {"start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}
    st.info(
        t(
            "No segment became final from {start} to {end} (not included), and no blind "
            "answer was given.",
            **period,
        )
        if report.answers
        else t("No segment became final from {start} to {end} (not included).", **period)
    )
else:
    units = {
        ("item", False): N_("units (segments)"),
        ("item", True): N_("units (segments, weighted)"),
        ("minute", False): N_("units (minutes)"),
        ("minute", True): N_("units (minutes, weighted)"),
    }[(report.unit, report.weighted)]
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("labeller"): r.labeller,
                    (t("items") if report.answers else segments): r.items,
                    **({t("of them blind answers"): r.answers} if report.answers else {}),
                    t("audio (min)"): float(r.minutes),  # as the CSV and a per-minute rate
                    t(units): float(r.units),
                    t("amount"): float(r.amount),
                }
                for r in (*report.rows, report.total)
            ]
        ),
        hide_index=True,
        width="stretch",
        key=f"pay_table_{project.id}",
        column_config={t("amount"): st.column_config.NumberColumn(format="%.2f")},
        placeholder=MISSING,
    )
    st.download_button(
        t("Download CSV"),
        csv_text(report),
        file_name=csv_file_name(project.id, project.name, start, end),
        mime="text/csv",
        key=f"pay_csv_{project.id}",
    )
