"""Real speech through the embedded Whisper base model, one run per feature: the whole path on
jfk.flac (import, draft, correct through the editor page, export), a long multilingual file
(language detection, batched decoding), per-channel drafting, and the project's prompt.

What a model says depends on the machine (CTranslate2's int8 kernels differ between CPUs), so
these tests assert only what holds for any sensible draft: times in order and inside the
recording, words inside their segments, text where there is speech, flags that match the text,
and the one phrase of jfk.flac every model gets ("ask not what your country can do for you").
What the workbench does with a given draft (flagging loops, per-channel speakers, the prompt
passed on) is tested on constructed drafts in drafts/test_draft_job.py and asr/test_engines.py.
"""

import json
import re
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.conftest import SHARED_AUDIO, needs_shared, open_page
from workbench import store
from workbench.cli import main
from workbench.core.records import Project
from workbench.labelling.flags import FLAG_LABELS, OUTSIDE_SLACK, repeated_ngram
from workbench.projects.settings import Workbench

pytestmark = [needs_shared, pytest.mark.slow]

JFK_PHRASE = "ask not what your country can do for you"


def _words_only(text: str) -> str:
    """Lower case, punctuation gone, single spaces: for comparing with JFK_PHRASE."""
    return " ".join(re.sub(r"[^\w']+", " ", text.lower()).split())


def _drafts(wb: Workbench, project: Project) -> list[dict]:
    """The project's drafts with their speaker, words and flags, in time order."""
    out = []
    for q in store.segment_queue(wb.db, project.id):
        view = store.segment_view(wb.db, q["id"])
        out.append(
            {
                **q,
                "speaker": view.segment.speaker,
                "duration": view.recording.duration,
                "words": view.latest.asr_meta["words"],
                "meta": view.latest.asr_meta,
            }
        )
    return out


def assert_draft_invariants(drafts: list[dict]) -> None:
    """What any sensible draft of speech satisfies, whatever words the model chose."""
    assert drafts, "no drafts"
    for d in drafts:
        assert 0 <= d["start"] < d["end"] <= d["duration"], d
        assert d["text"].strip(), d  # every draft over speech has text
        assert set(d["flags"]) <= set(FLAG_LABELS), d
        assert ("repetition" in d["flags"]) == repeated_ngram(d["text"]), d
        lo, hi = d["start"] - OUTSIDE_SLACK, d["end"] + OUTSIDE_SLACK  # the flags' "inside"
        for w in d["words"]:
            assert 0 <= w["probability"] <= 1 and lo <= w["start"] <= w["end"] <= hi, (w, d)
        starts = [w["start"] for w in d["words"]]
        assert starts == sorted(starts), d
    for speaker in {d["speaker"] for d in drafts}:  # one speaker's drafts follow each other
        own = [d for d in drafts if d["speaker"] == speaker]
        assert all(a["end"] <= b["start"] for a, b in pairwise(own)), own


def _draft_with_base(
    wb: Workbench,
    name: str,
    source: Path,
    language: str = "auto",
    per_channel: bool = False,
    **project: object,
) -> tuple[Project, list[dict]]:
    """Import `source` into a new project and draft it with the embedded model."""
    from workbench.asr import load_engine
    from workbench.drafts.draft_job import draft_recording, options_for
    from workbench.intake.audio_files import import_paths
    from workbench.projects.settings import ensure_project

    found = ensure_project(wb, name, language)
    found = store.update_project(wb.db, found.id, per_channel=per_channel, **project)
    assert import_paths(wb, found, [source]).count("imported") == 1
    recording = store.list_recordings(wb.db, found.id)[0]
    engine = load_engine("faster-whisper", "base", wb.settings.models_dir)
    draft_recording(wb, recording, engine, options_for(found), per_channel=per_channel)
    return found, _drafts(wb, found)


def test_jfk_import_draft_correct_export(home, wb, tmp_path, monkeypatch, capsys):
    assert (
        main(
            [
                "import",
                str(SHARED_AUDIO / "jfk.flac"),
                "--project",
                "jfk",
                "--home",
                str(home),
                "--language",
                "en",
            ]
        )
        == 0
    )
    assert main(["transcribe", "--project", "jfk", "--home", str(home)]) == 0
    project = store.find_project(wb.db, "jfk")
    drafts = _drafts(wb, project)
    assert_draft_invariants(drafts)
    assert JFK_PHRASE in _words_only(" ".join(d["text"] for d in drafts))
    assert all(d["speaker"] is None for d in drafts)
    for d in drafts:
        meta = d["meta"]
        assert (meta["engine"], meta["model"], meta["language"]) == ("faster-whisper", "base", "en")
        assert meta["words"] and meta["flags"] == list(d["flags"])
    queue = store.segment_queue(wb.db, project.id)

    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    at = open_page(home, "workbench/pages/editor.py", project.id, user=("minji", "labeler"))
    seg = store.get_segment(wb.db, queue[0]["id"])
    corrected = "And so, my fellow Americans (corrected): ask not what your country can do for you"
    at.session_state["ed_component"] = {
        "action": {  # what the editor sends on Ctrl+Enter
            "type": "save_next",
            "key": f"{seg.id}-1",
            "segment_id": seg.id,
            "version": 1,
            "text": corrected,
            "start": seg.start,
            "end": seg.end,
            "cursor": 0,
            "nonce": 1,
        }
    }
    at.run()
    assert not at.exception
    assert store.segment_view(wb.db, seg.id).text == corrected
    assert store.segment_view(wb.db, seg.id).latest.author == "minji"

    out = tmp_path / "nemo"
    capsys.readouterr()
    assert main(["export", "--project", "jfk", "--out", str(out), "--home", str(home)]) == 0
    entries = [json.loads(line) for line in (out / "manifest.json").read_text().splitlines()]
    assert len(entries) == 1 and "Americans (corrected)" in entries[0]["text"]
    assert (out / entries[0]["audio_filepath"]).is_file()


def test_long_multilingual_file_drafts_keep_the_invariants(wb):
    """multilingual.mp3 (60 s, language detected, decoded in VAD-chunk batches): whatever the
    model writes, the drafts are well formed and flagged by their own text. That a loop is
    flagged is tested on a constructed draft (drafts/test_draft_job.py): whether Whisper base
    loops on this file depends on the CPU's int8 kernels."""
    project, drafts = _draft_with_base(wb, "ml", SHARED_AUDIO / "multilingual.mp3")
    assert_draft_invariants(drafts)
    assert drafts[-1]["end"] > drafts[0]["duration"] / 2  # the drafts reach past the first window
    recording = store.list_recordings(wb.db, project.id)[0]
    detected = {d["meta"]["language"] for d in drafts}
    assert len(detected) == 1 and recording.language in detected and recording.language.isalpha()


def test_stereo_call_drafts_each_channel_as_its_speaker(wb, tmp_path):
    """A generated call: jfk.flac on channel 1, then the same speech on channel 2 while channel 1
    is silent. Each channel is drafted as its own speaker and its drafts lie where that channel
    speaks (a draft of the mixed audio would cover both halves under one speaker)."""
    speech, rate = sf.read(str(SHARED_AUDIO / "jfk.flac"), dtype="float32", always_2d=True)
    speech = speech.mean(axis=1)
    half = len(speech) / rate
    call = np.zeros((2 * len(speech), 2), dtype=np.float32)
    call[: len(speech), 0] = speech
    call[len(speech) :, 1] = speech
    sf.write(str(tmp_path / "call.wav"), call, rate)

    _, drafts = _draft_with_base(wb, "calls", tmp_path / "call.wav", "en", per_channel=True)
    assert_draft_invariants(drafts)
    by_speaker: dict[str, list[dict]] = {}
    for d in drafts:
        by_speaker.setdefault(d["speaker"], []).append(d)
    assert set(by_speaker) == {"channel 1", "channel 2"}
    slack = 1.0  # VAD padding and boundary snapping may reach a little into the silence
    assert all(d["end"] <= half + slack for d in by_speaker["channel 1"]), by_speaker
    assert all(d["start"] >= half - slack for d in by_speaker["channel 2"]), by_speaker
    for own in by_speaker.values():
        assert JFK_PHRASE in _words_only(" ".join(d["text"] for d in own))


def test_project_prompt_reaches_the_engine(wb, monkeypatch):
    """hotwords.mp3 with the project's prompt: faster-whisper is asked with that prompt (a spy on
    the model), and the drafts are well formed. Whether the model then spells the name as
    prompted is the model's business, not the workbench's."""
    from workbench.asr import load_engine

    engine = load_engine("faster-whisper", "base", wb.settings.models_dir)
    real, asked = engine._model.transcribe, []

    def spy(audio, **kwargs):
        asked.append(kwargs)
        return real(audio, **kwargs)

    monkeypatch.setattr(engine._model, "transcribe", spy)
    _, drafts = _draft_with_base(
        wb, "prompted", SHARED_AUDIO / "hotwords.mp3", "en", prompt="ComfyUI"
    )
    assert [(a["initial_prompt"], a["language"]) for a in asked] == [("ComfyUI", "en")]
    assert asked[0]["word_timestamps"] is True
    assert_draft_invariants(drafts)
