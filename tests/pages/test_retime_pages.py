"""Words re-timed after a save, through the pages: the editor's save sets the background
re-timing off, the editor then draws the saved text's words as aligned, and the review page
lists them."""

import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import as_user, open_page, session_token
from tests.helpers.scripted_engines import SpreadAligner
from workbench import asr, store
from workbench.ui import jobs

LABELLER = ("ann", "labeler")


@pytest.fixture
def aligning(monkeypatch):
    """The projects' engine 'fake' aligns (spreads the words); the thread lingers briefly."""
    aligner = SpreadAligner()
    monkeypatch.setitem(asr.ENGINES, "fake", lambda model, models_dir: aligner)
    monkeypatch.setattr(asr, "_loaded", {})
    monkeypatch.setattr(jobs, "RETIME_LINGER", 0.2)
    return aligner


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _timed(wb, seg_id: int, wait: float = 60.0):
    """The segment's timed words once the background job has kept them (None if it never
    does within `wait` seconds: not a timing, a bound on a hang)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        timed = store.segment_view(wb.db, seg_id).timed
        if timed is not None:
            return timed
        time.sleep(0.1)
    return None


def test_a_save_in_the_editor_retimes_its_words_for_the_review_page(
    home, wb, drafted, aligning, monkeypatch
):
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    session_token(home, *LABELLER)
    as_user(wb, "ann")
    at = open_page(home, "workbench/pages/editor.py", drafted.id, LABELLER)
    _ok(at)
    seg = store.get_segment(wb.db, at.session_state["ed_current"])
    at.session_state["ed_component"] = {
        "action": {
            "type": "save",
            "key": f"{seg.id}-{seg.version}",
            "segment_id": seg.id,
            "version": seg.version,
            "text": "ask not what your country",
            "start": seg.start,
            "end": seg.end,
            "cursor": seg.start,
            "active_seconds": 3.0,
            "nonce": "save-once",
        }
    }
    _ok(at.run())
    timed = _timed(wb, seg.id)
    words = ["ask", "not", "what", "your", "country"]
    assert timed is not None and [w.word for w in timed] == words
    assert aligning.calls == [words]

    review = open_page(home, "workbench/pages/review.py", drafted.id, ("olga", "owner"))
    _ok(review)
    labels = [e.label for e in review.expander]
    assert "Words aligned to the saved text (5)" in labels
