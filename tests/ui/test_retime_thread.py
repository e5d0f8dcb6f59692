"""The app's re-timing thread after saves: it times the saves, takes the ones that come in
while it runs, and ends; a project whose model cannot align starts nothing."""

import pytest

from tests.conftest import as_user
from tests.helpers.scripted_engines import SpreadAligner
from workbench import asr, store
from workbench.core.records import Edit, Status
from workbench.labelling.labeller_edits import save
from workbench.labelling.retiming import KIND
from workbench.ui import jobs


def _save(wb, seg_id, text):
    seg = store.get_segment(wb.db, seg_id)
    save(wb, seg_id, seg.version, Edit(text, seg.start, seg.end, Status.LABELLED))


@pytest.fixture
def aligning(monkeypatch):
    """The projects' engine 'fake' aligns (spreads the words); the thread lingers briefly."""
    aligner = SpreadAligner()
    monkeypatch.setitem(asr.ENGINES, "fake", lambda model, models_dir: aligner)
    monkeypatch.setattr(asr, "_loaded", {})
    monkeypatch.setattr(jobs, "RETIME_LINGER", 0.5)
    return aligner


def test_saves_are_timed_in_the_background_and_the_thread_ends(wb, drafted, aligning):
    ann = as_user(wb, "ann")
    first, second = (q["id"] for q in store.segment_queue(wb.db, drafted.id)[:2])
    _save(ann, first, "one two three")
    jobs.retime_saved(ann, drafted)
    _save(ann, second, "four five")  # while the thread runs or lingers: taken too
    jobs.retime_saved(ann, drafted)
    jobs.retime_idle(drafted.id, timeout=60)
    assert [w.word for w in store.segment_view(wb.db, first).timed] == ["one", "two", "three"]
    assert [w.word for w in store.segment_view(wb.db, second).timed] == ["four", "five"]
    assert store.running_job(wb.db, drafted.id, KIND) is None
    assert store.latest_job(wb.db, drafted.id, KIND).state == "done"


def test_a_model_that_cannot_align_starts_no_job(wb, drafted, fake_engine):
    ann = as_user(wb, "ann")
    _save(ann, store.segment_queue(wb.db, drafted.id)[0]["id"], "one two")
    jobs.retime_saved(ann, drafted)
    jobs.retime_idle(drafted.id, timeout=60)
    assert store.latest_job(wb.db, drafted.id, KIND) is None
    assert len(store.untimed_revisions(wb.db, drafted.id)) == 1


def test_the_operator_can_turn_re_timing_off(wb, drafted, aligning, monkeypatch):
    monkeypatch.setenv("WORKBENCH_RETIME", "off")  # a server too small to spare a CPU-second
    ann = as_user(wb, "ann")
    _save(ann, store.segment_queue(wb.db, drafted.id)[0]["id"], "one two")
    jobs.retime_saved(ann, drafted)
    jobs.retime_idle(drafted.id, timeout=60)
    assert store.latest_job(wb.db, drafted.id, KIND) is None
    assert len(store.untimed_revisions(wb.db, drafted.id)) == 1
