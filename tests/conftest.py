"""Shared fixtures: a workbench in a temporary folder, generated audio, a fake ASR engine."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from workbench import asr, store
from workbench.asr import DraftSegment, DraftWord, TranscribeOptions, Transcript
from workbench.projects.settings import Workbench, ensure_project, open_workbench

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
SHARED_AUDIO = ROOT.parent / "shared" / "audio"
ARTIFACTS = ROOT / "tests" / "artifacts"

needs_shared = pytest.mark.skipif(
    not SHARED_AUDIO.is_dir(), reason=f"real speech fixtures not found at {SHARED_AUDIO}"
)


def tone(path: Path, seconds: float = 3.0, rate: int = 16000, channels: int = 1,
         freq: float = 440.0, fmt: str | None = None, subtype: str | None = None) -> Path:
    """Write a sine (with a quiet gap every second) to `path`; returns the path."""
    t = np.arange(int(seconds * rate)) / rate
    signal = 0.4 * np.sin(2 * np.pi * freq * t) * (t % 1.0 < 0.7)
    data = np.stack([signal] * channels, axis=1) if channels > 1 else signal
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), data.astype(np.float32), rate, format=fmt, subtype=subtype)
    return path


class FakeEngine:
    """Drafts a segment per second of audio, words 'w0 w1 ...', every other word unsure."""

    name = "fake"

    def __init__(self, model: str = "fake-1", fail_on_seconds: float | None = None):
        self.model = model
        self.fail_on_seconds = fail_on_seconds
        self.calls = 0
        self.asked: list[TranscribeOptions] = []  # the options of each call

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions) -> Transcript:
        self.calls += 1
        self.asked.append(options)
        duration = len(audio) / 16000
        if self.fail_on_seconds is not None and abs(duration - self.fail_on_seconds) < 0.01:
            raise RuntimeError("the fake engine fails on this length")

        def segments():
            start, i = 0.0, 0
            while start + 0.2 < duration:
                end = min(duration, start + 1.0)
                words = (
                    DraftWord(f" w{i}", start, start + 0.4, 0.9),
                    DraftWord(f" x{i}", start + 0.4, end - 0.1, 0.3),
                )
                yield DraftSegment(start, end, f"w{i} x{i}", -0.3, 0.01, 1.2, words)
                start, i = end, i + 1

        lang = "en" if options.language == "auto" else options.language
        return Transcript(language=lang, segments=segments())


@pytest.fixture
def fake_engine(monkeypatch) -> FakeEngine:
    """Registers the fake engine under the name 'fake' (so projects can select it)."""
    engine = FakeEngine()
    monkeypatch.setitem(asr.ENGINES, "fake", lambda model, models_dir: engine)
    monkeypatch.setattr(asr, "_loaded", {})
    return engine


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


PG_URL = os.environ.get("WORKBENCH_TEST_PG")  # e.g. postgresql+psycopg://postgres@/wb_test


@pytest.fixture
def wb(home) -> Workbench:
    """A workbench in a temporary home: SQLite there, or the PostgreSQL of WORKBENCH_TEST_PG."""
    if not PG_URL:
        return open_workbench(home, f"sqlite:///{home / 'workbench.db'}")
    bench = open_workbench(home, PG_URL)
    with bench.db.begin() as conn:  # a clean database for every test
        store.metadata.drop_all(conn)
    store.migrate(bench.db)
    return bench


@pytest.fixture
def tones(tmp_path) -> list[Path]:
    return [
        tone(tmp_path / "src" / "a.wav", 3.0, 16000),
        tone(tmp_path / "src" / "b.flac", 2.5, 48000, channels=2, freq=330),
    ]


@pytest.fixture
def drafted(wb, tones, fake_engine):
    """A project 'demo' with two recordings drafted by the fake engine."""
    from workbench.drafts.draft_job import run_draft_job, start_draft_job
    from workbench.intake.audio_files import import_paths

    project = ensure_project(wb, "demo", "en")
    project = store.update_project(wb.db, project.id, asr_engine="fake", asr_model="fake-1")
    import_paths(wb, project, tones)
    job = start_draft_job(wb, project, {})
    run_draft_job(wb, job, fake_engine, TranscribeOptions(language="en"))
    return project


def as_user(wb: Workbench, name: str, role: str = "labeler") -> Workbench:
    """`wb` acting as the account `name` (made on first use, with an unusable password), a
    member of every project that exists now."""
    from workbench.core.records import Role

    found = store.find_user(wb.db, name)
    user = found[0] if found else store.create_user(wb.db, name, Role(role), "!unusable")
    for project in store.list_projects(wb.db):
        store.add_member(wb.db, user.id, project.id)
    return wb.as_user(user)


APP = ROOT / "streamlit_app.py"


def session_token(home: Path, name: str, role: str = "owner") -> str:
    """A live sign-in token for the account `name` in the workbench at `home` (made with `role`
    and membership of every project if missing; the owner 'olga' is made first if missing)."""
    from workbench.projects import people

    wb = open_workbench(home)  # acting as the local operator, an owner
    if store.find_user(wb.db, "olga") is None:
        people.create_user(wb, "olga", "owner", "owner-pass-1")
    if store.find_user(wb.db, name) is None:
        people.create_user(wb, name, role, "secret-pass")
    user = store.find_user(wb.db, name)[0]
    for project in store.list_projects(wb.db):
        store.add_member(wb.db, user.id, project.id)
    return people.sign_in(wb, name, "owner-pass-1" if name == "olga" else "secret-pass").token


def open_page(home: Path, page: str = "workbench/pages/overview.py", project_id: int | None = None,
              user: tuple[str, str] | None = None):
    """An AppTest of the app, through its router as a browser would reach `page`: `?project=ID`
    in the URL, signed in as `user` (name, role). Without `user` it is unprotected while no
    account exists, else signed in as the owner 'olga'."""
    from streamlit.testing.v1 import AppTest

    from workbench.projects import people

    os.environ["WORKBENCH_HOME"] = str(home)
    os.environ.pop("WORKBENCH_DB_URL", None)
    if user is None and people.accounts_exist(open_workbench(home)):
        user = ("olga", "owner")
    at = AppTest.from_file(str(APP), default_timeout=60)
    if project_id is not None:
        at.query_params["project"] = str(project_id)
    if user is not None:
        at.session_state["wb_token"] = session_token(home, *user)
    at.run()
    if page != "workbench/pages/overview.py":
        at.switch_page(page).run()
    return at


def pytest_collection_modifyitems(items):
    """Browser tests drive a real Chromium against a real server on a shared 2-core machine:
    one that fails is run again, at most twice (pytest-rerunfailures); a real fault fails all
    three times."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=1))
