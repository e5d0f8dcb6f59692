"""Word timings that follow the corrected text: after a save, the saved words are timed
against the segment's audio by the project's own model (forced alignment, see
`workbench.asr.alignment`), in a background job, never in the key's path.

The job times every current revision a person saved that has no timings yet
(`store.untimed_revisions`), oldest first, and keeps them with the revision
(`store.add_word_timing`). A later save is a new revision, so it supersedes: the editor,
the review page and the exports take the timings of the segment's current revision only,
and a segment whose current revision is not timed yet shows no aligned words.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from workbench import store
from workbench.asr import Aligner, NotAligned
from workbench.asr.alignment import words_of
from workbench.audio.working import read_slice
from workbench.core.access import Action, require
from workbench.core.records import Job, Project, Recording, Revision, Word
from workbench.core.workbench import Workbench
from workbench.jobs.failures import environmental
from workbench.jobs.lifecycle import live_job, run_as_worker
from workbench.jobs.workers import this_worker

log = logging.getLogger(__name__)

KIND = "retime"  # the jobs' kind


def start_retime_job(wb: Workbench, project: Project) -> Job | None:
    """The job that times the project's saved words, for whoever may label in it; None when
    none waits to be timed, or a job runs already (it takes the new save too)."""
    require(wb, Action.LABEL, project.id)
    if not store.untimed_revisions(wb.db, project.id, limit=1):
        return None
    if live_job(wb, project, KIND) is not None:
        return None
    worker = this_worker()
    return store.start_job(wb.db, project.id, KIND, {}, 0.0, worker.pid, worker.host)


SHARE = 0.5  # at most this share of the time re-timing works: it waits as long as it worked


def run_retime_job(
    wb: Workbench, job: Job, aligner: Aligner, more: Callable[[], bool] = lambda: False
) -> Job:
    """Time every untimed saved revision of the job's project; then, while `more()` says a
    save came in meanwhile (it may wait for one), those too. Returns the finished job.

    A revision that cannot be aligned keeps the reason instead of words (it is not tried
    again); a full disk or an unusable database ends the job (raised). Cancelling stops
    after the current revision."""
    return run_as_worker(wb, job, lambda: _retime_all(wb, job, aligner, more))


def _retime_all(wb: Workbench, job: Job, aligner: Aligner, more: Callable[[], bool]) -> Job:
    project = store.get_project(wb.db, job.project_id)
    done = failed = 0
    while True:
        todo = store.untimed_revisions(wb.db, project.id)
        if not todo and not more():
            break
        for revision, recording in todo:
            if store.cancel_requested(wb.db, job.id):
                return _finish(wb, job, "cancelled", done, failed)
            began = time.monotonic()
            if not retime(wb, revision, recording, aligner, project.language):
                failed += 1
            done += 1
            time.sleep((time.monotonic() - began) * (1 / SHARE - 1))  # the labellers' keys first
            store.update_job(wb.db, job.id, done=float(done), message=f"{done} segment(s) timed")
    return _finish(wb, job, "done", done, failed)


def _finish(wb: Workbench, job: Job, state: str, done: int, failed: int) -> Job:
    message = f"{done} segment(s) timed" + (f", {failed} could not be aligned" if failed else "")
    store.update_job(wb.db, job.id, state=state, done=float(done), message=message)
    return store.get_job(wb.db, job.id)


def retime(
    wb: Workbench, revision: Revision, recording: Recording, aligner: Aligner, language: str
) -> bool:
    """Time one revision's words in its span of the recording and keep them with it; False
    when it could not be aligned (the reason is kept instead)."""
    model = f"{aligner.name}:{aligner.model}"
    try:
        words = timed(revision, recording, aligner, wb.path(recording.working_path), language)
    except Exception as exc:
        if environmental(exc):
            raise
        if isinstance(exc, NotAligned):
            reason = str(exc)
        else:
            log.exception("revision %d: the words could not be aligned", revision.id)
            reason = f"the aligner failed ({type(exc).__name__})"
        store.add_word_timing(wb.db, revision.id, None, model, error=reason)
        return False
    store.add_word_timing(wb.db, revision.id, words, model)
    return True


def timed(
    revision: Revision, recording: Recording, aligner: Aligner, working_path, language: str
) -> list[Word]:
    """The revision's words timed in its span of `working_path`, in recording seconds."""
    audio = read_slice(working_path, revision.start, revision.end)
    spoken = recording.language or language
    found = aligner.align(audio, words_of(revision.text), None if spoken == "auto" else spoken)
    return [
        Word(
            w.word,
            round(revision.start + w.start, 3),
            round(revision.start + w.end, 3),
            w.probability,
        )
        for w in found
    ]
