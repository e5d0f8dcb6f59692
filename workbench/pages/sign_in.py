"""Sign in: name and password; the session is kept in a cookie until sign-out or expiry."""

import streamlit as st

from workbench.core.messages import LANGUAGES, current_language, t
from workbench.projects.people import SignInError, sign_in
from workbench.ui.common import SIGN_IN_LANGUAGE, start_session

# the language of this page (the browser's until one is picked); signed in, their own
st.session_state.setdefault(SIGN_IN_LANGUAGE, current_language())
st.segmented_control(
    t("Language"),
    list(LANGUAGES),
    format_func=LANGUAGES.__getitem__,
    key=SIGN_IN_LANGUAGE,
    label_visibility="collapsed",
)
st.title(t("Speech workbench"))
st.caption(t("Sign in with the name and password your project owner gave you."))
with st.form("sign_in"):
    # what password managers look for: a page that says "new-password" gets no saved one
    name = st.text_input(t("Name"), key="sign_in_name", max_chars=40, autocomplete="username")
    password = st.text_input(
        t("Password"),
        type="password",
        key="sign_in_password",
        max_chars=1024,
        autocomplete="current-password",
    )
    if st.form_submit_button(t("Sign in"), type="primary", key="sign_in_button"):
        start_session(sign_in, name, password, refused=SignInError)
