"""Overview: every project the signed-in person may see, with its progress; for owners, what
needs them in each project."""

import pandas as pd
import streamlit as st

from workbench.core.lengths import audio_length
from workbench.projects.settings import project_status, projects
from workbench.projects.todos import owner_todos
from workbench.ui.common import MISSING, workbench
from workbench.ui.text import md

st.title("Speech workbench")
wb = workbench()
owner = wb.actor.role.value == "owner"
if owner:
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
visible = projects(wb)
for project in visible:
    status = project_status(wb, project)
    rows.append(
        {
            "project": project.name,
            "language": project.language,
            "recordings": status["recordings"],
            "audio": audio_length(status["audio_hours"] * 3600),
            **status["segments"],
            "labelled": audio_length(status["labelled_hours"] * 3600),
        }
    )
if rows:
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        key="overview_table",
        placeholder=MISSING,
    )
    st.caption(
        "Segments by status; gold: the gold segments labellers answer blind (never labelled "
        "themselves, so no work left). Labelled: audio of labelled, passed and approved "
        "segments."
    )
elif owner:
    st.info("No projects yet. Create one on the **Projects** page and import audio.")
else:
    st.info("You are not a member of any project yet: ask the project owner to add you.")

if owner and visible:
    st.subheader("Needs you")
    todos = [(project, owner_todos(wb, project)) for project in visible]
    for project, listed in todos:
        if listed:
            st.markdown(
                f"**{md(project.name, 200)}**\n\n"
                + "\n".join(f"- {md(t.what, 1000)} (*{t.page}* page)" for t in listed)
            )
    if not any(listed for _, listed in todos):
        st.success("Nothing needs you now: every recording is drafted and covered.")
