"""Draft quality (owners): the drafts' error batch by batch, and on the held-out segments at
each adaptation step (base model, + vocabulary, + rules, the fine-tuned model in use)."""

import altair as alt
import pandas as pd
import streamlit as st

from workbench.core.errors import WorkbenchError
from workbench.core.messages import t
from workbench.core.records import Measure
from workbench.learning.heldout import approved_examples, held_out, list_measures, set_holdout_share
from workbench.learning.ladder import draft_batches, ladder, measure_job
from workbench.ui.common import MISSING, form_key, project_page, show_error
from workbench.ui.jobs import cancel_measure, start_measure
from workbench.ui.text import md
from workbench.ui.times import when

PERCENT = st.column_config.NumberColumn(format="percent")

wb, project = project_page("Draft quality")
try:
    metric, batches = draft_batches(wb, project)
except WorkbenchError as exc:
    show_error(exc)
    st.stop()


def by_batch() -> None:
    st.subheader(t("Draft {metric} by batch", metric=metric))
    st.caption(
        t(
            "Each draft job is a batch. Its {metric} is how far its drafts were from the "
            "labels people saved (per segment, capped at 100%, weighted by length): the "
            "labour the drafts left. Learned vocabulary, accepted rules and a fine-tuned "
            "model should bring later batches down.",
            metric=metric,
        )
    )
    if not batches:
        st.info(
            t(
                "No labelled drafts yet: draft some audio and label it; each draft job then "
                "shows here as a batch."
            )
        )
        return
    # the columns in the reader's language, also the chart's fields
    batch, model, with_, segments, minutes, kept = (
        t("batch"),
        t("model"),
        t("with"),
        t("segments"),
        t("minutes"),
        t("kept as drafted"),
    )
    table = pd.DataFrame(
        [
            {
                batch: b.name,
                t("drafted"): when(b.drafted_at, project),
                model: b.model,
                with_: b.adapted,
                segments: b.segments,
                minutes: round(b.seconds / 60, 1),
                metric: b.error,
                kept: b.untouched,
            }
            for b in batches
        ]
    )
    line = (
        alt.Chart(table)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{batch}:N", sort=list(table[batch]), title=t("draft batch (oldest first)")),
            y=alt.Y(
                f"{metric}:Q", axis=alt.Axis(format="%"), title=t("draft {metric}", metric=metric)
            ),
            tooltip=[
                batch,
                model,
                with_,
                segments,
                minutes,
                alt.Tooltip(f"{metric}:Q", format=".1%"),
                alt.Tooltip(f"{kept}:Q", format=".0%"),
            ],
        )
    )
    st.altair_chart(line, width="stretch")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={metric: PERCENT, kept: PERCENT},
        placeholder=MISSING,
    )


def on_held_out() -> None:
    st.subheader(t("On the held-out segments, step by step"))
    final = approved_examples(wb, project)
    held = held_out(final, project.holdout_share)
    steps = [t(r.name) for r in ladder(wb, project)]
    st.caption(
        t(
            "{n} approved segment(s) are held out ({share}, a stable draw): no vocabulary, "
            "rule or fine-tune learns from them. Measuring drafts them again at each step the "
            "project has taken: {steps}.",
            n=len(held),
            share=f"{project.holdout_share:.0%}",
            steps=" → ".join(steps),
        )
    )
    progress()
    if not RUNNING and st.button(
        t("Measure the drafts now"), key=f"measure_{project.id}", disabled=not held
    ):
        try:
            start_measure(wb, project)
        except WorkbenchError as exc:
            show_error(exc, t("Not started: "))
        else:
            st.rerun()
    if final and not held:
        st.warning(
            t(
                "None of the {n} final segment(s) is drawn at {share}: raise the held-out share.",
                n=len(final),
                share=f"{project.holdout_share:.0%}",
            )
        )
    share_form()
    found = list_measures(wb, project)
    if not found:
        st.info(
            t("Nothing measured yet.")
            if final
            else t(
                "Approve some segments first: a share of them is held out to measure the drafts on."
            )
        )
        return
    measures_shown(found)


def share_form() -> None:
    """The form that sets the held-out share."""
    with st.form(form_key(project, f"holdout_{project.holdout_share}")):
        share = st.number_input(
            t("Held out (%)"),
            0.0,
            50.0,
            round(project.holdout_share * 100, 2),
            step=5.0,
            format="%.1f",
            key=form_key(project, "dq_share"),
            help=t(
                "Final segments kept out of learning and fine-tuning (a "
                "stable draw per segment), to measure the drafts on. "
                "Learn the vocabulary again after changing it."
            ),
        )
        if st.form_submit_button(t("Save the share"), key=form_key(project, "dq_share_save")):
            try:
                set_holdout_share(wb, project, share / 100)
            except WorkbenchError as exc:
                show_error(exc, t("Not saved: "))
            else:
                st.rerun()


def measures_shown(found: list[Measure]) -> None:
    """The latest ladder measure's chart, then every measure, newest first."""
    error = t("error")
    table = pd.DataFrame(
        [
            {
                t("when"): when(m.created_at, project),
                t("step"): t(m.step),
                t("by"): t("measure") if "ladder" in m.detail else t("fine-tune job"),
                t("metric"): m.metric.upper(),
                error: m.error,
                t("segments"): m.segments,
                t("terms"): str(m.detail.get("terms", "")),
                t("rules"): str(m.detail.get("rules", "")),
                t("who"): m.created_by,
            }
            for m in found
        ]
    )
    ladders = [m.detail["ladder"] for m in found if "ladder" in m.detail]
    if ladders:  # the chart: the latest measure's steps, in their order
        ladder_chart([m for m in found if m.detail.get("ladder") == ladders[-1]])
    st.dataframe(
        table.iloc[::-1],
        hide_index=True,
        width="stretch",
        column_config={error: PERCENT},
        placeholder=MISSING,
    )


def ladder_chart(latest_steps: list[Measure]) -> None:
    """A bar per step of one ladder measure, in its order."""
    step, metric, error, segments, at = (
        t("step"),
        t("metric"),
        t("error"),
        t("segments"),
        t("when"),
    )
    latest = pd.DataFrame(
        [
            {
                step: t(m.step),
                metric: m.metric.upper(),
                error: m.error,
                segments: m.segments,
                at: when(m.created_at, project),
            }
            for m in latest_steps
        ]
    )
    bars = (
        alt.Chart(latest)
        .mark_bar()
        .encode(
            x=alt.X(f"{step}:N", sort=list(latest[step]), title=None),
            y=alt.Y(f"{error}:Q", axis=alt.Axis(format="%"), title=t("held-out error")),
            tooltip=[step, metric, alt.Tooltip(f"{error}:Q", format=".1%"), segments, at],
        )
    )
    st.altair_chart(bars, width="stretch")


job = measure_job(wb, project)
RUNNING = job is not None and job.state == "running"


@st.fragment(run_every=1.0 if RUNNING else None)
def progress() -> None:
    """The measure job's progress while it runs (the page refreshes when it ends)."""
    job = measure_job(wb, project)
    if job is None:
        return
    if RUNNING and job.state != "running":
        st.rerun(scope="app")
    if job.state == "running":
        st.progress(job.progress, text=md(job.message or t("starting"), 300))
        if st.button(t("Cancel"), key=f"cancel_measure_{project.id}"):
            cancel_measure(wb, project)
    elif job.state == "failed":
        st.error(t("The last measure failed: {why}", why=md(job.error or job.message, 500)))


by_batch()
on_held_out()
