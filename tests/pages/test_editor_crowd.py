"""The editor under the crowd rules, driven with AppTest as a labeller would: the
qualification test item by item with its result and diff, a closed queue's reason, a pause
warning, and a second label that shows the draft, not the first label."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import as_user, open_page, session_token
from tests.helpers.pages import said
from workbench import store
from workbench.core.records import Edit
from workbench.crowd import gold as crowd_gold
from workbench.crowd import qualification as crowd_qualification
from workbench.crowd.qualification import next_step
from workbench.labelling.labeller_edits import save
from workbench.projects.settings import update_settings

LABELLER = ("ann", "labeler")


def _labeller(home, wb):
    """The labeller 'ann' (an account that can sign in), acting."""
    session_token(home, *LABELLER)
    return as_user(wb, "ann")


def _act(at: AppTest, wb, kind: str, text: str) -> AppTest:
    """Send one action from the editor component, as the browser does."""
    seg = store.get_segment(wb.db, at.session_state["ed_current"])
    at.session_state["ed_component"] = {
        "action": {
            "type": kind,
            "key": f"{seg.id}-{seg.version}",
            "segment_id": seg.id,
            "version": seg.version,
            "text": text,
            "start": seg.start,
            "end": seg.end,
            "cursor": seg.start,
            "active_seconds": 3.0,
            "nonce": f"{kind}-{seg.id}-{text}",
        }
    }
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _texts(elements) -> str:
    return "\n".join(e.value for e in elements)


def test_the_qualification_test_in_the_editor(home, wb, drafted, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    ids = [r["id"] for r in store.segment_queue(wb.db, drafted.id)]
    crowd_gold.mark_gold(wb, ids[0], "the first gold text", in_test=True)
    crowd_gold.mark_gold(wb, ids[1], "the second gold text", in_test=True)
    update_settings(wb, drafted.id, qualify_required=True, qualify_max_error=0.2)
    _labeller(home, wb)
    at = open_page(home, "workbench/pages/editor.py", drafted.id, LABELLER)
    _ok(at)
    assert "item 1 of 2" in _texts(at.info)
    first = at.session_state["ed_current"]
    assert first in ids[:2]
    at = _act(
        at, wb, "save_next", "the first gold text" if first == ids[0] else "the second gold text"
    )
    _ok(at)
    assert "Saved test item 1 of 2" in _texts(at.success)
    assert "item 2 of 2" in _texts(at.info)
    at = _act(at, wb, "split", "anything")  # a blind item takes a save only
    assert "Save this segment first" in _texts(at.warning)
    at = _act(at, wb, "save_next", "wholly different words said here")
    _ok(at)
    assert "did not pass" in _texts(at.warning)
    closed = _texts(at.error)
    assert "Your queue is closed" in closed and "pass mark is 20%" in closed
    report = at.expander[0]
    assert "not passed" in report.label
    assert "<del" in _texts(report.markdown) and "<ins" in _texts(report.markdown)
    assert store.list_revisions(wb.db, ids[0])[-1].author != "ann"  # answers are not labels


def test_a_paused_labeller_reads_why(home, wb, drafted, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    ids = [r["id"] for r in store.segment_queue(wb.db, drafted.id)]
    for sid in ids[:3]:
        crowd_gold.mark_gold(wb, sid, "nothing like the draft", in_test=False)
    update_settings(wb, drafted.id, gold_share=1.0, rules_min=3, warn_gold=0.1, pause_gold=0.2)
    ann = _labeller(home, wb)
    for _ in range(3):
        task = next_step(ann, drafted.id).task
        crowd_qualification.answer(ann, drafted.id, task.segment_id, "totally wrong")
    at = open_page(home, "workbench/pages/editor.py", drafted.id, LABELLER)
    _ok(at)
    assert "paused" in _texts(at.error) and "check segments" in _texts(at.error)


def test_a_second_label_shows_the_draft_and_the_answer_is_kept(home, wb, drafted, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    update_settings(wb, drafted.id, double_share=1.0)
    ids = [r["id"] for r in store.segment_queue(wb.db, drafted.id)]
    bob = as_user(wb, "bob")
    seg = store.get_segment(wb.db, ids[0])
    save(bob, ids[0], seg.version, Edit("bob's own words", seg.start, seg.end))
    ann = _labeller(home, wb)
    task = next_step(ann, drafted.id).task
    view = crowd_qualification.task_view(ann, drafted.id, task)
    assert view.text == store.segment_view(wb.db, ids[0]).draft.text != "bob's own words"
    at = open_page(home, "workbench/pages/editor.py", drafted.id, LABELLER)
    _ok(at)
    assert "Second label" in _texts(at.info)
    at = _act(at, wb, "save", "bob's own words")
    _ok(at)
    assert "Saved your label" in said(at, "success")
    row = store.list_answers(wb.db, drafted.id, kind="second")[0]
    assert (row["user_name"], row["other"], row["error"]) == ("ann", "bob", 0.0)
    assert "Segment 1 of" in at.markdown[0].value  # the normal queue again
    assert at.session_state["ed_current"] != ids[0]
    # a browser still showing the blind item sends its save again (a second Ctrl+Enter): it
    # never writes over the first label
    latest = store.get_segment(wb.db, ids[0])
    at.session_state["ed_component"] = {
        "action": {
            "type": "save_next",
            "key": f"{ids[0]}-{latest.version}",
            "segment_id": ids[0],
            "version": latest.version,
            "text": "ann's words",
            "start": latest.start,
            "end": latest.end,
            "cursor": latest.start,
            "active_seconds": 1.0,
            "nonce": 99,
        }
    }
    at.run()
    _ok(at)
    assert store.segment_view(wb.db, ids[0]).text == "bob's own words"
    assert store.get_segment(wb.db, ids[0]).version == latest.version


def test_the_reviewer_sees_the_second_label_beside_the_first(home, wb, drafted, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    update_settings(wb, drafted.id, double_share=1.0, agree_max_error=0.1)
    sid = store.segment_queue(wb.db, drafted.id)[0]["id"]
    bob, cat = as_user(wb, "bob"), as_user(wb, "cat")
    seg = store.get_segment(wb.db, sid)
    save(bob, sid, seg.version, Edit("the words bob heard", seg.start, seg.end))
    crowd_qualification.answer(cat, drafted.id, sid, "the words cat heard")
    at = open_page(home, "workbench/pages/review.py", drafted.id, ("rita", "reviewer"))
    _ok(at)
    shown = _texts(at.markdown)
    assert "Second label" in shown and "cat" in shown and "bob" in shown
    assert "<del" in shown and "cat" in shown


def test_hidden_gold_is_headed_like_any_segment_of_the_queue(home, wb, drafted, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    ids = [r["id"] for r in store.segment_queue(wb.db, drafted.id)]
    crowd_gold.mark_gold(wb, ids[-1], "the hidden reference", in_test=False)
    update_settings(wb, drafted.id, gold_share=1.0)
    _labeller(home, wb)
    at = open_page(home, "workbench/pages/editor.py", drafted.id, LABELLER)
    _ok(at)
    assert at.session_state["ed_current"] == ids[-1]
    assert not at.info  # no heading announces it
    assert at.markdown[0].value.startswith("**Segment 1 of 6** · #")  # 5 to do, and this one
    at = _act(at, wb, "save_next", "what ann heard")
    _ok(at)
    assert f"Saved segment #{ids[-1]}." in said(at, "success")
    assert store.list_answers(wb.db, drafted.id, kind="gold")[0]["text"] == "what ann heard"


def _claims_of(wb, user: str) -> set[int]:
    import sqlalchemy as sa

    with wb.db.connect() as conn:
        return set(
            conn.execute(
                sa.select(store.claims.c.segment_id).where(store.claims.c.user_name == user)
            ).scalars()
        )


def test_leaving_the_editor_gives_back_the_segments_claimed_for_its_window(home, wb, drafted):
    _labeller(home, wb)
    update_settings(wb, drafted.id, assignment="segment")
    at = open_page(home, "workbench/pages/editor.py", drafted.id, LABELLER)
    _ok(at)
    held = _claims_of(wb, "ann")
    assert at.session_state["ed_current"] in held and len(held) > 1  # the window's, ahead
    _act(at, wb, "save_next", "ann's first")
    _ok(at)
    assert _claims_of(wb, "ann")  # still at work: she holds the next ones
    at.switch_page("workbench/pages/account.py").run()
    _ok(at)
    assert _claims_of(wb, "ann") == set()  # gone back to the queue for colleagues
    at.switch_page("workbench/pages/editor.py").run()
    _ok(at)
    assert at.session_state["ed_current"] in _claims_of(wb, "ann")  # back: claimed again


def test_leaving_keeps_a_claim_by_recording(home, wb, drafted):
    from workbench.crowd.claims import leave

    ann = _labeller(home, wb)
    update_settings(wb, drafted.id, assignment="recording")
    at = open_page(home, "workbench/pages/editor.py", drafted.id, LABELLER)
    _ok(at)
    assert leave(ann, drafted.id) == 0  # the recording is hers to finish
