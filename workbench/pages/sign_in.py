"""Sign in: name and password; the session is kept in a cookie until sign-out or expiry."""

import streamlit as st

from workbench.projects.people import MAX_DAYS, SignInError, sign_in
from workbench.ui.common import anonymous, show_error

st.title("Speech workbench")
st.caption("Sign in with the name and password your project owner gave you.")
with st.form("sign_in"):
    name = st.text_input("Name", key="sign_in_name", max_chars=40)
    password = st.text_input("Password", type="password", key="sign_in_password", max_chars=1024)
    if st.form_submit_button("Sign in", type="primary", key="sign_in_button"):
        try:
            session = sign_in(anonymous(), name, password)
        except SignInError as exc:
            show_error(exc)
        else:
            st.session_state["wb_token"] = session.token
            st.session_state["set_cookie"] = (session.token, MAX_DAYS * 86400)
            st.rerun()
