"""The sidebar on every page: the project picker (kept in the URL and per user) and the account."""

from __future__ import annotations

import streamlit as st

from workbench.core.errors import WorkbenchError
from workbench.core.messages import role_name, t
from workbench.core.records import User
from workbench.crowd.claims import leave
from workbench.projects.people import set_pref, sign_out
from workbench.projects.settings import projects
from workbench.ui.common import anonymous, browser, session_prefs, workbench
from workbench.ui.history import url_may_change
from workbench.ui.text import md

PICK_KEY = "sidebar_project"


def _choose(ids: list[int], saved: int | None) -> int | None:
    """The project to show this run: the picker's choice, else the URL's (a link, a reload, a
    new tab), else this session's, else the user's last one, else the first."""
    url = st.query_params.get("project")
    candidates = [
        st.session_state.pop("picked", None),
        int(url) if url and url.isdigit() else None,
        st.session_state.get("project_id"),
        saved,
    ]
    return next((c for c in candidates if c in ids), ids[0] if ids else None)


def _picked() -> None:
    value = st.session_state.get(PICK_KEY)  # gone when a sign-out has just cleared the state
    if value is not None:
        st.session_state["picked"] = value


def project_picker(user: User) -> None:
    """Choose the project; the choice goes into the URL (`?project=ID`) and the user's prefs."""
    wb = workbench()
    visible = projects(wb)
    names = {p.id: p.name for p in visible}
    prefs = session_prefs(wb)  # kept up to date here
    chosen = _choose(list(names), prefs.get("project"))
    before = st.session_state.get("project_id")
    if chosen != before:
        st.session_state.pop("ed_current", None)  # the editor's segment belongs to the old one
        if before is not None:  # a switch, not a first look at a link: its segment goes too
            _left_editor(before)
            for key in ("ed_pinned", "ed_back", "ed_conflict", "ed_last_deleted", "ed_sent"):
                st.session_state.pop(key, None)
            st.query_params.pop("segment", None)
    st.session_state["project_id"] = chosen
    if chosen is None:
        if url_may_change():
            st.query_params.pop("project", None)
        st.caption(t("No project yet."))
        return
    if st.query_params.get("project") != str(chosen) and url_may_change():
        st.query_params["project"] = str(chosen)
    if prefs.get("project") != chosen:
        prefs["project"] = chosen
        set_pref(wb, "project", chosen)
    st.session_state[PICK_KEY] = chosen
    st.selectbox(
        t("Project"),
        list(names),
        key=PICK_KEY,
        on_change=_picked,
        format_func=lambda i: names.get(i, f"project {i}"),
    )


def on_page(slug: str) -> None:
    """Note the page this run shows; leaving the editor gives back the segments claimed for
    it (`crowd.claims.leave`), so colleagues need not wait for them to expire."""
    before = st.session_state.get("on_page")
    st.session_state["on_page"] = slug
    if before == "editor" and slug != "editor":
        _left_editor(st.session_state.get("project_id"))


def _left_editor(project_id: int | None) -> None:
    if project_id is None:
        return
    try:
        leave(workbench(), project_id)
    except WorkbenchError:  # a project no longer visible to them: nothing of theirs to give
        return


def account_box(user: User) -> None:
    """Who is signed in, and sign-out; a warning while the workbench has no accounts."""
    st.divider()
    if user.id is None:
        st.warning(
            t(
                "Unprotected: no account exists yet, so anyone who can open this page acts "
                "as the owner. Open **Protect this workbench** to create the owner account."
            )
        )
        return
    st.caption(
        t("Signed in as {name} ({role})", name=md(user.label), role=role_name(user.role.value))
    )
    if st.button(t("Sign out"), key="sign_out", icon=":material/logout:"):
        _left_editor(st.session_state.get("project_id"))
        sign_out(anonymous().as_user(user), st.session_state.pop("wb_token", None), browser())
        st.session_state.clear()
        st.session_state["clear_cookie"] = True
        st.rerun()
