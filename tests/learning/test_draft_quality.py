"""Draft quality: the drafts' error batch by batch (a batch: the draft job of the recordings),
on the dashboard's constructed project (tests/helpers/dashboard_data.py), who may see it, the
page."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import as_user, open_page
from tests.helpers.dashboard_data import _two_jobs
from tests.helpers.pages import _no_errors
from workbench import store
from workbench.core.access import Forbidden
from workbench.learning.batches import adapted, by_batch
from workbench.learning.ladder import draft_batches
from workbench.projects.settings import update_settings


def test_each_draft_job_is_a_batch_with_the_labour_its_drafts_left(wb, worked):
    project, _, seconds = worked
    _two_jobs(wb, project)
    metric, batches = draft_batches(wb, project)
    a = [seconds[(0, i)] for i in range(3)]
    b = [seconds[(1, i)] for i in range(3)]
    assert metric == "WER"
    first, second = batches  # oldest first
    # a: a1 kept (0), a2 'w1 x1' -> 'w1 y1' (0.5), a3 'w2 x2' -> 'w2 x2 and more' (2 of 4: 0.5)
    assert (first.segments, first.model) == (3, "faster-whisper base")
    assert first.error == pytest.approx((0.5 * a[1] + 0.5 * a[2]) / sum(a))
    assert first.untouched == pytest.approx(1 / 3)
    # b: b1 rewritten (1, capped; 1 s), b2 and b3 kept (1 s, 0.5 s): weighted by length
    assert (second.segments, second.model) == (3, "faster-whisper v2")
    assert second.error == pytest.approx(b[0] / sum(b)) and second.untouched == pytest.approx(2 / 3)
    assert first.name.startswith("job ") and first.job < second.job


def test_a_batch_says_what_it_was_drafted_with():
    assert adapted({"engine": "faster-whisper"}) == ""  # a job from before it was recorded
    assert adapted({"terms": 0, "rules": 0}) == "base"
    assert adapted({"terms": 1, "rules": 0}) == "1 term"
    assert adapted({"terms": 6, "rules": 2}) == "6 terms, 2 rules"
    assert adapted({"terms": 0, "rules": 1}) == "1 rule"


def test_recordings_drafted_before_jobs_were_recorded_are_grouped_by_day():
    rows = [
        {
            "job": None,
            "drafted_at": datetime(2025, 3, d, h),
            "seconds": 1.0,
            "draft": "a b",
            "final": final,
            "params": None,
        }
        for d, h, final in ((1, 9, "a b"), (1, 17, "a c"), (2, 9, "x y"))
    ]

    def scorer(draft: str, final: str) -> float:
        return 0.0 if draft == final else 0.5

    batches = by_batch(rows, scorer, UTC)
    assert [(b.name, b.segments, b.error, b.model) for b in batches] == [
        ("drafted 2025-03-01", 2, 0.25, ""),
        ("drafted 2025-03-02", 1, 0.5, ""),
    ]
    # in Seoul (UTC+9) 17:00 UTC on the 1st is 02:00 on the 2nd: a day with the 09:00 UTC
    seoul = [(b.name, b.segments) for b in by_batch(rows, scorer, ZoneInfo("Asia/Seoul"))]
    assert seoul == [("drafted 2025-03-01", 1), ("drafted 2025-03-02", 2)]


def test_only_owners_see_the_draft_quality(wb, worked):
    project, _, _ = worked
    for name in ("lena", "rita"):
        with pytest.raises(Forbidden):
            draft_batches(as_user(wb, name), project)


def test_draft_quality_page(home, wb, worked):
    project, _, seconds = worked
    _two_jobs(wb, project)
    a = [seconds[(0, i)] for i in range(3)]
    b = [seconds[(1, i)] for i in range(3)]
    at = open_page(home, "workbench/pages/draft_quality.py", project.id, ("olga", "owner"))
    _no_errors(at)
    assert at.title[0].value == "Draft quality"
    assert at.subheader[0].value == "Draft WER by batch"
    table = at.dataframe[0].value
    assert list(table["segments"]) == [3, 3]
    assert list(table["with"]) == ["base", "3 terms, 1 rule"]
    assert list(table["WER"]) == pytest.approx([(0.5 * a[1] + 0.5 * a[2]) / sum(a), b[0] / sum(b)])
    assert list(table["drafted"]) == ["2025-03-01 00:00 UTC", "2025-03-04 00:00 UTC"]
    update_settings(wb, project.id, time_zone="Asia/Seoul")  # olga follows the project's zone
    at = open_page(home, "workbench/pages/draft_quality.py", project.id, ("olga", "owner"))
    assert list(at.dataframe[0].value["drafted"]) == [
        "2025-03-01 09:00 KST",
        "2025-03-04 09:00 KST",
    ]


def test_the_batches_command_writes_times_with_their_offset(wb, home, worked, capsys):
    from workbench.cli import main

    project, _, _ = worked
    _two_jobs(wb, project)
    where = ["--home", str(home), "--db", wb.settings.db_url]
    assert main(["batches", "--project", project.name, "--json", *where]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [b["drafted_at"] for b in out] == [
        "2025-03-01T00:00:00+00:00",
        "2025-03-04T00:00:00+00:00",
    ]


def test_draft_quality_page_before_any_label(home, wb, drafted):
    at = open_page(home, "workbench/pages/draft_quality.py", drafted.id, ("olga", "owner"))
    _no_errors(at)
    assert any("No labelled drafts yet" in i.value for i in at.info)


def test_measuring_the_held_out_segments_from_the_page(home, wb, tmp_path, monkeypatch):
    from tests.helpers.scripted_engines import Drafter
    from tests.helpers.tuning import final_project
    from workbench import asr
    from workbench.learning.heldout import approved_examples, held_out
    from workbench.ui.jobs import wait

    project, _ = final_project(wb, tmp_path)
    project = store.update_project(wb.db, project.id, holdout_share=0.5)
    texts = [e.text for e in held_out(approved_examples(wb, project), 0.5)]
    monkeypatch.setitem(asr.ENGINES, "faster-whisper", lambda model, _dir: Drafter(model, texts))
    monkeypatch.setattr(asr, "_loaded", {})
    at = open_page(home, "workbench/pages/draft_quality.py", project.id, ("olga", "owner"))
    _no_errors(at)
    assert any("Nothing measured yet" in i.value for i in at.info)
    assert any(f"{len(texts)} approved segment(s) are held out" in c.value for c in at.caption)
    at.button(key=f"measure_{project.id}").click().run()
    _no_errors(at)
    (job,) = [j for j in [store.latest_job(wb.db, project.id, "measure")] if j]
    wait(job.id, timeout=60)
    at.run()
    _no_errors(at)
    (table,) = [d.value for d in at.dataframe if "step" in d.value.columns]
    assert list(table["step"]) == ["base model"] and table["error"].iloc[0] > 0


def test_no_segment_held_out_says_so_and_the_share_is_set_here(home, wb, tmp_path):
    from tests.helpers.tuning import final_project

    project, _ = final_project(wb, tmp_path)
    project = store.update_project(wb.db, project.id, holdout_share=0.0)
    at = open_page(home, "workbench/pages/draft_quality.py", project.id, ("olga", "owner"))
    _no_errors(at)
    assert any("None of the 6 final segment(s) is drawn at 0%" in w.value for w in at.warning)
    share = next(n for n in at.number_input if n.label == "Held out (%)")
    share.set_value(50.0)
    next(b for b in at.button if b.label == "Save the share").click().run()
    _no_errors(at)
    assert store.get_project(wb.db, project.id).holdout_share == 0.5
    assert not at.warning and at.button(key=f"measure_{project.id}").disabled is False


def test_a_draft_deleted_as_wrong_counts_in_its_batch_a_merged_one_does_not(wb, worked):
    from workbench.labelling.labeller_edits import delete, merge_next

    project, ids, seconds = worked
    _two_jobs(wb, project)
    otto = as_user(wb, "otto")
    b1 = store.get_segment(wb.db, ids[(1, 1)])
    delete(otto, b1.id, b1.version)  # its draft was all wrong: an error of 1 over its length
    a0 = store.get_segment(wb.db, ids[(0, 0)])
    merge_next(otto, a0.id, a0.version, "w0 x0 w1 y1")  # a1 merged away: no error of its own
    first, second = draft_batches(wb, project)[1]
    b = [seconds[(1, i)] for i in range(3)]
    assert second.segments == 3
    assert second.error == pytest.approx((b[0] + b[1]) / sum(b))
    assert first.segments == 2


def test_a_split_alone_is_no_label_and_a_part_is_measured_against_its_own_draft(wb, drafted):
    from workbench.labelling.labeller_edits import save_segment, split_at

    ann = as_user(wb, "ann")
    first = store.segment_queue(wb.db, drafted.id)[0]  # 'w0 x0' over 0-1 s: w0, then x0
    right = split_at(ann, first["id"], 1, first["start"] + 0.45, "w0 x0")
    ids = {first["id"], right}
    assert not ids & {r["segment_id"] for r in store.batch_rows(wb.db, drafted.id)}
    assert not ids & {r["segment_id"] for r in store.label_drafts(wb.db, drafted.id)}
    part = store.get_segment(wb.db, right)
    save_segment(ann, right, part.version, "x0 fixed", part.start, part.end)
    [row] = [r for r in store.batch_rows(wb.db, drafted.id) if r["segment_id"] in ids]
    assert (row["segment_id"], row["draft"], row["final"]) == (right, "x0", "x0 fixed")
    assert ("x0", "x0 fixed") in store.draft_final_pairs(wb.db, drafted.id)


def test_a_span_drafted_alone_teaches_but_belongs_to_no_batch(wb, drafted, fake_engine):
    from workbench.drafts.draft_job import draft_added
    from workbench.labelling.labeller_edits import add_segment, delete, save_segment
    from workbench.review.verdicts import approve

    ann = as_user(wb, "ann")
    second = store.segment_queue(wb.db, drafted.id)[1]
    delete(ann, second["id"], 1)
    new = add_segment(ann, second["recording_id"], second["start"], second["end"])
    drafted_alone = draft_added(ann, new, 1, fake_engine).text
    save_segment(ann, new, 2, "w0 kubectl", second["start"], second["end"])
    approve(wb, new, 3)
    [example] = [e for e in store.approved_examples(wb.db, drafted.id) if e["segment_id"] == new]
    assert (example["draft"], example["final"]) == (drafted_alone, "w0 kubectl")
    rows = store.batch_rows(wb.db, drafted.id)
    assert new not in {r["segment_id"] for r in rows}
    assert second["id"] in {r["segment_id"] for r in rows if r["final"] == ""}  # deleted: wrong
