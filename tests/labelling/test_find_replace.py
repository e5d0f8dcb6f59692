"""Find and replace across a project's transcripts: preview, apply as revisions, stale skips."""

import pytest

from tests.conftest import as_user
from workbench import store
from workbench.core.access import Forbidden
from workbench.core.records import InvalidEdit
from workbench.labelling.find_replace import Query, apply, preview, replace_in
from workbench.labelling.labeller_edits import save_segment


def test_plain_whole_word_and_case():
    assert replace_in("Colour colour discolour", Query("colour", "color")) == (
        "Colour color discolor",
        2,
    )
    assert replace_in("Colour colour discolour", Query("colour", "color", whole_word=True)) == (
        "Colour color discolour",
        1,
    )
    assert replace_in("Colour colour", Query("colour", "color", case_sensitive=False)) == (
        "color color",
        2,
    )


def test_whole_word_in_korean_is_the_eojeol():
    text = "학교에 갔다 학교 앞"
    assert replace_in(text, Query("학교", "집", whole_word=True)) == ("학교에 갔다 집 앞", 1)
    assert replace_in(text, Query("학교", "집")) == ("집에 갔다 집 앞", 2)


def test_replacement_is_literal_and_empty_search_refused():
    assert replace_in("a b", Query("a", r"\1 $0")) == (r"\1 $0 b", 1)
    with pytest.raises(InvalidEdit):
        replace_in("a", Query("  ", "b"))


def test_preview_then_apply_as_revisions(wb, drafted):
    owner = as_user(wb, "olga", "owner")
    found = preview(owner, drafted.id, Query("x1", "ex one"))
    assert [(m.before, m.after) for m in found] == [("w1 x1", "w1 ex one")] * 2
    assert {m.recording for m in found} == {"a.wav", "b.flac"}
    done = apply(owner, drafted.id, Query("x1", "ex one"), {m.segment_id: m.version for m in found})
    assert sorted(done.applied) == sorted(m.segment_id for m in found) and not done.skipped
    for m in found:
        rev = store.list_revisions(wb.db, m.segment_id)[-1]
        assert (rev.text, rev.source, rev.op, rev.author) == (
            "w1 ex one",
            "human",
            "replace",
            "olga",
        )
        assert store.get_segment(wb.db, m.segment_id).status.value == "drafted"  # kept
    event = store.list_events(wb.db, drafted.id, action="replace")[0]
    assert sorted(event["detail"]["applied"]) == sorted(done.applied)
    assert preview(owner, drafted.id, Query("x1", "ex one")) == []


def test_a_segment_saved_since_the_preview_is_skipped(wb, drafted):
    owner = as_user(wb, "olga", "owner")
    found = preview(owner, drafted.id, Query("x1", "ex one"))
    first, second = found
    save_segment(
        as_user(wb, "ann"),
        first.segment_id,
        first.version,
        "w1 x1 and more",
        first.start,
        first.end,
    )
    done = apply(owner, drafted.id, Query("x1", "ex one"), {m.segment_id: m.version for m in found})
    assert done.applied == (second.segment_id,)
    assert [s for s, _ in done.skipped] == [first.segment_id]
    assert "saved since the preview" in done.skipped[0][1]
    assert store.segment_view(wb.db, first.segment_id).text == "w1 x1 and more"


def test_statuses_limit_the_search(wb, drafted):
    owner = as_user(wb, "olga", "owner")
    seg = store.segment_queue(wb.db, drafted.id)[1]
    save_segment(owner, seg["id"], 1, "w1 x1", seg["start"], seg["end"])
    found = preview(owner, drafted.id, Query("x1", "y", statuses=("labeled",)))
    assert [m.segment_id for m in found] == [seg["id"]]


def test_labellers_may_not_replace(wb, drafted):
    with pytest.raises(Forbidden):
        preview(as_user(wb, "ann"), drafted.id, Query("x1", "y"))
    with pytest.raises(Forbidden):
        apply(as_user(wb, "ann"), drafted.id, Query("x1", "y"), {})
    assert preview(as_user(wb, "rita", "reviewer"), drafted.id, Query("x1", "y"))
