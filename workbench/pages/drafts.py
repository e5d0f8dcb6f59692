"""Drafts: choose the engine and model, start Whisper drafts, watch their progress."""

import streamlit as st

from workbench import store
from workbench.asr import ENGINES, ModelNotFound
from workbench.drafting import JobRunning
from workbench.service import LANGUAGES
from workbench.ui.common import current_project, fmt_seconds, page, workbench
from workbench.ui.jobs import start_drafts

page("Drafts")
wb = workbench()
project = current_project()
if project is None:
    st.stop()

with st.form("asr_settings"):
    cols = st.columns(3)
    engines = sorted(ENGINES)
    engine = cols[0].selectbox("Engine", engines, index=engines.index(project.asr_engine)
                               if project.asr_engine in engines else 0, key="asr_engine")
    model = cols[1].text_input("Model", value=project.asr_model, key="asr_model",
                               help="'base' is the embedded Whisper base model; or a model "
                                    "name or a local path (CTranslate2 folder / openai .pt).")
    languages = list(LANGUAGES) if project.language in LANGUAGES else [project.language, *LANGUAGES]
    language = cols[2].selectbox("Language", languages, index=languages.index(project.language),
                                 key="asr_language")
    prompt = st.text_area(
        "Hotwords / initial prompt", value=project.prompt or "", key="asr_prompt", height=68,
        help="Product names and jargon, comma-separated; passed to Whisper as its initial prompt.",
    )
    cols = st.columns(3)
    max_segment = cols[0].number_input("Longest segment (s)", 2.0, 60.0, project.max_segment,
                                       step=1.0, key="asr_max_segment",
                                       help="Longer drafts are split at the largest pause.")
    min_segment = cols[1].number_input("Shortest segment (s)", 0.0, 5.0, project.min_segment,
                                       step=0.1, key="asr_min_segment",
                                       help="Shorter drafts are merged into a neighbour.")
    per_channel = cols[2].checkbox("One speaker per channel", value=project.per_channel,
                                   key="asr_per_channel",
                                   help="Stereo call recordings: draft each channel on its own, "
                                        "with the channel as speaker.")
    if st.form_submit_button("Save settings", key="save_asr_settings"):
        store.update_project(
            wb.db, project.id, asr_engine=engine, asr_model=model.strip() or "base",
            language=language, prompt=prompt.strip() or None, max_segment=max_segment,
            min_segment=min(min_segment, max_segment), per_channel=per_channel,
        )
        st.rerun()

todo = store.undrafted_recordings(wb.db, project.id)
st.write(
    f"**{len(todo)}** recording(s) without a draft "
    f"({fmt_seconds(sum(r.duration for r in todo))} of audio)."
)
if st.button("Start drafts", key="start_drafts", type="primary", disabled=not todo):
    try:
        start_drafts(wb, project, project.language)
        st.rerun()
    except (JobRunning, ModelNotFound) as exc:
        st.error(str(exc))


running = store.running_job(wb.db, project.id, "draft") is not None


def eta_text(job) -> str:
    """ ' · about N min left', from the pace so far."""
    elapsed = (store.now() - job.created_at).total_seconds()
    if job.done <= 0 or elapsed <= 0:
        return ""
    left = (job.total - job.done) * elapsed / job.done
    return f" · about {max(1, round(left / 60))} min left"


@st.fragment(run_every=1.0 if running else None)
def job_progress() -> None:
    job = store.latest_job(wb.db, project.id, "draft")
    if job is None:
        return
    if running and job.state != "running":
        st.rerun(scope="app")  # the job ended: refresh the counts above, stop polling
    if job.state == "running":
        st.progress(job.progress, text=f"Drafting recording {job.message} — "
                                       f"{job.done / 3600:.2f} of {job.total / 3600:.2f} h of audio"
                                       f"{eta_text(job)}")
        if st.button("Cancel after this recording", key="cancel_drafts"):
            store.request_cancel(wb.db, job.id)
    else:
        text = f"Last draft job: **{job.state}** ({fmt_seconds(job.done)} of audio)."
        (st.error if job.state == "failed" else st.success)(text)
        if job.error:
            st.code(job.error, language=None)


job_progress()
