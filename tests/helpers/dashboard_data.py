"""A project with work to show on the dashboard and to pay (`build_work`, which the `worked`
fixture of tests/conftest.py does on `drafted`), and two draft jobs for the draft quality
tests: shared by the dashboard, pay, draft quality and browser tests.

'demo' (English, WER) from the `drafted` fixture: recording a.wav has three 1 s segments
drafted 'w0 x0', 'w1 x1', 'w2 x2'; b.flac has 'w0 x0' (1 s), 'w1 x1' (1 s), 'w2 x2' (0.5 s).

- lena labels a1 unchanged (draft error 0) and a2 as 'w1 y1' (0.5), 30 s active each;
  rita approves both (1 March 00:00 and 31 March 23:59:59).
- otto labels a3 (rejected by rita), b1 as 'four brand new words' (the draft's error 1,
  capped), approved 15 March, b3 unchanged (approved 1 April 00:00) and b2 (not reviewed).
- first labels: a1 on 1 March; a2, a3 on 3 March; b1, b2, b3 on 5 March.
- answers: lena's hidden gold errors 0.1 and 0.3; otto's second label of a lena segment,
  error 0.2.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from tests.conftest import as_user
from workbench import store
from workbench.core.records import Edit
from workbench.labelling.labeller_edits import save
from workbench.review.verdicts import approve, reject

LABELS = {  # (recording index, segment index): (labeller, text, first labelled)
    (0, 0): ("lena", "w0 x0", datetime(2025, 3, 1, 9, 0)),
    (0, 1): ("lena", "w1 y1", datetime(2025, 3, 3, 9, 0)),
    (0, 2): ("otto", "w2 x2 and more", datetime(2025, 3, 3, 23, 59)),
    (1, 0): ("otto", "four brand new words", datetime(2025, 3, 5, 0, 0)),
    (1, 1): ("otto", "w1 x1", datetime(2025, 3, 5, 12, 0)),
    (1, 2): ("otto", "w2 x2", datetime(2025, 3, 5, 13, 0)),
}
APPROVED = {
    (0, 0): datetime(2025, 3, 1, 0, 0),
    (0, 1): datetime(2025, 3, 31, 23, 59, 59),
    (1, 0): datetime(2025, 3, 15, 10, 0),
    (1, 2): datetime(2025, 4, 1, 0, 0),
}
REJECTED = {(0, 2): datetime(2025, 3, 20, 10, 0)}


def segment_ids(wb, project_id: int) -> dict[tuple[int, int], int]:
    """(recording index, segment index) -> segment id, recordings by id, segments by time."""
    out = {}
    recs = sorted(store.list_recordings(wb.db, project_id), key=lambda r: r.id)
    queue = store.segment_queue(wb.db, project_id)
    for i, rec in enumerate(recs):
        mine = sorted((q for q in queue if q["recording_id"] == rec.id), key=lambda q: q["start"])
        for j, q in enumerate(mine):
            out[(i, j)] = q["id"]
    return out


def _at(wb, table, row_id: int, when: datetime) -> None:
    with wb.db.begin() as conn:
        conn.execute(sa.update(table).where(table.c.id == row_id).values(created_at=when))


def build_work(wb, project) -> dict[tuple[int, int], int]:
    """Label, review and answer as the module says; returns the segment ids by position."""
    ids = segment_ids(wb, project.id)
    people = {name: as_user(wb, name) for name in ("lena", "otto")}
    rita = as_user(wb, "rita", "reviewer")
    for key, (name, text, when) in LABELS.items():
        seg = store.get_segment(wb.db, ids[key])
        rev = save(
            people[name],
            seg.id,
            seg.version,
            Edit(text, seg.start, seg.end, active_seconds=30.0 if name == "lena" else 0.0),
        )
        _at(wb, store.revisions, rev.id, when)
    for key, when in APPROVED.items():
        review_id = approve(rita, ids[key], store.get_segment(wb.db, ids[key]).version)
        _at(wb, store.reviews, review_id, when)
    for key, when in REJECTED.items():
        review_id = reject(rita, ids[key], store.get_segment(wb.db, ids[key]).version, "wrong text")
        _at(wb, store.reviews, review_id, when)
    for seg, error in ((ids[(1, 1)], 0.1), (ids[(0, 2)], 0.3)):
        store.add_answer(
            wb.db,
            project_id=project.id,
            segment_id=seg,
            user_name="lena",
            kind="gold",
            text="t",
            reference="r",
            wer=error,
            cer=error,
            error=error,
            audio_seconds=1.0,
        )
    store.add_answer(
        wb.db,
        project_id=project.id,
        segment_id=ids[(0, 1)],
        user_name="otto",
        other="lena",
        kind="second",
        text="t",
        reference="r",
        wer=0.2,
        cer=0.2,
        error=0.2,
        audio_seconds=1.0,
    )
    return ids


def _two_jobs(wb, project):
    """Recording a drafted by one job on 1 March with the base model and nothing learned, b
    by a later one with model v2, 3 terms and a rule (as the jobs record them)."""
    a, b = store.list_recordings(wb.db, project.id)
    for rec, when, model, terms, rules in (
        (a, datetime(2025, 3, 1), "base", 0, 0),
        (b, datetime(2025, 3, 4), "v2", 3, 1),
    ):
        job = store.start_job(
            wb.db,
            project.id,
            "draft",
            {"engine": "faster-whisper", "model": model, "terms": terms, "rules": rules},
            rec.duration,
        )
        with wb.db.begin() as conn:
            conn.execute(
                sa.update(store.recordings)
                .where(store.recordings.c.id == rec.id)
                .values(draft_job=job.id, drafted_at=when)
            )
    return a, b
