"""The owner's Team page (AppTest, by widget key): handing out work, gold and the test,
double labelling, the defect rules and each labeller's standing."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP, as_user, open_page, session_token
from workbench import store
from workbench.crowd import gold as crowd_gold
from workbench.crowd import qualification as crowd_qualification
from workbench.labelling.labeller_edits import save_segment
from workbench.review.verdicts import reject
from workbench.ui.common import form_key


@pytest.fixture
def app(home, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    monkeypatch.delenv("WORKBENCH_DB_URL", raising=False)
    return lambda project_id, user=("olga", "owner"): open_page(
        home, "workbench/pages/team.py", project_id, user
    )


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _account(wb, name: str, role: str = "labeler"):
    """`wb` acting as `name`, an account that can also sign in, a member of every project."""
    session_token(wb.settings.home, name, role)
    return as_user(wb, name, role)


TABLES = {"workload": "live claims", "gold": "reference", "standings": "labeller"}


def _table(at: AppTest, name: str):
    """The page's table `name` (AppTest keeps no dataframe keys: found by a column)."""
    found = [d.value for d in at.dataframe if TABLES[name] in d.value.columns]
    assert len(found) == 1, f"{len(found)} {name} tables"
    return found[0]


def test_owner_changes_every_setting(app, wb, drafted):
    at = app(drafted.id)
    _no_errors(at)
    assert [h.value for h in at.header] == [
        "Hand out work",
        "Qualification and gold",
        "Double labelling",
        "Defect rules",
    ]
    p = store.get_project(wb.db, drafted.id)
    at.selectbox(key=form_key(p, "team_mode")).select("recording")
    at.number_input(key=form_key(p, "team_claim_minutes")).set_value(45)
    at.button(key=form_key(p, "team_assignment_save")).click().run()
    _no_errors(at)
    p = store.get_project(wb.db, drafted.id)
    assert (p.assignment, p.claim_minutes) == ("recording", 45)
    assert "Hand out work saved" in at.success[0].value

    at.checkbox(key=form_key(p, "team_required")).check()
    at.number_input(key=form_key(p, "team_qualify_max_error")).set_value(12.5)
    at.number_input(key=form_key(p, "team_gold_share")).set_value(5.0)
    at.button(key=form_key(p, "team_qualify_save")).click().run()
    _no_errors(at)
    p = store.get_project(wb.db, drafted.id)
    assert (p.qualify_required, p.qualify_max_error, p.gold_share) == (True, 0.125, 0.05)
    # the test is required and has no items: said plainly
    assert any("has no items" in w.value for w in at.warning)

    at.number_input(key=form_key(p, "team_double_share")).set_value(20.0)
    at.number_input(key=form_key(p, "team_agree_max_error")).set_value(15.0)
    at.button(key=form_key(p, "team_double_save")).click().run()
    _no_errors(at)
    p = store.get_project(wb.db, drafted.id)
    assert (p.double_share, p.agree_max_error) == (0.2, 0.15)

    for field, value in (
        ("warn_reject", 5.0),
        ("pause_reject", 40.0),
        ("warn_gold", 10.0),
        ("pause_gold", 50.0),
    ):
        at.number_input(key=form_key(p, f"team_{field}")).set_value(value)
    at.number_input(key=form_key(p, "team_rules_min")).set_value(3)
    at.number_input(key=form_key(p, "team_rules_days")).set_value(14)
    at.button(key=form_key(p, "team_rules_save")).click().run()
    _no_errors(at)
    p = store.get_project(wb.db, drafted.id)
    assert (
        p.warn_reject,
        p.pause_reject,
        p.warn_gold,
        p.pause_gold,
        p.rules_min,
        p.rules_days,
    ) == (0.05, 0.4, 0.1, 0.5, 3, 14)
    # the fresh widgets show the stored values, in %
    assert at.number_input(key=form_key(p, "team_pause_reject")).value == 40.0


def test_a_refused_setting_is_named_and_not_stored(app, wb, drafted):
    at = app(drafted.id)
    p = store.get_project(wb.db, drafted.id)
    at.number_input(key=form_key(p, "team_warn_reject")).set_value(60.0)  # above the pause
    at.button(key=form_key(p, "team_rules_save")).click().run()
    assert not at.exception
    assert any("Defect rules not saved" in e.value and "warn reject" in e.value for e in at.error)
    assert store.get_project(wb.db, drafted.id).warn_reject == p.warn_reject


def test_assign_a_recording_and_segments_and_cap_a_person(app, wb, drafted):
    _account(wb, "lena")
    _account(wb, "rita", "reviewer")
    store.update_project(wb.db, drafted.id, assignment="segment")
    rec = store.list_recordings(wb.db, drafted.id)[0]
    at = app(drafted.id)
    _no_errors(at)
    pid = drafted.id
    at.selectbox(key=f"team_assign_rec_{pid}").select(rec.id)
    at.selectbox(key=f"team_assign_rec_to_{pid}").select("lena")
    at.button(key=f"team_assign_rec_go_{pid}").click().run()
    _no_errors(at)
    mine = store.segments_of(wb.db, pid, rec.id)
    assert mine and all(store.get_segment(wb.db, s).assignee == "lena" for s in mine)
    load = _table(at, "workload")
    assert load.set_index("person").loc["lena", "assigned, to do"] == len(mine)

    other = [s for s in store.segments_of(wb.db, pid) if s not in mine]
    at.text_input(key=f"team_assign_ids_{pid}").input(f"{other[0]}, {mine[0]}")
    at.selectbox(key=f"team_assign_ids_to_{pid}").select("rita")
    at.button(key=f"team_assign_ids_go_{pid}").click().run()
    _no_errors(at)
    assert store.get_segment(wb.db, other[0]).assignee == "rita"
    assert store.get_segment(wb.db, mine[0]).assignee == "rita"
    load = _table(at, "workload").set_index("person")
    assert (load.loc["lena", "assigned, to do"], load.loc["rita", "assigned, to do"]) == (
        len(mine) - 1,
        2,
    )

    at.text_input(key=f"team_assign_ids_{pid}").input(f"{other[0]}")  # back to anyone
    at.selectbox(key=f"team_assign_ids_to_{pid}").select(None)
    at.button(key=f"team_assign_ids_go_{pid}").click().run()
    _no_errors(at)
    assert store.get_segment(wb.db, other[0]).assignee is None

    at.text_input(key=f"team_assign_ids_{pid}").input("12, x")
    at.button(key=f"team_assign_ids_go_{pid}").click().run()
    assert any("segment ids" in e.value for e in at.error)

    at.selectbox(key=f"team_cap_who_{pid}").select("lena")
    at.number_input(key=f"team_cap_value_{pid}").set_value(4)
    at.button(key=f"team_cap_go_{pid}").click().run()
    _no_errors(at)
    assert store.get_cap(wb.db, pid, "lena") == 4
    assert _table(at, "workload").set_index("person").loc["lena", "cap"] == 4
    at.selectbox(key=f"team_cap_who_{pid}").select("lena")
    at.button(key=f"team_cap_go_{pid}").click().run()  # empty: no cap
    _no_errors(at)
    assert store.get_cap(wb.db, pid, "lena") is None


def test_add_and_remove_gold(app, wb, drafted):
    pid = drafted.id
    first, second = store.segments_of(wb.db, pid)[:2]
    store.update_project(wb.db, pid, qualify_required=True)
    at = app(pid)
    assert any("has no items" in w.value for w in at.warning)
    at.number_input(key=f"team_gold_segment_{pid}").set_value(first)
    at.text_area(key=f"team_gold_text_{pid}").input("the *real* words")
    at.checkbox(key=f"team_gold_in_test_{pid}").check()
    at.button(key=f"team_gold_add_go_{pid}").click().run()
    _no_errors(at)
    gold = store.gold_of(wb.db, first)
    assert (gold["text"], gold["in_test"]) == ("the *real* words", True)
    assert not any("has no items" in w.value for w in at.warning)
    table = _table(at, "gold")
    assert table["reference"].tolist() == ["the *real* words"]  # as text, in a table

    at.number_input(key=f"team_gold_segment_{pid}").set_value(second)  # its current text
    at.button(key=f"team_gold_add_go_{pid}").click().run()
    _no_errors(at)
    gold = store.gold_of(wb.db, second)
    assert gold["text"] == store.segment_view(wb.db, second).text and not gold["in_test"]
    assert len(_table(at, "gold")) == 2

    at.selectbox(key=f"team_gold_pick_{pid}").select(first)
    at.button(key=f"team_gold_remove_{pid}").click().run()
    _no_errors(at)
    assert store.gold_of(wb.db, first) is None and store.gold_of(wb.db, second) is not None
    assert any("has no items" in w.value for w in at.warning)  # the test lost its only item

    at.number_input(key=f"team_gold_segment_{pid}").set_value(999_999)
    at.button(key=f"team_gold_add_go_{pid}").click().run()
    assert not at.exception and any("Not made gold" in w.value for w in at.warning)  # not found


def test_allow_another_attempt_after_a_failed_test(app, wb, drafted):
    pid = drafted.id
    lena = _account(wb, "lena")
    item = store.segments_of(wb.db, pid)[0]
    owner = wb  # the local operator is an owner
    crowd_gold.mark_gold(owner, item, "alpha beta gamma delta", in_test=True)
    store.update_project(wb.db, pid, qualify_required=True)
    crowd_qualification.answer(lena, pid, item, "nothing like it at all")
    at = app(pid)
    _no_errors(at)
    row = _table(at, "standings").set_index("labeller").loc["lena"]
    assert row["qualification"].startswith("failed (error ")
    at.button(key=f"team_retake_{pid}_lena").click().run()
    _no_errors(at)
    assert store.get_standing(wb.db, pid, "lena")["attempt"] == 1
    row = _table(at, "standings").set_index("labeller").loc["lena"]
    assert (row["qualification"], row["attempt"]) == ("not taken", 2)
    assert f"team_retake_{pid}_lena" not in [b.key for b in at.button]
    assert crowd_qualification.next_step(lena, pid).task.kind == "test"  # her test is open again


def test_lift_a_pause(app, wb, drafted):
    pid = drafted.id
    lena = _account(wb, "lena")
    rita = _account(wb, "rita", "reviewer")
    store.update_project(wb.db, pid, rules_min=2, pause_reject=0.3)
    for q in store.segment_queue(wb.db, pid)[:2]:
        saved = save_segment(lena, q["id"], 1, f"lena {q['id']}", q["start"], q["end"])
        reject(rita, q["id"], store.get_segment(wb.db, q["id"]).version, "wrong text")
    assert saved
    at = app(pid)
    _no_errors(at)
    table = _table(at, "standings").set_index("labeller")
    assert table.index.tolist() == ["lena"]  # labellers only: not the reviewer
    assert table.loc["lena", "standing"] == "paused"
    assert "100%" in table.loc["lena", "reasons"]
    at.button(key=f"team_lift_{pid}_lena").click().run()
    _no_errors(at)
    assert store.get_standing(wb.db, pid, "lena")["lifted_at"] is not None
    assert _table(at, "standings").set_index("labeller").loc["lena", "standing"] == "ok"
    assert crowd_qualification.next_step(lena, pid).gate is None


@pytest.mark.parametrize("role", ["labeler", "reviewer"])
def test_only_owners_get_the_team_page(app, wb, drafted, role):
    at = open_page(wb.settings.home, "workbench/pages/overview.py", drafted.id, ("pat", role))
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("workbench/pages/team.py").run()
    # the page itself, reached without the router, is refused by the service
    page = AppTest.from_file(
        str(APP.parent / "workbench" / "pages" / "team.py"), default_timeout=60
    )
    page.session_state["wb_token"] = session_token(wb.settings.home, "pat", role)
    page.session_state["project_id"] = drafted.id
    page.run()
    assert [e.proto.type for e in page.exception] == ["workbench.core.access.Forbidden"]
    assert not page.header
