"""Sign in: name and password; the session is kept in a cookie until sign-out or expiry."""

import streamlit as st

from workbench.projects.people import SignInError, sign_in
from workbench.ui.common import start_session

st.title("Speech workbench")
st.caption("Sign in with the name and password your project owner gave you.")
with st.form("sign_in"):
    # what password managers look for: a page that says "new-password" gets no saved one
    name = st.text_input("Name", key="sign_in_name", max_chars=40, autocomplete="username")
    password = st.text_input(
        "Password",
        type="password",
        key="sign_in_password",
        max_chars=1024,
        autocomplete="current-password",
    )
    if st.form_submit_button("Sign in", type="primary", key="sign_in_button"):
        start_session(sign_in, name, password, refused=SignInError)
