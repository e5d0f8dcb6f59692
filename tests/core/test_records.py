import pytest

from workbench.core.records import (
    InvalidEdit,
    Word,
    check_bounds,
    clean_text,
    segment_uid,
    unsure_words,
)


@pytest.mark.parametrize(
    "start,end,duration,expected",
    [
        (0.0, 1.0, 3.0, (0.0, 1.0)),
        (1.23456, 2.34567, 3.0, (1.235, 2.346)),
        (2.5, 3.0004, 3.0, (2.5, 3.0)),
    ],
)
def test_check_bounds_accepts_and_rounds(start, end, duration, expected):
    assert check_bounds(start, end, duration) == expected


@pytest.mark.parametrize(
    "start,end,duration,message",
    [
        (-0.1, 1.0, 3.0, "before the recording"),
        (0.0, 3.5, 3.0, "after the recording"),
        (2.0, 2.0, 3.0, "must be after"),
        (2.0, 1.0, 3.0, "must be after"),
        (float("nan"), 1.0, 3.0, "numbers"),
    ],
)
def test_check_bounds_rejects(start, end, duration, message):
    with pytest.raises(InvalidEdit, match=message):
        check_bounds(start, end, duration)


def test_clean_text_normalises_korean_to_nfc_and_collapses_spaces():
    decomposed = "\u1100\u1161\u11a8  \n 나"  # 각 as conjoining jamo
    assert clean_text(decomposed) == "각 나"


def test_unsure_words_marks_low_probability():
    words = [Word("a", 0, 1, 0.9), Word("b", 1, 2, 0.2), Word("c", 2, 3, 0.5)]
    assert unsure_words(words) == [False, True, False]
    assert unsure_words(words, threshold=0.95) == [True, True, True]


def test_segment_uid_sorts_by_recording_then_segment():
    ids = [segment_uid(2, 1), segment_uid(1, 30), segment_uid(1, 4)]
    assert sorted(ids) == [segment_uid(1, 4), segment_uid(1, 30), segment_uid(2, 1)]
