"""Long jobs on a Ray cluster (WORKBENCH_RAY_ADDRESS, or `--ray` on the command line).

The items of a draft job, a second opinion or a held-out measure are sent to Ray actors that
each load the project's model once (one per GPU where the cluster has GPUs, else one per CPU,
each with one thread, and never more than the job has items). What they hear comes back to
the job's own process, which stores it as it stores what its own engine heard
(`jobs.transcribers`): the same flags, vocabulary, rules and model name, one transaction per
recording.

- The audio travels with the work (a working copy's bytes, or a FLAC of a segment's span),
  so the workers need no shared disk; the workbench's code travels too (Ray's `py_modules`).
  The workers need the same Python packages (requirements.txt) and the model: the embedded
  one comes with the packages, a fine-tuned one must be at the same path on every node.
- A worker that dies is restarted by Ray and what it was hearing is heard again (`RETRIES`);
  only this process stores, once per recording (the store refuses a second draft).
- A transcriber's actors live for one `each` call: its end, a stop (a cancel) or `close`
  kills them, so nothing runs on after a job.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import workbench
from workbench.asr import Engine, TranscribeOptions, Transcript, load_engine
from workbench.audio.working import read_bytes
from workbench.core.errors import Kind, WorkbenchError
from workbench.core.workbench import Workbench
from workbench.jobs.transcribers import Heard, K, LocalTranscriber, Sound, Transcriber

log = logging.getLogger(__name__)

NAMESPACE = "workbench"  # the Ray namespace of the workbench's actors
RETRIES = 3  # restarts of a worker that died, and tries again of what it was hearing
IN_FLIGHT = 2  # items queued per worker: the next one is there when one is heard
POLL = 1.0  # seconds between looks at `stop` while the workers hear
CONNECT_WITHIN = 5.0  # seconds for the cluster's port to answer


class ClusterUnavailable(WorkbenchError):
    """The Ray cluster cannot be reached, or its workers cannot load the model."""

    kind = Kind.UNAVAILABLE


_connected: list[str] = []  # the address this process connected to (one cluster a process)
_connecting = threading.Lock()


def connect(address: str) -> None:
    """Connect this process to the Ray cluster at `address` (once; later calls reuse it),
    shipping the workbench's code to its workers. ClusterUnavailable when it cannot be
    reached, or when this process works with another cluster already."""
    import ray

    with _connecting:
        if _connected and _connected[0] != address:
            raise ClusterUnavailable(
                f"this process works with the Ray cluster at {_connected[0]} already; "
                f"restart it to use {address}"
            )
        if ray.is_initialized():
            _connected[:] = [address]
            return
        _check_reachable(address)
        try:
            ray.init(
                address=address,
                namespace=NAMESPACE,
                runtime_env={"py_modules": [str(Path(workbench.__file__).parent)]},
                log_to_driver=False,
                logging_level=logging.WARNING,
            )
        except Exception as exc:  # ConnectionError, ValueError, RuntimeError: all mean "not there"
            log.warning("cannot connect to the Ray cluster at %s", address, exc_info=True)
            raise ClusterUnavailable(
                f"the Ray cluster at {address} cannot be reached ({type(exc).__name__}); "
                "the server log has the details"
            ) from exc
        _connected[:] = [address]


def _check_reachable(address: str) -> None:
    """ClusterUnavailable at once when nothing answers at `address` (host:port, or
    ray://host:port); Ray itself would keep trying for minutes. 'auto' is Ray's to find."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if address == "auto":
        return
    if not host or not port.isdigit():
        raise ClusterUnavailable(f"{address!r} is not a Ray address (host:port, or auto)")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_WITHIN).close()
    except OSError as exc:
        raise ClusterUnavailable(
            f"the Ray cluster at {address} cannot be reached ({exc.strerror or exc})"
        ) from exc


def placement(resources: dict[str, float], engine: str, items: int) -> tuple[int, dict]:
    """How many workers to start for `items` on a cluster with `resources` free (Ray's
    names: 'CPU', 'GPU'), and the resources of each: a GPU each for faster-whisper where
    there are GPUs, else a CPU each; at least one (it waits for room), at most one an item."""
    gpus = int(resources.get("GPU", 0)) if engine == "faster-whisper" else 0
    if gpus:
        return max(1, min(gpus, items)), {"num_cpus": 1, "num_gpus": 1}
    return max(1, min(int(resources.get("CPU", 0)), items)), {"num_cpus": 1}


class ClusterWorker:
    """A Ray actor: the model loaded once, then heard items one at a time."""

    def __init__(self, engine: str, model: str, models_dir: str):
        import ray

        self.engine = worker_engine(engine, model, models_dir, bool(ray.get_gpu_ids()))

    def ready(self) -> dict[str, Any]:
        """Where this worker runs (its model is loaded once this answers)."""
        return {"host": socket.gethostname(), "pid": os.getpid()}

    def hear(
        self, clips: list[tuple[bytes, int | None]], options: TranscribeOptions
    ) -> list[tuple[str, tuple, dict]]:
        """Each clip (a sound file's bytes, the channel) as (language, segments, meta)."""
        heard = []
        for data, channel in clips:
            transcript = self.engine.transcribe(read_bytes(data, channel), options)
            heard.append((transcript.language, tuple(transcript.segments), transcript.meta))
        return heard


def worker_engine(engine: str, model: str, models_dir: str, gpu: bool) -> Engine:
    """The engine a worker loads: faster-whisper on its GPU or on one thread, others as this
    process would load them. The models folder is the job's where this node sees it (the
    same machine, a shared disk), else a cache of the node's own (the embedded model is
    joined there from its packages)."""
    folder = Path(models_dir)
    if not folder.is_dir():
        folder = Path(tempfile.gettempdir()) / "workbench-models"
        folder.mkdir(parents=True, exist_ok=True)
    if engine == "faster-whisper":
        from workbench.asr.faster import FasterWhisperEngine

        if gpu:
            return FasterWhisperEngine(model, folder, "float16", device="cuda")
        return FasterWhisperEngine(model, folder, cpu_threads=1)
    return load_engine(engine, model, folder)


class ClusterTranscriber:
    """Hears a job's items on the workers of a Ray cluster (see the module)."""

    def __init__(self, address: str, engine: str, model: str, models_dir: Path, tag: str):
        connect(address)
        self.address, self.name, self.model = address, engine, model
        self.models_dir, self.tag = str(models_dir), tag
        self._actors: list = []

    def each(
        self,
        items: Sequence[K],
        sounds: Callable[[K], list[Sound]],
        options: TranscribeOptions,
        stop: Callable[[], bool],
    ) -> Iterator[tuple[K, Heard]]:
        """As `Transcriber.each`; the workers start first and stop at the end."""
        if not items:
            return
        try:
            if self._start(len(items), stop):
                yield from self._dispatch(items, sounds, options, stop)
        finally:
            self.close()

    def _start(self, items: int, stop: Callable[[], bool]) -> bool:
        """Start the workers and wait until each has loaded the model; False when stopped
        first. ClusterUnavailable when they cannot load it."""
        import ray

        count, resources = placement(ray.available_resources(), self.name, items)
        actor = ray.remote(ClusterWorker)
        self._actors = [
            actor.options(
                name=f"{self.tag}-{k}",
                namespace=NAMESPACE,
                max_restarts=RETRIES,
                max_task_retries=RETRIES,
                **resources,
            ).remote(self.name, self.model, self.models_dir)
            for k in range(count)
        ]
        waiting = [a.ready.remote() for a in self._actors]
        while waiting:
            if stop():
                return False
            done, waiting = ray.wait(waiting, num_returns=len(waiting), timeout=POLL)
            try:
                where = ray.get(done)
            except ray.exceptions.RayError as exc:
                log.error("%s: the cluster's workers cannot load %s", self.tag, self.model)
                raise ClusterUnavailable(
                    f"the cluster's workers could not load the {self.name} model "
                    f"{Path(self.model).name!r}; the server log says why"
                ) from exc
            for w in where:
                log.info("%s: a worker is ready on %s (process %s)", self.tag, w["host"], w["pid"])
        return True

    def _dispatch(
        self,
        items: Sequence[K],
        sounds: Callable[[K], list[Sound]],
        options: TranscribeOptions,
        stop: Callable[[], bool],
    ) -> Iterator[tuple[K, Heard]]:
        """Keep IN_FLIGHT items queued on each worker (the least busy first); each as heard."""
        import ray

        todo = iter(items)
        pending: dict[Any, tuple[K, int]] = {}  # the heard item's ref -> (item, worker)
        busy = [0] * len(self._actors)
        while not stop():
            while len(pending) < IN_FLIGHT * len(self._actors):
                item = next(todo, None)
                if item is None:
                    break
                try:
                    clips = [(s.payload(), s.channel) for s in sounds(item)]
                except Exception as exc:  # noqa: BLE001 (its audio cannot be read: reported with it)
                    yield item, exc
                    continue
                k = busy.index(min(busy))
                pending[self._actors[k].hear.remote(clips, options)] = (item, k)
                busy[k] += 1
            if not pending:
                return
            done, _ = ray.wait(list(pending), num_returns=1, timeout=POLL)
            for ref in done:
                item, k = pending.pop(ref)
                busy[k] -= 1
                yield item, self._heard(ref)

    def _heard(self, ref) -> Heard:
        """What a worker heard, or the error of the engine; ClusterUnavailable when a worker
        died more than RETRIES times (the cluster itself is in trouble)."""
        import ray

        try:
            heard = ray.get(ref)
        except ray.exceptions.RayActorError as exc:
            log.error("%s: a cluster worker died %d times", self.tag, RETRIES + 1, exc_info=exc)
            raise ClusterUnavailable(
                f"a worker of the Ray cluster at {self.address} died {RETRIES + 1} times; "
                "the server log has the details"
            ) from exc
        except ray.exceptions.RayTaskError as exc:  # the engine's error, raised on the worker
            return exc
        return [Transcript(lang, iter(segments), meta) for lang, segments, meta in heard]

    def close(self) -> None:
        """Kill the workers (no restart); what they were hearing is dropped."""
        import ray

        for actor in self._actors:
            ray.kill(actor, no_restart=True)
        self._actors = []


def open_transcriber(
    wb: Workbench,
    engine: str,
    model: str,
    tag: str,
    load: Callable[[str, str], Engine] | None = None,
) -> Transcriber:
    """Who hears a job with `engine` and `model` (a name, or a folder's path): the workers of
    the Ray cluster the settings name (`tag`: the job, e.g. 'draft-12', in their names), else
    this process, with the engine `load(engine, model)` gives (default: loaded once per
    process). Raises ModelNotFound, or ClusterUnavailable when the cluster cannot be reached."""
    address = wb.settings.ray_address
    if address:
        return ClusterTranscriber(address, engine, model, wb.settings.models_dir, tag)
    if load is None:
        return LocalTranscriber(load_engine(engine, model, wb.settings.models_dir))
    return LocalTranscriber(load(engine, model))
