"""Editing keeps a recording consistent whatever the order of saves, splits, merges, deletes,
undos and restores: no two live segments overlap, every drafted word and every word of text
is in at most one live segment, and each segment's revisions are 1..n with its version n."""

from __future__ import annotations

import contextlib
import itertools
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import as_user
from workbench import store
from workbench.core.records import Edit, InvalidEdit, Status
from workbench.labelling.labeller_edits import (
    delete,
    merge_next,
    restore,
    save,
    split_at,
    undo_delete,
)
from workbench.projects.settings import ensure_project

DURATION = 6.0  # seconds: six drafted segments of a second each
_names = itertools.count()


def _recording(wb, project):
    """A new recording of DURATION seconds drafted as one segment per second, words timed."""
    rec = store.add_recording(
        wb.db,
        project_id=project.id,
        original_name=f"r{next(_names)}.wav",
        sha256=f"{next(_names):064d}",
        source_path="x",
        working_path="x.flac",
        peaks_path="x.npy",
        sample_rate=16000,
        channels=1,
        num_samples=int(DURATION * 16000),
        duration=DURATION,
    )
    drafts = []
    for i in range(int(DURATION)):
        words = [
            {"word": f" w{i}", "start": i + 0.1, "end": i + 0.4, "probability": 0.9},
            {"word": f" x{i}", "start": i + 0.5, "end": i + 0.9, "probability": 0.9},
        ]
        drafts.append(
            {"start": float(i), "end": i + 1.0, "text": f"w{i} x{i}", "asr_meta": {"words": words}}
        )
    store.add_drafted_segments(wb.db, rec.id, drafts, "fake:1")
    return rec


def _segments(wb, rec):
    """Every segment of the recording, deleted ones included, in time order."""
    with wb.db.connect() as conn:
        rows = conn.execute(
            store.segments.select()
            .where(store.segments.c.recording_id == rec.id)
            .order_by(store.segments.c.start, store.segments.c.id)
        ).all()
    return [store.segment_view(wb.db, r.id) for r in rows]


def _free_space(views, shown):
    """The time between the live neighbours of `shown`: where its bounds may go."""
    live = [
        v.segment
        for v in views
        if v.segment.status is not Status.DELETED and v.segment.id != shown.id
    ]
    lo = max((s.end for s in live if s.end <= shown.start + 1e-6), default=0.0)
    hi = min((s.start for s in live if s.start >= shown.end - 1e-6), default=DURATION)
    return lo, hi


def _apply(wb, rec, step, op, index, a, b):
    views = _segments(wb, rec)
    view = views[index % len(views)]
    seg, text = view.segment, view.text
    if op == "save":
        lo, hi = _free_space(views, seg)
        start, end = sorted((lo + a * (hi - lo), lo + b * (hi - lo)))
        kept = text.split()[: int(a * 3)]
        save(wb, seg.id, seg.version, Edit(" ".join([*kept, f"n{step}"]), start, end))
    elif op == "split":
        split_at(wb, seg.id, seg.version, seg.start + a * (seg.end - seg.start), text)
    elif op == "merge":
        merge_next(wb, seg.id, seg.version, text)
    elif op == "delete":
        delete(wb, seg.id, seg.version)
    elif op == "undo":
        deleted = [v.segment for v in views if v.segment.status is Status.DELETED]
        if deleted:
            gone = deleted[index % len(deleted)]
            undo_delete(wb, gone.id, gone.version)
    elif op == "restore":
        restore(wb, seg.id, seg.version, 1 + int(a * seg.version) % seg.version)


def _check(wb, rec):
    views = _segments(wb, rec)
    live = [v for v in views if v.segment.status is not Status.DELETED]
    spans = sorted((v.segment.start, v.segment.end, v.segment.id) for v in live)
    for (s1, e1, id1), (s2, e2, id2) in itertools.pairwise(spans):
        assert e1 <= s2 + 0.0005, f"segments {id1} ({s1}-{e1}) and {id2} ({s2}-{e2}) overlap"
    drafted_words = [w for v in views if v.draft for w in v.draft.words]
    for w in drafted_words:
        middle = (w.start + w.end) / 2
        holders = [v.segment.id for v in live if v.segment.start <= middle < v.segment.end]
        assert len(holders) <= 1, f"word {w.word!r} at {middle:.2f} s is in segments {holders}"
    tokens = Counter(t for v in live for t in v.text.split())
    assert not [t for t, n in tokens.items() if n > 1], f"text in two live segments: {tokens}"
    for v in views:
        revisions = store.list_revisions(wb.db, v.segment.id)
        assert [r.n for r in revisions] == list(range(1, len(revisions) + 1))
        assert v.segment.version == len(revisions)
        assert v.latest.id == revisions[-1].id


OPS = st.sampled_from(["save", "split", "merge", "delete", "undo", "restore"])
UNIT = st.floats(0.0, 1.0, allow_nan=False)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.tuples(OPS, st.integers(0, 40), UNIT, UNIT), min_size=1, max_size=20))
def test_random_edits_keep_the_recording_consistent(wb, steps):
    project = ensure_project(wb, "invariants")
    rec = _recording(wb, project)
    ann = as_user(wb, "ann")
    for step, (op, index, a, b) in enumerate(steps):
        with contextlib.suppress(InvalidEdit):  # a refusal is allowed; what it leaves must
            _apply(ann, rec, step, op, index, a, b)  # still be consistent
        _check(wb, rec)


@pytest.fixture
def rec(wb):
    return _recording(wb, ensure_project(wb, "undo"))


def test_undo_of_a_merged_away_segment_is_refused(wb, rec):
    ann = as_user(wb, "ann")
    first, second = (v.segment for v in _segments(wb, rec)[:2])
    merge_next(ann, first.id, 1, "w0 x0")
    with pytest.raises(InvalidEdit, match="merged into the segment before it"):
        undo_delete(ann, second.id, 2)
    with pytest.raises(InvalidEdit, match="merged"):
        restore(ann, second.id, 2, 1)
    _check(wb, rec)


def test_restoring_a_deleted_part_to_its_bounds_before_a_split_is_refused(wb, rec):
    """Found by the property above: split, delete the left part, restore its first revision
    (the whole second): the right part, live since the split, holds half of it now."""
    ann = as_user(wb, "ann")
    first = _segments(wb, rec)[0].segment
    right = split_at(ann, first.id, 1, 0.5, "w0 x0")
    left = store.get_segment(wb.db, first.id)
    delete(ann, first.id, left.version)
    with pytest.raises(InvalidEdit, match=f"would overlap segment #{right}"):
        restore(ann, first.id, left.version + 1, 1)
    undo_delete(ann, first.id, left.version + 1)  # its own bounds still come back
    _check(wb, rec)


def test_undo_is_refused_where_a_neighbour_grew_over_the_deleted_time(wb, rec):
    ann = as_user(wb, "ann")
    first, second = (v.segment for v in _segments(wb, rec)[:2])
    delete(ann, second.id, 1)
    save(ann, first.id, 1, Edit("w0 x0 w1", 0.0, 1.5))
    with pytest.raises(InvalidEdit, match=f"would overlap segment #{first.id}"):
        undo_delete(ann, second.id, 2)
    save(ann, first.id, 2, Edit("w0 x0", 0.0, 1.0))  # gives the time back: undo goes through
    undo_delete(ann, second.id, 2)
    assert store.get_segment(wb.db, second.id).status is Status.DRAFTED
    _check(wb, rec)


def test_undo_keeps_an_overlap_that_was_there_before_the_delete(wb, rec):
    """Two speakers talking at once overlap on purpose: deleting one and undoing it is fine."""
    ann = as_user(wb, "ann")
    first, second = (v.segment for v in _segments(wb, rec)[:2])
    save(ann, first.id, 1, Edit("w0 x0", 0.0, 1.5, speaker="A"))
    delete(ann, second.id, 1)
    undo_delete(ann, second.id, 2)
    assert store.get_segment(wb.db, second.id).status is Status.DRAFTED


def test_a_deleted_segment_is_not_edited_back_to_life(wb, rec):
    ann = as_user(wb, "ann")
    seg = _segments(wb, rec)[0].segment
    delete(ann, seg.id, 1)
    for edit in (
        lambda: save(ann, seg.id, 2, Edit("x", 0.0, 1.0)),
        lambda: split_at(ann, seg.id, 2, 0.5, "w0 x0"),
        lambda: merge_next(ann, seg.id, 2, "w0 x0"),
    ):
        with pytest.raises(InvalidEdit, match="is deleted"):
            edit()
