"""Fixtures of the headless Chromium tests: the app served on a free port, and a long generated
recording for the editor's day. (`browser_page` is in tests/conftest.py.)"""

from __future__ import annotations

import os

import pytest

from tests.browser.helpers import EVERY, LOOP_AT, SECONDS, serving
from tests.conftest import ROOT, tone
from workbench import store


@pytest.fixture
def server(home, tmp_path):
    """The Streamlit app serving the workbench in `home`; yields its base URL."""
    env = dict(os.environ, WORKBENCH_HOME=str(home), STREAMLIT_SERVER_FILE_WATCHER_TYPE="none")
    env.pop("WORKBENCH_DB_URL", None)
    with serving("streamlit_app.py", ROOT, env, tmp_path / "streamlit.log") as base:
        yield base


@pytest.fixture
def long_project(wb, tmp_path):
    from workbench.intake.audio_files import import_paths
    from workbench.projects.settings import ensure_project

    project = ensure_project(wb, "long call", "en")
    import_paths(wb, project, [tone(tmp_path / "src" / "call.wav", SECONDS)])
    rec = store.list_recordings(wb.db, project.id)[0]
    drafts = []
    for i in range(int(SECONDS // EVERY)):
        s = i * EVERY
        words = [
            {"word": f" w{k}", "start": s + k * 0.5, "end": s + k * 0.5 + 0.4, "probability": 0.9}
            for k in range(6)
        ]
        if i == LOOP_AT:  # a loop: 30 words at nearly the same time, 12 far before, 5 after
            words = (
                [
                    {
                        "word": " far",
                        "start": max(0.0, s - 5 + k * 0.1),
                        "end": s - 4.5 + k * 0.1,
                        "probability": 0.3,
                    }
                    for k in range(12)
                ]
                + [
                    {
                        "word": f" again{k}",
                        "start": s + 0.5 + k * 0.02,
                        "end": s + 0.6 + k * 0.02,
                        "probability": 0.4,
                    }
                    for k in range(30)
                ]
                + [
                    {"word": " late", "start": s + 9 + k, "end": s + 9.5 + k, "probability": 0.3}
                    for k in range(5)
                ]
            )
        drafts.append(
            {
                "start": s,
                "end": s + 3.0,
                "text": " ".join(w["word"].strip() for w in words),
                "asr_meta": {"words": words},
            }
        )
    store.add_drafted_segments(wb.db, rec.id, drafts, author="asr")
    return project
