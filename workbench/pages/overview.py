"""Overview: every project the signed-in person may see, with its progress."""

import pandas as pd
import streamlit as st

from workbench.projects.settings import project_status, projects
from workbench.ui.common import workbench

st.title("Speech workbench")
wb = workbench()
if wb.actor.role.value == "owner":
    st.markdown(
        "Import audio → draft with Whisper → correct segment by segment → export a "
        "training corpus. Pick a project in the sidebar."
    )
else:
    st.markdown(
        "Pick a project in the sidebar and open the **Editor**: one segment at a time, "
        "Ctrl+Enter saves and moves on."
    )
rows = []
for project in projects(wb):
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
elif wb.actor.role.value == "owner":
    st.info("No projects yet. Create one on the **Projects** page and import audio.")
else:
    st.info("You are not a member of any project yet: ask the project owner to add you.")
