"""Models (owners): fine-tune the project's drafting model on its final segments, watch the
job, and choose which version drafts (a new one is chosen by itself only when it drafts the
held-out segments better)."""

import pandas as pd
import streamlit as st

from workbench.core.errors import WorkbenchError
from workbench.core.messages import t
from workbench.learning.heldout import set_holdout_share
from workbench.tuning.jobs import live_or_latest, tune_status
from workbench.tuning.options import METHODS, TrainOptions
from workbench.tuning.registry import (
    CANCELLED,
    base_model,
    in_use,
    label,
    outcome,
    promote,
    use_base,
)
from workbench.ui.common import MISSING, form_key, page_flash, project_page, show_error
from workbench.ui.jobs import cancel_tune, job_state_name, start_tune
from workbench.ui.text import md
from workbench.ui.times import when

wb, project = project_page("Models")
done = page_flash("models_flash")  # done(message): shown after the rerun that shows the change

status = tune_status(wb, project)
st.markdown(
    t(
        "Drafts use **{model}** ({engine}). **{final}** final segment(s) (approved, or passed "
        "without review), **{heldout}** of them held out: drafts are measured on them, never "
        "trained on them.",
        model=md(label(project, status.versions), 200),
        engine=md(status.engine),
        final=status.final,
        heldout=status.heldout,
    )
)

defaults = TrainOptions()
with st.form(form_key(project, f"tune_{project.holdout_share}")):
    st.subheader(t("Fine-tune"))
    cols = st.columns(4)
    method = cols[0].selectbox(
        t("Method"),
        list(METHODS),
        key=form_key(project, "tune_method"),
        help="; ".join(f"**{m}**: {t(what)}" for m, what in METHODS.items()),
    )
    steps = cols[1].number_input(
        t("Steps"), 1, 100_000, defaults.steps, step=10, key=form_key(project, "tune_steps")
    )
    rate = cols[2].number_input(
        t("Learning rate"),
        1e-7,
        0.1,
        defaults.learning_rate,
        step=1e-5,
        format="%.6f",
        key=form_key(project, "tune_lr"),
    )
    share = cols[3].number_input(
        t("Held out (%)"),
        0.0,
        50.0,
        round(project.holdout_share * 100, 2),
        step=1.0,
        format="%.1f",
        key=form_key(project, "tune_share"),
        help=t(
            "Final segments kept out of training (a stable draw per "
            "segment): the new model is measured on them."
        ),
    )
    st.caption(
        t(
            "The new version is written beside the others and becomes the drafting model "
            "only if it drafts the held-out segments with fewer errors than the model in use."
        )
    )
    if st.form_submit_button(
        t("Start fine-tuning"),
        type="primary",
        disabled=status.running,
        key=form_key(project, "start_tune"),
    ):
        try:
            fresh = set_holdout_share(wb, project, share / 100)
            start_tune(
                wb, fresh, {"method": method, "steps": int(steps), "learning_rate": float(rate)}
            )
        except WorkbenchError as exc:
            show_error(exc, t("Not started: "))
        else:
            st.rerun()


@st.fragment(run_every=1.0 if status.running else None)
def job_progress() -> None:
    job = live_or_latest(wb, project)
    if job is None:
        return
    if status.running and job.state != "running":
        st.rerun(scope="app")  # the job ended: refresh the registry, stop polling
    if job.state == "running":
        st.progress(job.progress, text=md(job.message or t("starting"), 300))
        if st.button(t("Cancel"), key=f"cancel_tune_{project.id}"):
            cancel_tune(wb, project)
    elif job.state == "cancelled":
        st.info(t("Last fine-tune job: {state}.", state=t(CANCELLED)))
    else:
        text = t(
            "Last fine-tune job: **{state}**. {message}",
            state=job_state_name(job.state),
            message=md(job.message, 500),
        )
        (st.error if job.state == "failed" else st.success)(text)
        if job.error:
            st.text(job.error)


job_progress()

st.subheader(t("Versions"))
versions = [v for v in status.versions if v.state != "cancelled"]  # they kept nothing
if not versions:
    st.info(t("No fine-tuned version yet: the project drafts with its base model."))
    st.stop()
job = status.job
before, after = t("error before"), t("error after")
rows = [
    {
        t("version"): f"v{v.n}",
        t("method"): v.method,
        t("trained on"): v.train_segments,
        t("held out"): v.heldout_segments,
        t("metric"): (v.metric or "").upper(),
        before: v.error_before,
        after: v.error_after,
        t("state"): outcome(project, v, job if v.job_id == getattr(job, "id", None) else None),
        t("created"): when(v.created_at, project),
        t("by"): v.created_by,
    }
    for v in versions
]
st.dataframe(
    pd.DataFrame(rows),
    hide_index=True,
    width="stretch",
    column_config={
        before: st.column_config.NumberColumn(
            format="percent", help=t("the model in use then, on the held-out segments")
        ),
        after: st.column_config.NumberColumn(
            format="percent", help=t("this version, on the same segments")
        ),
    },
    placeholder=MISSING,
)


def switch(call, message: str) -> None:
    """Run a model switch; its refusal is shown, its success after the rerun."""
    try:
        call()
    except WorkbenchError as exc:
        show_error(exc)
    else:
        done(message)


if len(versions) < len(status.versions):
    st.caption(t("Cancelled fine-tunes kept no version and are not listed."))

ready = [v for v in versions if v.state == "ready"]
base = base_model(wb, project)
with st.container(horizontal=True):
    for version in ready:
        if st.button(
            t("Use v{n}", n=version.n),
            key=f"use_model_{project.id}_{version.n}",
            disabled=in_use(project, version),
        ):
            switch(
                lambda n=version.n: promote(wb, project, n),
                t("v{n} drafts from now on.", n=version.n),
            )
    if base is not None and st.button(
        t("Back to the base model"),
        key=f"use_base_{project.id}",
        disabled=(project.asr_engine, project.asr_model) == base,
    ):
        switch(
            lambda: use_base(wb, project),
            t("The base model ({name}) drafts from now on.", name=base[1]),
        )
