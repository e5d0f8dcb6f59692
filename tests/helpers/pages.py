"""What the AppTest tests of the pages share: no exception on the page, and one action sent as
the editor component sends it from the browser. (Opening a page: `open_page` and the `app`
fixture in tests/conftest.py.)"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from workbench import store


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _act(at: AppTest, wb, kind: str, **fields) -> AppTest:
    """Do what the editor component does in the browser: send one action trigger."""
    seg = store.get_segment(wb.db, at.session_state["ed_current"])
    action = {
        "type": kind,
        "key": f"{seg.id}-{seg.version}",
        "segment_id": seg.id,
        "version": seg.version,
        "text": "",
        "start": seg.start,
        "end": seg.end,
        "cursor": seg.start,
        "active_seconds": 2.5,
        "nonce": f"{kind}-{seg.version}",
    }
    at.session_state["ed_component"] = {"action": {**action, **fields}}
    return at.run()


def said(at: AppTest, kind: str) -> str:
    """The editor's status line (inside the component) when it says `kind` ('success',
    'warning', 'error', 'info'): the last action's message, as the page hands it over."""
    flash = at.session_state.get("ed_flash")
    return flash[1] if flash and flash[0] == kind else ""
