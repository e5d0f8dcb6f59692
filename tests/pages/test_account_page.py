"""Signing in and the Account page: password managers fill the fields; changing your password
keeps this browser signed in and ends the others."""

from streamlit.testing.v1 import AppTest

from tests.conftest import APP, session_token
from tests.helpers.pages import _no_errors
from workbench.projects import people
from workbench.projects.settings import open_workbench


def test_changing_the_password_here_ends_the_other_browsers(app, home, wb):
    at = app("workbench/pages/account.py", user=("lena", "labeler"))
    elsewhere = session_token(home, "lena", "labeler")
    at.text_input(key="pw_current").input("secret-pass")
    at.text_input(key="pw_new").input("a-new-pass-1")
    at.text_input(key="pw_again").input("a-new-pass-1")
    at.button(key="pw_change").click().run()
    _no_errors(at)
    assert any("Password changed" in s.value for s in at.success)
    bench = open_workbench(home)
    assert people.resume(bench, elsewhere) is None
    assert people.resume(bench, at.session_state["wb_token"]).name == "lena"
    at.run()
    assert not any("session has ended" in w.value for w in at.warning)


def test_sign_in_fields_tell_password_managers_what_they_hold(app, home, wb):
    session_token(home, "olga")  # an account exists: strangers get the sign-in page
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert at.text_input(key="sign_in_name").proto.autocomplete == "username"
    assert at.text_input(key="sign_in_password").proto.autocomplete == "current-password"
    at = app("workbench/pages/account.py", user=("lena", "labeler"))
    assert at.text_input(key="pw_current").proto.autocomplete == "current-password"
    assert at.text_input(key="pw_new").proto.autocomplete == "new-password"
