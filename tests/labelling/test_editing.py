import pytest

from tests.conftest import as_user
from workbench import store
from workbench.core.records import Edit, InvalidEdit, StaleEdit, Status, Word
from workbench.labelling.editor_actions import Beside, apply_action
from workbench.labelling.history import word_diff
from workbench.labelling.labeller_edits import (
    delete,
    merge_next,
    restore,
    save,
    split_at,
    undo_delete,
)
from workbench.labelling.segment_edits import split_text

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
        ("same", "ask"),
        ("del", "not"),
        ("add", "now"),
        ("same", "what"),
        ("add", "you"),
    ]


def _first(wb, project):
    return store.segment_queue(wb.db, project.id)[0]


def test_save_normalises_and_records_everything(wb, drafted):
    q = _first(wb, drafted)
    rev = save(
        as_user(wb, "ann"),
        q["id"],
        1,
        Edit(
            "  \u1100\u1161  b ",
            0.1,
            0.9,
            speaker="A B",
            tags=("noise", "noise"),
            comment=" c ",
            active_seconds=12.34,
        ),
    )
    assert (
        rev.text,
        rev.start,
        rev.end,
        rev.speaker,
        rev.tags,
        rev.comment,
        rev.active_seconds,
    ) == ("가 b", 0.1, 0.9, "A B", ("noise",), "c", 12.3)
    with pytest.raises(InvalidEdit):
        save(as_user(wb, "ann"), q["id"], 2, Edit("x", 0.9, 0.1))


def test_split_then_merge_round_trip(wb, drafted):
    q = _first(wb, drafted)
    new_id = split_at(as_user(wb, "ann"), q["id"], 1, 0.45, "w0 x0")
    left, right = store.segment_view(wb.db, q["id"]), store.segment_view(wb.db, new_id)
    assert (left.segment.start, left.segment.end, left.text) == (0.0, 0.45, "w0")
    assert (right.segment.start, right.segment.end, right.text) == (0.45, q["end"], "x0")
    assert left.latest.op == right.latest.op == "split"
    with pytest.raises(InvalidEdit, match="inside the segment"):
        split_at(as_user(wb, "ann"), q["id"], 2, 0.9, "w0")
    merge_next(as_user(wb, "ann"), q["id"], 2, "w0")
    merged = store.segment_view(wb.db, q["id"])
    assert (merged.segment.end, merged.text) == (q["end"], "w0 x0")
    assert store.get_segment(wb.db, new_id).status is Status.DELETED


def test_merge_of_the_last_segment_is_refused(wb, drafted):
    queue = store.segment_queue(wb.db, drafted.id)
    last = [q for q in queue if q["recording"] == "a.wav"][-1]
    with pytest.raises(InvalidEdit, match="last segment"):
        merge_next(as_user(wb, "ann"), last["id"], 1, "x")


def test_delete_and_undo_keep_history(wb, drafted):
    q = _first(wb, drafted)
    delete(as_user(wb, "ann"), q["id"], 1)
    assert store.get_segment(wb.db, q["id"]).status is Status.DELETED
    assert q["id"] not in [
        x["id"] for x in store.segment_queue(wb.db, drafted.id, statuses=["drafted"])
    ]
    undo_delete(as_user(wb, "ann"), q["id"], 2)
    assert store.get_segment(wb.db, q["id"]).status is Status.DRAFTED
    assert [r.op for r in store.list_revisions(wb.db, q["id"])] == [None, "delete", "undelete"]
    with pytest.raises(InvalidEdit, match="not deleted"):
        undo_delete(as_user(wb, "ann"), q["id"], 3)


def test_restore_an_old_revision(wb, drafted):
    q = _first(wb, drafted)
    save(as_user(wb, "ann"), q["id"], 1, Edit("changed", 0.0, 0.8))
    restore(as_user(wb, "ann"), q["id"], 2, 1)
    view = store.segment_view(wb.db, q["id"])
    assert (view.text, view.segment.end, view.latest.op) == (q["text"], q["end"], "restore")
    with pytest.raises(StaleEdit):
        restore(as_user(wb, "ann"), q["id"], 2, 1)


def test_apply_action_navigation_and_errors(wb, drafted):
    q = _first(wb, drafted)
    base = {
        "segment_id": q["id"],
        "version": 1,
        "text": "t",
        "start": q["start"],
        "end": q["end"],
        "cursor": 0.5,
    }
    ann, shown = as_user(wb, "ann"), q["id"]
    assert apply_action(ann, {**base, "type": "next"}, shown=shown, following=7).go_to == 7
    assert apply_action(ann, {**base, "type": "prev"}, shown=shown, previous=3).go_to == 3
    out = apply_action(ann, {**base, "type": "save_next"}, shown=shown, following=9)
    assert (out.kind, out.go_to) == ("success", 9)
    assert store.list_revisions(wb.db, q["id"])[-1].author == "ann"
    out = apply_action(ann, {**base, "type": "save"}, shown=shown)
    assert out.kind == "error" and "was saved since you opened it" in out.message
    assert apply_action(ann, {**base, "type": "dance"}, shown=shown).kind == "error"


def test_apply_action_on_a_segment_that_left_the_queue_keeps_its_own_fields(wb, drafted):
    queue = store.segment_queue(wb.db, drafted.id)
    gone, shown = queue[0], queue[1]
    ann = as_user(wb, "ann")
    save(ann, gone["id"], 1, Edit("first", gone["start"], gone["end"], speaker="A", comment="mine"))
    action = {
        "type": "save_next",
        "segment_id": gone["id"],
        "version": 2,
        "text": "again",
        "start": gone["start"],
        "end": gone["end"],
    }
    out = apply_action(
        ann,
        action,
        shown=shown["id"],
        beside=Beside("B", ("noise",), "other"),
        previous=1,
        following=99,
    )
    seg = store.get_segment(wb.db, gone["id"])
    assert (seg.speaker, seg.tags, seg.comment) == ("A", (), "mine")
    assert out.go_to == shown["id"]  # back to the segment on screen, not past it


def test_a_labeller_outside_the_project_cannot_edit(wb, drafted):
    from workbench.core.access import Forbidden
    from workbench.core.records import Role

    q = _first(wb, drafted)
    outsider = wb.as_user(store.create_user(wb.db, "eve", Role.LABELLER, "!"))
    with pytest.raises(Forbidden):
        save(outsider, q["id"], 1, Edit("mine now", q["start"], q["end"]))
    out = apply_action(
        outsider,
        {
            "type": "save",
            "segment_id": q["id"],
            "version": 1,
            "text": "x",
            "start": q["start"],
            "end": q["end"],
        },
        shown=q["id"],
    )
    assert out.kind == "error" and "not a member" in out.message
    assert store.get_segment(wb.db, q["id"]).version == 1


def test_apply_action_lint_blocks_when_the_project_says_so(wb, drafted):
    from workbench.text import load_profile

    q = _first(wb, drafted)
    bad = {
        "type": "save",
        "segment_id": q["id"],
        "version": 1,
        "text": "(70%)/(칠십",
        "start": 0.0,
        "end": 1.0,
    }
    ann, kspon = as_user(wb, "ann"), load_profile("kspon")
    out = apply_action(ann, bad, shown=q["id"], profile=kspon, lint_blocks=True)
    assert out.kind == "error" and "convention error" in out.message
    out = apply_action(ann, bad, shown=q["id"], profile=kspon)
    assert out.kind == "warning" and out.confirm
    out = apply_action(ann, bad, shown=q["id"], profile=kspon, confirmed=out.confirm)
    assert out.kind == "success"
