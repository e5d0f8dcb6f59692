"""The review page and the review loop through the pages (AppTest), by widget key."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import as_user, open_page, session_token
from workbench import store
from workbench.labelling.labeller_edits import save_segment
from workbench.ui.common import form_key


@pytest.fixture
def app(home, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    monkeypatch.delenv("WORKBENCH_DB_URL", raising=False)
    return lambda page, project_id, user: open_page(home, page, project_id, user)


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _send(at: AppTest, wb, component: str, current: str, kind: str, **fields) -> AppTest:
    """What the editor component sends from the browser: one action trigger."""
    seg = store.get_segment(wb.db, at.session_state[current])
    view = store.segment_view(wb.db, seg.id)
    action = {
        "type": kind,
        "key": f"{seg.id}-{seg.version}",
        "segment_id": seg.id,
        "version": seg.version,
        "text": view.text,
        "start": seg.start,
        "end": seg.end,
        "cursor": seg.start,
        "active_seconds": 1.5,
        "nonce": f"{kind}-{seg.id}-{seg.version}",
    }
    at.session_state[component] = {"action": {**action, **fields}}
    return at.run()


def _account(wb, name: str, role: str = "labeler"):
    """`wb` acting as `name`, an account that can also sign in to the pages."""
    session_token(wb.settings.home, name, role)
    return as_user(wb, name, role)


def _stem(wb, seg_id: int) -> str:
    return f"{seg_id}_{store.get_segment(wb.db, seg_id).version}"


def test_review_page_approves_fixes_and_rejects(app, wb, drafted):
    lena = _account(wb, "lena")
    queue = store.segment_queue(wb.db, drafted.id)
    for q in queue[:3]:
        save_segment(lena, q["id"], 1, f"lena {q['id']}", q["start"], q["end"])
    first, second, third = (q["id"] for q in queue[:3])
    at = app("workbench/pages/review.py", drafted.id, ("rita", "reviewer"))
    _no_errors(at)
    assert at.session_state["rv_current"] == first
    assert "Segment 1 of 3 to review" in at.markdown[0].value
    assert "lena" in at.markdown[0].value
    assert any("vs draft" in m.value for m in at.markdown)
    at.button(key=f"rv_approve_{_stem(wb, first)}").click().run()
    _no_errors(at)
    assert store.get_segment(wb.db, first).status.value == "approved"
    assert [r.source for r in store.list_revisions(wb.db, first)] == ["asr", "human"]
    assert at.session_state["rv_current"] == second
    _send(at, wb, "rv_component", "rv_current", "save_next", text="rita's fix")  # Ctrl+Enter
    _no_errors(at)
    assert store.list_revisions(wb.db, second)[-1].source == "review"
    assert store.segment_view(wb.db, second).text == "rita's fix"
    stem = _stem(wb, third)
    at.selectbox(key=f"rv_reason_{stem}").select("other")
    at.button(key=f"rv_reject_{stem}").click().run()  # 'other' without a comment: refused
    assert any("comment" in e.value for e in at.error)
    assert store.get_segment(wb.db, third).status.value == "labeled"
    at.selectbox(key=f"rv_reason_{stem}").select("wrong boundary")
    at.text_input(key=f"rv_comment_{stem}").input("ends *too* early")
    at.button(key=f"rv_reject_{stem}").click().run()
    _no_errors(at)
    assert store.get_segment(wb.db, third).status.value == "rejected"
    assert "Nothing awaits review" in at.info[0].value
    # the labeller sees it first, with the reason, escaped
    ed = app("workbench/pages/editor.py", drafted.id, ("lena", "labeler"))
    _no_errors(ed)
    assert ed.session_state["ed_current"] == third
    assert "wrong boundary" in ed.error[0].value and r"\*too\*" in ed.error[0].value


def test_stale_review_from_the_page_is_refused(app, wb, drafted):
    lena = _account(wb, "lena")
    q = store.segment_queue(wb.db, drafted.id)[0]
    save_segment(lena, q["id"], 1, "lena", q["start"], q["end"])
    at = app("workbench/pages/review.py", drafted.id, ("rita", "reviewer"))
    stem = _stem(wb, q["id"])
    save_segment(lena, q["id"], 2, "lena again", q["start"], q["end"])  # meanwhile
    at.button(key=f"rv_approve_{stem}").click().run()
    _no_errors(at)
    assert store.get_segment(wb.db, q["id"]).status.value == "labeled"
    # the button of the version shown is gone: the page says why and shows the new text
    assert any("was changed since you opened it" in w.value for w in at.warning)
    assert f"rv_approve_{stem}" not in [b.key for b in at.button]


def test_the_whole_loop_through_the_pages(app, wb, drafted):
    """Labeller saves, reviewer rejects with a reason, labeller sees it first and fixes,
    reviewer approves, the owner's export (its default status) takes only approved."""
    _account(wb, "lena")
    _account(wb, "rita", "reviewer")
    project = store.update_project(wb.db, drafted.id, review_required=True)
    ed = app("workbench/pages/editor.py", project.id, ("lena", "labeler"))
    _send(ed, wb, "ed_component", "ed_current", "save_next", text="first try")
    _send(ed, wb, "ed_component", "ed_current", "save_next", text="second one")
    _no_errors(ed)
    first, second = (q["id"] for q in store.segment_queue(wb.db, project.id)[:2])
    rv = app("workbench/pages/review.py", project.id, ("rita", "reviewer"))
    stem = _stem(wb, first)
    rv.selectbox(key=f"rv_reason_{stem}").select("wrong text")
    rv.text_input(key=f"rv_comment_{stem}").input("it says 'fast'")
    rv.button(key=f"rv_reject_{stem}").click().run()
    _no_errors(rv)
    ed = app("workbench/pages/editor.py", project.id, ("lena", "labeler"))
    assert ed.session_state["ed_current"] == first  # first in the queue
    assert "wrong text" in ed.error[0].value and "fast" in ed.error[0].value
    _send(ed, wb, "ed_component", "ed_current", "save_next", text="first try, fixed")
    _no_errors(ed)
    assert store.get_segment(wb.db, first).status.value == "labeled"
    rv = app("workbench/pages/review.py", project.id, ("rita", "reviewer"))
    assert rv.session_state["rv_current"] == first
    assert any("Rejected before" in i.value for i in rv.info)
    _send(rv, wb, "rv_component", "rv_current", "save_next")  # Ctrl+Enter, unchanged: approve
    _no_errors(rv)
    assert store.get_segment(wb.db, first).status.value == "approved"
    assert store.get_segment(wb.db, second).status.value == "labeled"
    ex = app("workbench/pages/export.py", project.id, ("olga", "owner"))
    assert ex.selectbox(key="export_status").value == "approved"
    ex.button(key="export_button").click().run()
    _no_errors(ex)
    assert any("Exported 1 segment" in s.value for s in ex.success), [s.value for s in ex.success]
    pr = app("workbench/pages/projects.py", project.id, ("olga", "owner"))
    _no_errors(pr)
    (table,) = [d.value for d in pr.dataframe if "rejection rate" in d.value.columns]
    assert list(table["labeller"]) == ["lena"] and list(table["rejection rate"]) == ["50%"]


def test_owner_turns_review_on_in_settings(app, wb, drafted):
    at = app("workbench/pages/projects.py", drafted.id, ("olga", "owner"))
    project = store.get_project(wb.db, drafted.id)
    at.checkbox(key=form_key(project, "set_review_required")).check()
    at.text_area(key=form_key(project, "set_review_reasons")).input("typo\nmissing tag\n")
    at.button(key=form_key(project, "save_project_settings")).click().run()
    _no_errors(at)
    project = store.get_project(wb.db, drafted.id)
    assert project.review_required and project.review_reasons == ("typo", "missing tag")


def test_the_review_page_rejects_what_the_keyboard_sends(app, wb, drafted):
    lena = _account(wb, "lena")
    queue = store.segment_queue(wb.db, drafted.id)
    for q in queue[:2]:
        save_segment(lena, q["id"], 1, f"lena {q['id']}", q["start"], q["end"])
    first, second = (q["id"] for q in queue[:2])
    at = app("workbench/pages/review.py", drafted.id, ("rita", "reviewer"))
    # the component's data offers the project's reasons, and "other" last
    _send(at, wb, "rv_component", "rv_current", "reject", reason="other", comment="")
    assert any("comment" in e.value for e in at.error)  # "other" needs one: refused
    assert store.get_segment(wb.db, first).status.value == "labeled"
    _send(
        at,
        wb,
        "rv_component",
        "rv_current",
        "reject",
        reason="missing tag",
        comment="no (ㅋ)",
        nonce=2,
    )
    _no_errors(at)
    last = store.last_review(wb.db, first)
    assert (last["reason"], last["comment"], last["verdict"]) == (
        "missing tag",
        "no (ㅋ)",
        "reject",
    )
    assert store.get_segment(wb.db, first).status.value == "rejected"
    assert at.session_state["rv_current"] == second  # and on to the next
    assert any("Rejected segment" in s.value and "lena" in s.value for s in at.success)


def test_editor_keys_are_changed_on_the_account_page_and_reach_the_editor(app, wb, drafted):
    from workbench.labelling.keymap import my_shortcuts

    lena = _account(wb, "lena")
    at = app("workbench/pages/account.py", None, ("lena", "labeler"))
    _no_errors(at)
    at.text_input(key="keys_save_next").input("Alt+Enter")
    at.text_input(key="keys_merge").input("Alt+L")  # the loop's: refused, nothing saved
    at.button(key="FormSubmitter:keys_lena-Save my keys").click().run()
    assert any("Alt+L is taken twice" in e.value for e in at.error)
    assert my_shortcuts(lena)[0].keys_text == "Ctrl+Enter"
    at.text_input(key="keys_merge").input("Alt+Shift+M")
    at.button(key="FormSubmitter:keys_lena-Save my keys").click().run()
    _no_errors(at)
    assert "Saved: 2 action(s)" in at.success[0].value
    ed = app("workbench/pages/editor.py", drafted.id, ("lena", "labeler"))
    _no_errors(ed)
    assert "**Alt+Enter**: save and go to the next" in ed.sidebar.markdown[0].value
