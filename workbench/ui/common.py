"""Helpers every page uses: the open workbench, the chosen project, the user's name."""

from __future__ import annotations

import getpass
import os

import streamlit as st
from streamlit.errors import StreamlitAPIException

from workbench import store
from workbench.corpus import Project
from workbench.service import Workbench, open_workbench


def workbench() -> Workbench:
    """The workbench named by the environment (WORKBENCH_HOME, WORKBENCH_DB_URL), opened once."""
    return _open(os.environ.get("WORKBENCH_HOME"), os.environ.get("WORKBENCH_DB_URL"))


@st.cache_resource(show_spinner=False)
def _open(home: str | None, db_url: str | None) -> Workbench:
    return open_workbench(home, db_url)


NAV = (
    ("app.py", "Overview", ":material/home:"),
    ("pages/projects.py", "Projects", ":material/folder_open:"),
    ("pages/drafts.py", "Drafts", ":material/smart_toy:"),
    ("pages/editor.py", "Editor", ":material/edit_note:"),
    ("pages/export.py", "Export", ":material/inventory_2:"),
)


def page(title: str) -> None:
    """Set up a page: config, session defaults, the sidebar with navigation, project and name."""
    st.set_page_config(page_title=f"{title} · Speech workbench", page_icon=":material/graphic_eq:", layout="wide")
    init_state()
    with st.sidebar:
        for path, label, icon in NAV:
            try:
                st.page_link(path, label=label, icon=icon)
            except StreamlitAPIException:  # AppTest runs a page alone, the others unregistered
                break
    sidebar()
    st.title(title)


def init_state() -> None:
    """Session defaults, set once per browser session."""
    st.session_state.setdefault("author", _default_author())
    st.session_state.setdefault("project_id", None)


def _default_author() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "labeler"


def sidebar() -> None:
    """The project picker and the user's name, on every page."""
    wb = workbench()
    projects = store.list_projects(wb.db)
    with st.sidebar:
        if projects:
            ids = [p.id for p in projects]
            current = st.session_state.get("project_id")
            index = ids.index(current) if current in ids else 0
            chosen = st.selectbox(
                "Project", ids, index=index, key="sidebar_project",
                format_func=lambda i: next(p.name for p in projects if p.id == i),
            )
            st.session_state["project_id"] = chosen
        else:
            st.caption("No project yet: create one on the Projects page.")
        st.session_state["author"] = st.text_input(
            "Your name", value=st.session_state["author"], key="sidebar_author",
            help="Recorded as the author of every revision you save.",
        ).strip()


def current_project() -> Project | None:
    """The project chosen in the sidebar, or None (with a hint shown) when there is none."""
    project_id = st.session_state.get("project_id")
    if project_id is None:
        st.info("Create a project on the **Projects** page first.")
        return None
    return store.get_project(workbench().db, project_id)


def fmt_seconds(seconds: float) -> str:
    """h:mm:ss.s for durations and positions."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h)}:{int(m):02d}:{s:04.1f}" if h else f"{int(m)}:{s:04.1f}"


def rerun_fragment() -> None:
    """Rerun the fragment being run, or the whole page when it runs as part of a full run."""
    from streamlit.errors import StreamlitInvalidLayoutContextError

    try:
        st.rerun(scope="fragment")
    except StreamlitInvalidLayoutContextError:
        st.rerun()
