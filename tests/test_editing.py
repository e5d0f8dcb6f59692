import pytest

from workbench import store
from workbench.corpus import Edit, InvalidEdit, StaleEdit, Status, Word
from workbench.editing import (
    apply_action,
    delete,
    merge_next,
    restore,
    save,
    split_at,
    split_text,
    undo_delete,
    word_diff,
)

WORDS = [Word(" ask", 0.0, 0.4, 0.9), Word(" not", 0.5, 0.8, 0.9), Word(" what", 1.2, 1.5, 0.9)]


@pytest.mark.parametrize(
    "text,at,expected",
    [
        ("ask not what", 0.9, ("ask not", "what")),  # the draft's own words: by timing
        ("ask not what", 0.45, ("ask", "not what")),
        ("ask NOT what you", 0.9, ("ask NOT what", "you")),  # edited: the same share of words
        ("ask not what", 0.0, ("", "ask not what")),
    ],
)
def test_split_text(text, at, expected):
    assert split_text(text, WORDS, 0.0, 1.5, at) == expected


def test_split_text_without_timings_goes_by_time():
    assert split_text("one two three four", [], 0.0, 4.0, 1.0) == ("one", "two three four")


def test_word_diff():
    assert word_diff("ask not what", "ask now what you") == [
        ("same", "ask"), ("del", "not"), ("add", "now"), ("same", "what"), ("add", "you")]


def _first(wb, project):
    return store.segment_queue(wb.db, project.id)[0]


def test_save_normalises_and_records_everything(wb, drafted):
    q = _first(wb, drafted)
    rev = save(wb, q["id"], 1, Edit("  \u1100\u1161  b ", 0.1, 0.9, speaker="A B", tags=("noise", "noise"),
                                    comment=" c ", active_seconds=12.34), "ann")
    assert (rev.text, rev.start, rev.end, rev.speaker, rev.tags, rev.comment, rev.active_seconds) == (
        "가 b", 0.1, 0.9, "A B", ("noise",), "c", 12.3)
    with pytest.raises(ValueError, match="author"):
        save(wb, q["id"], 2, Edit("x", 0.1, 0.9), " ")
    with pytest.raises(InvalidEdit):
        save(wb, q["id"], 2, Edit("x", 0.9, 0.1), "ann")


def test_split_then_merge_round_trip(wb, drafted):
    q = _first(wb, drafted)
    new_id = split_at(wb, q["id"], 1, 0.45, "w0 x0", "ann")
    left, right = store.segment_view(wb.db, q["id"]), store.segment_view(wb.db, new_id)
    assert (left.segment.start, left.segment.end, left.text) == (0.0, 0.45, "w0")
    assert (right.segment.start, right.segment.end, right.text) == (0.45, q["end"], "x0")
    assert left.latest.op == right.latest.op == "split"
    with pytest.raises(InvalidEdit, match="inside the segment"):
        split_at(wb, q["id"], 2, 0.9, "w0", "ann")
    merge_next(wb, q["id"], 2, "w0", "ann")
    merged = store.segment_view(wb.db, q["id"])
    assert (merged.segment.end, merged.text) == (q["end"], "w0 x0")
    assert store.get_segment(wb.db, new_id).status is Status.DELETED


def test_merge_of_the_last_segment_is_refused(wb, drafted):
    queue = store.segment_queue(wb.db, drafted.id)
    last = [q for q in queue if q["recording"] == "a.wav"][-1]
    with pytest.raises(InvalidEdit, match="last segment"):
        merge_next(wb, last["id"], 1, "x", "ann")


def test_delete_and_undo_keep_history(wb, drafted):
    q = _first(wb, drafted)
    delete(wb, q["id"], 1, "ann")
    assert store.get_segment(wb.db, q["id"]).status is Status.DELETED
    assert q["id"] not in [x["id"] for x in store.segment_queue(wb.db, drafted.id, statuses=["drafted"])]
    undo_delete(wb, q["id"], 2, "ann")
    assert store.get_segment(wb.db, q["id"]).status is Status.DRAFTED
    assert [r.op for r in store.list_revisions(wb.db, q["id"])] == [None, "delete", "undelete"]
    with pytest.raises(InvalidEdit, match="not deleted"):
        undo_delete(wb, q["id"], 3, "ann")


def test_restore_an_old_revision(wb, drafted):
    q = _first(wb, drafted)
    save(wb, q["id"], 1, Edit("changed", 0.0, 0.8), "ann")
    restore(wb, q["id"], 2, 1, "ann")
    view = store.segment_view(wb.db, q["id"])
    assert (view.text, view.segment.end, view.latest.op) == (q["text"], q["end"], "restore")
    with pytest.raises(StaleEdit):
        restore(wb, q["id"], 2, 1, "ann")


def test_apply_action_navigation_and_errors(wb, drafted):
    q = _first(wb, drafted)
    base = {"segment_id": q["id"], "version": 1, "text": "t", "start": 0.0, "end": 1.0, "cursor": 0.5}
    assert apply_action(wb, {**base, "type": "next"}, "ann", following=7).go_to == 7
    assert apply_action(wb, {**base, "type": "prev"}, "ann", previous=3).go_to == 3
    out = apply_action(wb, {**base, "type": "save_next"}, "ann", following=9)
    assert (out.kind, out.go_to) == ("success", 9)
    out = apply_action(wb, {**base, "type": "save"}, "ann")
    assert out.kind == "error" and "saved by someone else" in out.message
    assert apply_action(wb, {**base, "type": "dance"}, "ann").kind == "error"


def test_apply_action_lint_blocks_when_the_project_says_so(wb, drafted):
    from workbench.text import load_profile

    q = _first(wb, drafted)
    bad = {"type": "save", "segment_id": q["id"], "version": 1, "text": "(70%)/(칠십",
           "start": 0.0, "end": 1.0}
    out = apply_action(wb, bad, "ann", profile=load_profile("kspon"), lint_blocks=True)
    assert out.kind == "error" and "convention error" in out.message
    out = apply_action(wb, bad, "ann", profile=load_profile("kspon"))
    assert out.kind == "warning" and out.confirm
    out = apply_action(wb, bad, "ann", profile=load_profile("kspon"), confirmed=out.confirm)
    assert out.kind == "success"
