"""Whose time zone a time is shown in: the person's choice (a preference, chosen on the
Account page), else the project's (its `time_zone` setting: Asia/Seoul for a project made in
Korean, editable by the owner), else the server's. Pay periods are the project's days, the
same for everyone who reads them (`project_zone`). The conversions are `core.clock`'s.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from workbench.core.clock import check_zone, choose_zone
from workbench.core.records import Project
from workbench.core.workbench import Workbench
from workbench.projects.people import prefs, set_pref

__all__ = ["PREF", "my_zone", "my_zone_choice", "set_my_zone", "project_zone"]

PREF = "time_zone"  # the user's preference: an IANA name, or None for the project's


def my_zone_choice(wb: Workbench) -> str | None:
    """The zone the acting user chose, or None (they follow the project's)."""
    return prefs(wb).get(PREF) or None


def my_zone(wb: Workbench, project: Project | None = None) -> ZoneInfo:
    """The zone the acting user reads times in: their choice, else `project`'s, else the
    server's."""
    return choose_zone(my_zone_choice(wb), project.time_zone if project else None)


def set_my_zone(wb: Workbench, name: str | None) -> str | None:
    """The acting user chooses their zone (an IANA name, checked), or None / '' to follow each
    project's. Returns what is saved."""
    chosen = check_zone(name) if name and name.strip() else None
    set_pref(wb, PREF, chosen)
    return chosen


def project_zone(project: Project) -> ZoneInfo:
    """The project's own zone (its setting, else the server's): where its pay days begin."""
    return choose_zone(None, project.time_zone)
