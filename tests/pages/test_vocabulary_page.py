"""The owner's Vocabulary page (AppTest, by widget key): learning, the terms table, adding a
term, using the terms in drafts, accepting and undoing rules, the queue order; the editor's
mark on a draft a rule changed, and its queue following the project's order."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.conftest import APP, as_user, open_page, session_token
from workbench import store
from workbench.labelling.labeller_edits import save_segment
from workbench.learning import learn
from workbench.review.verdicts import approve


@pytest.fixture
def app(home, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    monkeypatch.delenv("WORKBENCH_DB_URL", raising=False)
    return lambda page, project_id, user=("olga", "owner"): open_page(home, page, project_id, user)


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.fixture
def taught(wb, drafted):
    """'x0' written 'kubectl' by ann and bob in two approved segments."""
    queue = store.segment_queue(wb.db, drafted.id)
    for index, person in ((0, "ann"), (3, "bob")):
        q = queue[index]
        save_segment(as_user(wb, person), q["id"], 1, "w0 kubectl", q["start"], q["end"])
        approve(wb, q["id"], 2)
    return drafted


def _texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def test_owner_learns_edits_terms_and_decides_rules(app, wb, taught):
    pid = taught.id
    at = app("workbench/pages/vocabulary.py", pid)
    _no_errors(at)
    assert [h.value for h in at.header] == [
        "Learned vocabulary",
        "Suggested rules",
        "Labellers' queue",
    ]
    assert not at.data_editor  # no terms yet
    at.button(key=f"voc_learn_{pid}").click().run()
    _no_errors(at)
    assert "1 terms (1 new), 1 rules (1 new)" in at.success[0].value
    [table] = at.data_editor
    assert list(table.value["term"]) == ["kubectl"]
    assert "x0 → kubectl" in _texts(at) and "2 segments, 2 people" in _texts(at)

    at.text_input(key=f"voc_add_term_{pid}").input("Argo CD")
    at.button(key=f"voc_add_go_{pid}").click().run()
    _no_errors(at)
    assert [t.term for t in learn.terms_of(wb, pid)] == ["Argo CD", "kubectl"]

    at.checkbox(key=f"voc_use_terms_{pid}_0").check().run()
    _no_errors(at)
    assert store.get_project(wb.db, pid).use_terms is True
    assert "Argo CD, kubectl" in _texts(at)  # the prompt the next drafts get

    # the table: kubectl disabled, Argo CD removed, with one save
    [table] = at.data_editor
    at.session_state[table.key] = {
        "edited_rows": {1: {"enabled": False}, 0: {"remove": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key=f"voc_terms_save_{pid}").click().run()
    _no_errors(at)
    assert [(t.term, t.enabled) for t in learn.terms_of(wb, pid)] == [("kubectl", False)]
    assert "2 term(s) changed." in at.success[0].value
    assert "(none)" in _texts(at)  # no enabled term, no owner prompt

    rule = learn.rewrites_of(wb, pid)[0]
    at.button(key=f"voc_accept_{rule.id}").click().run()
    _no_errors(at)
    assert learn.rewrites_of(wb, pid)[0].state == "accepted"
    assert not [b for b in at.button if b.key == f"voc_accept_{rule.id}"]
    at.button(key=f"voc_undo_{rule.id}").click().run()
    _no_errors(at)
    assert learn.rewrites_of(wb, pid)[0].state == "dismissed"
    assert not [b for b in at.button if b.key in (f"voc_accept_{rule.id}", f"voc_undo_{rule.id}")]

    at.selectbox(key=f"voc_queue_order_{pid}_time").select("uncertain").run()
    _no_errors(at)
    assert store.get_project(wb.db, pid).queue_order == "uncertain"
    assert at.selectbox(key=f"voc_queue_order_{pid}_uncertain").value == "uncertain"


def test_user_text_is_shown_as_text(app, wb, taught):
    learn.add_term(wb, taught.id, "**bold** :red[x] [link](http://e.x)")
    learn.set_use_terms(wb, taught.id, True)
    at = app("workbench/pages/vocabulary.py", taught.id)
    _no_errors(at)
    assert "**bold** :red[x] [link](http://e.x)" in _texts(at)


def test_labellers_do_not_reach_the_page(app, wb, taught):
    at = app("workbench/pages/overview.py", taught.id, ("lee", "labeler"))
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("workbench/pages/vocabulary.py").run()
    # the page itself, reached without the router: they may read, the service refuses changes
    page = AppTest.from_file(
        str(APP.parent / "workbench" / "pages" / "vocabulary.py"), default_timeout=60
    )
    page.session_state["wb_token"] = session_token(wb.settings.home, "lee", "labeler")
    page.session_state["project_id"] = taught.id
    page.run()
    assert not page.exception
    page.button(key=f"voc_learn_{taught.id}").click().run()
    assert "may not change project settings" in page.warning[0].value  # a refusal
    assert learn.terms_of(wb, taught.id) == []


def test_the_editor_marks_a_draft_a_rule_changed(app, wb, taught):
    seg = store.segment_queue(wb.db, taught.id)[1]
    meta = store.segment_view(wb.db, seg["id"]).draft.asr_meta
    with wb.db.begin() as conn:  # as a draft written with an accepted rule
        conn.execute(
            sa.update(store.revisions)
            .where(store.revisions.c.segment_id == seg["id"], store.revisions.c.n == 1)
            .values(
                text="w1 **kubectl**",
                asr_meta={
                    **meta,
                    "engine_text": "w1 x1",
                    "rewrites": [{"before": "x1", "after": "**kubectl**"}],
                },
            )
        )
    at = app("workbench/pages/editor.py", taught.id)
    _no_errors(at)
    captions = [c.value for c in at.caption if "Draft changed by rule" in c.value]
    assert captions == [r"Draft changed by rule: x1 → \*\*kubectl\*\*"]


def test_the_editor_queue_follows_the_projects_order(app, wb, drafted):
    every = store.segment_queue(wb.db, drafted.id)
    least = every[4]["id"]
    with wb.db.begin() as conn:
        conn.execute(sa.update(store.segments).values(confidence=0.9))
        conn.execute(
            sa.update(store.segments).where(store.segments.c.id == least).values(confidence=0.1)
        )
    at = app("workbench/pages/editor.py", drafted.id, ("lee", "labeler"))
    _no_errors(at)
    assert at.selectbox(key=f"ed_order_{drafted.id}").value == "time"
    assert at.session_state["ed_current"] == every[0]["id"]
    learn.set_queue_order(wb, drafted.id, "uncertain")
    fresh = app("workbench/pages/editor.py", drafted.id, ("lee", "labeler"))
    _no_errors(fresh)
    assert fresh.selectbox(key=f"ed_order_{drafted.id}").value == "uncertain"
    assert fresh.session_state["ed_current"] == least
    # the labeller's own choice wins over the project's, and is kept
    fresh.selectbox(key=f"ed_order_{drafted.id}").select("time").run()
    again = app("workbench/pages/editor.py", drafted.id, ("lee", "labeler"))
    assert again.selectbox(key=f"ed_order_{drafted.id}").value == "time"
