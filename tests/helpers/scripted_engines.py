"""Scripted engines that draft the held-out segments with the texts they are given: for the
fine-tune jobs (the newest version perfect or hopeless, as told) and the adaptation ladder;
and an aligner that spreads the words it is given over the audio (the re-timing job)."""

from __future__ import annotations

from workbench import asr, store
from workbench.asr import DraftSegment, NotAligned, TimedWord, Transcript
from workbench.learning.heldout import approved_examples, held_out


class SpreadAligner:
    """Spreads the words evenly over the audio given; refuses audio over `longest` seconds."""

    name, model = "spread", "even"

    def __init__(self, longest: float = 30.0):
        self.longest = longest
        self.calls: list[list[str]] = []

    def align(self, audio, words, language) -> list[TimedWord]:
        self.calls.append(list(words))
        seconds = len(audio) / 16000
        if seconds > self.longest:
            raise NotAligned("too long")
        step = seconds / len(words)
        return [TimedWord(w, i * step, (i + 1) * step, 0.9) for i, w in enumerate(words)]


class Scripted:
    """Answers the given texts in turn (a perfect or a hopeless drafter, as told)."""

    name = "faster-whisper"

    def __init__(self, model: str, texts: list[str]):
        self.model, self.texts, self.calls = model, texts, 0

    def transcribe(self, audio, options) -> Transcript:
        return _transcript(self._next_text(), len(audio) / 16000)

    def _next_text(self) -> str:
        text = self.texts[self.calls % len(self.texts)]
        self.calls += 1
        return text


def _transcript(text: str, end: float) -> Transcript:
    """One drafted segment, 0 to `end` seconds, of `text`."""
    return Transcript("en", iter([DraftSegment(0.0, end, text, -0.2, 0.01, 1.2)]))


def measured_texts(wb, project) -> list[str]:
    return [e.text for e in held_out(approved_examples(wb, project), project.holdout_share)]


def script(monkeypatch, wb, project, new_is_better: bool) -> None:
    """faster-whisper measures: the newest version perfect and any other model hopeless, or
    the other way round."""
    right, wrong = measured_texts(wb, project), ["zzz qqq"]

    def factory(model, models_dir):
        newest = max((v.n for v in store.list_models(wb.db, project.id)), default=0)
        new = str(model).endswith(f"project-{project.id}/v{newest}")
        return Scripted(model, right if new == new_is_better else wrong)

    monkeypatch.setitem(asr.ENGINES, "faster-whisper", factory)
    monkeypatch.setattr(asr, "_loaded", {})


class Drafter(Scripted):
    """Drafts each held-out text in turn: its first word as 'zzz' unless the prompt names
    the term 'Kubectl'; with `model` 'v1' (the fine-tuned one) every word right."""

    def transcribe(self, audio, options) -> Transcript:
        text = self._next_text()
        if "Kubectl" not in (options.initial_prompt or "") and not self.model.endswith("v1"):
            text = " ".join(["zzz", *text.split()[1:]])
        return _transcript(text, 1.0)
