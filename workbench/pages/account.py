"""Account: who you are, your editor keys, your time zone, and changing your password."""

from datetime import UTC, datetime

import streamlit as st

from workbench.core.clock import server_zone, zone_names
from workbench.core.errors import WorkbenchError
from workbench.core.workbench import Workbench
from workbench.labelling.keymap import keymap_problem, my_shortcuts, set_my_keymap
from workbench.labelling.shortcuts import SHORTCUTS
from workbench.projects.people import change_password
from workbench.projects.settings import projects
from workbench.projects.time_zones import my_zone_choice
from workbench.ui.common import browser, show_error, workbench
from workbench.ui.times import choose_my_zone, time_zone, when


def editor_keys(wb: Workbench) -> None:
    """The editor's shortcuts, each changeable: the table, the titles and the help follow."""
    st.caption(
        "Type a key combination with Ctrl or Alt (e.g. Alt+K, Ctrl+Shift+Enter); an action with "
        "several keys takes them in order, separated by ' / '. Blank: the default."
    )
    problem = keymap_problem(wb)
    if problem:
        st.warning(problem[0].upper() + problem[1:] + ".")
    mine = {s.action: s.keys_text_all for s in my_shortcuts(wb)}
    with st.form(f"keys_{wb.actor.name}"):
        typed = {
            s.action: st.text_input(
                s.label, value=mine[s.action], key=f"keys_{s.action}", help=s.description
            )
            for s in SHORTCUTS
        }
        save, reset = st.columns(2)
        if save.form_submit_button("Save my keys", type="primary"):
            _save_keys(wb, typed)
        if reset.form_submit_button("Back to the defaults"):
            _save_keys(wb, {})
            for s in SHORTCUTS:  # the boxes show the defaults again
                st.session_state.pop(f"keys_{s.action}", None)
            st.rerun()


def _save_keys(wb: Workbench, typed: dict[str, str]) -> None:
    try:
        changed = set_my_keymap(wb, typed)
    except WorkbenchError as exc:
        show_error(exc, "Not saved: ")
    else:
        st.success(f"Saved: {len(changed)} action(s) with your own keys, the rest the defaults.")


def my_time_zone(wb: Workbench) -> None:
    """The zone every time is shown in: one chosen from the IANA list, or each project's."""
    chosen_id = st.session_state.get("project_id")
    project = next((p for p in projects(wb) if p.id == chosen_id), None)  # the sidebar's
    server = f"the server's, {server_zone().key}"
    follow = f"The project's ({project.time_zone or server})" if project else "Each project's"
    mine = my_zone_choice(wb)
    options = ["", *zone_names()]
    with st.form(f"time_zone_{wb.actor.name}"):
        chosen = st.selectbox(
            "Show times in",
            options,
            index=options.index(mine) if mine in options else 0,
            format_func=lambda z: z or follow,
            key="tz_choice",
            help="Claims, history, charts by day and every other time. Pay periods are "
            "days in the project's zone, whoever reads them.",
        )
        if st.form_submit_button("Save my time zone", key="tz_save"):
            try:
                choose_my_zone(chosen)
            except WorkbenchError as exc:
                show_error(exc, "Not saved: ")
    st.text(f"Now: {when(datetime.now(UTC), project)} ({time_zone(project).key})")


st.title("Account")
wb = workbench()
user = wb.actor
st.text(
    f"Name: {user.name}\nRole: {user.role.value}"
    + (f"\nShown as: {user.display_name}" if user.display_name else "")
)
with st.expander("Editor keys", expanded=False):
    editor_keys(wb)
with st.expander("Time zone", expanded=False):
    my_time_zone(wb)
if user.id is None:
    st.info("You act as the local operator because no account exists yet.")
    st.stop()
with st.form("change_password", clear_on_submit=True):
    current = st.text_input(
        "Current password", type="password", key="pw_current", autocomplete="current-password"
    )
    new = st.text_input(
        "New password (at least 8 characters)",
        type="password",
        key="pw_new",
        autocomplete="new-password",
    )
    again = st.text_input(
        "New password again", type="password", key="pw_again", autocomplete="new-password"
    )
    if st.form_submit_button("Change password", key="pw_change"):
        if new != again:
            st.error("The two new passwords differ.")
        else:
            try:
                change_password(
                    wb, current, new, keep=st.session_state.get("wb_token"), bound=browser()
                )
                st.success("Password changed; your other sessions have ended.")
            except WorkbenchError as exc:
                show_error(exc)
