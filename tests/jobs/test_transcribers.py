"""Who hears a job's audio, without starting Ray: the audio sent to a cluster's workers is
the audio read here, the workers a cluster gets, and a cluster that cannot be reached (the
job fails at once, saying so). Ray on a real local cluster: tests/jobs/test_cluster.py."""

from __future__ import annotations

import io
import socket

import numpy as np
import pytest
import soundfile as sf

from tests.conftest import tone
from workbench import store
from workbench.audio.working import read_bytes
from workbench.cli import main
from workbench.core.config import load_settings
from workbench.intake.audio_files import import_paths
from workbench.jobs.cluster import ClusterUnavailable, open_transcriber, placement
from workbench.jobs.transcribers import Sound
from workbench.projects.settings import ensure_project


def test_the_audio_sent_to_a_worker_is_the_audio_read_here(wb, tmp_path):
    project = ensure_project(wb, "p", "en")
    t = np.arange(3 * 48000) / 48000  # two voices, one per channel (not dual mono)
    call = np.stack([np.sin(2 * np.pi * 330 * t), np.sin(2 * np.pi * 550 * t) * (t > 1)], axis=1)
    sf.write(str(tmp_path / "s.wav"), (0.4 * call).astype(np.float32), 48000)
    import_paths(wb, project, [tmp_path / "s.wav"])
    store.update_project(wb.db, project.id, per_channel=True)
    (recording,) = store.list_recordings(wb.db, project.id)
    assert recording.channels_path is not None
    for sound in [
        Sound(wb.path(recording.working_path)),
        Sound(wb.path(recording.working_path), span=(0.37, 2.11)),
        Sound(wb.path(recording.channels_path), channel=1),
    ]:
        here, sent = sound.samples(), read_bytes(sound.payload(), sound.channel)
        assert sent.dtype == here.dtype == np.float32 and np.array_equal(sent, here), sound
    span = Sound(wb.path(recording.working_path), span=(0.37, 2.11))
    assert sf.info(io.BytesIO(span.payload())).format == "FLAC"


def test_a_cluster_gets_a_worker_per_gpu_or_per_cpu_never_more_than_the_items():
    assert placement({"CPU": 16.0}, "faster-whisper", 100) == (16, {"num_cpus": 1})
    assert placement({"CPU": 16.0}, "faster-whisper", 3) == (3, {"num_cpus": 1})
    gpu = {"num_cpus": 1, "num_gpus": 1}
    assert placement({"CPU": 64.0, "GPU": 4.0}, "faster-whisper", 100) == (4, gpu)
    assert placement({"CPU": 8.0, "GPU": 4.0}, "openai-whisper", 100) == (8, {"num_cpus": 1})
    assert placement({}, "faster-whisper", 5) == (1, {"num_cpus": 1})  # waits for room


@pytest.fixture
def closed_port() -> int:
    """A port on this machine nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_address_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_RAY_ADDRESS", " head:6379 ")
    assert load_settings(tmp_path).ray_address == "head:6379"
    monkeypatch.delenv("WORKBENCH_RAY_ADDRESS")
    assert load_settings(tmp_path).ray_address is None


def test_a_cluster_that_cannot_be_reached_fails_the_job_at_once(wb, tmp_path, closed_port, capsys):
    pytest.importorskip("ray")
    project = ensure_project(wb, "p", "en")
    import_paths(wb, project, [tone(tmp_path / "a.wav")])
    with pytest.raises(ClusterUnavailable, match="cannot be reached"):
        open_transcriber(wb.with_ray(f"127.0.0.1:{closed_port}"), "faster-whisper", "base", "t")
    common = ["--home", str(wb.settings.home), "--db", str(wb.db.url)]
    assert main(["transcribe", "--project", "p", "--ray", f"127.0.0.1:{closed_port}", *common]) == 2
    assert "cannot be reached" in capsys.readouterr().err
    job = store.latest_job(wb.db, project.id, "draft")
    assert job is not None and job.state == "failed" and "cannot be reached" in (job.error or "")
    assert store.undrafted_recordings(wb.db, project.id)  # nothing drafted here instead
