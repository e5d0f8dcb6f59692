import numpy as np
import pytest
import soundfile as sf

from tests.conftest import FakeEngine, as_user, tone
from workbench import store
from workbench.asr import DraftSegment, DraftWord, TranscribeOptions, Transcript
from workbench.drafts.draft_job import (
    draft_added,
    draft_recording,
    options_for,
    run_draft_job,
    start_draft_job,
    to_draft,
)
from workbench.intake.audio_files import import_paths
from workbench.jobs.lifecycle import JobRunning
from workbench.labelling.labeller_edits import add_segment
from workbench.projects.settings import ensure_project


@pytest.fixture
def project(wb, tones):
    project = ensure_project(wb, "p")
    import_paths(wb, project, tones)
    return project


def test_job_drafts_every_recording_with_progress(wb, project):
    engine, seen = FakeEngine(), []
    job = start_draft_job(wb, project, {"engine": "fake"})
    assert job.total == pytest.approx(5.5)
    job = run_draft_job(wb, job, engine, TranscribeOptions(), on_progress=seen.append)
    assert job.state == "done" and job.error is None and job.progress == 1.0
    dones = [j.done for j in seen]
    assert dones == sorted(dones) and dones[-1] == pytest.approx(5.5)
    seg = store.segment_view(wb.db, store.segment_queue(wb.db, project.id)[0]["id"])
    meta = seg.latest.asr_meta
    assert meta["engine"] == "fake" and meta["model"] == "fake-1" and meta["language"] == "en"
    assert {"avg_logprob", "no_speech_prob", "compression_ratio"} <= set(meta)
    assert meta["words"][0] == {"word": " w0", "start": 0.0, "end": 0.4, "probability": 0.9}
    assert store.get_recording(wb.db, seg.recording.id).language == "en"


def test_second_run_drafts_only_new_recordings(wb, project, tmp_path):
    engine = FakeEngine()
    run_draft_job(wb, start_draft_job(wb, project, {}), engine, TranscribeOptions())
    assert engine.calls == 2
    import_paths(wb, project, [tone(tmp_path / "late.wav", 1.5)])
    job = start_draft_job(wb, project, {})
    assert job.total == pytest.approx(1.5)
    run_draft_job(wb, job, engine, TranscribeOptions())
    assert engine.calls == 3
    assert sum(store.status_counts(wb.db, project.id)["segments"].values()) == 3 + 3 + 2


def test_failed_recording_is_reported_and_the_job_goes_on(wb, project):
    engine = FakeEngine(fail_on_seconds=3.0)  # a.wav fails, b.flac drafts
    job = run_draft_job(wb, start_draft_job(wb, project, {}), engine, TranscribeOptions())
    assert job.state == "done"
    assert "a.wav" in job.error and "engine failed (RuntimeError)" in job.error
    assert "/" not in job.error  # shown in the browser: no server path, no raw exception text
    names = {q["recording"] for q in store.segment_queue(wb.db, project.id)}
    assert names == {"b.flac"}
    # the failed one is still to do: a later run retries it
    assert [r.original_name for r in store.undrafted_recordings(wb.db, project.id)] == ["a.wav"]


def test_one_job_per_project_at_a_time(wb, project):
    start_draft_job(wb, project, {})
    with pytest.raises(JobRunning, match="already running"):
        start_draft_job(wb, project, {})


def test_stale_running_job_does_not_block(wb, project, monkeypatch):
    import datetime

    job = start_draft_job(wb, project, {})
    later = store.now() + datetime.timedelta(hours=1)
    monkeypatch.setattr(store, "now", lambda: later)
    fresh = start_draft_job(wb, project, {})
    assert fresh.id != job.id
    assert store.get_job(wb.db, job.id).state == "failed"


def test_cancel_stops_before_the_next_recording(wb, project):
    job = start_draft_job(wb, project, {})
    store.request_cancel(wb.db, job.id)
    job = run_draft_job(wb, job, FakeEngine(), TranscribeOptions())
    assert job.state == "cancelled"
    assert len(store.undrafted_recordings(wb.db, project.id)) == 2


def _seg(start, end, text="t"):
    return DraftSegment(start, end, text, -0.2, 0.0, 1.0, (DraftWord(" t", start, end, 0.8),))


def test_to_draft_clips_to_the_recording_and_drops_empty():
    engine = FakeEngine()
    assert to_draft(_seg(2.5, 3.7), 3.0, engine, "en")["end"] == 3.0
    assert to_draft(_seg(3.2, 3.9), 3.0, engine, "en") is None
    assert to_draft(_seg(1.0, 1.01), 3.0, engine, "en") is None


def test_drafts_carry_flags_for_unsure_words(wb, project):
    run_draft_job(wb, start_draft_job(wb, project, {}), FakeEngine(), TranscribeOptions())
    queue = store.segment_queue(wb.db, project.id)
    assert all("unsure_words" in q["flags"] for q in queue)  # every x-word is at p=0.3
    view = store.segment_view(wb.db, queue[0]["id"])
    assert view.segment.flags == tuple(view.latest.asr_meta["flags"])


class LoudnessEngine:
    """Drafts one segment over the loud stretch of whatever audio it is given, so each draft
    shows which audio it was drafted from."""

    name, model = "loudness", "1"

    def transcribe(self, audio, options):
        loud = np.flatnonzero(np.abs(audio) > 0.05)
        segments = []
        if len(loud):
            start, end = loud[0] / 16000, (loud[-1] + 1) / 16000
            words = (DraftWord(" loud", start, end, 0.9),)
            segments.append(DraftSegment(start, end, "loud", -0.2, 0.01, 1.0, words))
        return Transcript(language="en", segments=iter(segments))


@pytest.fixture
def call(tmp_path):
    """A 3 s stereo call: channel 1 speaks (a tone) in the first second, channel 2 in the last."""
    rate = 16000
    t = np.arange(rate * 3) / rate
    left = np.where(t < 1.0, 0.4 * np.sin(2 * np.pi * 300 * t), 0.0)
    right = np.where(t >= 2.0, 0.4 * np.sin(2 * np.pi * 500 * t), 0.0)
    sf.write(tmp_path / "call.wav", np.stack([left, right], axis=1).astype(np.float32), rate)
    return tmp_path / "call.wav"


def test_per_channel_drafts_come_from_their_channel(wb, call):
    """Each channel's draft is its own speaker's and lies where that channel is loud (a draft of
    the mix would span both)."""
    project = ensure_project(wb, "calls")
    project = store.update_project(wb.db, project.id, per_channel=True)
    import_paths(wb, project, [call])
    recording = store.list_recordings(wb.db, project.id)[0]
    assert recording.channels_path and wb.path(recording.channels_path).is_file()
    run_draft_job(wb, start_draft_job(wb, project, {}), LoudnessEngine(), TranscribeOptions())
    spans = {
        store.get_segment(wb.db, q["id"]).speaker: (q["start"], q["end"])
        for q in store.segment_queue(wb.db, project.id)
    }
    assert spans == {
        "channel 1": pytest.approx((0.0, 1.0), abs=0.25),
        "channel 2": pytest.approx((2.0, 3.0), abs=0.25),
    }


def _speakers(wb, project) -> list:
    return [
        store.get_segment(wb.db, q["id"]).speaker for q in store.segment_queue(wb.db, project.id)
    ]


def test_a_dual_mono_file_is_drafted_once_even_per_channel(wb, tmp_path):
    """A mono recording saved as stereo keeps no channels copy: drafted one speaker per
    channel it would give every draft twice, as "channel 1" and "channel 2"."""
    project = store.update_project(wb.db, ensure_project(wb, "calls").id, per_channel=True)
    import_paths(wb, project, [tone(tmp_path / "dual.wav", 3.0, channels=2)])
    recording = store.list_recordings(wb.db, project.id)[0]
    assert recording.channels == 2 and recording.channels_path is None
    run_draft_job(wb, start_draft_job(wb, project, {}), LoudnessEngine(), TranscribeOptions())
    assert _speakers(wb, project) == [None]


def test_a_dual_mono_copy_kept_before_is_drafted_once(wb, call):
    """A channels copy kept by an import that did not yet tell dual mono apart: the draft
    job hears that its channels are one sound, and drafts the mix once."""
    project = store.update_project(wb.db, ensure_project(wb, "calls").id, per_channel=True)
    import_paths(wb, project, [call])
    recording = store.list_recordings(wb.db, project.id)[0]
    kept = wb.path(recording.channels_path)
    mix = sf.read(str(kept), dtype="float32")[0].mean(axis=1)
    sf.write(str(kept), np.stack([mix, mix], axis=1), 16000, format="FLAC")
    run_draft_job(wb, start_draft_job(wb, project, {}), LoudnessEngine(), TranscribeOptions())
    assert _speakers(wb, project) == [None]


def test_without_per_channel_the_mix_is_drafted_once(wb, call):
    project = ensure_project(wb, "mixed")
    import_paths(wb, project, [call])
    run_draft_job(wb, start_draft_job(wb, project, {}), LoudnessEngine(), TranscribeOptions())
    queue = store.segment_queue(wb.db, project.id)
    assert [store.get_segment(wb.db, q["id"]).speaker for q in queue] == [None]
    assert (queue[0]["start"], queue[0]["end"]) == pytest.approx((0.0, 3.0), abs=0.25)


def test_options_for_takes_the_project_prompt_and_language(wb):
    project = ensure_project(wb, "prompted", "ko")
    project = store.update_project(wb.db, project.id, prompt="ComfyUI, 서울")
    options = options_for(project)
    assert options.language == "ko" and options.initial_prompt == "ComfyUI, 서울"
    assert options_for(project, language="en").language == "en"


class ScriptedEngine:
    """Returns the segments it is given, as a model would; records the options it was asked with."""

    name, model = "scripted", "1"

    def __init__(self, segments: list[DraftSegment]):
        self.segments = segments
        self.asked: list[TranscribeOptions] = []

    def transcribe(self, audio, options):
        self.asked.append(options)
        return Transcript(language="en", segments=iter(self.segments))


def _spoken(start: float, end: float, text: str) -> DraftSegment:
    """A confident draft of `text` with its words spread evenly over [start, end]."""
    words = text.split()
    step = (end - start) / len(words)
    timed = tuple(
        DraftWord(f" {w}", start + i * step, start + (i + 0.8) * step, 0.9)
        for i, w in enumerate(words)
    )
    return DraftSegment(start, end, text, -0.2, 0.05, 1.4, timed)


LOOP = "the above copyright notice and"


def test_a_looping_draft_is_flagged_and_the_clean_ones_are_not(wb, tmp_path):
    """Whisper's loops as it writes them, through the drafting pipeline (cut, then flagged): a
    loop split by the maximum length is flagged in each part; clean drafts around it are not."""
    project = ensure_project(wb, "loops", "en")
    import_paths(wb, project, [tone(tmp_path / "long.wav", 40.0)])
    recording = store.list_recordings(wb.db, project.id)[0]
    engine = ScriptedEngine(
        [
            _spoken(0.0, 3.0, "ask not what your country can do for you"),
            _spoken(3.0, 7.0, f"conditions, {LOOP} {LOOP} {LOOP.capitalize()} notice."),
            _spoken(7.0, 9.0, "I think, I think I said I think so"),
            _spoken(9.0, 33.0, " ".join([LOOP] * 8)),  # longer than max_len: cut in two
            _spoken(33.0, 36.0, "no no no"),
            _spoken(36.0, 39.0, "permission is hereby granted free of charge"),
        ]
    )
    draft_recording(wb, recording, engine, TranscribeOptions(language="en"))
    queue = store.segment_queue(wb.db, project.id)
    looped = [q["text"] for q in queue if "repetition" in q["flags"]]
    clean = [q["text"] for q in queue if "repetition" not in q["flags"]]
    half = " ".join([LOOP] * 4)
    assert looped == [
        f"conditions, {LOOP} {LOOP} {LOOP.capitalize()} notice.",
        half,
        half,  # the long loop, cut into two parts: each still a loop
        "no no no",
    ]
    assert clean == [
        "ask not what your country can do for you",
        "I think, I think I said I think so",
        "permission is hereby granted free of charge",
    ]
    # the flag is stored with the draft and shown to the labeller as a serious one
    view = store.segment_view(wb.db, next(q["id"] for q in queue if q["text"] == "no no no"))
    assert view.segment.flags[0] == "repetition"
    assert view.latest.asr_meta["flags"][0] == "repetition"


def test_the_project_prompt_and_language_reach_the_engine(wb, tmp_path):
    """The job's options carry the project's prompt: the engine is asked with them."""
    project = ensure_project(wb, "prompted", "ko")
    project = store.update_project(wb.db, project.id, prompt="ComfyUI, 서울")
    import_paths(wb, project, [tone(tmp_path / "a.wav", 2.0)])
    engine = ScriptedEngine([_spoken(0.0, 2.0, "hello there")])
    run_draft_job(wb, start_draft_job(wb, project, {}), engine, options_for(project))
    assert [(o.initial_prompt, o.language) for o in engine.asked] == [("ComfyUI, 서울", "ko")]


PROMPT = "KakaoTalk, Kubernetes, ComfyUI, KsponSpeech"


class EchoEngine:
    """Given a prompt, writes it back over two spans (2-4 s and 4-5 s) after a clean draft
    (0-2 s) of a whole recording, and over all of a shorter span, as Whisper does over
    unclear audio; asked without one, it hears words in spans over 1.5 s long and nothing in
    shorter ones."""

    name, model = "echo", "1"

    def __init__(self):
        self.asked: list[TranscribeOptions] = []

    def transcribe(self, audio, options):
        self.asked.append(options)
        seconds = len(audio) / 16000
        if options.initial_prompt and seconds < 4.5:
            segments = [_spoken(0.0, seconds, options.initial_prompt)]
        elif options.initial_prompt:
            segments = [
                _spoken(0.0, 2.0, "hello there friends"),
                _spoken(2.0, 4.0, options.initial_prompt),
                _spoken(4.0, 5.0, options.initial_prompt),
            ]
        elif seconds > 1.5:
            segments = [_spoken(0.0, seconds, "said without the prompt")]
        else:
            segments = []
        return Transcript(language="en", segments=iter(segments))


def test_a_draft_that_echoes_its_prompt_is_drafted_again_without_it(wb, tmp_path):
    """The job drafts an echo's span again with no prompt: the prompt's words never reach a
    labeller; a span where nothing is heard without the prompt keeps no draft."""
    project = ensure_project(wb, "echoes", "en")
    project = store.update_project(wb.db, project.id, prompt=PROMPT)
    import_paths(wb, project, [tone(tmp_path / "a.wav", 5.0)])
    engine = EchoEngine()
    job = run_draft_job(wb, start_draft_job(wb, project, {}), engine, options_for(project))
    assert job.state == "done"
    queue = store.segment_queue(wb.db, project.id)
    assert [q["text"] for q in queue] == ["hello there friends", "said without the prompt"]
    assert not any("prompt_echo" in q["flags"] for q in queue)
    again = store.segment_view(wb.db, queue[1]["id"])
    assert again.latest.asr_meta["echo_redrafted"] is True
    assert (again.segment.start, again.segment.end) == pytest.approx((2.0, 4.0), abs=0.35)
    assert [o.initial_prompt for o in engine.asked] == [PROMPT, None, None]  # both echoes


def test_a_segment_drafted_alone_is_drafted_again_without_an_echoed_prompt(wb, tmp_path):
    project = ensure_project(wb, "added", "en")
    project = store.update_project(wb.db, project.id, prompt=PROMPT)
    import_paths(wb, project, [tone(tmp_path / "a.wav", 5.0)])
    recording = store.list_recordings(wb.db, project.id)[0]
    owner = as_user(wb, "olga", "owner")
    seg_id = add_segment(owner, recording.id, 1.0, 3.0)
    engine = EchoEngine()
    revision = draft_added(owner, seg_id, store.get_segment(wb.db, seg_id).version, engine)
    assert revision.text == "said without the prompt"
    assert [o.initial_prompt for o in engine.asked] == [PROMPT, None]
