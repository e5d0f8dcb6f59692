"""Review sampling (a share per labeller, raised for high rejection rates, flagged segments
always) and the draft's flags re-evaluated once a person edits the text."""

from __future__ import annotations

import pytest

from tests.conftest import as_user
from workbench import store
from workbench.core.errors import WorkbenchError
from workbench.core.records import Edit, Project, Status
from workbench.formats.corpus_export import default_status
from workbench.labelling.flags import after_human_edit
from workbench.labelling.labeller_edits import save
from workbench.projects.settings import ensure_project, update_settings
from workbench.review.sampling import MIN_REVIEWS, drawn, share_for, status_after_labelling
from workbench.review.verdicts import (
    approve,
    fix_and_approve,
    reject,
    review_progress,
    review_queue,
)


def _project(**settings) -> Project:
    return Project(1, "p", "en", "plain", "fake", "fake-1", None, **settings)


def test_the_draw_is_stable_per_segment_and_keeps_the_share():
    ids = range(1, 4001)
    taken = [i for i in ids if drawn(i, 0.25)]
    assert 0.22 < len(taken) / len(ids) < 0.28
    assert taken == [i for i in ids if drawn(i, 0.25)]  # the same segment draws the same way
    assert set(taken) <= {i for i in ids if drawn(i, 0.5)}  # a larger share takes more
    assert all(drawn(i, 1.0) for i in ids)


def test_share_is_raised_for_a_labeller_rejected_often_after_enough_reviews():
    project = _project(review_share=0.1, review_raise_above=0.2)
    assert share_for(project, 0, 0) == 0.1
    assert share_for(project, MIN_REVIEWS - 1, MIN_REVIEWS - 1) == 0.1  # too few to judge
    assert share_for(project, 10, 2) == 0.1  # 20% is not over 20%
    assert share_for(project, 10, 3) == 1.0


@pytest.mark.parametrize(
    "current, flags, expected",
    [
        (Status.REJECTED, (), Status.LABELLED),  # a fix of a rejection is always checked
        (Status.LABELLED, (), Status.LABELLED),  # saving again cannot dodge a review
        (Status.DRAFTED, ("repetition",), Status.LABELLED),  # flagged: always reviewed
    ],
)
def test_some_saves_are_always_reviewed(current, flags, expected):
    project = _project(review_share=0.01)
    never = next(i for i in range(1, 1000) if not drawn(i, 0.01))
    assert status_after_labelling(project, never, current, flags, 0, 0) is expected
    assert status_after_labelling(project, never, Status.DRAFTED, (), 0, 0) is Status.PASSED


def test_flags_after_a_human_edit():
    flags = ("unsure_words", "low_logprob", "silent_audio")
    assert after_human_edit(flags, "the draft", " the  draft ") == flags  # nothing fixed
    assert after_human_edit(flags, "the draft", "the fixed text") == ("silent_audio",)
    assert after_human_edit(flags, "the draft", "") == ()
    assert after_human_edit((), "a", "go on go on go on go on") == ("repetition",)
    assert after_human_edit(("repetition",), None, "a clean sentence") == ()


@pytest.fixture
def crowd(wb):
    """A project reviewing a 30% sample: one recording of 300 drafted half-second segments."""
    project = ensure_project(wb, "crowd", "en")
    project = update_settings(wb, project.id, review_share=0.3, review_required=True)
    rec = store.add_recording(
        wb.db,
        project_id=project.id,
        original_name="long.wav",
        sha256="1" * 64,
        source_path="long.wav",
        working_path="long.flac",
        peaks_path="long.npy",
        sample_rate=16000,
        channels=1,
        num_samples=16000 * 150,
        duration=150.0,
    )
    store.add_drafted_segments(
        wb.db,
        rec.id,
        [
            {
                "start": i * 0.5,
                "end": i * 0.5 + 0.4,
                "text": f"draft {i}",
                "flags": ("unsure_words",),
            }
            for i in range(300)
        ],
        "fake:fake-1",
    )
    return project, [q["id"] for q in store.segment_queue(wb.db, project.id)]


def _label(wb, seg_id: int, text: str) -> Status:
    seg = store.get_segment(wb.db, seg_id)
    save(wb, seg_id, seg.version, Edit(text, seg.start, seg.end, Status.LABELLED))
    return store.get_segment(wb.db, seg_id).status


def test_a_sample_goes_to_review_and_the_rest_passes(wb, crowd):
    project, ids = crowd
    lena = as_user(wb, "lena")
    statuses = {i: _label(lena, i, f"fixed {i}") for i in ids[:200]}
    reviewed = [i for i, s in statuses.items() if s is Status.LABELLED]
    passed = [i for i, s in statuses.items() if s is Status.PASSED]
    assert len(reviewed) + len(passed) == 200 and 40 <= len(reviewed) <= 80
    assert reviewed == [i for i in ids[:200] if drawn(i, 0.3)]
    # the edit re-evaluated the draft's flags: the labeller replaced the unsure words
    assert all(store.get_segment(wb.db, i).flags == () for i in ids[:200])
    rita = as_user(wb, "rita", "reviewer")
    assert [q["id"] for q in review_queue(rita, project.id)] == reviewed
    # saving a passed segment again draws it the same way: no re-roll into or out of review
    assert _label(lena, passed[0], "again") is Status.PASSED
    # unchanged draft text keeps its flags, and a flagged segment is always reviewed
    kept = next(i for i in ids[200:] if not drawn(i, 0.3))
    assert _label(lena, kept, f"draft {ids.index(kept)}") is Status.LABELLED
    assert store.get_segment(wb.db, kept).flags == ("unsure_words",)
    # export: 'accepted' (approved or passed) is the default of a sampled, review-required project
    project = store.get_project(wb.db, project.id)
    assert default_status(project) == "accepted"
    assert default_status(update_settings(wb, project.id, review_share=1.0)) == "approved"


def test_a_labeller_rejected_often_is_reviewed_in_full(wb, crowd):
    project, ids = crowd
    otto, rita = as_user(wb, "otto"), as_user(wb, "rita", "reviewer")
    drawn_ids = [i for i in ids if drawn(i, 0.3)][:MIN_REVIEWS]
    for i in drawn_ids:
        assert _label(otto, i, f"otto {i}") is Status.LABELLED
    for k, i in enumerate(drawn_ids):  # 2 of 5 rejected: 40% > 20%
        version = store.get_segment(wb.db, i).version
        if k < 2:
            reject(rita, i, version, "wrong text")
        else:
            approve(rita, i, version)
    undrawn = [i for i in ids if not drawn(i, 0.3)][:20]
    assert all(_label(otto, i, f"otto {i}") is Status.LABELLED for i in undrawn)
    (row,) = [r for r in review_progress(wb, project.id) if r["labeller"] == "otto"]
    assert (row["reviews"], row["rejections"], row["review_share"]) == (5, 2, 1.0)
    # someone not rejected keeps the project's share
    lena = as_user(wb, "lena")
    assert _label(lena, [i for i in ids if not drawn(i, 0.3)][30], "fine") is Status.PASSED
    (row,) = [r for r in review_progress(wb, project.id) if r["labeller"] == "lena"]
    assert (row["passed"], row["review_share"]) == (1, 0.3)


def test_a_reviewers_fix_re_evaluates_flags(wb, crowd):
    project, ids = crowd
    update_settings(wb, project.id, review_share=1.0)
    lena, rita = as_user(wb, "lena"), as_user(wb, "rita", "reviewer")
    seg_id = ids[0]
    assert _label(lena, seg_id, "draft 0") is Status.LABELLED  # unchanged: flags kept
    assert store.get_segment(wb.db, seg_id).flags == ("unsure_words",)
    seg = store.get_segment(wb.db, seg_id)
    fix_and_approve(rita, seg_id, seg.version, Edit("the real words", seg.start, seg.end))
    assert store.get_segment(wb.db, seg_id).flags == ()


def test_sampling_settings_are_checked(wb, crowd):
    project, _ = crowd
    with pytest.raises(WorkbenchError, match="review share"):
        update_settings(wb, project.id, review_share=0)
    with pytest.raises(WorkbenchError, match="review raise above"):
        update_settings(wb, project.id, review_raise_above=1.5)
