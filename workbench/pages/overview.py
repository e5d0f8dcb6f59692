"""Overview: every project the signed-in person may see, with its progress; for owners, what
needs them in each project."""

import pandas as pd
import streamlit as st

from workbench.core.lengths import audio_length
from workbench.core.messages import status_name, t
from workbench.projects.settings import project_status, projects
from workbench.projects.todos import owner_todos
from workbench.ui.common import MISSING, workbench
from workbench.ui.text import md

wb = workbench()  # first: the title in the reader's language
st.title(t("Speech workbench"))
owner = wb.actor.role.value == "owner"
if owner:
    st.markdown(
        t(
            "Import audio → draft with Whisper → correct segment by segment → export a "
            "training corpus. Pick a project in the sidebar."
        )
    )
else:
    st.markdown(
        t(
            "Pick a project in the sidebar and open the **Editor**: one segment at a time, "
            "Ctrl+Enter saves and moves on."
        )
    )
rows = []
visible = projects(wb)
for project in visible:
    status = project_status(wb, project)
    rows.append(
        {
            t("project"): project.name,
            t("language"): project.language,
            t("recordings"): status["recordings"],
            t("audio"): audio_length(status["audio_hours"] * 3600),
            **{status_name(k): n for k, n in status["segments"].items()},
            t("labelled"): audio_length(status["labelled_hours"] * 3600),
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
        t(
            "Segments by status; gold: the gold segments labellers answer blind (never "
            "labelled themselves, so no work left). Labelled: audio of labelled, passed and "
            "approved segments."
        )
    )
elif owner:
    st.info(t("No projects yet. Create one on the **Projects** page and import audio."))
else:
    st.info(t("You are not a member of any project yet: ask the project owner to add you."))

if owner and visible:
    st.subheader(t("Needs you"))
    todos = [(project, owner_todos(wb, project)) for project in visible]
    for project, listed in todos:
        if listed:
            st.markdown(
                f"**{md(project.name, 200)}**\n\n"
                + "\n".join(f"- {md(todo.what, 1000)} (*{todo.page}* page)" for todo in listed)
            )
    if not any(listed for _, listed in todos):
        st.success(t("Nothing needs you now: every recording is drafted and covered."))
