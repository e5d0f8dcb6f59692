"""Every page walked with hostile names: recordings, projects, speakers (and the speaker
registry's entries), people's display names, texts, reasons, comments, terms, rules, job
messages and the audit log all hold Markdown that would load a remote image, bold, HTML, a
colour and LaTeX. Nothing a page renders as Markdown (labels, buttons, alerts, captions,
options, help...) may keep it unescaped (see tests/helpers/hostile.py for what the walk reads)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.conftest import APP, ROOT, open_page, session_token, tone
from tests.helpers.hostile import HOSTILE, rendered_raw
from workbench import store

# the router's table: "slug": ("workbench/pages/<file>.py", ... (sign-in and set-up: apart)
PAGES = re.findall(
    r'"[a-z-]+": \(\s*"(workbench/pages/\w+\.py)"',
    (ROOT / "streamlit_app.py").read_text(encoding="utf-8"),
)


def _hostile(wb, project, tmp_path) -> None:
    """Every user-supplied string of `project` (the worked demo) made hostile, and a recording
    whose draft wrote no segment (Projects offers to draft it again, by name)."""
    from workbench.intake.audio_files import import_paths

    import_paths(wb, project, [tone(tmp_path / "silent.wav", 1.0)])
    segment = store.segment_queue(wb.db, project.id)[0]["id"]
    now = store.now()
    with wb.db.begin() as conn:
        conn.execute(sa.update(store.recordings).values(drafted_at=now))
        conn.execute(sa.update(store.projects).values(name=HOSTILE, speakers=[HOSTILE, "Lee"]))
        for rec in store.list_recordings(wb.db, project.id):
            conn.execute(
                sa.update(store.recordings)
                .where(store.recordings.c.id == rec.id)
                .values(original_name=f"{HOSTILE} {rec.id}.wav", speaker=HOSTILE)
            )
        conn.execute(sa.update(store.segments).values(speaker=HOSTILE, comment=HOSTILE))
        conn.execute(
            sa.update(store.revisions).values(
                text=HOSTILE + " " + store.revisions.c.text, speaker=HOSTILE, comment=HOSTILE
            )
        )
        conn.execute(sa.update(store.reviews).values(comment=HOSTILE, reason=HOSTILE))
        conn.execute(sa.update(store.users).values(display_name=HOSTILE))
        conn.execute(
            sa.insert(store.terms).values(
                project_id=project.id,
                term=HOSTILE,
                source="owner",
                updated_by="olga",
                updated_at=now,
            )
        )
        conn.execute(
            sa.insert(store.rewrites).values(
                project_id=project.id,
                before=HOSTILE,
                after=HOSTILE + " after",
                segments=3,
                people=2,
                state="suggested",
                created_at=now,
            )
        )
    described = {"name": HOSTILE, "gender": "female", "region": HOSTILE, "role": HOSTILE}
    store.add_speaker(wb.db, project.id, {**described, "notes": HOSTILE}, "olga")
    store.set_gold(wb.db, project.id, segment, HOSTILE, True, "olga")
    job = store.start_job(wb.db, project.id, "draft", {"model": HOSTILE}, 2)
    store.stop_job(wb.db, job.id, "failed", message=HOSTILE, error=HOSTILE)
    store.log_event(wb.db, "=" + HOSTILE, "sign-in failed", project.id, {"name": HOSTILE})


@pytest.fixture
def hostile(wb, worked, tmp_path):
    project = worked[0]
    _hostile(wb, project, tmp_path)
    return project


def _walked(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert rendered_raw(at) == []


def test_the_router_lists_the_pages_walked():
    assert len(PAGES) == len(list((ROOT / "workbench" / "pages").glob("*.py"))) - 2


@pytest.mark.parametrize("page", PAGES)
def test_no_page_renders_a_hostile_name_as_markdown(page, hostile, home):
    _walked(open_page(home, page, hostile.id))


@pytest.mark.parametrize("role", ["labeler", "reviewer"])
@pytest.mark.parametrize("page", ["workbench/pages/editor.py", "workbench/pages/review.py"])
def test_nor_the_pages_of_labellers_and_reviewers(page, role, hostile, home):
    if page.endswith("review.py") and role == "labeler":
        pytest.skip("labellers do not review")
    _walked(open_page(home, page, hostile.id, user=(f"h{role}", role)))


def test_drafting_a_hostile_recording_again_says_its_name_as_text(hostile, home, wb):
    at = open_page(home, "workbench/pages/projects.py", hostile.id)
    silent = store.empty_drafts(wb.db, hostile.id)[0]
    assert "host.example/p.png" in at.button(key=f"redraft_{silent.id}").label  # shown, as text
    _walked(at)
    at.button(key=f"redraft_{silent.id}").click().run()
    assert at.success, "the redraft said nothing"
    _walked(at)


def test_sign_in_and_set_up_pages(drafted, home, wb, tmp_path):
    _hostile_names_only(wb, drafted)
    _walked(open_page(home, "workbench/pages/setup.py", drafted.id))  # no account yet
    session_token(home, "olga")
    stranger = AppTest.from_file(str(APP), default_timeout=60)
    stranger.query_params["project"] = str(drafted.id)
    _walked(stranger.run())
    assert stranger.button(key="sign_in_button")


def _hostile_names_only(wb, project) -> None:
    with wb.db.begin() as conn:
        conn.execute(sa.update(store.projects).values(name=HOSTILE))
        conn.execute(sa.update(store.recordings).values(original_name=HOSTILE + ".wav"))
