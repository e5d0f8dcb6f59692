"""The built wheel runs the app: it holds the editor's JS/CSS and the conventions, and the app
started from an installation of it (the checkout nowhere on the path) serves the editor.

The wheel is built offline from a fresh copy of the sources (a `build/` folder left in the
checkout by an earlier build could otherwise hide a file that package-data no longer names).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.browser import helpers as tb
from workbench import store

ROOT = Path(__file__).resolve().parents[1]
NEEDED = (  # what the app reads at run time besides Python modules
    "workbench/ui/editor/editor.js",
    "workbench/ui/editor/editor.css",
    "workbench/conventions/plain.yaml",
    "workbench/conventions/kspon.yaml",
    "workbench/conventions/verbatim-en.yaml",
    "workbench/conventions/kspon.md",
    "workbench/pages/editor.py",
    "workbench/ui/icon.png",
    "workbench/locale/ko/LC_MESSAGES/workbench.po",
)

pytestmark = pytest.mark.slow


def _pip(*args: str, cwd: Path) -> None:
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    done = subprocess.run(
        [sys.executable, "-m", "pip", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"pip {' '.join(args)}:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the wheel, the folder it is installed into), built from a copy of the sources."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    shutil.copy2(ROOT / "pyproject.toml", src)
    shutil.copytree(
        ROOT / "workbench", src / "workbench", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    _pip(
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-w",
        str(tmp / "dist"),
        str(src),
        cwd=tmp,
    )
    [wheel] = (tmp / "dist").glob("speech_workbench-*.whl")
    site = tmp / "site"
    _pip("install", "--no-deps", "--no-index", "--target", str(site), str(wheel), cwd=tmp)
    # the router is not in the wheel: a deployment puts the checkout's entry beside the package
    shutil.copy2(ROOT / "streamlit_app.py", site / "streamlit_app.py")
    return wheel, site


def _isolated_env(site: Path, home: Path) -> dict[str, str]:
    """The environment of a process that can import the workbench only from `site`."""
    env = dict(
        os.environ,
        PYTHONPATH=str(site),
        WORKBENCH_HOME=str(home),
        STREAMLIT_SERVER_FILE_WATCHER_TYPE="none",
    )
    env.pop("WORKBENCH_DB_URL", None)
    return env


def test_the_wheel_holds_what_the_app_reads(installed):
    wheel, site = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [n for n in NEEDED if n not in names]
    assert not missing, f"{wheel.name} lacks {missing}"
    assert not any(n.startswith("tests/") for n in names)
    for name in NEEDED:
        assert (site / name).is_file()


# Runs in a fresh interpreter whose cwd is a temporary folder and whose path holds only the
# installed wheel (and the venv's libraries): the overview, then the editor on a drafted project.
APP_FROM_WHEEL = textwrap.dedent("""
    import sys
    from pathlib import Path

    site, project_id = Path(sys.argv[1]), int(sys.argv[2])
    import workbench
    assert Path(workbench.__file__).is_relative_to(site), workbench.__file__
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(site / "streamlit_app.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    at = AppTest.from_file(str(site / "workbench" / "pages" / "editor.py"), default_timeout=60)
    at.session_state["project_id"] = project_id
    at.session_state["author"] = "ann"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    editor = sys.modules["workbench.ui.editor"]
    assert Path(editor.__file__).is_relative_to(site), editor.__file__
    print(at.markdown[0].value)
""")


def test_the_app_runs_from_the_installed_wheel(installed, drafted, home, tmp_path):
    _, site = installed
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", APP_FROM_WHEEL, str(site), str(drafted.id)],
        cwd=cwd,
        env=_isolated_env(site, home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Segment 1 of 6" in done.stdout


def _browser(test):
    for mark in tb.BROWSER_MARKS:  # the browser tests' marks: skipped without Chromium
        test = mark(test)
    return test


@_browser
def test_streamlit_serves_the_editor_from_the_installed_wheel(
    installed, wb, drafted, home, tmp_path, browser_page
):
    """`streamlit run <site>/streamlit_app.py` with only the wheel on the path: the editor's
    component (its JS and CSS come from the wheel) draws the waveform."""
    _, site = installed
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    env = _isolated_env(site, home)
    where = subprocess.run(
        [sys.executable, "-c", "import workbench; print(workbench.__file__)"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert Path(where.stdout.strip()).is_relative_to(site), where
    log = tmp_path / "streamlit.log"
    with tb.serving(site / "streamlit_app.py", cwd, env, log) as base:
        queue = store.segment_queue(wb.db, drafted.id)
        box = tb._editor(browser_page, base, len(queue))  # the canvas and the words are shown
        tb.expect(box).to_have_value(queue[0]["text"])
    assert "Traceback" not in log.read_text(), log.read_text()
