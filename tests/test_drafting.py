import pytest

from workbench import store
from workbench.asr import DraftSegment, DraftWord, TranscribeOptions
from workbench.drafting import (
    JobRunning,
    draft_recording,
    options_for,
    run_draft_job,
    start_draft_job,
    to_draft,
)
from workbench.importing import import_paths
from workbench.service import ensure_project

from tests.conftest import FakeEngine, tone


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


def test_per_channel_drafts_label_the_channel(wb, tmp_path):
    import numpy as np
    import soundfile as sf

    rate = 16000
    t = np.arange(rate * 2) / rate
    left = 0.4 * np.sin(2 * np.pi * 300 * t)
    right = np.zeros_like(t)
    right[rate:] = 0.4 * np.sin(2 * np.pi * 500 * t[rate:])
    sf.write(tmp_path / "call.wav", np.stack([left, right], axis=1).astype(np.float32), rate)
    project = ensure_project(wb, "calls")
    project = store.update_project(wb.db, project.id, per_channel=True)
    import_paths(wb, project, [tmp_path / "call.wav"])
    recording = store.list_recordings(wb.db, project.id)[0]
    assert recording.channels_path and wb.path(recording.channels_path).is_file()
    run_draft_job(wb, start_draft_job(wb, project, {}), FakeEngine(), TranscribeOptions())
    queue = store.segment_queue(wb.db, project.id)
    speakers = [store.get_segment(wb.db, q["id"]).speaker for q in queue]
    assert sorted(set(speakers)) == ["channel 1", "channel 2"]
    assert len(queue) == 4  # two one-second segments per channel, overlapping across channels


def test_options_for_takes_the_project_prompt_and_language(wb):
    project = ensure_project(wb, "prompted", "ko")
    project = store.update_project(wb.db, project.id, prompt="ComfyUI, 서울")
    options = options_for(project)
    assert options.language == "ko" and options.initial_prompt == "ComfyUI, 서울"
    assert options_for(project, language="en").language == "en"
