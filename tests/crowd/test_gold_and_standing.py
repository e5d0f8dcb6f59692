"""The owner's side of the qualifying service that the Team page uses: gold by segment id
and the labellers' qualification and standing."""

from __future__ import annotations

import pytest

from tests.conftest import as_user, tone
from workbench import store
from workbench.core.access import Forbidden
from workbench.core.errors import NotFound
from workbench.crowd import gold as crowd_gold
from workbench.crowd import qualification as crowd_qualification
from workbench.intake.audio_files import import_paths
from workbench.labelling.labeller_edits import save_segment
from workbench.projects.settings import ensure_project
from workbench.review.verdicts import reject


def test_gold_names_a_segment_of_the_project(wb, drafted, tmp_path):
    seg = store.segments_of(wb.db, drafted.id)[0]
    with pytest.raises(NotFound, match="no such segment"):
        crowd_gold.mark_gold(wb, 999_999, "words")
    with pytest.raises(NotFound, match="no such segment"):
        crowd_gold.unmark_gold(wb, 999_999)
    other = ensure_project(wb, "other", "en")
    import_paths(wb, other, [tone(tmp_path / "o.wav", 2.0)])
    with pytest.raises(NotFound, match="not in this project"):
        crowd_gold.mark_gold(wb, seg, "words", project_id=other.id)
    assert store.gold_of(wb.db, seg) is None
    crowd_gold.mark_gold(wb, seg, "words", project_id=drafted.id)
    assert store.gold_of(wb.db, seg)["text"] == "words"


def test_labellers_qualification_and_standing(wb, drafted):
    pid = drafted.id
    lena, mia = as_user(wb, "lena"), as_user(wb, "mia")
    rita = as_user(wb, "rita", "reviewer")
    items = store.segments_of(wb.db, pid)[:2]
    for seg in items:
        crowd_gold.mark_gold(wb, seg, "alpha beta gamma delta", in_test=True)
    store.update_project(wb.db, pid, qualify_required=True, rules_min=1)
    rows = {r.name: r for r in crowd_qualification.labellers(wb, pid)}
    assert sorted(rows) == ["lena", "mia"]  # labellers only
    assert (rows["lena"].qualification, rows["lena"].items, rows["lena"].score) == (
        "not taken",
        2,
        None,
    )

    crowd_qualification.answer(lena, pid, items[0], "alpha beta gamma delta")
    row = {r.name: r for r in crowd_qualification.labellers(wb, pid)}["lena"]
    assert (row.qualification, row.answered) == ("in progress", 1)
    crowd_qualification.answer(lena, pid, items[1], "alpha beta gamma delta")
    crowd_qualification.answer(mia, pid, items[0], "something else entirely")
    crowd_qualification.answer(mia, pid, items[1], "alpha beta")
    rows = {r.name: r for r in crowd_qualification.labellers(wb, pid)}
    assert (rows["lena"].qualification, rows["lena"].score) == ("passed", 0.0)
    assert rows["mia"].qualification == "failed" and rows["mia"].score > 0.1
    assert rows["lena"].standing.level == "ok"

    q = next(q for q in store.segment_queue(wb.db, pid) if q["id"] not in items)
    save_segment(lena, q["id"], 1, "lena's words", q["start"], q["end"])
    reject(rita, q["id"], store.get_segment(wb.db, q["id"]).version, "wrong text")
    row = {r.name: r for r in crowd_qualification.labellers(wb, pid)}["lena"]
    assert row.standing.paused and "rejected" in row.standing.describe()

    crowd_qualification.allow_retake(wb, pid, "mia")
    row = {r.name: r for r in crowd_qualification.labellers(wb, pid)}["mia"]
    assert (row.qualification, row.attempt, row.score) == ("not taken", 1, None)
    with pytest.raises(Forbidden):
        crowd_qualification.labellers(rita, pid)
