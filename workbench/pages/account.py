"""Account: who you are, your editor keys, and changing your password."""

import streamlit as st

from workbench.core.errors import WorkbenchError
from workbench.core.workbench import Workbench
from workbench.labelling.keymap import keymap_problem, my_shortcuts, set_my_keymap
from workbench.labelling.shortcuts import SHORTCUTS
from workbench.projects.people import change_password
from workbench.ui.common import browser, show_error, workbench


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


st.title("Account")
wb = workbench()
user = wb.actor
st.text(
    f"Name: {user.name}\nRole: {user.role.value}"
    + (f"\nShown as: {user.display_name}" if user.display_name else "")
)
with st.expander("Editor keys", expanded=False):
    editor_keys(wb)
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
