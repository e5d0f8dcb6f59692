"""One press of the browser's Back button leaves a page.

Streamlit's front end pushes a history entry whenever the server changes the URL's query
(`st.query_params`), and the workbench does so on every page: the chosen project (and the
editor's segment) go into the URL as soon as a page opens. Each page then took two entries, its
address as opened and the same address with `?project=`, and Back from it landed on the first,
which put the project back: the user pressed Back twice to leave. This component, drawn first
on every run (components v2: in the page, no iframe), makes a push that keeps the page's path
(only its query changes) replace the current entry instead; moving to another page still pushes.
The component's script runs only once its element is drawn, after the first run of a session
has sent its URL changes, so that run leaves the URL alone (`url_may_change`): the next run,
the first action on the page, writes it.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

_component = st.components.v2.component(
    "workbench_history", html="", js=(Path(__file__).parent / "history.js").read_text()
)


_DRAWN = "history_rule_drawn"


def one_entry_per_page() -> None:
    """Install (once per browser tab) the rule that a query change replaces the history entry;
    from the session's next run on, pages may change the URL."""
    st.session_state["url_may_change"] = st.session_state.get(_DRAWN, False)
    _component(key="history_rule")
    st.session_state[_DRAWN] = True


def url_may_change() -> bool:
    """Whether this run may write the URL's query without adding a history entry: not in a
    session's first run, before the browser has the rule (nor where no router ran). A
    fragment's own rerun (the editor's keys) comes after a whole run, which drew the rule."""
    if st.session_state.get("url_may_change", False):
        return True
    ctx = get_script_run_ctx()
    fragment_rerun = ctx is not None and bool(ctx.fragment_ids_this_run)
    return fragment_rerun and bool(st.session_state.get(_DRAWN, False))
