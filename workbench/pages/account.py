"""Account: who you are, the interface language, your editor keys, your time zone, changing
your password."""

from datetime import UTC, datetime

import streamlit as st

from workbench.core.clock import server_zone, zone_names
from workbench.core.errors import WorkbenchError
from workbench.core.messages import LANGUAGES, current_language, role_name, t
from workbench.core.workbench import Workbench
from workbench.labelling.keymap import keymap_problem, my_shortcuts, set_my_keymap
from workbench.labelling.shortcuts import SHORTCUTS
from workbench.projects.people import change_password, set_pref
from workbench.projects.settings import projects
from workbench.projects.time_zones import my_zone_choice
from workbench.ui.common import browser, forget_language, show_error, workbench
from workbench.ui.times import choose_my_zone, time_zone, when


def language_choice(wb: Workbench) -> None:
    """The interface language, kept with the person's preferences (until they choose, their
    project's default)."""

    def chosen() -> None:
        code = st.session_state["account_language"]
        set_pref(workbench(), "language", code)
        st.session_state.setdefault("prefs", {})["language"] = code
        forget_language()

    st.session_state["account_language"] = current_language()
    st.radio(
        t("Language"),
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key="account_language",
        horizontal=True,
        on_change=chosen,
        help=t("Until you choose, the project's default language is shown."),
    )


def editor_keys(wb: Workbench) -> None:
    """The editor's shortcuts, each changeable: the table, the titles and the help follow."""
    st.caption(
        t(
            "Type a key combination with Ctrl or Alt (e.g. Alt+K, Ctrl+Shift+Enter); an action "
            "with several keys takes them in order, separated by ' / '. Blank: the default."
        )
    )
    problem = keymap_problem(wb)
    if problem:
        st.warning(problem[0].upper() + problem[1:] + ".")
    mine = {s.action: s.keys_text_all for s in my_shortcuts(wb)}
    with st.form(f"keys_{wb.actor.name}"):
        typed = {
            s.action: st.text_input(
                t(s.label), value=mine[s.action], key=f"keys_{s.action}", help=t(s.description)
            )
            for s in SHORTCUTS
        }
        save, reset = st.columns(2)
        if save.form_submit_button(t("Save my keys"), type="primary"):
            _save_keys(wb, typed)
        if reset.form_submit_button(t("Back to the defaults")):
            _save_keys(wb, {})
            for s in SHORTCUTS:  # the boxes show the defaults again
                st.session_state.pop(f"keys_{s.action}", None)
            st.rerun()


def _save_keys(wb: Workbench, typed: dict[str, str]) -> None:
    try:
        changed = set_my_keymap(wb, typed)
    except WorkbenchError as exc:
        show_error(exc, t("Not saved: "))
    else:
        st.success(
            t("Saved: {n} action(s) with your own keys, the rest the defaults.", n=len(changed))
        )


def my_time_zone(wb: Workbench) -> None:
    """The zone every time is shown in: one chosen from the IANA list, or each project's."""
    chosen_id = st.session_state.get("project_id")
    project = next((p for p in projects(wb) if p.id == chosen_id), None)  # the sidebar's
    server = t("the server's, {zone}", zone=server_zone().key)
    follow = (
        t("The project's ({zone})", zone=project.time_zone or server)
        if project
        else t("Each project's")
    )
    mine = my_zone_choice(wb)
    options = ["", *zone_names()]
    with st.form(f"time_zone_{wb.actor.name}"):
        chosen = st.selectbox(
            t("Show times in"),
            options,
            index=options.index(mine) if mine in options else 0,
            format_func=lambda z: z or follow,
            key="tz_choice",
            help=t(
                "Claims, history, charts by day and every other time. Pay periods are "
                "days in the project's zone, whoever reads them."
            ),
        )
        if st.form_submit_button(t("Save my time zone"), key="tz_save"):
            try:
                choose_my_zone(chosen)
            except WorkbenchError as exc:
                show_error(exc, t("Not saved: "))
    st.text(
        t(
            "Now: {time} ({zone})",
            time=when(datetime.now(UTC), project),
            zone=time_zone(project).key,
        )
    )


wb = workbench()
st.title(t("Account"))
user = wb.actor
st.text(
    t("Name: {name}", name=user.name)
    + "\n"
    + t("Role: {role}", role=role_name(user.role.value))
    + ("\n" + t("Shown as: {name}", name=user.display_name) if user.display_name else "")
)
language_choice(wb)
with st.expander(t("Editor keys"), expanded=False):
    editor_keys(wb)
with st.expander(t("Time zone"), expanded=False):
    my_time_zone(wb)
if user.id is None:
    st.info(t("You act as the local operator because no account exists yet."))
    st.stop()
with st.form("change_password", clear_on_submit=True):
    current = st.text_input(
        t("Current password"), type="password", key="pw_current", autocomplete="current-password"
    )
    new = st.text_input(
        t("New password (at least 8 characters)"),
        type="password",
        key="pw_new",
        autocomplete="new-password",
    )
    again = st.text_input(
        t("New password again"), type="password", key="pw_again", autocomplete="new-password"
    )
    if st.form_submit_button(t("Change password"), key="pw_change"):
        if new != again:
            st.error(t("The two new passwords differ."))
        else:
            try:
                change_password(
                    wb, current, new, keep=st.session_state.get("wb_token"), bound=browser()
                )
                st.success(t("Password changed; your other sessions have ended."))
            except WorkbenchError as exc:
                show_error(exc)
