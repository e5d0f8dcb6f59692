"""The crowd's quality rules: the qualification gate, gold scoring, hidden gold in queues,
double labelling with agreement, and the defect-rate thresholds (warn, pause, lift).

Runs on SQLite, and on PostgreSQL when WORKBENCH_TEST_PG is set (the `wb` fixture)."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
import sqlalchemy as sa

from tests.conftest import as_user
from workbench import store
from workbench.core.access import Forbidden
from workbench.core.errors import WorkbenchError
from workbench.core.records import Edit, InvalidEdit, Project, QueueFilter, Status
from workbench.crowd import gold as crowd_gold
from workbench.crowd import qualification as crowd_qualification
from workbench.crowd.qualification import Closed, answer, next_step
from workbench.crowd.rules import check_quality, gold_due, score_test, standing
from workbench.labelling.labeller_edits import save
from workbench.labelling.queue import open_segment
from workbench.projects.settings import ensure_project, update_settings
from workbench.review.verdicts import approve, reject


def _project(wb, per: int = 12, language: str = "en", name: str = "crowd"):
    """A project with one drafted recording of `per` one-second segments (no audio files)."""
    project = ensure_project(wb, name, language)
    rec = store.add_recording(
        wb.db,
        project_id=project.id,
        original_name="r.wav",
        sha256=hashlib.sha256(name.encode()).hexdigest(),
        source_path="-",
        working_path="-",
        peaks_path="-",
        sample_rate=16000,
        channels=1,
        num_samples=16000 * per,
        duration=float(per),
    )
    store.add_drafted_segments(
        wb.db,
        rec.id,
        [{"start": float(i), "end": i + 0.9, "text": f"draft number {i}"} for i in range(per)],
        author="asr",
    )
    return project


def _ids(wb, project) -> list[int]:
    return [r["id"] for r in store.segment_queue(wb.db, project.id)]


def _save(wb, segment_id: int, text: str):
    seg = store.get_segment(wb.db, segment_id)
    return save(wb, segment_id, seg.version, Edit(text, seg.start, seg.end))


def _gold(wb, project, ids, in_test=True):
    for i, sid in enumerate(ids):
        crowd_gold.mark_gold(wb, sid, f"the gold words number {i}", in_test=in_test)


def _gated(wb, items: int, per: int = 12, **settings):
    """`_project` whose first `items` segments are the qualification test, which labellers
    must pass (the test's `settings` besides); the project and its segment ids."""
    project = _project(wb, per=per)
    ids = _ids(wb, project)
    _gold(wb, project, ids[:items])
    update_settings(wb, project.id, qualify_required=True, **settings)
    return project, ids


# ---------------------------------------------------------------- pure rules


def test_score_test_passes_at_the_mark_and_fails_above():
    assert score_test([0.1, 0.1], 0.1).passed
    assert not score_test([0.1, 0.3], 0.1).passed
    assert score_test([0.0, 0.2], 0.1).error == pytest.approx(0.1)
    with pytest.raises(ValueError):
        score_test([], 0.1)


def test_gold_due_keeps_to_the_share():
    for user in ("ann", "bob", "사용자"):
        answered = done = 0
        for _ in range(400):
            if gold_due(done, answered, 0.1, user):
                answered += 1
            else:
                done += 1
        assert 38 <= answered <= 42  # a tenth of 400 items
    assert not gold_due(100, 0, 0.0, "ann")


def _rules(**kw) -> Project:
    base = Project(1, "p", "en", "plain", "faster-whisper", "base", None)
    return replace(base, **kw)


def test_standing_thresholds_warn_then_pause_and_count_only_after_the_minimum():
    p = _rules(warn_reject=0.1, pause_reject=0.3, warn_gold=0.15, pause_gold=0.3, rules_min=10)
    assert standing(p, 9, 9, []).level == "ok"  # too few reviews to judge
    assert standing(p, 10, 1, []).level == "ok"  # 10% is not above 10%
    warned = standing(p, 10, 2, [])
    assert warned.level == "warn" and "20%" in warned.describe()
    paused = standing(p, 10, 4, [])
    assert paused.paused and "40%" in paused.describe() and "30%" in paused.describe()
    assert standing(p, 0, 0, [0.2] * 9).level == "ok"
    assert standing(p, 0, 0, [0.2] * 10).level == "warn"
    assert standing(p, 0, 0, [0.5] * 10).paused
    both = standing(p, 10, 2, [0.5] * 10)
    assert both.paused and len(both.reasons) == 2


def test_quality_settings_are_checked():
    assert check_quality({"gold_share": "0.05"}) == {"gold_share": 0.05}
    for bad in (
        {"gold_share": 1.5},
        {"rules_min": 0},
        {"rules_days": 2.5},
        {"pay_unit": "hour"},
        {"pay_rate": -1},
    ):
        with pytest.raises(WorkbenchError):
            check_quality(dict(bad))


def test_a_warning_threshold_above_the_pause_is_refused_against_the_stored_one(wb):
    project = _project(wb)
    with pytest.raises(WorkbenchError, match="warn reject is above pause reject"):
        update_settings(wb, project.id, warn_reject=0.5)  # the pause stays at 30%
    with pytest.raises(WorkbenchError, match="warn gold"):
        update_settings(wb, project.id, warn_gold=0.2, pause_gold=0.1)
    update_settings(wb, project.id, warn_reject=0.5, pause_reject=0.6)
    assert store.get_project(wb.db, project.id).warn_reject == 0.5


# ---------------------------------------------------------------- the qualification gate


def test_qualification_gate_opens_the_queue_only_after_a_pass(wb):
    project, ids = _gated(wb, 3, qualify_max_error=0.2)
    ann = as_user(wb, "ann")

    with pytest.raises(Closed):  # the queue is closed: a normal save is refused
        _save(ann, ids[5], "sneaking in")
    tasks = []
    for i in range(3):
        step = next_step(ann, project.id)
        assert step.gate is None and step.task.kind == "test"
        assert (step.task.index, step.task.total) == (i, 3)
        tasks.append(step.task.segment_id)
        answer(ann, project.id, step.task.segment_id, f"the gold words number {i}")
    assert sorted(tasks) == ids[:3]
    step = next_step(ann, project.id)
    assert step.gate is None and step.task is None
    assert step.report.result.passed and step.report.result.error == 0.0
    _save(ann, ids[5], "now it opens")  # the queue is open
    assert store.get_segment(wb.db, ids[5]).status is Status.LABELLED


def test_a_failed_test_keeps_the_queue_closed_until_the_owner_allows_a_retake(wb):
    project, ids = _gated(wb, 2, qualify_max_error=0.1)
    bob = as_user(wb, "bob")
    for _ in range(2):
        task = next_step(bob, project.id).task
        outcome = answer(bob, project.id, task.segment_id, "something else entirely")
    assert "did not pass" in outcome.message
    step = next_step(bob, project.id)
    assert step.task is None and "did not pass" in step.gate
    report = step.report
    assert not report.result.passed and len(report.items) == 2
    assert all(i["reference"].startswith("the gold words") for i in report.items)
    with pytest.raises(Closed):
        _save(bob, ids[5], "x")
    with pytest.raises(Forbidden):  # a labeller cannot let themselves retake
        crowd_qualification.allow_retake(bob, project.id, "bob")
    assert crowd_qualification.allow_retake(wb, project.id, "bob") == 1
    task = next_step(bob, project.id).task
    assert task.kind == "test" and task.index == 0  # a fresh attempt
    for _ in range(2):
        task = next_step(bob, project.id).task
        answer(bob, project.id, task.segment_id, store.gold_of(wb.db, task.segment_id)["text"])
    assert next_step(bob, project.id).gate is None
    events = [e["action"] for e in store.list_events(wb.db)]
    assert "qualification failed" in events and "qualification passed" in events


def test_a_required_test_without_items_says_so(wb):
    project = _project(wb)
    update_settings(wb, project.id, qualify_required=True)
    assert "no items" in next_step(as_user(wb, "cat"), project.id).gate


def test_reviewers_and_owners_skip_the_crowd_rules(wb):
    project = _project(wb)
    _gold(wb, project, _ids(wb, project)[:1])
    update_settings(wb, project.id, qualify_required=True, gold_share=0.5)
    rev = as_user(wb, "rita", "reviewer")
    assert next_step(rev, project.id) == crowd_qualification.Step()
    _save(rev, _ids(wb, project)[4], "a reviewer labels freely")


def test_only_the_task_handed_out_can_be_answered(wb):
    project, ids = _gated(wb, 2)
    ann = as_user(wb, "ann")
    first = next_step(ann, project.id).task.segment_id
    other = ids[1] if first == ids[0] else ids[0]
    with pytest.raises(InvalidEdit):
        answer(ann, project.id, other, "out of turn")
    with pytest.raises(InvalidEdit):
        answer(ann, project.id, ids[7], "not gold at all")
    assert store.list_answers(wb.db, project.id) == []


# ---------------------------------------------------------------- gold scoring


def test_gold_answers_are_scored_in_the_languages_metric(wb):
    project = _project(wb, language="ko", name="korean")
    sid = _ids(wb, project)[0]
    crowd_gold.mark_gold(wb, sid, "안녕하세요 여러분", in_test=True)
    update_settings(wb, project.id, qualify_required=True, qualify_max_error=0.5)
    ann = as_user(wb, "ann")
    answer(ann, project.id, sid, "안녕하세여 여러분")  # one syllable of eight wrong
    row = store.list_answers(wb.db, project.id)[0]
    assert row["cer"] == pytest.approx(1 / 8)
    assert row["error"] == row["cer"] and row["wer"] == pytest.approx(0.5)
    assert row["reference"] == "안녕하세요 여러분" and row["kind"] == "test"


def test_gold_text_is_never_shown_to_a_labeller_in_their_queue(wb):
    project = _project(wb, per=4)
    ids = _ids(wb, project)
    crowd_gold.mark_gold(wb, ids[1], "secret reference")
    ann = as_user(wb, "ann")
    seen = []
    state = open_segment(ann, project.id, None, QueueFilter(statuses=()))
    while state is not None and state.view.segment.id not in seen:
        seen.append(state.view.segment.id)
        for side in (state.before, state.after):
            assert side is None or side["text"] != "secret reference"
        if state.following is None:
            break
        state = open_segment(ann, project.id, state.following, QueueFilter(statuses=()))
    assert ids[1] not in seen and len(seen) == 3
    owner_view = open_segment(wb, project.id, ids[1], QueueFilter(statuses=()))
    assert owner_view.view.segment.id == ids[1]  # an owner sees every segment


def test_marking_gold_is_for_owners_and_needs_a_text(wb):
    project = _project(wb)
    sid = _ids(wb, project)[0]
    with pytest.raises(Forbidden):
        crowd_gold.mark_gold(as_user(wb, "rita", "reviewer"), sid, "x")
    with pytest.raises(WorkbenchError):
        crowd_gold.mark_gold(wb, sid, "   ")
    crowd_gold.mark_gold(wb, sid)  # by default: its current text
    assert store.gold_of(wb.db, sid)["text"] == "draft number 0"
    crowd_gold.unmark_gold(wb, sid)
    assert store.gold_of(wb.db, sid) is None
    with pytest.raises(WorkbenchError):
        crowd_gold.unmark_gold(wb, sid)


def test_hidden_gold_is_mixed_into_the_queue_at_its_share(wb):
    project = _project(wb, per=40)
    ids = _ids(wb, project)
    _gold(wb, project, ids[-6:], in_test=False)
    update_settings(wb, project.id, gold_share=0.25)
    ann = as_user(wb, "ann")
    normal = [i for i in ids if i not in ids[-6:]]
    golds = 0
    for _ in range(20):
        task = next_step(ann, project.id).task
        if task is not None:
            assert task.kind == "gold" and task.heading() == ""  # unannounced
            answer(ann, project.id, task.segment_id, "the gold words number 0")
            golds += 1
        else:
            _save(ann, normal.pop(0), "labelled")
    assert 4 <= golds <= 6  # a quarter of 20 items
    answers = store.list_answers(wb.db, project.id, kind="gold")
    assert len({a["segment_id"] for a in answers}) == len(answers)  # each gold once a person
    assert any(a["error"] == 0.0 for a in answers)
    assert store.get_segment(wb.db, ids[-1]).version == 1  # gold segments keep their label


# ---------------------------------------------------------------- double labelling


def test_double_labelling_is_blind_and_disagreement_goes_to_review(wb):
    project = _project(wb, per=6)
    update_settings(wb, project.id, double_share=1.0, review_share=0.01, agree_max_error=0.1)
    ids = _ids(wb, project)
    ann, bob = as_user(wb, "ann"), as_user(wb, "bob")
    for sid in ids[:2]:
        _save(ann, sid, "the first label is here")
    statuses = {sid: store.get_segment(wb.db, sid).status for sid in ids[:2]}
    assert next_step(ann, project.id).task is None  # nobody seconds their own label
    task = next_step(bob, project.id).task
    assert task.kind == "second" and task.segment_id == ids[0]
    assert "not shown" in task.heading()
    agreed = answer(bob, project.id, ids[0], "the first label is here")
    assert not agreed.to_review
    task = next_step(bob, project.id).task
    disagreed = answer(bob, project.id, task.segment_id, "something else was said")
    assert disagreed.to_review
    assert store.get_segment(wb.db, ids[1]).status is Status.LABELLED
    assert store.get_segment(wb.db, ids[0]).status is statuses[ids[0]]  # unchanged
    assert next_step(bob, project.id).task is None  # nothing left to second
    rows = store.list_answers(wb.db, project.id, kind="second")
    assert [(r["user_name"], r["other"]) for r in rows] == [("bob", "ann")] * 2
    assert rows[0]["error"] == 0.0 and rows[1]["error"] > 0.1
    assert store.list_revisions(wb.db, ids[0])[-1].author == "ann"  # the label stays


def test_a_second_label_is_given_once_even_when_two_race(wb):
    project = _project(wb, per=2)
    update_settings(wb, project.id, double_share=1.0)
    ids = _ids(wb, project)
    _save(as_user(wb, "ann"), ids[0], "first")
    bob, cat = as_user(wb, "bob"), as_user(wb, "cat")
    assert next_step(bob, project.id).task.segment_id == ids[0]
    assert next_step(cat, project.id).task.segment_id == ids[0]
    answer(bob, project.id, ids[0], "first")
    assert next_step(cat, project.id).task is None  # taken meanwhile
    assert len(store.list_answers(wb.db, project.id, kind="second")) == 1


# ---------------------------------------------------------------- defect rules


def _judge(wb, project, labeller, ids, rejected: int):
    """`labeller` labels `ids`; an owner approves them, rejecting the first `rejected`."""
    for sid in ids:
        _save(labeller, sid, "a label")
    for k, sid in enumerate(ids):
        seg = store.get_segment(wb.db, sid)
        if k < rejected:
            reject(wb, sid, seg.version, "other", "wrong words")
        else:
            approve(wb, sid, seg.version)


def test_a_high_rejection_rate_pauses_a_labeller_until_the_owner_lifts_it(wb):
    project = _project(wb, per=14)
    update_settings(
        wb, project.id, review_required=True, rules_min=10, warn_reject=0.1, pause_reject=0.3
    )
    ids = _ids(wb, project)
    ann = as_user(wb, "ann")
    _judge(wb, project, ann, ids[:10], rejected=2)
    step = next_step(ann, project.id)
    assert step.gate is None and "20%" in step.warning
    _judge(wb, project, ann, ids[10:12], rejected=2)  # 4 of 12 rejected: over 30%
    step = next_step(ann, project.id)
    assert "paused" in step.gate and "33%" in step.gate
    with pytest.raises(Closed, match="paused"):
        _save(ann, ids[12], "while paused")
    crowd_qualification.lift_pause(wb, project.id, "ann")
    assert next_step(ann, project.id).gate is None
    _save(ann, ids[12], "after the lift")
    assert "pause lifted" in [e["action"] for e in store.list_events(wb.db)]


def test_rules_count_only_the_window(wb):
    project = _project(wb, per=12)
    update_settings(wb, project.id, review_required=True, rules_min=5, rules_days=7)
    ann = as_user(wb, "ann")
    _judge(wb, project, ann, _ids(wb, project)[:6], rejected=6)
    assert next_step(ann, project.id).gate is not None
    with wb.db.begin() as conn:  # the verdicts were eight days ago
        conn.execute(sa.update(store.reviews).values(created_at=store.now().replace(year=2000)))
    assert next_step(ann, project.id).gate is None


def test_gold_error_above_the_limit_pauses(wb):
    project = _project(wb, per=12)
    ids = _ids(wb, project)
    _gold(wb, project, ids[:10], in_test=False)
    update_settings(wb, project.id, rules_min=3, pause_gold=0.3, warn_gold=0.1, gold_share=1.0)
    ann = as_user(wb, "ann")
    for _ in range(3):
        task = next_step(ann, project.id).task
        assert task.kind == "gold"
        answer(ann, project.id, task.segment_id, "nothing like it")
    step = next_step(ann, project.id)
    assert step.gate is not None and "check segments" in step.gate


# ---------------------------------------------------------------- the CLI


def test_gold_from_the_cli(wb, home, capsys):
    from workbench.cli import main

    where = ["--home", str(home), "--db", wb.db.url.render_as_string(hide_password=False)]
    project = _project(wb, per=4)
    ids = _ids(wb, project)
    assert (
        main(
            [
                "gold",
                "--project",
                "crowd",
                "--add",
                str(ids[0]),
                "--text",
                "정답 문장",
                "--test",
                *where,
            ]
        )
        == 0
    )
    assert main(["gold", "--project", "crowd", "--add", f"{ids[1]},{ids[2]}", *where]) == 0
    out = capsys.readouterr().out
    assert "3 gold segments, 1 in the qualification test" in out and "정답 문장" in out
    assert store.gold_of(wb.db, ids[1])["text"] == "draft number 1"
    assert main(["gold", "--project", "crowd", "--remove", str(ids[1]), *where]) == 0
    assert "2 gold segments" in capsys.readouterr().out
    other = _project(wb, per=1, name="other")
    assert main(["gold", "--project", "crowd", "--add", str(_ids(wb, other)[0]), *where]) != 0
    assert "not in this project" in capsys.readouterr().err
    assert store.gold_of(wb.db, _ids(wb, other)[0]) is None


def test_the_double_draw_covers_work_labelled_before_the_share_was_set(wb):
    project = _project(wb, per=200)
    ids = _ids(wb, project)
    ann = as_user(wb, "ann")
    _save(ann, ids[0], "labelled before")
    bob = as_user(wb, "bob")
    assert next_step(bob, project.id).task is None
    update_settings(wb, project.id, double_share=1.0)
    assert next_step(bob, project.id).task.segment_id == ids[0]
    answer(bob, project.id, ids[0], "labelled before")
    update_settings(wb, project.id, double_share=0.25)  # drawn again; the answered one stays
    with wb.db.connect() as conn:
        drawn = set(conn.execute(sa.select(store.doubles.c.segment_id)).scalars())
    assert ids[0] in drawn and 30 <= len(drawn - {ids[0]}) <= 70  # about a quarter of 199
    _save(ann, ids[1], "x")
    assert (ids[1] in drawn) == (next_step(bob, project.id).task is not None)


@pytest.mark.parametrize("unit", ["off", "segment"])
def test_gold_never_reaches_a_labeller_as_work(wb, unit):
    """Not by the queue, nor by claims, nor by a link; and a save of it is refused."""
    project = _project(wb, per=3)
    ids = _ids(wb, project)
    crowd_gold.mark_gold(wb, ids[0], "the reference")
    update_settings(wb, project.id, assignment=unit)
    ann = as_user(wb, "ann")
    for shown in (None, ids[0]):  # the queue's first, and a link to the gold one
        state = open_segment(ann, project.id, shown, QueueFilter())
        assert state.view.segment.id != ids[0]
    handed = []
    for _ in range(3):
        state = open_segment(ann, project.id, None, QueueFilter())
        if state is None:
            break
        handed.append(state.view.segment.id)
        _save(ann, state.view.segment.id, "done")
    assert ids[0] not in handed and sorted(handed) == ids[1:]
    with pytest.raises(Closed, match="not open to you"):
        _save(ann, ids[0], "over the reference")
    _save(wb, ids[0], "an owner may still correct it")


def test_a_retake_draws_items_the_labeller_has_not_met(wb):
    project, _ = _gated(wb, 6, per=8, qualify_items=3, qualify_max_error=0.0)
    bob = as_user(wb, "bob")
    first = []
    for _ in range(3):
        task = next_step(bob, project.id).task
        assert task.total == 3
        first.append(task.segment_id)
        answer(bob, project.id, task.segment_id, "wrong words entirely")
    assert "did not pass" in next_step(bob, project.id).gate
    crowd_qualification.allow_retake(wb, project.id, "bob")
    second = []
    for _ in range(3):
        task = next_step(bob, project.id).task
        second.append(task.segment_id)
        answer(bob, project.id, task.segment_id, store.gold_of(wb.db, task.segment_id)["text"])
    assert not set(first) & set(second)  # a new test, not the answers shown
    assert next_step(bob, project.id).gate is None
    detail = [e["detail"] for e in store.list_events(wb.db) if e["action"].startswith("qualif")]
    assert {d.get("attempt") for d in detail} == {1, 2}  # counted from 1, as shown
