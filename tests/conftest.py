"""Shared fixtures: a workbench in a temporary folder, generated audio, a fake ASR engine; and
those that tests in several folders use (a page through the router, a headless Chromium page, the
dashboard's worked project, a labelled noisy corpus, a tiny fine-tunable model). Their helpers
are in tests/helpers/ and tests/browser/helpers.py."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from workbench import asr, store
from workbench.asr import DraftSegment, DraftWord, TranscribeOptions, Transcript
from workbench.projects.settings import Workbench, ensure_project, open_workbench

pytest.register_assert_rewrite("tests.helpers", "tests.browser.helpers")  # their asserts explain

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ["TZ"] = "UTC"  # the server's zone (core.clock.server_zone), whatever the machine's

ROOT = Path(__file__).resolve().parents[1]
SHARED_AUDIO = ROOT.parent / "shared" / "audio"
ARTIFACTS = ROOT / "tests" / "artifacts"

needs_shared = pytest.mark.skipif(
    not SHARED_AUDIO.is_dir(), reason=f"real speech fixtures not found at {SHARED_AUDIO}"
)


def tone(
    path: Path,
    seconds: float = 3.0,
    rate: int = 16000,
    channels: int = 1,
    freq: float = 440.0,
    fmt: str | None = None,
    subtype: str | None = None,
) -> Path:
    """Write a sine (with a quiet gap every second) to `path`; returns the path."""
    t = np.arange(int(seconds * rate)) / rate
    signal = 0.4 * np.sin(2 * np.pi * freq * t) * (t % 1.0 < 0.7)
    data = np.stack([signal] * channels, axis=1) if channels > 1 else signal
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), data.astype(np.float32), rate, format=fmt, subtype=subtype)
    return path


def stereo_call(path: Path, seconds: float = 2.5, rate: int = 48000) -> Path:
    """Write a stereo file whose channels differ (a voice each, the second starting later),
    so it keeps a channels copy (a stereo file whose channels are one sound is dual mono)."""
    t = np.arange(int(seconds * rate)) / rate
    left = 0.4 * np.sin(2 * np.pi * 330 * t) * (t % 1.0 < 0.7)
    right = 0.4 * np.sin(2 * np.pi * 550 * t) * (t > 1.0)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), np.stack([left, right], axis=1).astype(np.float32), rate)
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


@pytest.fixture
def worked(wb, drafted):
    """The demo project with `build_work` done: (project, ids, seconds of each segment)."""
    from tests.helpers.dashboard_data import build_work

    ids = build_work(wb, drafted)
    seconds = {
        key: store.get_segment(wb.db, i).end - store.get_segment(wb.db, i).start
        for key, i in ids.items()
    }
    return drafted, ids, seconds


@pytest.fixture
def sources(tmp_path) -> list[Path]:
    from tests.helpers.corpus import noisy

    return [
        noisy(tmp_path / "src" / "a.wav", 3.0, 16000, 1, 1),
        noisy(tmp_path / "src" / "b.flac", 2.5, 48000, 2, 2),
    ]


@pytest.fixture
def noisy_project(wb, sources, fake_engine):
    """Like `drafted` (project 'demo', 6 drafted segments), from noisy audio."""
    from workbench.drafts.draft_job import run_draft_job, start_draft_job
    from workbench.intake.audio_files import import_paths

    project = ensure_project(wb, "demo", "en")
    project = store.update_project(wb.db, project.id, asr_engine="fake", asr_model="fake-1")
    import_paths(wb, project, sources)
    run_draft_job(
        wb, start_draft_job(wb, project, {}), fake_engine, TranscribeOptions(language="en")
    )
    return project


@pytest.fixture
def labelled(wb, noisy_project):
    from tests.helpers.corpus import label

    label(wb, noisy_project)
    return noisy_project


@pytest.fixture(scope="module")
def tiny_src(tmp_path_factory):
    from tests.helpers.tuning import write_tiny
    from workbench.asr.models import embedded_model_dir

    base = embedded_model_dir(tmp_path_factory.mktemp("models"))
    return write_tiny(tmp_path_factory.mktemp("tiny") / "tiny", base)


@pytest.fixture
def project(wb, tmp_path, tiny_src):
    """Six approved segments, a third held out; the tiny model drafts."""
    import shutil

    from tests.helpers.tuning import final_project
    from workbench.learning.heldout import approved_examples, held_out, training

    shutil.copytree(tiny_src, wb.settings.models_dir / "tiny")
    project, _ = final_project(wb, tmp_path)
    project = store.update_project(
        wb.db, project.id, asr_engine="faster-whisper", asr_model="tiny", holdout_share=0.34
    )
    examples = approved_examples(wb, project)
    assert held_out(examples, 0.34) and training(examples, 0.34)
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


def open_page(
    home: Path,
    page: str = "workbench/pages/overview.py",
    project_id: int | None = None,
    user: tuple[str, str] | None = None,
):
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


@pytest.fixture
def app(home, monkeypatch):
    """Open a page through the router, as a browser would: `?project=ID`, optionally signed in
    as `user` (an account made with that role); without accounts the workbench is unprotected
    and acts as the local owner."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    monkeypatch.delenv("WORKBENCH_DB_URL", raising=False)

    def _open(
        page: str = "workbench/pages/overview.py",
        project_id: int | None = None,
        user: tuple[str, str] | None = None,
    ) -> AppTest:
        return open_page(home, page, project_id, user)

    return _open


@pytest.fixture
def browser_page():
    """A page in headless Chromium (tests/browser/helpers.py: where it is, how it starts)."""
    from playwright.sync_api import sync_playwright

    from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1300, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            yield page
        finally:
            browser.close()


def pytest_collection_modifyitems(items):
    """Browser tests drive a real Chromium against a real server on a shared 2-core machine:
    one that fails is run again, at most twice (pytest-rerunfailures); a real fault fails all
    three times."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=1))
