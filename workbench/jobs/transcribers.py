"""Who hears a long job's audio: the engine in this process, or the workers of a Ray cluster
(`jobs.cluster`, when the owner names one: `cluster.open_transcriber` picks), behind the same
two calls. A draft job, the corpus
audit's second opinion and a held-out measure store what was heard the same way wherever it
was heard: the job's own process does, as it always has.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar, runtime_checkable

import numpy as np

from workbench.asr import Engine, TranscribeOptions, Transcript
from workbench.audio.working import read_all, read_channel, read_slice, span_flac

log = logging.getLogger(__name__)

K = TypeVar("K")  # what the caller drafts: a recording, a segment, an example


@dataclass(frozen=True)
class Sound:
    """Audio a job asks to hear: a file of the home (a working copy, or a kept-channels copy
    with `channel`), whole or the span (start, end) in seconds."""

    path: Path
    channel: int | None = None  # of a kept-channels copy; None: the file's only channel
    span: tuple[float, float] | None = None  # None: the whole file

    def samples(self) -> np.ndarray:
        """The audio as an engine takes it (16 kHz mono float32), read here."""
        if self.span is not None:
            return read_slice(self.path, *self.span)
        if self.channel is not None:
            return read_channel(self.path, self.channel)
        return read_all(self.path)

    def payload(self) -> bytes:
        """The audio as it travels to another machine: the file's bytes, or a FLAC of the
        span (`audio.working.read_bytes` reads either back, with the channel)."""
        if self.span is not None:
            return span_flac(self.path, *self.span)
        return self.path.read_bytes()


Heard = list[Transcript] | Exception  # a transcript per Sound, or why it could not be heard


@runtime_checkable
class Transcriber(Protocol):
    """Hears the Sounds of many items, each once. `name` and `model` identify the engine in
    what is stored, as an `Engine`'s do."""

    name: str
    model: str

    def each(
        self,
        items: Sequence[K],
        sounds: Callable[[K], list[Sound]],
        options: TranscribeOptions,
        stop: Callable[[], bool],
    ) -> Iterator[tuple[K, Heard]]:
        """(item, what its sounds were heard as) for the items, as each is ready; an item that
        failed comes with its exception. Ends early, dropping what is under way, once
        `stop()` is true (asked before each item, and while waiting)."""
        ...

    def close(self) -> None:
        """Stop whatever still runs for this transcriber (a cluster's workers)."""
        ...


class LocalTranscriber:
    """The engine in this process: one item after the other, each only once the one before
    was taken, and its segments lazily (the draft job beats its progress on each)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.name = engine.name
        self.model = engine.model

    def each(
        self,
        items: Sequence[K],
        sounds: Callable[[K], list[Sound]],
        options: TranscribeOptions,
        stop: Callable[[], bool],
    ) -> Iterator[tuple[K, Heard]]:
        for item in items:
            if stop():
                return
            try:
                heard: Heard = [self.engine.transcribe(s.samples(), options) for s in sounds(item)]
            except Exception as exc:  # noqa: BLE001 (the caller reports it with the item)
                heard = exc
            yield item, heard

    def close(self) -> None:
        """Nothing to stop: the engine stays loaded for the next job of this process."""


def as_transcriber(engine: Engine | Transcriber) -> Transcriber:
    """`engine` as a transcriber: a transcriber as it is, an engine heard in this process."""
    return engine if isinstance(engine, Transcriber) else LocalTranscriber(engine)
