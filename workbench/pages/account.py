"""Account: who you are, and changing your password."""

import streamlit as st

from workbench.core.errors import WorkbenchError
from workbench.projects.people import change_password
from workbench.ui.common import browser, show_error, workbench

st.title("Account")
wb = workbench()
user = wb.actor
st.text(
    f"Name: {user.name}\nRole: {user.role.value}"
    + (f"\nShown as: {user.display_name}" if user.display_name else "")
)
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
