"""Protect this workbench: create the first owner account (only while no account exists)."""

import streamlit as st

from workbench.core.messages import t
from workbench.projects.people import create_first_owner
from workbench.ui.common import start_session

st.title(t("Protect this workbench"))
st.write(
    t(
        "No account exists yet, so anyone who can reach this server acts as its owner. Create "
        "the owner account: from then on everyone signs in, and you add labellers and reviewers "
        "on the People page. Work done so far stays attributed to 'local'."
    )
)
with st.form("first_owner"):
    name = st.text_input(
        t("Your sign-in name"),
        key="owner_name",
        max_chars=40,
        help=t("lower-case letters, digits, '.', '_' or '-'"),
        autocomplete="username",
    )
    password = st.text_input(
        t("Password (at least 8 characters)"), type="password", key="owner_password", max_chars=1024
    )
    again = st.text_input(
        t("Password again"), type="password", key="owner_password_again", max_chars=1024
    )
    if st.form_submit_button(t("Create the owner account"), type="primary", key="create_owner"):
        if password != again:
            st.error(t("The two passwords differ."))
        else:
            start_session(create_first_owner, name, password)
