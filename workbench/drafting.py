"""Draft a project's recordings with an ASR engine, as a resumable job.

Each recording's segments are written in one transaction after the engine has finished it, so
a crash leaves every recording either fully drafted or not at all, and a new run picks up the
recordings that are not drafted yet.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from workbench import store
from workbench.asr import DraftSegment, Engine, TranscribeOptions
from workbench.audio.working import read_all
from workbench.corpus import Job, Project, Recording
from workbench.service import Workbench

STALE_AFTER = timedelta(minutes=10)  # a running job silent this long died with its process
MIN_SEGMENT = 0.05  # seconds: shorter drafts are dropped as timing noise


class JobRunning(RuntimeError):
    """Another job of the same kind is running for the project."""


def start_draft_job(wb: Workbench, project: Project, params: dict) -> Job:
    """Create the draft job for a project's undrafted recordings, unless one is running."""
    running = store.running_job(wb.db, project.id, "draft")
    if running is not None:
        if store.now() - running.updated_at < STALE_AFTER:
            raise JobRunning(
                f"a draft job for {project.name!r} is already running "
                f"({running.done:.0f}/{running.total:.0f} s done)"
            )
        store.update_job(wb.db, running.id, state="failed", error="interrupted (no heartbeat)")
    todo = store.undrafted_recordings(wb.db, project.id)
    total = sum(r.duration for r in todo)
    return store.start_job(wb.db, project.id, "draft", params, total)


def run_draft_job(
    wb: Workbench,
    job: Job,
    engine: Engine,
    options: TranscribeOptions,
    on_progress: Callable[[Job], None] | None = None,
) -> Job:
    """Draft every undrafted recording of the job's project; returns the finished job.

    A recording that fails is reported in the job's error and the job goes on with the next.
    Cancelling (store.request_cancel) stops after the current recording.
    """
    failures: list[str] = []
    done = 0.0
    todo = store.undrafted_recordings(wb.db, job.project_id)
    for index, recording in enumerate(todo):
        if store.cancel_requested(wb.db, job.id):
            return _finish(wb, job.id, "cancelled", done, failures, on_progress)
        label = f"{index + 1}/{len(todo)}: {recording.original_name}"

        def beat(seconds: float, base: float = done, label: str = label) -> None:
            store.update_job(wb.db, job.id, done=base + seconds, message=label)
            if on_progress:
                on_progress(store.get_job(wb.db, job.id))

        beat(0.0)
        try:
            draft_recording(wb, recording, engine, options, beat)
        except Exception as exc:  # one bad recording must not stop the job
            failures.append(f"{recording.original_name}: {type(exc).__name__}: {exc}")
        done += recording.duration
    state = "failed" if todo and len(failures) == len(todo) else "done"
    return _finish(wb, job.id, state, done, failures, on_progress)


def _finish(
    wb: Workbench,
    job_id: int,
    state: str,
    done: float,
    failures: list[str],
    on_progress: Callable[[Job], None] | None,
) -> Job:
    message = f"{len(failures)} recording(s) failed" if failures else state
    store.update_job(
        wb.db, job_id, state=state, done=done, message=message, error="\n".join(failures) or None
    )
    job = store.get_job(wb.db, job_id)
    if on_progress:
        on_progress(job)
    return job


def draft_recording(
    wb: Workbench,
    recording: Recording,
    engine: Engine,
    options: TranscribeOptions,
    heartbeat: Callable[[float], None] | None = None,
) -> int:
    """Transcribe one recording and store its segments; returns how many were stored."""
    audio = read_all(wb.path(recording.working_path))
    transcript = engine.transcribe(audio, options)
    drafts = []
    for seg in transcript.segments:
        if heartbeat:
            heartbeat(min(seg.end, recording.duration))
        draft = to_draft(seg, recording.duration, engine, transcript.language)
        if draft is not None:
            drafts.append(draft)
    drafts = remove_overlaps(drafts)
    return store.add_drafted_segments(
        wb.db, recording.id, drafts, author=f"{engine.name}:{engine.model}",
        language=transcript.language,
    )


def to_draft(seg: DraftSegment, duration: float, engine: Engine, language: str) -> dict | None:
    """A stored draft from an engine segment, clipped to the recording; None when empty."""
    start = round(max(0.0, min(seg.start, duration)), 3)
    end = round(max(0.0, min(seg.end, duration)), 3)
    if end - start < MIN_SEGMENT:
        return None
    words = [
        {
            "word": w.word,
            "start": round(w.start, 3),
            "end": round(w.end, 3),
            "probability": round(w.probability, 4),
        }
        for w in seg.words
    ]
    return {
        "start": start,
        "end": end,
        "text": seg.text,
        "asr_meta": {
            "engine": engine.name,
            "model": engine.model,
            "language": language,
            "avg_logprob": round(seg.avg_logprob, 4),
            "no_speech_prob": round(seg.no_speech_prob, 4),
            "compression_ratio": round(seg.compression_ratio, 3),
            "words": words,
        },
    }


def remove_overlaps(drafts: list[dict]) -> list[dict]:
    """Sort by start and trim each draft's start to the previous end, dropping what vanishes."""
    kept: list[dict] = []
    for draft in sorted(drafts, key=lambda d: (d["start"], d["end"])):
        if kept and draft["start"] < kept[-1]["end"]:
            draft = {**draft, "start": kept[-1]["end"]}
        if draft["end"] - draft["start"] >= MIN_SEGMENT:
            kept.append(draft)
    return kept
