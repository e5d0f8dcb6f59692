"""Helpers every page uses: the workbench acting as the signed-in user, the chosen project,
and an error shown by its kind.

The router (`streamlit_app.py`) resolves who is signed in and which project is chosen on every
run; pages ask for them here. Nothing here decides what a user may do: the use cases do.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from workbench.core.access import visible_project_ids
from workbench.core.config import named_home
from workbench.core.errors import Kind, NotFound, WorkbenchError
from workbench.core.messages import interface_language, t, use_language
from workbench.core.records import Project, User
from workbench.core.workbench import LOCAL, NOBODY, Workbench, open_workbench
from workbench.projects.people import MAX_DAYS, Session, accounts_exist, binding, resume
from workbench.projects.people import prefs as saved_prefs
from workbench.projects.settings import open_project, projects, settings_digest
from workbench.ui.cookie import read_token

MISSING = "–"  # what every table shows for a missing value (st.dataframe's placeholder): no "None"
LANGUAGE_KEY = "ui_language"  # ((user, project id), the language worked out for them)
SIGN_IN_LANGUAGE = "sign_in_language"  # the sign-in page's language picker


@st.cache_resource(show_spinner=False)
def _open(home: str | None, db_url: str | None) -> Workbench:
    return open_workbench(home, db_url)


def anonymous() -> Workbench:
    """The workbench named by the environment (WORKBENCH_HOME, WORKBENCH_DB_URL), opened once,
    acting as nobody: every role check refuses it (it signs in, or makes the first owner)."""
    wb = _open(*named_home())
    return wb.as_user(NOBODY)


def signed_in() -> User | None:
    """Who this browser session acts as: the user of its live session token; the local
    operator while no account exists (the unprotected single-user default); else None.
    The interface speaks their language from here on (`speak`)."""
    wb = anonymous()
    token = st.session_state.get("wb_token") or read_token()
    user = resume(wb, token, browser()) if token else None
    if user is not None:
        st.session_state["wb_token"] = token
    else:
        st.session_state.pop("wb_token", None)
        user = None if accounts_exist(wb) else LOCAL
    speak(user)
    return user


def speak(user: User | None) -> None:
    """Set the interface language of this run (`core.messages.use_language`): the person's
    choice, else their project's default (`interface_language`); before sign-in, the one
    picked on the sign-in page, else the browser's. Worked out once a session and project
    (`forget_language` after a change)."""
    if user is None:
        chosen = st.session_state.get(SIGN_IN_LANGUAGE) or _browser_language()
        use_language(chosen)
        return
    wb = anonymous().as_user(user)
    prefs = session_prefs(wb)
    project_id = st.session_state.get("project_id") or prefs.get("project")
    known = st.session_state.get(LANGUAGE_KEY)
    if known is None or known[0] != (user.name, project_id):
        project = _project_of(wb, project_id)
        known = ((user.name, project_id), interface_language(prefs.get("language"), project))
        st.session_state[LANGUAGE_KEY] = known
    use_language(known[1])


def session_prefs(wb: Workbench | None = None) -> dict:
    """The signed-in user's preferences: read from the store once a session (as `wb`'s actor,
    else `workbench()`'s), then kept up to date by the pages that change them."""
    if "prefs" not in st.session_state:
        st.session_state["prefs"] = dict(saved_prefs(wb or workbench()))
    return st.session_state["prefs"]


def _project_of(wb: Workbench, project_id: object) -> Project | None:
    """The project whose default language applies: the one chosen, else the one the sidebar
    will choose first (`sidebar._choose`), else None."""
    try:
        if isinstance(project_id, int):
            return open_project(wb, project_id)
        visible = projects(wb)
    except WorkbenchError:  # gone, or no longer theirs: the default without it
        return None
    return visible[0] if visible else None


def forget_language() -> None:
    """Work the language out again on the next run (a choice or a project default changed)."""
    st.session_state.pop(LANGUAGE_KEY, None)


def _browser_language() -> str | None:
    try:
        locale = st.context.locale
    except Exception:  # noqa: BLE001 (bare script runs have no request)
        return None
    return "ko" if isinstance(locale, str) and locale.lower().startswith("ko") else None


def browser() -> str:
    """This browser's `binding` (its User-Agent and network), which its session is bound to."""
    try:
        agent, address = st.context.headers.get("User-Agent"), st.context.ip_address
    except Exception:  # noqa: BLE001 (bare script runs have no request)
        agent, address = None, None
    # AppTest hands out stand-ins, not strings
    return binding(
        agent if isinstance(agent, str) else None, address if isinstance(address, str) else None
    )


def start_session(
    begin: Callable[..., Session],
    name: str,
    password: str,
    refused: type[WorkbenchError] = WorkbenchError,
) -> None:
    """Sign in by `begin` (`sign_in`, or the first owner's creation) with `name` and `password`:
    the session's token kept in this browser session and, by the router after the rerun, in a
    cookie; the page reruns as its user. A `refused` error is shown instead."""
    try:
        session = begin(anonymous(), name, password, bound=browser())
    except refused as exc:
        show_error(exc)
    else:
        st.session_state["wb_token"] = session.token
        st.session_state["set_cookie"] = (session.token, MAX_DAYS * 86400)
        st.rerun()


def workbench() -> Workbench:
    """The workbench acting as the signed-in user; stops the page when nobody is."""
    user = signed_in()
    if user is None:
        st.warning(t("Your session has ended: sign in again."))
        st.stop()
    acting = anonymous().as_user(user)
    # their projects read once here, with the session: a key's run checks membership often
    return acting.with_memberships(visible_project_ids(acting))


def current_project(wb: Workbench, here: str = "") -> Project | None:
    """The project chosen in the sidebar (None, with a hint shown, when there is none;
    `here`: the hint for an owner with no project, where the page has its own way)."""
    project_id = st.session_state.get("project_id")
    if project_id is not None:
        try:
            return open_project(wb, project_id)
        except NotFound:
            st.session_state["project_id"] = None
    if projects(wb):
        st.info(t("Choose a project in the sidebar."))
    else:
        st.info(
            t("No project yet.")
            + " "
            + (
                (here or t("Create one on the **Projects** page."))
                if wb.actor.role.value == "owner"
                else t("Ask the project owner to add you to one.")
            )
        )
    return None


def require_project(wb: Workbench, here: str = "") -> Project:
    """The project chosen in the sidebar; stops the page (the hint shown) when there is none."""
    project = current_project(wb, here)
    if project is None:
        st.stop()
    return project


def project_page(title: str) -> tuple[Workbench, Project]:
    """Start a page that works on the chosen project: its title, then the workbench acting as
    the signed-in user and the project chosen in the sidebar (`workbench`, `require_project`:
    the page stops when there is no user or no project)."""
    wb = workbench()  # first: the title in the reader's language
    st.title(t(title))
    return wb, require_project(wb)


def form_key(project: Project, name: str) -> str:
    """A widget key tied to a project and its stored settings: switching project, or a save
    by anyone, gives fresh widgets showing the stored values (never the previous project's)."""
    return f"{name}_{project.id}_{settings_digest(project)}"


def fmt_seconds(seconds: float) -> str:
    """h:mm:ss.s for durations and positions."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h)}:{int(m):02d}:{s:04.1f}" if h else f"{int(m)}:{s:04.1f}"


def rerun_fragment() -> None:
    """Rerun the fragment being run, or the whole page when it runs as part of a full run."""
    from streamlit.errors import StreamlitInvalidLayoutContextError

    try:
        st.rerun(scope="fragment")
    except StreamlitInvalidLayoutContextError:
        st.rerun()


def segment_from_url(key: str) -> None:
    """Start `key` (the segment a page shows) from the URL's ?segment=, once per session, so
    a link or a reload opens the same segment."""
    if key not in st.session_state:
        value = st.query_params.get("segment")
        st.session_state[key] = int(value) if value and value.isdigit() else None


def keep_segment(key: str, segment_id: int) -> None:
    """Remember the segment a page shows, in the session and in the URL (from the session's
    second run on: see `workbench.ui.history`)."""
    from workbench.ui.history import url_may_change

    st.session_state[key] = segment_id
    if st.query_params.get("segment") != str(segment_id) and url_may_change():
        st.query_params["segment"] = str(segment_id)


def error_level(exc: WorkbenchError) -> str:
    """How a page shows `exc`: 'error' for wrong input or the machine's trouble (invalid,
    unavailable), 'warning' for a refusal or a clash (forbidden, not found, conflict, busy).
    The name of the Streamlit call, as in a flash's (kind, text)."""
    return "error" if exc.kind in (Kind.INVALID, Kind.UNAVAILABLE) else "warning"


def show_error(exc: WorkbenchError, before: str = "") -> None:
    """Show `exc` as text (never Markdown), by its kind (see `error_level`); `before` goes in
    front of its message, e.g. "Not saved: "."""
    from workbench.ui.text import md

    getattr(st, error_level(exc))(md(before + str(exc), 2000))


def show_flash(key: str) -> None:
    """The message the last action left in `key` (kind, text), shown as text."""
    from workbench.ui.text import md

    flash = st.session_state.get(key)
    if flash:
        getattr(st, flash[0])(md(flash[1], 2000))


def page_flash(key: str) -> Callable[[str], None]:
    """Show, once, the success message `done_then_rerun` left under `key` before its rerun;
    returns the page's `done(message)`: `done_then_rerun` under that key."""
    from workbench.ui.text import md

    if message := st.session_state.pop(key, None):
        st.success(md(message, 2000))
    return partial(done_then_rerun, key)


def done_then_rerun(key: str, message: str) -> None:
    """Rerun the page, which then shows `message` (see `page_flash`): the change and its
    confirmation appear together."""
    st.session_state[key] = message
    st.rerun()
