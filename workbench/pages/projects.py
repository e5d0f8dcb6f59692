"""Projects: create one, import audio into it, see its recordings and progress."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from workbench import store
from workbench.annotations import import_any
from workbench.importing import AUDIO_SUFFIXES
from workbench.service import LANGUAGES, draft_quality, ensure_project, project_status
from workbench.text import list_profiles, load_profile
from workbench.ui.common import current_project, fmt_seconds, page, workbench

ANNOTATION_TYPES = {"json", "jsonl", "csv", "tsv", "srt", "vtt", "textgrid", "eaf"}

page("Projects")
wb = workbench()

with st.expander("New project", expanded=not store.list_projects(wb.db)):
    with st.form("new_project", clear_on_submit=True):
        name = st.text_input("Name", key="new_project_name")
        language = st.selectbox("Language", LANGUAGES, key="new_project_language",
                                help="'auto' lets Whisper detect it per recording.")
        conventions = st.selectbox("Transcription conventions", list_profiles(),
                                   index=list_profiles().index("plain"),
                                   key="new_project_conventions",
                                   help="kspon: KsponSpeech / AI Hub Korean rules; verbatim-en: "
                                        "English clean verbatim with [noise] tags.")
        if st.form_submit_button("Create project", key="create_project"):
            if not name.strip():
                st.error("Give the project a name.")
            else:
                st.session_state["project_id"] = ensure_project(wb, name, language,
                                                                conventions).id
                st.rerun()

project = current_project()
if project is None:
    st.stop()

status = project_status(wb, project)
cols = st.columns(4)
cols[0].metric("Recordings", status["recordings"])
cols[1].metric("Audio", f"{status['audio_hours']:.2f} h")
cols[2].metric("Segments", sum(status["segments"].values()))
cols[3].metric("Labelled", f"{status['labelled_hours']:.2f} h")

quality = draft_quality(wb, project)
if quality:
    headline = quality["headline"]
    st.caption(
        f"Drafts against labelled text over {quality['segments']} segments: "
        f"**{headline} {quality[headline.lower()]:.1%}** "
        f"({'WER' if headline == 'CER' else 'CER'} "
        f"{quality['wer' if headline == 'CER' else 'cer']:.1%}): the share of the draft "
        "the labellers corrected."
    )
labellers = store.labeller_stats(wb.db, project.id)
if labellers:
    with st.expander("Labellers", expanded=False):
        st.dataframe(pd.DataFrame([
            {"labeller": r["author"], "saves": r["saves"], "segments": r["segments"],
             "audio (min)": round(r["audio_seconds"] / 60, 1),
             "active (min)": round(r["active"] / 60, 1),
             "s of work per min of audio": round(r["active"] / max(r["audio_seconds"] / 60, 1e-9), 1)}
            for r in labellers]), hide_index=True, width="stretch", key="labellers_table")

with st.expander("Settings: conventions, speakers, guidelines", expanded=False):
    with st.form("project_settings"):
        profiles = list_profiles()
        if project.conventions not in profiles:
            profiles = [project.conventions, *profiles]
        chosen = st.selectbox("Transcription conventions", profiles,
                              index=profiles.index(project.conventions), key="set_conventions",
                              help="A built-in profile, or the path of your own profile file.")
        custom = st.text_input("…or a profile file (YAML) on the server", key="set_profile_path")
        speakers = st.text_input("Speakers (comma-separated)", ", ".join(project.speakers),
                                 key="set_speakers")
        guidelines = st.text_area(
            "Guidelines for labellers (Markdown; empty: the conventions' own)",
            project.guidelines or "", key="set_guidelines", height=150)
        blocks = st.checkbox("Convention errors block saving (otherwise: save after a warning)",
                             project.lint_blocks, key="set_lint_blocks")
        if st.form_submit_button("Save settings", key="save_project_settings"):
            profile_name = custom.strip() or chosen
            try:
                load_profile(profile_name)
            except (ValueError, OSError) as exc:
                st.error(f"Not saved: {exc}")
            else:
                store.update_project(
                    wb.db, project.id, conventions=profile_name,
                    speakers=[s.strip() for s in speakers.split(",") if s.strip()],
                    guidelines=guidelines.strip() or None, lint_blocks=blocks,
                )
                st.rerun()

st.subheader(f"Import audio into {project.name}")
upload_key = f"upload_{st.session_state.setdefault('upload_round', 0)}"
files = st.file_uploader(
    "Audio files or zip archives (WAV, FLAC, MP3, M4A, OGG, Opus, WebM), and transcripts to "
    "import with them (NeMo, audiofolder metadata, SRT, VTT, TextGrid, EAF, CSV/TSV)",
    accept_multiple_files=True,
    type=sorted({s.lstrip(".") for s in AUDIO_SUFFIXES} | {"zip"} | ANNOTATION_TYPES),
    key=upload_key,
)
if st.button("Import", key="import_button", disabled=not files, type="primary"):
    wb.settings.tmp_dir.mkdir(parents=True, exist_ok=True)
    bar = st.progress(0.0, text="Importing…")
    with tempfile.TemporaryDirectory(dir=wb.settings.tmp_dir) as folder:
        paths = []
        for f in files:  # one folder, so a transcript finds the audio of the same stem
            target = Path(folder) / Path(f.name).name
            if target.exists():
                target = target.with_name(f"{target.stem}-{len(paths)}{target.suffix}")
            target.write_bytes(f.getbuffer())
            paths.append(target)
        result = import_any(
            wb, project, paths,
            progress=lambda d, t, n: bar.progress(d / max(t, 1), text=f"{d}/{t} {n}"),
        )
    bar.empty()
    st.session_state["import_report"] = result.report
    st.session_state["upload_round"] += 1
    st.rerun()

report = st.session_state.get("import_report")
if report is not None:
    (st.warning if report.failed else st.success)(report.summary())
    problems = [i for i in report.items if i.outcome != "imported"]
    st.markdown("\n".join(f"- **{i.outcome}**: `{i.name}`: {i.reason}" for i in problems[:30]))
    if len(problems) > 30:
        st.dataframe(
            pd.DataFrame([{"file": i.name, "outcome": i.outcome, "reason": i.reason}
                          for i in problems[30:]]),
            hide_index=True, width="stretch", key="import_problems",
        )

recordings = store.list_recordings(wb.db, project.id)
st.subheader("Recordings")
if recordings:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "name": r.original_name,
                    "duration": fmt_seconds(r.duration),
                    "original rate (Hz)": r.sample_rate,
                    "channels": r.channels,
                    "language": r.language or "",
                }
                for r in recordings
            ]
        ),
        hide_index=True, width="stretch", key="recordings_table",
    )
else:
    st.caption("No recordings yet.")
