"""Projects: create one, import audio into it, see its recordings and progress."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from workbench import store
from workbench.importing import AUDIO_SUFFIXES, import_paths
from workbench.service import LANGUAGES, ensure_project, project_status
from workbench.ui.common import current_project, fmt_seconds, page, workbench

page("Projects")
wb = workbench()

with st.expander("New project", expanded=not store.list_projects(wb.db)):
    with st.form("new_project", clear_on_submit=True):
        name = st.text_input("Name", key="new_project_name")
        language = st.selectbox("Language", LANGUAGES, key="new_project_language",
                                help="'auto' lets Whisper detect it per recording.")
        if st.form_submit_button("Create project", key="create_project"):
            if not name.strip():
                st.error("Give the project a name.")
            else:
                st.session_state["project_id"] = ensure_project(wb, name, language).id
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

st.subheader(f"Import audio into {project.name}")
upload_key = f"upload_{st.session_state.setdefault('upload_round', 0)}"
files = st.file_uploader(
    "Audio files or zip archives (WAV, FLAC, MP3, M4A, OGG, Opus, WebM)",
    accept_multiple_files=True,
    type=sorted(s.lstrip(".") for s in AUDIO_SUFFIXES | {".zip"}),
    key=upload_key,
)
if st.button("Import", key="import_button", disabled=not files, type="primary"):
    wb.settings.tmp_dir.mkdir(parents=True, exist_ok=True)
    bar = st.progress(0.0, text="Importing…")
    with tempfile.TemporaryDirectory(dir=wb.settings.tmp_dir) as folder:
        paths = []
        for i, f in enumerate(files):
            target = Path(folder) / f"{i:04d}" / Path(f.name).name
            target.parent.mkdir()
            target.write_bytes(f.getbuffer())
            paths.append(target)
        report = import_paths(
            wb, project, paths,
            progress=lambda d, t, n: bar.progress(d / max(t, 1), text=f"{d}/{t} {n}"),
        )
    bar.empty()
    st.session_state["import_report"] = report
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
