"""Times on the pages, in the signed-in user's time zone: their choice (Account page), else the
project's, else the server's (the rule is `core.clock.choose_zone`; the use cases use
`projects.time_zones.my_zone`). The choice is read from the session's copy of the user's
preferences (`common.session_prefs`: read once a session), which the Account page keeps up to
date.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import streamlit as st

from workbench.core.clock import choose_zone, shown
from workbench.core.errors import NotFound
from workbench.core.records import Project
from workbench.projects.settings import open_project
from workbench.projects.time_zones import PREF, set_my_zone
from workbench.ui.common import session_prefs, workbench


def time_zone(project: Project | None = None) -> ZoneInfo:
    """The zone the signed-in user reads times in (in `project`, whose zone is the default;
    None: the project chosen in the sidebar, if any)."""
    mine = session_prefs().get(PREF)
    if project is None and not mine and st.session_state.get("project_id") is not None:
        try:
            project = open_project(workbench(), st.session_state["project_id"])
        except NotFound:
            project = None
    return choose_zone(mine, project.time_zone if project else None)


def when(moment: datetime | None, project: Project | None = None) -> str:
    """A stored moment as the signed-in user reads it: `2025-03-01 09:05 KST`; '' for None."""
    return shown(moment, time_zone(project))


def choose_my_zone(name: str | None) -> str | None:
    """Save the signed-in user's zone (checked; None: each project's) here and in the
    session's preferences, so every page shows it from the next run."""
    saved = set_my_zone(workbench(), name)
    session_prefs()[PREF] = saved
    return saved
