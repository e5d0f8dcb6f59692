"""Streamlit entry point (`streamlit run workbench/app.py`): the overview of every project."""

import pandas as pd
import streamlit as st

from workbench import store
from workbench.logs import configure_logging
from workbench.service import project_status
from workbench.ui.common import page, workbench

configure_logging()  # the workbench loggers to stderr, at WORKBENCH_LOG_LEVEL

page("Speech workbench")
wb = workbench()
st.markdown(
    "Import audio → draft with Whisper → correct segment by segment → export a training "
    "corpus. Pick a project in the sidebar, or create one on **Projects**."
)
rows = []
for project in store.list_projects(wb.db):
    status = project_status(wb, project)
    rows.append(
        {
            "project": project.name,
            "language": project.language,
            "recordings": status["recordings"],
            "audio (h)": round(status["audio_hours"], 3),
            **status["segments"],
            "labelled (h)": round(status["labelled_hours"], 3),
        }
    )
if rows:
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="overview_table")
else:
    st.info("No projects yet. Create one on the **Projects** page and import audio.")
