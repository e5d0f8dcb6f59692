"""Drafts (owners): choose the engine and model, start Whisper drafts, watch their progress."""

import streamlit as st

from workbench.asr import ENGINES
from workbench.core.errors import WorkbenchError
from workbench.core.lengths import audio_length
from workbench.core.messages import t
from workbench.drafts.draft_job import draft_progress
from workbench.projects.settings import LANGUAGES, model_choices, update_settings
from workbench.ui.common import fmt_seconds, form_key, project_page, show_error
from workbench.ui.jobs import cancel_drafts, job_state_name, start_drafts
from workbench.ui.text import md

wb, project = project_page("Drafts")
progress = draft_progress(wb, project)

with st.form(form_key(project, "asr_settings")):
    cols = st.columns(3)
    engines = sorted(ENGINES)
    engine = cols[0].selectbox(
        t("Engine"),
        engines,
        index=engines.index(project.asr_engine) if project.asr_engine in engines else 0,
        key=form_key(project, "asr_engine"),
    )
    models = model_choices(wb, project.asr_engine)
    if project.asr_model not in models:
        models = [project.asr_model, *models]
    model = cols[1].selectbox(
        t("Model"),
        models,
        index=models.index(project.asr_model),
        key=form_key(project, "asr_model"),
        help=t(
            "'base' is the embedded Whisper base model. Others: "
            "CTranslate2 folders (faster-whisper) or .pt checkpoints "
            "(openai-whisper) the owner put in the home's models/ folder."
        ),
    )
    languages = list(LANGUAGES) if project.language in LANGUAGES else [project.language, *LANGUAGES]
    language = cols[2].selectbox(
        t("Language"),
        languages,
        index=languages.index(project.language),
        key=form_key(project, "asr_language"),
    )
    prompt = st.text_area(
        t("Hotwords / initial prompt"),
        value=project.prompt or "",
        key=form_key(project, "asr_prompt"),
        height=68,
        max_chars=1000,
        help=t(
            "Product names and jargon, comma-separated; passed to Whisper as its initial prompt."
        ),
    )
    cols = st.columns(3)
    max_segment = cols[0].number_input(
        t("Longest segment (s)"),
        2.0,
        60.0,
        project.max_segment,
        step=1.0,
        key=form_key(project, "asr_max_segment"),
        help=t("Longer drafts are split at the largest pause."),
    )
    min_segment = cols[1].number_input(
        t("Shortest segment (s)"),
        0.0,
        5.0,
        project.min_segment,
        step=0.1,
        key=form_key(project, "asr_min_segment"),
        help=t("Shorter drafts are merged into a neighbour."),
    )
    per_channel = cols[2].checkbox(
        t("One speaker per channel"),
        value=project.per_channel,
        key=form_key(project, "asr_per_channel"),
        help=t(
            "Stereo call recordings: draft each channel on its own, with the channel as "
            "speaker, and show the channels in lanes. A file whose channels are the same sound "
            "is drafted once."
        ),
    )
    st.write(
        t(
            "**{n}** recording(s) without a draft ({length} of audio).",
            n=progress.todo_count,
            length=fmt_seconds(progress.todo_seconds),
        )
    )
    buttons = st.columns([1, 1, 3])
    saved = buttons[0].form_submit_button(
        t("Save settings"), key=form_key(project, "save_asr_settings")
    )
    started = buttons[1].form_submit_button(
        t("Start drafts"),
        key="start_drafts",
        type="primary",
        disabled=not progress.todo_count,
        help=t("Saves the settings above as they are shown, then drafts with them."),
    )

if saved or started:
    shown = {
        "asr_engine": engine,
        "asr_model": model,
        "language": language,
        "prompt": prompt or None,
        "max_segment": max_segment,
        "min_segment": min_segment,
        "per_channel": per_channel,
    }
    changed = {k: v for k, v in shown.items() if v != getattr(project, k)}
    try:
        project = update_settings(wb, project.id, **changed) if changed else project
    except WorkbenchError as exc:
        show_error(exc, t("Not saved: "))
    else:
        try:
            if started:
                start_drafts(wb, project)
        except WorkbenchError as exc:
            show_error(exc, t("Settings saved; drafts not started: ") if changed else "")
        else:
            st.rerun()


@st.fragment(run_every=1.0 if progress.running else None)
def job_progress() -> None:
    now = draft_progress(wb, project)
    job = now.job
    if job is None:
        return
    if progress.running and job.state != "running":
        st.rerun(scope="app")  # the job ended: refresh the counts above, stop polling
    if job.state == "running":
        st.progress(
            job.progress,
            text=t(
                "Drafting recording {name} — {done} of {total} of audio",
                name=md(job.message, 120),
                done=audio_length(job.done),
                total=audio_length(job.total),
            )
            + (t(" · about {n} min left", n=now.minutes_left) if now.minutes_left else ""),
        )
        if st.button(t("Cancel after this recording"), key="cancel_drafts"):
            cancel_drafts(wb, project)
    else:
        text = t(
            "Last draft job: **{state}** ({length} of audio).",
            state=job_state_name(job.state),
            length=fmt_seconds(job.done),
        )
        (st.error if job.state == "failed" else st.success)(text)
        if job.error:
            st.text(job.error)


job_progress()
