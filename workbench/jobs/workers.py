"""Who runs a job, and whether it still runs: the worker's process id and host, and a heartbeat.

A running job records the process that runs it. On the same host a dead process is seen at
once (`os.kill(pid, 0)`); a job run on another host (a second server on the same database) can
only be judged by its heartbeat, which a live worker touches every HEARTBEAT_EVERY seconds.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from workbench import store
from workbench.core.records import Job

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = 5.0  # seconds between the heartbeats of a running job
STALE_AFTER = timedelta(minutes=2)  # a running job silent this long has lost its worker


@dataclass(frozen=True)
class Worker:
    """A process that runs jobs: its id on its host."""

    pid: int
    host: str


def host_id() -> str:
    """This machine as jobs name it: the host name, and the process id namespace where there
    is one (two containers may share a host name, never a pid namespace)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}/{namespace}" if namespace else socket.gethostname()


def this_worker() -> Worker:
    """The current process, as the worker of the jobs it runs."""
    return Worker(os.getpid(), host_id())


def pid_alive(pid: int) -> bool:
    """Whether the process `pid` exists on this host and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, run by another user
        return True
    except OSError:
        return False
    try:  # a killed child its parent has not reaped yet still answers kill(pid, 0)
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def gone_reason(job: Job, now: datetime, here: Worker, alive=pid_alive) -> str | None:
    """Why the worker of a running job is known to be gone, or None while it may be alive.

    On this host a dead process decides at once; anywhere, a heartbeat older than STALE_AFTER.
    `alive` tells whether a pid lives on this host (tests pass their own).
    """
    if job.state != "running":
        return None
    if job.worker_pid is not None and job.worker_host == here.host and not alive(job.worker_pid):
        return f"its worker stopped (process {job.worker_pid} is gone)"
    silent = now - job.updated_at
    if silent > STALE_AFTER:
        return f"its worker stopped (no heartbeat for {silent.total_seconds() / 60:.0f} min)"
    return None


class Heartbeat:
    """A thread touching a running job's heartbeat every `every` seconds, while in `with`.

    The work itself may go minutes without a word (an engine transcribing a long recording
    in one call); the heartbeat shows the process is alive all the same.
    """

    def __init__(self, db: Engine, job_id: int, every: float = HEARTBEAT_EVERY):
        self.db, self.job_id, self.every = db, job_id, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            try:
                store.touch_job(self.db, self.job_id)
            except Exception as exc:  # noqa: BLE001 (a locked database now and then must not end the job)
                log.warning("job %d: heartbeat failed: %s", self.job_id, exc)
