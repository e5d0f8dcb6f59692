"""Keeps the sign-in token in a browser cookie, so a reload or a new tab stays signed in.

Streamlit reads cookies (`st.context.cookies`) but cannot set them; this component does, in
the page (components v2: no iframe), so it cannot be HttpOnly. The cookie is SameSite=Strict,
Secure over HTTPS, and holds only a random token whose SHA-256, bound to the browser that
signed in (its User-Agent and network), the database keeps: a copy sent from elsewhere resumes
nothing (see workbench.projects.people.binding, and docs/operations.md#security).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

COOKIE = "workbench_session"

_component = st.components.v2.component(
    "workbench_session_cookie", html="", js=(Path(__file__).parent / "cookie.js").read_text()
)


def read_token() -> str | None:
    """The token the browser sent with this session's connection, if any."""
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 (AppTest and bare script runs have no request)
        return None
    return token if isinstance(token, str) else None


def write_token(token: str | None, max_age: int = 0, key: str = "session_cookie") -> None:
    """Set (token) or clear (None) the cookie in the browser."""
    _component(data={"name": COOKIE, "token": token or "", "max_age": max_age}, key=key)
