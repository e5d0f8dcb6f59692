"""Draft quality (owners): the drafts' error batch by batch, and on the held-out segments at
each adaptation step (base model, + vocabulary, + rules, the fine-tuned model in use)."""

import altair as alt
import pandas as pd
import streamlit as st

from workbench.core.errors import WorkbenchError
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
    st.subheader(f"Draft {metric} by batch")
    st.caption(
        f"Each draft job is a batch. Its {metric} is how far its drafts were from the "
        "labels people saved (per segment, capped at 100%, weighted by length): the "
        "labour the drafts left. Learned vocabulary, accepted rules and a fine-tuned "
        "model should bring later batches down."
    )
    if not batches:
        st.info(
            "No labelled drafts yet: draft some audio and label it; each draft job then "
            "shows here as a batch."
        )
        return
    table = pd.DataFrame(
        [
            {
                "batch": b.name,
                "drafted": when(b.drafted_at, project),
                "model": b.model,
                "with": b.adapted,
                "segments": b.segments,
                "minutes": round(b.seconds / 60, 1),
                metric: b.error,
                "kept as drafted": b.untouched,
            }
            for b in batches
        ]
    )
    line = (
        alt.Chart(table)
        .mark_line(point=True)
        .encode(
            x=alt.X("batch:N", sort=list(table["batch"]), title="draft batch (oldest first)"),
            y=alt.Y(f"{metric}:Q", axis=alt.Axis(format="%"), title=f"draft {metric}"),
            tooltip=[
                "batch",
                "model",
                "with",
                "segments",
                "minutes",
                alt.Tooltip(f"{metric}:Q", format=".1%"),
                alt.Tooltip("kept as drafted:Q", format=".0%"),
            ],
        )
    )
    st.altair_chart(line, width="stretch")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={metric: PERCENT, "kept as drafted": PERCENT},
        placeholder=MISSING,
    )


def on_held_out() -> None:
    st.subheader("On the held-out segments, step by step")
    final = approved_examples(wb, project)
    held = held_out(final, project.holdout_share)
    steps = [r.name for r in ladder(wb, project)]
    st.caption(
        f"{len(held)} approved segment(s) are held out ({project.holdout_share:.0%}, a "
        "stable draw): no vocabulary, rule or fine-tune learns from them. Measuring "
        "drafts them again at each step the project has taken: " + " → ".join(steps) + "."
    )
    progress()
    if not RUNNING and st.button(
        "Measure the drafts now", key=f"measure_{project.id}", disabled=not held
    ):
        try:
            start_measure(wb, project)
        except WorkbenchError as exc:
            show_error(exc, "Not started: ")
        else:
            st.rerun()
    if final and not held:
        st.warning(
            f"None of the {len(final)} final segment(s) is drawn at "
            f"{project.holdout_share:.0%}: raise the held-out share."
        )
    share_form()
    found = list_measures(wb, project)
    if not found:
        st.info(
            "Nothing measured yet."
            if final
            else "Approve some segments first: a share "
            "of them is held out to measure the drafts on."
        )
        return
    measures_shown(found)


def share_form() -> None:
    """The form that sets the held-out share."""
    with st.form(form_key(project, f"holdout_{project.holdout_share}")):
        share = st.number_input(
            "Held out (%)",
            0.0,
            50.0,
            round(project.holdout_share * 100, 2),
            step=5.0,
            format="%.1f",
            key=form_key(project, "dq_share"),
            help="Final segments kept out of learning and fine-tuning (a "
            "stable draw per segment), to measure the drafts on. "
            "Learn the vocabulary again after changing it.",
        )
        if st.form_submit_button("Save the share", key=form_key(project, "dq_share_save")):
            try:
                set_holdout_share(wb, project, share / 100)
            except WorkbenchError as exc:
                show_error(exc, "Not saved: ")
            else:
                st.rerun()


def measures_shown(found: list[Measure]) -> None:
    """The latest ladder measure's chart, then every measure, newest first."""
    table = pd.DataFrame(
        [
            {
                "when": when(m.created_at, project),
                "step": m.step,
                "by": "measure" if "ladder" in m.detail else "fine-tune job",
                "metric": m.metric.upper(),
                "error": m.error,
                "segments": m.segments,
                "terms": str(m.detail.get("terms", "")),
                "rules": str(m.detail.get("rules", "")),
                "who": m.created_by,
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
        column_config={"error": PERCENT},
        placeholder=MISSING,
    )


def ladder_chart(latest_steps: list[Measure]) -> None:
    """A bar per step of one ladder measure, in its order."""
    latest = pd.DataFrame(
        [
            {
                "step": m.step,
                "metric": m.metric.upper(),
                "error": m.error,
                "segments": m.segments,
                "when": when(m.created_at, project),
            }
            for m in latest_steps
        ]
    )
    bars = (
        alt.Chart(latest)
        .mark_bar()
        .encode(
            x=alt.X("step:N", sort=list(latest["step"]), title=None),
            y=alt.Y("error:Q", axis=alt.Axis(format="%"), title="held-out error"),
            tooltip=["step", "metric", alt.Tooltip("error:Q", format=".1%"), "segments", "when"],
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
        st.progress(job.progress, text=md(job.message or "starting", 300))
        if st.button("Cancel", key=f"cancel_measure_{project.id}"):
            cancel_measure(wb, project)
    elif job.state == "failed":
        st.error(f"The last measure failed: {md(job.error or job.message, 500)}")


by_batch()
on_held_out()
