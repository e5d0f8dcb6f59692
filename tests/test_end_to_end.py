"""The whole path on real speech: import jfk.flac, draft with the embedded Whisper base model,
correct a segment through the editor page, export a NeMo manifest."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from workbench import store
from workbench.cli import main

from tests.conftest import SHARED_AUDIO, needs_shared

pytestmark = [needs_shared, pytest.mark.slow]


def test_jfk_import_draft_correct_export(home, wb, tmp_path, monkeypatch, capsys):
    assert main(["import", str(SHARED_AUDIO / "jfk.flac"), "--project", "jfk", "--home", str(home),
                 "--language", "en"]) == 0
    assert main(["transcribe", "--project", "jfk", "--home", str(home)]) == 0
    project = store.find_project(wb.db, "jfk")
    queue = store.segment_queue(wb.db, project.id)
    draft = " ".join(q["text"] for q in queue).lower()
    assert "ask not what your country can do for you" in draft
    view = store.segment_view(wb.db, queue[0]["id"])
    meta = view.latest.asr_meta
    assert meta["engine"] == "faster-whisper" and meta["model"] == "base" and meta["language"] == "en"
    assert meta["words"] and all(0 <= w["probability"] <= 1 for w in meta["words"])
    assert all(a["start"] <= b["start"] for a, b in zip(meta["words"], meta["words"][1:]))

    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    at = AppTest.from_file(str(Path(__file__).parents[1] / "workbench/pages/editor.py"),
                           default_timeout=60)
    at.session_state["project_id"] = project.id
    at.session_state["author"] = "transcriber"
    at.run()
    seg = store.get_segment(wb.db, queue[0]["id"])
    corrected = queue[0]["text"].replace("Americans", "Americans (corrected)")
    at.session_state["ed_component"] = {"action": {  # what the editor sends on Ctrl+Enter
        "type": "save_next", "key": f"{seg.id}-1", "segment_id": seg.id, "version": 1,
        "text": corrected, "start": seg.start, "end": seg.end, "cursor": 0, "nonce": 1}}
    at.run()
    assert not at.exception
    assert store.segment_view(wb.db, seg.id).text == corrected

    out = tmp_path / "nemo"
    capsys.readouterr()
    assert main(["export", "--project", "jfk", "--out", str(out), "--home", str(home)]) == 0
    entries = [json.loads(line) for line in (out / "manifest.json").read_text().splitlines()]
    assert len(entries) == 1 and "Americans (corrected)" in entries[0]["text"]
    assert (out / entries[0]["audio_filepath"]).is_file()


def test_multilingual_loop_is_flagged(wb):
    """Whisper base loops on multilingual.mp3 when decoding sequentially: the loop is flagged."""
    from workbench.asr import load_engine
    from workbench.drafting import draft_recording, options_for
    from workbench.importing import import_paths
    from workbench.service import ensure_project

    project = ensure_project(wb, "ml")
    import_paths(wb, project, [SHARED_AUDIO / "multilingual.mp3"])
    recording = store.list_recordings(wb.db, project.id)[0]
    engine = load_engine("faster-whisper", "base", wb.settings.models_dir)
    draft_recording(wb, recording, engine, options_for(project, batch_size=0))
    queue = store.segment_queue(wb.db, project.id)
    looping = [q for q in queue if "above copyright notice and the above" in q["text"].lower()]
    assert looping, [q["text"] for q in queue]
    assert all("repetition" in q["flags"] for q in looping)
    # the English part before the loop is clean
    assert "repetition" not in queue[0]["flags"]


def test_stereo_call_drafts_each_channel_as_its_speaker(wb):
    """stereo_diarization.wav: one speaker per channel, drafted channel by channel."""
    from workbench.asr import load_engine
    from workbench.drafting import draft_recording, options_for
    from workbench.importing import import_paths
    from workbench.service import ensure_project

    project = ensure_project(wb, "calls", "en")
    project = store.update_project(wb.db, project.id, per_channel=True)
    import_paths(wb, project, [SHARED_AUDIO / "stereo_diarization.wav"])
    recording = store.list_recordings(wb.db, project.id)[0]
    engine = load_engine("faster-whisper", "base", wb.settings.models_dir)
    draft_recording(wb, recording, engine, options_for(project), per_channel=True)
    by_speaker: dict[str, str] = {}
    for q in store.segment_queue(wb.db, project.id):
        speaker = store.get_segment(wb.db, q["id"]).speaker
        by_speaker[speaker] = f"{by_speaker.get(speaker, '')} {q['text']}".lower()
    assert set(by_speaker) == {"channel 1", "channel 2"}
    assert "wizard" in by_speaker["channel 1"] and "horizon" not in by_speaker["channel 1"]
    assert "horizon" in by_speaker["channel 2"] and "wizard" not in by_speaker["channel 2"]


def test_project_prompt_reaches_the_engine(wb):
    """hotwords.mp3 names the product "ComfyUI"; the project's prompt carries the spelling."""
    from workbench.asr import load_engine
    from workbench.drafting import draft_recording, options_for
    from workbench.importing import import_paths
    from workbench.service import ensure_project

    project = ensure_project(wb, "prompted", "en")
    project = store.update_project(wb.db, project.id, prompt="ComfyUI")
    import_paths(wb, project, [SHARED_AUDIO / "hotwords.mp3"])
    recording = store.list_recordings(wb.db, project.id)[0]
    engine = load_engine("faster-whisper", "base", wb.settings.models_dir)
    draft_recording(wb, recording, engine, options_for(project))
    text = " ".join(q["text"] for q in store.segment_queue(wb.db, project.id))
    assert "ComfyUI" in text, text
