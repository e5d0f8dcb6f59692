"""The corpus audit (a corpus a team already has): a second opinion by Whisper for every
labelled segment, kept beside the label and never replacing it, and the report over them.

Starting and cancelling the second opinion is an owner's (`Action.DRAFT`); the report and the
disagreement queue (opened on the review page) are for reviewers and owners. The job resumes:
a segment already judged on its current label is not transcribed again, and a label changed
since its opinion is judged anew.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from workbench import store
from workbench.asr import Engine, Named, TranscribeOptions, Transcript
from workbench.core.access import Action, require
from workbench.core.records import Job, Project
from workbench.core.workbench import Workbench
from workbench.drafts.draft_job import options_for, stop_asked
from workbench.jobs.failures import environmental
from workbench.jobs.lifecycle import JobRunning, cancel_job, live_job, run_as_worker
from workbench.jobs.transcribers import Sound, Transcriber, as_transcriber
from workbench.jobs.workers import this_worker
from workbench.review.audit_measures import AuditRow, CorpusStats, corpus_stats
from workbench.store.opinions import LABELLED_SOURCES
from workbench.text.metrics import cer, headline_metric, wer

log = logging.getLogger(__name__)
KIND = "audit"


@dataclass(frozen=True)
class AuditReport:
    """The audit page's content: every labelled segment, the corpus numbers, what is left."""

    rows: tuple[AuditRow, ...]
    stats: CorpusStats
    metric: str  # 'CER' or 'WER': the disagreement the queue sorts by
    judged: int  # segments with a second opinion on their current label
    todo: int  # labelled segments still without one
    job: Job | None  # the latest second-opinion job


def audit_report(wb: Workbench, project: Project) -> AuditReport:
    """The audit of a project's labelled segments (reviewers and owners)."""
    require(wb, Action.REVIEW, project.id)
    rows = tuple(
        AuditRow(
            segment_id=r["id"],
            recording=r["recording"],
            start=r["start"],
            end=r["end"],
            status=r["status"],
            text=r["text"] or "",
            flags=tuple(r["flags"] or ()),
            opinion=r["opinion"],
            wer=r["wer"],
            cer=r["cer"],
            disagreement=r["disagreement"],
            stale=r["opinion"] is not None and r["judged_text"] != r["text"],
        )
        for r in store.audit_rows(wb.db, project.id)
        if r["source"] in LABELLED_SOURCES
    )
    judged = sum(r.opinion is not None and not r.stale for r in rows)
    return AuditReport(
        rows,
        corpus_stats(list(rows)),
        headline_metric(project.language),
        judged,
        len(rows) - judged,
        audit_job(wb, project),
    )


def audit_job(wb: Workbench, project: Project) -> Job | None:
    """The latest second-opinion job (one whose worker died is failed first), without the
    report: what the page polls while a job runs."""
    require(wb, Action.REVIEW, project.id)
    live_job(wb, project, KIND)
    return store.latest_job(wb.db, project.id, KIND)


def disagreement(label: str, opinion: str, language: str, profile: str | None) -> dict:
    """WER, CER and the language's headline rate between a label and a second opinion."""
    rates = {
        "wer": wer(label, opinion, profile=profile),
        "cer": cer(label, opinion, profile=profile),
    }
    return rates | {"disagreement": rates[headline_metric(language).lower()]}


def start_audit_job(wb: Workbench, project: Project, params: dict) -> Job:
    """Create the second-opinion job for the project's labelled segments without one."""
    user = require(wb, Action.DRAFT, project.id)
    running = live_job(wb, project, KIND)
    if running is not None:
        raise JobRunning(
            f"a second opinion for {project.name!r} is already running "
            f"({running.done:.0f}/{running.total:.0f} segments done)"
        )
    todo = store.audit_todo(wb.db, project.id)
    worker = this_worker()
    job = store.start_job(
        wb.db, project.id, KIND, params, float(len(todo)), worker.pid, worker.host
    )
    store.log_event(
        wb.db,
        user.name,
        "audit started",
        project.id,
        {
            "job": job.id,
            "segments": len(todo),
            "engine": params.get("engine"),
            "model": params.get("model"),
        },
    )
    return job


def cancel_audit_job(wb: Workbench, project: Project) -> Job | None:
    """Stop the running second-opinion job after its current segment (at once when its worker
    is gone); the job as it is now, or None when none runs."""
    return cancel_job(wb, project, KIND)


def audit_options(project: Project) -> TranscribeOptions:
    """Engine options for one segment: the project's language and prompt, no word timings,
    no VAD or batching (a segment is short and already cut)."""
    return replace(options_for(project), word_timestamps=False, vad=False, batch_size=0)


def run_audit_job(
    wb: Workbench,
    job: Job,
    engine: Engine | Transcriber,
    options: TranscribeOptions,
    on_progress: Callable[[Job], None] | None = None,
) -> Job:
    """Transcribe every labelled segment still without a second opinion; the finished job.

    `engine` hears in this process; a transcriber (the workers of a Ray cluster) wherever
    it runs, and is closed when the job ends. A segment that fails is named in the job's
    error and the job goes on; a full disk or an unusable database ends the job (raised).
    Cancelling stops after the current segment (on a cluster: at once); what was judged
    stays (a new job takes up the rest). The calling process becomes the job's worker,
    beats its heartbeat while it runs, and stores every opinion.
    """
    transcriber = as_transcriber(engine)
    try:
        return run_as_worker(
            wb, job, lambda: _judge_all(wb, job, transcriber, options, on_progress)
        )
    finally:
        transcriber.close()


def _judge_all(
    wb: Workbench,
    job: Job,
    transcriber: Transcriber,
    options: TranscribeOptions,
    on_progress: Callable[[Job], None] | None,
) -> Job:
    project = store.get_project(wb.db, job.project_id)
    todo = store.audit_todo(wb.db, job.project_id)
    recordings = {r.id: r for r in store.list_recordings(wb.db, project.id)}
    failures: list[str] = []

    def sounds(seg: dict) -> list[Sound]:
        recording = recordings[seg["recording_id"]]
        return [Sound(wb.path(recording.working_path), span=(seg["start"], seg["end"]))]

    done = 0
    heard_all = transcriber.each(todo, sounds, options, stop_asked(wb, job.id))
    for done, (seg, heard) in enumerate(heard_all, 1):
        recording = recordings[seg["recording_id"]]
        store.update_job(
            wb.db,
            job.id,
            done=float(done),
            total=float(len(todo)),
            message=f"{done}/{len(todo)}: {recording.original_name} at {seg['start']:.1f} s",
        )
        if on_progress:
            on_progress(store.get_job(wb.db, job.id))
        try:
            if isinstance(heard, Exception):
                raise heard
            _judge(wb, project, seg, heard[0], transcriber)
        except Exception as exc:  # one segment must not stop the audit
            if environmental(exc):
                raise
            log.exception("audit job %s: segment %s failed", job.id, seg["id"])
            failures.append(
                f"segment {seg['id']} ({recording.original_name} at "
                f"{seg['start']:.1f} s): {_reason(exc)}"
            )
    state = "done"
    if done < len(todo):  # stopped early
        if store.get_job(wb.db, job.id).state != "running":  # someone took it for dead
            return store.get_job(wb.db, job.id)
        state = "cancelled"
    elif todo and len(failures) == len(todo):
        state = "failed"
    return _finish(wb, job.id, state, done, failures, on_progress)


def _finish(
    wb: Workbench,
    job_id: int,
    state: str,
    done: int,
    failures: list[str],
    on_progress: Callable[[Job], None] | None,
) -> Job:
    message = f"{len(failures)} segment(s) failed" if failures else state
    store.update_job(
        wb.db,
        job_id,
        state=state,
        done=float(done),
        message=message,
        error="\n".join(failures[:50]) or None,
    )
    job = store.get_job(wb.db, job_id)
    if on_progress:
        on_progress(job)
    return job


def _judge(
    wb: Workbench, project: Project, seg: dict, transcript: Transcript, engine: Named
) -> None:
    """Keep what the engine heard of one segment as its second opinion."""
    parts = list(transcript.segments)
    text = " ".join(p.text.strip() for p in parts if p.text.strip())
    logprob = (sum(p.avg_logprob for p in parts) / len(parts)) if parts else None
    store.save_opinion(
        wb.db,
        seg["id"],
        seg["latest_revision_id"],
        text,
        f"{engine.name}:{Path(engine.model).name}",
        transcript.language,
        logprob,
        **disagreement(seg["text"], text, project.language, project.conventions),
    )


def _reason(exc: Exception) -> str:
    """A failure as a browser may see it: no server path, no raw exception text."""
    if isinstance(exc, OSError):
        return "its working copy cannot be read"
    return f"the engine failed ({type(exc).__name__}); the server log has the details"
