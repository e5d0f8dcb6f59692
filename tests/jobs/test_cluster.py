"""Long jobs on a real local Ray cluster (`ray start --head`, 2 CPUs: two workers), with the
embedded Whisper base model on real speech: drafts heard there equal those heard here in
structure, a worker killed half-way loses nothing and drafts nothing twice, a cancel stops
the workers, and the second opinion runs from the command line. One cluster for the module;
skipped with the reason when Ray cannot start."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from itertools import pairwise
from pathlib import Path

import pytest
import soundfile as sf

from tests.conftest import SHARED_AUDIO, needs_shared
from workbench import store
from workbench.cli import main
from workbench.drafts.draft_job import options_for, run_draft_job, start_draft_job
from workbench.intake.audio_files import import_paths
from workbench.jobs import cluster
from workbench.jobs.cluster import open_transcriber
from workbench.projects.settings import ensure_project, open_workbench

pytestmark = [needs_shared, pytest.mark.slow]

RAY = Path(sys.executable).with_name("ray")
START_WITHIN = 180  # seconds for `ray start` on a busy 2-core machine
PIECES = [(0.0, 5.0), (1.0, 6.5), (2.0, 8.0), (3.5, 9.5), (5.0, 11.0), (0.0, 11.0)]  # of jfk


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _started(proc: subprocess.Popen) -> tuple[bool, str]:
    """Whether `ray start --block` said it started (within START_WITHIN), and what it said."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    said: list[str] = []
    deadline = time.monotonic() + START_WITHIN
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1.0)
        except queue.Empty:
            continue
        if line is None:
            break
        said.append(line)
        if "Ray runtime started" in line:
            return True, "".join(said)
    return False, "".join(said[-20:])


@pytest.fixture(scope="module")
def address():
    """A local Ray cluster of 2 CPUs, started by `ray start --head --block` and stopped with
    it (SIGTERM: it stops the processes it started); its address. No token authentication:
    this process connects as the workbench does, by the address alone."""
    pytest.importorskip("ray")
    if not RAY.is_file():
        pytest.skip(f"Ray's command is not installed beside {sys.executable}")
    temp = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))  # short: Ray's socket paths
    port = _free_port()
    command = [str(RAY), "start", "--head", "--block", f"--port={port}", "--num-cpus=2"]
    command += ["--num-gpus=0", "--include-dashboard=false", "--disable-usage-stats"]
    command.append(f"--temp-dir={temp}")
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, "RAY_AUTH_MODE": "disabled"},  # this test's own cluster
    )
    try:
        ok, said = _started(proc)
        if not ok:
            pytest.skip(f"a local Ray cluster cannot start here:\n{said}")
        yield f"127.0.0.1:{port}"
    finally:
        import ray

        ray.shutdown()
        cluster._connected.clear()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture
def pieces(tmp_path) -> list[Path]:
    """Six recordings cut from jfk.flac (different spans: none is a duplicate)."""
    speech, rate = sf.read(str(SHARED_AUDIO / "jfk.flac"), dtype="float32")
    paths = []
    for k, (start, end) in enumerate(PIECES):
        path = tmp_path / "src" / f"jfk-{k}.flac"
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(path), speech[int(start * rate) : int(end * rate)], rate)
        paths.append(path)
    return paths


def _project(wb, name: str, sources: list[Path]):
    project = ensure_project(wb, name, "en")
    assert import_paths(wb, project, sources).count("imported") == len(sources)
    return project


def _drafts(wb, project) -> dict[str, list[dict]]:
    """Each recording's drafts (by its name): times, flags, words, and the revisions kept."""
    found: dict[str, list[dict]] = {}
    for q in store.segment_queue(wb.db, project.id):
        view = store.segment_view(wb.db, q["id"])
        meta = view.latest.asr_meta
        found.setdefault(view.recording.original_name, []).append(
            {
                "start": view.segment.start,
                "end": view.segment.end,
                "flags": sorted(meta["flags"]),
                "words": meta["words"],
                "model": (meta["engine"], meta["model"]),
                "revisions": len(store.list_revisions(wb.db, q["id"])),
            }
        )
    return found


def _worker_processes(address: str) -> dict[int, str]:
    """The processes of this cluster's workers: pid -> title ('ray::ClusterWorker.hear' while
    one hears), found below the raylet that serves `address`'s session."""
    parents: dict[int, int] = {}
    titles: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
        titles[int(entry.name)] = title
    port = address.rpartition(":")[2]  # the raylet names the node's own address, not ours
    ours = {
        pid
        for pid, title in titles.items()
        if any(t.startswith("--gcs-address=") and t.endswith(f":{port}") for t in title.split())
    }

    def below(pid: int) -> bool:
        while pid > 1:
            if pid in ours:
                return True
            pid = parents.get(pid, 1)
        return False

    return {
        pid: title
        for pid, title in titles.items()
        if title.startswith("ray::ClusterWorker") and below(pid)
    }


def _workers_gone(address: str, within: float = 60.0) -> bool:
    """Whether the cluster's worker processes have all exited (`ray.kill` returns before
    they do), waiting at most `within` seconds."""
    deadline = time.monotonic() + within
    while _worker_processes(address):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_drafts_heard_on_the_cluster_equal_those_heard_here(wb, pieces, address):
    """`transcribe --ray` drafts as `transcribe` does, in structure: the same segments, the
    words inside them, the flags, the model named (never the exact words)."""
    here = _project(wb, "here", pieces[:3])
    there = _project(wb, "there", pieces[:3])
    common = ["--home", str(wb.settings.home), "--db", str(wb.db.url)]
    assert main(["transcribe", "--project", "here", *common]) == 0
    assert main(["transcribe", "--project", "there", "--ray", address, *common]) == 0
    local, remote = _drafts(wb, here), _drafts(wb, there)
    assert sorted(local) == sorted(remote) == sorted(p.name for p in pieces[:3])
    for name, drafts in local.items():
        heard = remote[name]
        assert len(heard) == len(drafts) > 0, name
        for a, b in zip(drafts, heard, strict=True):
            assert (b["start"], b["end"]) == pytest.approx((a["start"], a["end"]), abs=0.2)
            assert b["flags"] == a["flags"] and b["model"] == a["model"]
            assert b["revisions"] == 1
            assert len(b["words"]) == len(a["words"])
            assert all(b["start"] - 0.5 <= w["start"] <= b["end"] + 0.5 for w in b["words"])


def test_a_worker_killed_half_way_loses_nothing_and_drafts_nothing_twice(wb, pieces, address):
    project = _project(wb, "killed", pieces)
    job = start_draft_job(wb, project, {"engine": "faster-whisper", "model": "base"})
    transcriber = open_transcriber(
        wb.with_ray(address), "faster-whisper", "base", f"draft-{job.id}"
    )
    killed: list[int] = []

    def kill_a_busy_worker(j) -> None:
        if killed or j.done == 0:
            return
        busy = [pid for pid, t in _worker_processes(address).items() if t.endswith(".hear")]
        assert busy, _worker_processes(address)
        os.kill(busy[0], signal.SIGKILL)
        killed.append(busy[0])

    job = run_draft_job(wb, job, transcriber, options_for(project), kill_a_busy_worker)
    assert killed and job.state == "done" and job.error is None, job
    drafts = _drafts(wb, project)
    assert sorted(drafts) == sorted(p.name for p in pieces)  # every recording, once
    for name, segments in drafts.items():
        assert all(d["revisions"] == 1 for d in segments), name
        spans = sorted((d["start"], d["end"]) for d in segments)
        assert all(a[1] <= b[0] for a, b in pairwise(spans)), name
    assert not store.undrafted_recordings(wb.db, project.id)
    assert _workers_gone(address)  # the job's end stopped its workers


def test_a_cancel_from_the_page_stops_the_workers(wb, pieces, address, monkeypatch):
    """The Drafts page's start and cancel (`ui.jobs`) with WORKBENCH_RAY_ADDRESS set: the
    job ends cancelled, what was drafted stays whole, the workers are gone."""
    from workbench.ui import jobs

    monkeypatch.setenv("WORKBENCH_RAY_ADDRESS", address)
    wb = open_workbench(wb.settings.home, str(wb.db.url))  # as the app opens it
    assert wb.settings.ray_address == address
    project = _project(wb, "cancelled", pieces)
    job_id = jobs.start_drafts(wb, project)
    deadline = time.monotonic() + 600
    while store.get_job(wb.db, job_id).done == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _worker_processes(address)
    jobs.cancel_drafts(wb, project)
    jobs.wait(job_id, 600)
    job = store.get_job(wb.db, job_id)
    assert job.state == "cancelled", job
    assert 0 < len(store.undrafted_recordings(wb.db, project.id)) < len(pieces)
    assert all(d["revisions"] == 1 for ds in _drafts(wb, project).values() for d in ds)
    import ray

    for k in range(2):
        with pytest.raises(ValueError):
            ray.get_actor(f"draft-{job_id}-{k}", namespace=cluster.NAMESPACE)
    assert _workers_gone(address)


def test_second_opinion_on_the_cluster_from_the_command_line(wb, tmp_path, address, capsys):
    """`audit-corpus --second-opinion --ray`: every labelled segment gets its opinion."""
    lines = [
        {"audio_filepath": str(SHARED_AUDIO / "jfk.flac"), "offset": s, "duration": d, "text": t}
        for s, d, t in [
            (0.0, 2.4, "And so my fellow Americans"),
            (2.4, 5.1, "ask not what your country can do for you"),
            (7.5, 3.5, "ask what you can do for your country"),
        ]
    ]
    manifest = tmp_path / "manifest.json"
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines))
    common = ["--home", str(wb.settings.home), "--db", str(wb.db.url)]
    assert main(["import", str(manifest), "--project", "corpus", "--language", "en", *common]) == 0
    capsys.readouterr()
    args = ["audit-corpus", "--project", "corpus", "--second-opinion", "--json"]
    assert main([*args, "--ray", address, *common]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["judged"], report["todo"]) == (3, 0)
    assert all(row["second_opinion"].strip() for row in report["disagreement"])
    project = store.find_project(wb.db, "corpus")
    assert project is not None
    job = store.latest_job(wb.db, project.id, "audit")
    assert job is not None and job.state == "done" and job.error is None
    assert _workers_gone(address)
