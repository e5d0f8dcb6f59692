"""Draft a project's recordings with an ASR engine, as a resumable job.

Each recording's segments are written in one transaction after the engine has finished it, so
a crash leaves every recording either fully drafted or not at all, and a new run picks up the
recordings that are not drafted yet.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from workbench import store
from workbench.asr import DraftSegment, Engine, Named, TranscribeOptions, Transcript
from workbench.audio.channels import dual_mono
from workbench.audio.peaks import PEAKS_PER_SECOND, load_peaks
from workbench.audio.working import SAMPLE_RATE, read_channels, read_slice
from workbench.core.access import Action, require
from workbench.core.records import (
    Edit,
    InvalidEdit,
    Job,
    Project,
    Recording,
    Revision,
    StaleEdit,
    Status,
)
from workbench.core.workbench import Workbench
from workbench.drafts.cutting import CutOptions, cut
from workbench.jobs.failures import environmental
from workbench.jobs.lifecycle import JobRunning, as_known, cancel_job, live_job, run_as_worker
from workbench.jobs.transcribers import Sound, Transcriber, as_transcriber
from workbench.jobs.workers import this_worker
from workbench.labelling.flags import DraftStats, draft_flags
from workbench.labelling.labeller_edits import live_segment
from workbench.labelling.segment_edits import name
from workbench.learning.learn import prompts
from workbench.learning.records import Rewrite, Term
from workbench.learning.rewrites import apply as apply_rules

log = logging.getLogger(__name__)


MIN_SEGMENT = 0.05  # seconds: shorter drafts are dropped as timing noise


def start_draft_job(wb: Workbench, project: Project, params: dict) -> Job:
    """Create the draft job for a project's undrafted recordings (those of
    params['recordings'] when it names some), unless one is running."""
    user = require(wb, Action.DRAFT, project.id)
    running = live_job(wb, project, "draft")
    if running is not None:
        raise JobRunning(
            f"a draft job for {project.name!r} is already running "
            f"({running.done:.0f}/{running.total:.0f} s done)"
        )
    todo = _only(store.undrafted_recordings(wb.db, project.id), params)
    total = sum(r.duration for r in todo)
    worker = this_worker()
    job = store.start_job(wb.db, project.id, "draft", params, total, worker.pid, worker.host)
    store.log_event(
        wb.db,
        user.name,
        "draft started",
        project.id,
        {
            "job": job.id,
            "recordings": len(todo),
            "engine": params.get("engine"),
            "model": params.get("model"),
        },
    )
    return job


def _only(todo: list[Recording], params: dict) -> list[Recording]:
    """The recordings a job drafts: those its params name ('recordings': ids), else all."""
    only = params.get("recordings")
    return [r for r in todo if r.id in set(only)] if only else todo


@dataclass(frozen=True)
class DraftProgress:
    """What the Drafts page shows: the work left, and the latest job with an ETA."""

    todo_count: int
    todo_seconds: float
    job: Job | None
    minutes_left: int | None  # the running job's estimate; None before one can be made

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.state == "running"


def draft_progress(wb: Workbench, project: Project) -> DraftProgress:
    """The undrafted recordings of a project and its latest draft job."""
    require(wb, Action.VIEW, project.id)
    live_job(wb, project, "draft")  # a job whose worker died shows as failed, not running
    todo = store.undrafted_recordings(wb.db, project.id)
    job = as_known(wb, store.latest_job(wb.db, project.id, "draft"))
    left = None
    if job is not None and job.state == "running" and job.done > 0:
        elapsed = (store.now() - job.created_at).total_seconds()
        if elapsed > 0:
            left = max(1, round((job.total - job.done) * elapsed / job.done / 60))
    return DraftProgress(len(todo), sum(r.duration for r in todo), job, left)


def cancel_draft_job(wb: Workbench, project: Project) -> Job | None:
    """Cancel the running draft job of a project; returns it as it is now, or None when none
    is running.

    A live worker is asked to stop after its current recording (the job stays 'running' until
    it does); a job whose worker is gone is marked 'cancelled' at once.
    """
    return cancel_job(wb, project, "draft")


def run_draft_job(
    wb: Workbench,
    job: Job,
    engine: Engine | Transcriber,
    options: TranscribeOptions,
    on_progress: Callable[[Job], None] | None = None,
) -> Job:
    """Draft every undrafted recording of the job's project; returns the finished job.

    `engine` hears the audio in this process; a transcriber (`jobs.transcribers`: the
    workers of a Ray cluster) wherever it runs, and is closed when the job ends. A recording
    that fails is reported in the job's error and the job goes on with the next; a full disk
    or an unusable database ends the job (raised: the next recording would fail the same
    way). Cancelling (store.request_cancel) stops after the current recording (on a cluster:
    at once, dropping what the workers were hearing). The calling process becomes the job's
    worker, beats its heartbeat while it runs, and stores every draft.
    """
    transcriber = as_transcriber(engine)
    try:
        return run_as_worker(
            wb, job, lambda: _draft_all(wb, job, transcriber, options, on_progress)
        )
    finally:
        transcriber.close()


def _draft_all(
    wb: Workbench,
    job: Job,
    transcriber: Transcriber,
    options: TranscribeOptions,
    on_progress: Callable[[Job], None] | None,
) -> Job:
    failures: list[str] = []
    done = 0.0
    project = store.get_project(wb.db, job.project_id)
    cut_options = CutOptions(max_len=project.max_segment, min_len=project.min_segment)
    terms, rules = _learned(wb, project)
    options = with_terms(options, project, terms)
    # what this batch was drafted with, for the drafts' error by batch (a resumed job: the last)
    store.update_job(
        wb.db, job.id, params={**(job.params or {}), "terms": len(terms), "rules": len(rules)}
    )
    todo = _only(store.undrafted_recordings(wb.db, job.project_id), job.params or {})
    heard_all = transcriber.each(
        todo, lambda r: sounds_of(wb, r, project.per_channel), options, stop_asked(wb, job.id)
    )
    count = 0
    for count, (recording, heard) in enumerate(heard_all, 1):
        label = f"{count}/{len(todo)}: {recording.original_name}"

        def beat(seconds: float, base: float = done, label: str = label) -> None:
            store.update_job(wb.db, job.id, done=base + seconds, message=label)
            if on_progress:
                on_progress(store.get_job(wb.db, job.id))

        beat(0.0)
        try:
            if isinstance(heard, Exception):
                raise heard
            again = _again_through(
                transcriber, Sound(wb.path(recording.working_path)), options, recording.duration
            )
            keep_drafts(
                wb, recording, heard, transcriber, options, cut_options, rules, job.id, beat, again
            )
        except Exception as exc:  # one bad recording must not stop the job
            if environmental(exc):
                raise
            _log_failure(job.id, recording, exc)
            failures.append(f"{recording.original_name}: {_reason(exc)}")
        done += recording.duration
    if count < len(todo):  # stopped early
        current = store.get_job(wb.db, job.id)
        if current.state != "running":  # ended by someone who took this worker for dead
            return current
        return _finish(wb, job.id, "cancelled", done, failures, on_progress)
    state = "failed" if todo and len(failures) == len(todo) else "done"
    return _finish(wb, job.id, state, done, failures, on_progress)


def stop_asked(wb: Workbench, job_id: int) -> Callable[[], bool]:
    """Whether a job must stop before its next item: cancelled, or ended by someone who took
    its worker for dead."""

    def stop() -> bool:
        return store.get_job(wb.db, job_id).state != "running" or store.cancel_requested(
            wb.db, job_id
        )

    return stop


def _log_failure(job_id: int, recording: Recording, exc: Exception) -> None:
    """A recording that failed: a missing file in a line, anything else with its traceback."""
    if isinstance(exc, FileNotFoundError):
        log.warning(
            "draft job %s: recording %s (%s): %s",
            job_id,
            recording.id,
            recording.original_name,
            exc,
        )
    else:
        log.error(
            "draft job %s: recording %s (%s) failed",
            job_id,
            recording.id,
            recording.original_name,
            exc_info=exc,
        )


def _learned(wb: Workbench, project: Project) -> tuple[list[Term], list[Rewrite]]:
    """What the project's drafts use of what it learned: its enabled terms (none unless it
    drafts with them) and its accepted rules."""
    terms = store.list_terms(wb.db, project.id, enabled_only=True) if project.use_terms else []
    return terms, store.list_rewrites(wb.db, project.id, "accepted")


def _reason(exc: Exception) -> str:
    """A failure as the browser may see it: no server path, no raw exception text."""
    if isinstance(exc, MemoryError):
        return "out of memory"
    if isinstance(exc, FileNotFoundError):
        return "its working copy is missing (import the recording again)"
    if isinstance(exc, OSError):
        return "its working copy cannot be read"
    return f"the engine failed ({type(exc).__name__}); the server log has the details"


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


def options_for(project: Project, language: str | None = None, **overrides) -> TranscribeOptions:
    """The engine options a project asks for: its language (or `language`) and its prompt.

    A draft job adds the project's enabled terms when it runs (`with_terms`), whoever built
    the options, and rewrites its drafts with the accepted rules."""
    return TranscribeOptions(
        language=language or project.language, initial_prompt=project.prompt or None, **overrides
    )


def with_terms(options: TranscribeOptions, project: Project, terms: Sequence) -> TranscribeOptions:
    """`options` with the project's prompt and its terms when it drafts with them (`terms`:
    the enabled ones; see `learning.prompts`); unchanged otherwise."""
    if not project.use_terms or not terms:
        return options
    return replace(options, initial_prompt=prompts(project, list(terms)))


def draft_recording(
    wb: Workbench,
    recording: Recording,
    engine: Engine,
    options: TranscribeOptions,
    cut_options: CutOptions = CutOptions(),
    per_channel: bool = False,
    heartbeat: Callable[[float], None] | None = None,
    rules: Sequence[Rewrite] = (),
    job_id: int | None = None,
) -> int:
    """Transcribe one recording, cut, rewrite and flag its drafts, store them; returns how many.

    With `per_channel` and a kept-channels copy, each channel is drafted on its own and its
    segments get the channel as speaker ("channel 1", "channel 2", ...), overlapping freely
    across channels as conversation does. The accepted `rules` rewrite each draft's text (see
    `rewritten`); `job_id` is kept on the recording (its batch). A draft that writes the
    prompt back (the 'prompt_echo' flag) is drafted again without the prompt, and the echo
    never stored (see `_without_prompt`).
    """
    sounds = sounds_of(wb, recording, per_channel)
    audio = [sound.samples() for sound in sounds]
    heard = [engine.transcribe(samples, options) for samples in audio]

    def again(track: int, draft: dict) -> dict | None:
        return _without_prompt(engine, options, audio[track], draft, recording.duration)

    return keep_drafts(
        wb, recording, heard, engine, options, cut_options, rules, job_id, heartbeat, again
    )


def sounds_of(wb: Workbench, recording: Recording, per_channel: bool) -> list[Sound]:
    """What a recording's draft hears: each channel of its kept-channels copy with
    `per_channel`, unless the channels are one sound (a copy kept before import told dual
    mono apart: see `channels.dual_mono`), else its working copy. FileNotFoundError when a
    file it needs is missing."""
    needed = [recording.working_path, recording.peaks_path]
    if per_channel and recording.channels_path:
        needed.append(recording.channels_path)
    for stored in needed:
        if not wb.path(stored).is_file():  # soundfile would say only "System error"
            raise FileNotFoundError(
                errno.ENOENT, "the working copy is missing", str(wb.path(stored))
            )
    if per_channel and recording.channels_path:
        path = wb.path(recording.channels_path)
        data = read_channels(path)
        if not dual_mono(data):
            return [Sound(path, c) for c in range(data.shape[1])]
    return [Sound(wb.path(recording.working_path))]


def keep_drafts(
    wb: Workbench,
    recording: Recording,
    heard: Sequence[Transcript],
    engine: Named,
    options: TranscribeOptions,
    cut_options: CutOptions,
    rules: Sequence[Rewrite],
    job_id: int | None,
    heartbeat: Callable[[float], None] | None = None,
    again: Callable[[int, dict], dict | None] | None = None,
) -> int:
    """Cut, rewrite and flag what `engine` heard of a recording (a transcript per track of
    `sounds_of`, in order), and store the drafts in one transaction; returns how many (0 when
    the recording was drafted already: never twice). `heartbeat(seconds)` as segments come.
    A draft that writes the prompt back (the 'prompt_echo' flag) is replaced by
    `again(track, draft)`, its span heard without the prompt (`_without_prompt`), or left out
    when that hears nothing; the echo is never stored."""
    peaks = load_peaks(wb.path(recording.peaks_path), 0.0, recording.duration)
    energy = peaks[:, 1] - peaks[:, 0]
    speakers = [f"channel {k + 1}" for k in range(len(heard))] if len(heard) > 1 else [None]
    drafts: list[dict] = []
    language = None
    for k, (speaker, transcript) in enumerate(zip(speakers, heard, strict=True)):
        language = language or transcript.language
        raw = []
        for seg in transcript.segments:
            if heartbeat:
                heartbeat((k * recording.duration + min(seg.end, recording.duration)) / len(heard))
            draft = to_draft(seg, recording.duration, engine, transcript.language)
            if draft is not None:
                raw.append(draft)
        for draft in cut(raw, recording.duration, cut_options, energy):
            flagged = _flagged(
                rewritten(draft, rules), speaker, peaks, prompt=options.initial_prompt
            )
            if "prompt_echo" in flagged["flags"] and again is not None:  # without the prompt
                heard_again = again(k, draft)
                if heard_again is None:
                    continue
                flagged = _flagged(rewritten(heard_again, rules), speaker, peaks)
            drafts.append(flagged)
    drafts.sort(key=lambda d: (d["start"], d["end"]))
    return store.add_drafted_segments(
        wb.db,
        recording.id,
        drafts,
        author=f"{engine.name}:{engine.model}",
        language=language,
        job_id=job_id,
    )


def draft_added(wb: Workbench, segment_id: int, version: int, engine: Engine) -> Revision:
    """Draft a segment a person added over speech no segment covered, as a draft job would
    have: the engine hears the segment's span alone, with the project's prompt and terms; the
    accepted rules rewrite the text; the words, scores and flags are kept. The draft becomes
    the segment's revision from the ASR, compared with as any draft is.

    For whoever may label the segment. Refused (InvalidEdit), writing nothing, when it has a
    draft or text already, and when the engine hears no words; StaleEdit when it was saved
    since `version`."""
    target = live_segment(wb, segment_id)
    view, project = target.view, target.project
    seg, recording = view.segment, view.recording
    if seg.version != version:  # before the engine's second of work, not after
        raise StaleEdit(segment_id, version, seg.version, view.text or "")
    if view.draft is not None or (view.text or "").strip():
        raise InvalidEdit(f"segment {name(segment_id)} has a draft or text already")
    terms, rules = _learned(wb, project)
    options = with_terms(options_for(project), project, terms)
    audio = read_slice(wb.path(recording.working_path), seg.start, seg.end)
    transcript = engine.transcribe(audio, options)
    heard = [s for s in transcript.segments if s.text.strip()]
    if not heard:
        raise InvalidEdit(
            f"Whisper heard no words in segment {name(segment_id)}: type what is said, or delete it"
        )
    drafted = to_draft(
        _joined(heard, seg.start, seg.end), recording.duration, engine, transcript.language
    )
    if drafted is None:
        raise InvalidEdit(f"segment {name(segment_id)} is too short to draft: type what is said")
    since = max(0.0, seg.start - 1.0)
    peaks = load_peaks(wb.path(recording.peaks_path), since, seg.end + 1.0)
    draft = _flagged(rewritten(drafted, rules), seg.speaker, peaks, since, options.initial_prompt)
    if "prompt_echo" in draft["flags"]:  # heard again without the prompt
        again = _without_prompt(engine, options, audio, drafted, recording.duration, seg.start)
        if again is None:
            raise InvalidEdit(
                f"Whisper heard only its prompt in segment {name(segment_id)}: type what is "
                "said, or delete it"
            )
        draft = _flagged(rewritten(again, rules), seg.speaker, peaks, since)
    edit = Edit(
        draft["text"],
        seg.start,
        seg.end,
        Status.DRAFTED,
        seg.speaker,
        seg.tags,
        seg.comment,
        op="draft",
        flags=tuple(draft["flags"]),
    )
    return store.add_draft(
        wb.db, segment_id, version, edit, draft["asr_meta"], f"{engine.name}:{engine.model}"
    )


def _without_prompt(
    engine: Engine,
    options: TranscribeOptions,
    audio: np.ndarray,
    draft: dict,
    duration: float,
    offset: float = 0.0,
) -> dict | None:
    """`draft`'s span of `audio` (a track from `offset` seconds on) drafted again with no
    prompt (nor hotwords), over the same span; None when the engine then hears no words (the
    prompt was all it wrote: no speech there that a draft should hold). Its asr_meta says it
    was drafted again (`echo_redrafted`).

    Whisper, given a prompt, writes it back over unclear audio or silence; without the prompt
    that span is heard for what it is."""
    start, end = draft["start"], draft["end"]
    first = max(0, int((start - offset) * SAMPLE_RATE))
    span = audio[first : int(np.ceil((end - offset) * SAMPLE_RATE))]
    transcript = engine.transcribe(span, replace(options, initial_prompt=None, hotwords=None))
    return _heard_again(transcript, draft, duration, engine)


def _again_through(
    transcriber: Transcriber, sound: Sound, options: TranscribeOptions, duration: float
) -> Callable[[int, dict], dict | None]:
    """`_without_prompt` for a draft job's transcriber (on a cluster: heard there): the
    draft's span of `sound` (the working copy: a channel's echo is heard in the mix)."""

    def again(_track: int, draft: dict) -> dict | None:
        span = replace(sound, channel=None, span=(draft["start"], draft["end"]))
        bare = replace(options, initial_prompt=None, hotwords=None)
        for _item, heard in transcriber.each([0], lambda _i: [span], bare, lambda: False):
            if isinstance(heard, Exception):
                raise heard
            return _heard_again(heard[0], draft, duration, transcriber)
        return None

    return again


def _heard_again(
    transcript: Transcript, draft: dict, duration: float, engine: Named
) -> dict | None:
    """The draft of `draft`'s span heard again without the prompt; None when no words."""
    start, end = draft["start"], draft["end"]
    heard = [s for s in transcript.segments if s.text.strip()]
    if not heard:
        return None
    again = to_draft(_joined(heard, start, end), duration, engine, transcript.language)
    if again is None:
        return None
    return {**again, "asr_meta": {**again["asr_meta"], "echo_redrafted": True}}


def _joined(heard: Sequence[DraftSegment], start: float, end: float) -> DraftSegment:
    """The engine's segments of the span [start, end) as one draft over that span, in the
    recording's time: the text and words in order, the worst of the scores (the flags then
    err on the side of a look)."""
    words = tuple(
        replace(w, start=w.start + start, end=w.end + start) for s in heard for w in s.words
    )
    return DraftSegment(
        start,
        end,
        " ".join(s.text.strip() for s in heard),
        min(s.avg_logprob for s in heard),
        max(s.no_speech_prob for s in heard),
        max(s.compression_ratio for s in heard),
        words,
    )


def rewritten(draft: dict, rules: Sequence[Rewrite]) -> dict:
    """A draft with `rules` applied to its text; when one changed it, its asr_meta keeps the
    engine's text (`engine_text`) and the rules applied (`rewrites`: before, after), so the
    change is marked."""
    text, applied = apply_rules(draft["text"], list(rules))
    if not applied:
        return draft
    meta = {
        **draft["asr_meta"],
        "engine_text": draft["text"],
        "rewrites": [{"before": r.before, "after": r.after} for r in applied],
    }
    return {**draft, "text": text, "asr_meta": meta}


def _flagged(
    draft: dict,
    speaker: str | None,
    peaks: np.ndarray,
    since: float = 0.0,
    prompt: str | None = None,
) -> dict:
    """Attach the speaker and the flags a person must look at (`peaks`: the recording's from
    `since` seconds on; `prompt`: the one the engine was given)."""
    meta = draft["asr_meta"]
    a = int((draft["start"] - since) * PEAKS_PER_SECOND)
    b = int(np.ceil((draft["end"] - since) * PEAKS_PER_SECOND))
    region = peaks[a:b]
    level = float(np.abs(region).max()) if len(region) else None
    flags = draft_flags(
        DraftStats(
            text=draft["text"],
            start=draft["start"],
            end=draft["end"],
            avg_logprob=meta["avg_logprob"],
            no_speech_prob=meta["no_speech_prob"],
            compression_ratio=meta["compression_ratio"],
            words=[(w["start"], w["end"], w["probability"]) for w in meta["words"]],
            peak_level=level,
            prompt=prompt,
        )
    )
    meta = {**meta, "flags": flags}
    for key in ("avg_logprob", "no_speech_prob"):
        meta[key] = round(meta[key], 4)
    return {**draft, "speaker": speaker, "flags": flags, "asr_meta": meta}


def to_draft(seg: DraftSegment, duration: float, engine: Named, language: str) -> dict | None:
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
