"""Review (검수): who may review, versioned verdicts, what each does to revisions and queues."""

from __future__ import annotations

import pytest

from tests.conftest import as_user
from workbench import store
from workbench.core.access import Forbidden
from workbench.core.records import Edit, InvalidEdit, QueueFilter, Role, StaleEdit, Status
from workbench.formats.corpus_export import default_status
from workbench.labelling.history import char_level, text_diff
from workbench.labelling.labeller_edits import save, save_segment
from workbench.labelling.queue import open_segment
from workbench.projects.settings import ensure_project, update_settings
from workbench.review.verdicts import (
    DEFAULT_REASONS,
    approve,
    fix_and_approve,
    open_review,
    reasons,
    reject,
    rejection,
    review_progress,
    review_queue,
)


@pytest.fixture
def labelled(wb, drafted):
    """'demo' with its first two segments labelled by lena; rita reviews, otto labels too."""
    lena = as_user(wb, "lena")
    rita = as_user(wb, "rita", "reviewer")
    queue = store.segment_queue(wb.db, drafted.id)
    for q in queue[:2]:
        save_segment(lena, q["id"], 1, f"lena's {q['id']}", q["start"], q["end"])
    return {"lena": lena, "rita": rita, "ids": [q["id"] for q in queue[:2]], "project": drafted}


def _version(wb, seg_id):
    return store.get_segment(wb.db, seg_id).version


def test_labeller_may_not_review(wb, labelled):
    lena, seg = labelled["lena"], labelled["ids"][0]
    for call in (
        lambda: approve(lena, seg, 2),
        lambda: reject(lena, seg, 2, DEFAULT_REASONS[0]),
        lambda: fix_and_approve(lena, seg, 2, Edit("x", 0.0, 0.5)),
        lambda: open_review(lena, labelled["project"].id, None),
        lambda: review_queue(lena, labelled["project"].id),
    ):
        with pytest.raises(Forbidden, match="may not review"):
            call()
    assert store.get_segment(wb.db, seg).status is Status.LABELLED
    assert store.last_review(wb.db, seg) is None


def test_reviewer_of_another_project_may_not_review_this_one(wb, labelled):
    other = ensure_project(wb, "other", "en")
    rex_user = store.create_user(wb.db, "rex", Role.REVIEWER, "!unusable")
    store.add_member(wb.db, rex_user.id, other.id)
    rex = wb.as_user(rex_user)
    seg = labelled["ids"][0]
    with pytest.raises(Forbidden, match="not a member"):
        approve(rex, seg, 2)
    with pytest.raises(Forbidden, match="not a member"):
        open_review(rex, labelled["project"].id, None)
    assert store.get_segment(wb.db, seg).status is Status.LABELLED


def test_stale_review_is_refused(wb, labelled):
    rita, lena, seg = labelled["rita"], labelled["lena"], labelled["ids"][0]
    q = store.get_segment(wb.db, seg)
    save_segment(lena, seg, 2, "changed meanwhile", q.start, q.end)  # now version 3
    for call in (
        lambda: approve(rita, seg, 2),
        lambda: reject(rita, seg, 2, "wrong text"),
        lambda: fix_and_approve(rita, seg, 2, Edit("x", q.start, q.end)),
    ):
        with pytest.raises(StaleEdit):
            call()
    assert store.get_segment(wb.db, seg).status is Status.LABELLED
    assert store.last_review(wb.db, seg) is None
    approve(rita, seg, 3)
    with pytest.raises(StaleEdit):  # a second reviewer on the same version
        approve(rita, seg, 3)


def test_approve_keeps_revisions_unchanged(wb, labelled):
    rita, seg = labelled["rita"], labelled["ids"][0]
    before = store.list_revisions(wb.db, seg)
    approve(rita, seg, 2)
    after = store.get_segment(wb.db, seg)
    assert (after.status, after.version) == (Status.APPROVED, 3)
    assert store.list_revisions(wb.db, seg) == before  # no revision: the text stays lena's
    review = store.last_review(wb.db, seg)
    assert (review["verdict"], review["reviewer"], review["revision_id"]) == (
        "approve",
        "rita",
        before[-1].id,
    )
    assert seg not in [q["id"] for q in review_queue(rita, labelled["project"].id)]


def test_fix_and_approve_adds_a_review_revision(wb, labelled):
    rita, seg = labelled["rita"], labelled["ids"][0]
    q = store.get_segment(wb.db, seg)
    rev = fix_and_approve(rita, seg, 2, Edit("  fixed   text ", q.start, q.end))
    assert (rev.source, rev.author, rev.text, rev.status, rev.op) == (
        "review",
        "rita",
        "fixed text",
        "approved",
        "review",
    )
    assert store.get_segment(wb.db, seg).status is Status.APPROVED
    assert [r.source for r in store.list_revisions(wb.db, seg)] == ["asr", "human", "review"]
    reviewed = store.last_review(wb.db, seg)["revision_id"]
    assert reviewed == store.list_revisions(wb.db, seg)[1].id  # lena's, the one reviewed


def test_reject_needs_a_known_reason_or_a_comment(wb, labelled):
    rita, seg = labelled["rita"], labelled["ids"][0]
    with pytest.raises(InvalidEdit, match="unknown reason"):
        reject(rita, seg, 2, "I don't like it")
    with pytest.raises(InvalidEdit, match="comment"):
        reject(rita, seg, 2, "other", "   ")
    reject(rita, seg, 2, "other", "the speaker says 'gonna'")
    assert store.last_review(wb.db, seg)["reason"] == "other"
    update_settings(wb, labelled["project"].id, review_reasons=[" typo ", "", "typo", "other"])
    assert reasons(store.get_project(wb.db, labelled["project"].id)) == ("typo",)


def test_rejected_goes_back_to_its_labeller_first_with_the_reason(wb, labelled):
    rita, lena, project = labelled["rita"], labelled["lena"], labelled["project"]
    first, second = labelled["ids"]
    otto = as_user(wb, "otto")
    reject(rita, second, 2, "missing tag", "[noise] at the start")
    queue = QueueFilter()
    state = open_segment(lena, project.id, None, queue)
    assert state.view.segment.id == second and state.index == 0  # first, before time order
    assert state.following is not None and state.following != second
    note = rejection(lena, second)
    assert (note["reason"], note["comment"], note["reviewer"]) == (
        "missing tag",
        "[noise] at the start",
        "rita",
    )
    other = open_segment(otto, project.id, None, queue)  # not otto's: time order as before
    in_time = store.queue_position(wb.db, project.id, None, None, list(queue.statuses))
    assert rejection(lena, first) is None  # labelled, not rejected
    assert other.view.segment.id == in_time["current"]
    reject(rita, first, 2, "wrong text")  # both lena's now: in time order, before the rest
    state = open_segment(lena, project.id, None, queue)
    assert (state.view.segment.id, state.following) == (first, second)
    after = open_segment(lena, project.id, second, queue)
    assert (after.previous, after.index) == (first, 1) and after.following not in (first, second)


def test_labeller_save_after_rejection_makes_it_labelled(wb, labelled):
    rita, lena, seg = labelled["rita"], labelled["lena"], labelled["ids"][0]
    reject(rita, seg, 2, "wrong text")
    q = store.get_segment(wb.db, seg)
    assert q.status is Status.REJECTED
    save_segment(lena, seg, 3, "lena, fixed", q.start, q.end)
    assert store.get_segment(wb.db, seg).status is Status.LABELLED
    assert rejection(lena, seg) is None
    state = open_review(rita, labelled["project"].id, seg)
    assert state.view.segment.id == seg and state.last_review["verdict"] == "reject"
    assert state.previous_text == f"lena's {seg}" and state.labeller == "lena"
    assert open_segment(lena, labelled["project"].id, None, QueueFilter()).view.segment.id != seg


def test_a_labeller_save_can_never_approve_or_reject(wb, labelled):
    lena, seg = labelled["lena"], labelled["ids"][0]
    q = store.get_segment(wb.db, seg)
    for status in (Status.APPROVED, Status.REJECTED):
        with pytest.raises(InvalidEdit, match="only a review"):
            save(lena, seg, 2, Edit("x", q.start, q.end, status))
    approve(labelled["rita"], seg, 2)
    save_segment(lena, seg, 3, "changed after approval", q.start, q.end)
    assert store.get_segment(wb.db, seg).status is Status.LABELLED  # to be reviewed again


def test_open_review_shows_what_the_reviewer_needs(wb, labelled):
    rita, project = labelled["rita"], labelled["project"]
    state = open_review(rita, project.id, None)
    assert state.view.segment.id == labelled["ids"][0] and state.total == 2
    assert state.draft_text is not None and state.labeller == "lena"
    assert state.following == labelled["ids"][1]


def test_review_progress_per_labeller_for_owners(wb, labelled):
    rita, first, second = labelled["rita"], *labelled["ids"]
    approve(rita, first, 2)
    reject(rita, second, 2, "wrong text")
    (row,) = review_progress(wb, labelled["project"].id)
    assert (
        row["labeller"],
        row["approved"],
        row["rejected"],
        row["awaiting"],
        row["reviews"],
        row["rejection_rate"],
    ) == ("lena", 1, 1, 0, 2, 0.5)
    with pytest.raises(Forbidden):
        review_progress(rita, labelled["project"].id)


def test_export_defaults_to_approved_when_review_is_required(wb, labelled):
    project = labelled["project"]
    assert default_status(project) == "labeled"
    project = update_settings(wb, project.id, review_required=True)
    assert project.review_required and default_status(project) == "approved"


def test_char_diff_for_korean_word_diff_otherwise():
    parts, joiner = text_diff("나는 학교에 갔다", "나는 학교를 갔다", "ko")
    assert joiner == "" and ("del", "에") in parts and ("add", "를") in parts
    assert "".join(t for op, t in parts if op != "del") == "나는 학교를 갔다"
    parts, joiner = text_diff("나는 학교에 갔다", "나는 학교를 갔다", "auto")  # by the script
    assert joiner == "" and ("add", "를") in parts
    parts, joiner = text_diff("the cat sat", "the dog sat", "en")
    assert joiner == " " and parts == [
        ("same", "the"),
        ("del", "cat"),
        ("add", "dog"),
        ("same", "sat"),
    ]
    assert char_level("ja") and char_level(None, "東京") and not char_level("en", "Tokyo")


def test_split_parts_are_seen_against_their_own_part_of_the_draft(wb, drafted):
    """The reviewer's "vs draft" and a blind second labeller see the draft of the part, not
    the draft from before the split that covers both parts."""
    from workbench.crowd.qualification import Task, task_view
    from workbench.labelling.labeller_edits import split_at

    lena, rita = as_user(wb, "lena"), as_user(wb, "rita", "reviewer")
    first = store.segment_queue(wb.db, drafted.id)[0]  # 'w0 x0': w0 to 0.4 s, x0 after
    assert first["text"] == "w0 x0"
    right = split_at(lena, first["id"], 1, first["start"] + 0.45, "w0 x0")
    parts = {"w0": first["id"], "x0": right}
    for text, seg_id in parts.items():
        seg = store.get_segment(wb.db, seg_id)
        save(lena, seg_id, seg.version, Edit(f"{text} as heard", seg.start, seg.end))
    for text, seg_id in parts.items():
        assert open_review(rita, drafted.id, seg_id).draft_text == text
        blind = task_view(as_user(wb, "ann"), drafted.id, Task("second", seg_id))
        assert blind.text == blind.draft.text == text
    blind = task_view(as_user(wb, "ann"), drafted.id, Task("second", first["id"]))
    assert [w.word.strip() for w in blind.draft.words] == ["w0"]  # the part's words only
