"""The editor's views beside the waveform (AppTest): the spectrogram toggle, kept per user, and
a call drafted one speaker per channel sent as lanes (each channel's peaks and segments)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from tests.conftest import open_page, tone
from workbench import store
from workbench.audio import unpack_peaks
from workbench.intake.audio_files import import_paths
from workbench.projects.settings import ensure_project

EDITOR = "workbench/pages/editor.py"
RATE = 16000


def _data(at) -> dict:
    """The component's data as the page sent it."""
    (editor,) = [e for e in at.get("bidi_component") if e.proto.component_name.endswith("editor")]
    return json.loads(editor.proto.json)


@pytest.fixture
def call_project(wb, tmp_path):
    """A per-channel project with a 4 s call: the left speaks 0–2 s, the right 1.5–4 s, one
    drafted segment each (as "channel 1" and "channel 2") and one added by hand (no speaker)
    over the right's speech."""
    t = np.arange(4 * RATE) / RATE
    left = np.where(t < 2.0, 0.4 * np.sin(2 * np.pi * 300 * t), 0.0)
    right = np.where(t >= 1.5, 0.4 * np.sin(2 * np.pi * 500 * t), 0.0)
    sf.write(tmp_path / "call.wav", np.stack([left, right], axis=1).astype(np.float32), RATE)
    project = store.update_project(wb.db, ensure_project(wb, "calls").id, per_channel=True)
    import_paths(wb, project, [tmp_path / "call.wav"])
    rec = store.list_recordings(wb.db, project.id)[0]
    drafts = [
        {"start": 0.0, "end": 2.0, "text": "left", "speaker": "channel 1"},
        {"start": 1.5, "end": 3.0, "text": "right", "speaker": "channel 2"},
        {"start": 3.1, "end": 3.9, "text": "added"},
    ]
    store.add_drafted_segments(wb.db, rec.id, drafts, author="t")
    return project


def test_the_spectrogram_toggle_is_kept_per_user(home, wb, drafted):
    at = open_page(home, EDITOR, drafted.id, user=("lena", "labeler"))
    assert not at.exception
    assert at.toggle(key="ed_spectrogram").value is False
    assert _data(at)["spectrogram"] is False  # off: the browser decodes and computes nothing

    at.toggle(key="ed_spectrogram").set_value(True).run()
    assert not at.exception
    assert _data(at)["spectrogram"] is True
    assert store.get_prefs(wb.db, "lena")["editor:spectrogram"] is True

    again = open_page(home, EDITOR, drafted.id, user=("lena", "labeler"))  # a new session
    assert again.toggle(key="ed_spectrogram").value is True
    assert _data(again)["spectrogram"] is True
    other = open_page(home, EDITOR, drafted.id, user=("mia", "labeler"))
    assert other.toggle(key="ed_spectrogram").value is False

    again.toggle(key="ed_spectrogram").set_value(False).run()
    assert store.get_prefs(wb.db, "lena")["editor:spectrogram"] is False


def test_a_call_drafted_per_channel_is_sent_as_lanes(home, wb, call_project):
    at = open_page(home, EDITOR, call_project.id)
    assert not at.exception
    data = _data(at)
    lanes = data["lanes"]
    assert lanes["names"] == ["channel 1", "channel 2"]
    peaks = [unpack_peaks(p) for p in lanes["peaks"]]
    assert [len(p) for p in peaks] == [len(unpack_peaks(data["peaks"]))] * 2  # the same windows
    loud = [np.ptp(p, axis=1) for p in peaks]
    assert loud[0][:150].mean() > 0.5 and loud[0][-80:].max() == 0  # the left, 0–2 s
    assert loud[1][:100].max() == 0 and loud[1][-80:].mean() > 0.5  # the right, 1.5–4 s
    by_text = {
        store.segment_view(wb.db, seg_id).text: lane for _, _, lane, seg_id in data["lane_segments"]
    }
    assert by_text == {"left": 0, "right": 1, "added": 1}  # the added one: where it is loud
    # the next segments of the window carry their lanes too
    assert data["window"] and all("lanes" in i and "lane_segments" in i for i in data["window"])


def test_a_recording_of_one_channel_has_no_lanes(home, wb, drafted, tmp_path):
    store.update_project(wb.db, drafted.id, per_channel=True)
    at = open_page(home, EDITOR, drafted.id)
    data = _data(at)
    assert "lanes" not in data and "lane_segments" not in data


def test_without_per_channel_a_call_has_no_lanes(home, wb, call_project):
    store.update_project(wb.db, call_project.id, per_channel=False)
    data = _data(open_page(home, EDITOR, call_project.id))
    assert "lanes" not in data


def test_a_dual_mono_file_has_no_lanes(home, wb, tmp_path):
    project = store.update_project(wb.db, ensure_project(wb, "dual").id, per_channel=True)
    import_paths(wb, project, [tone(tmp_path / "dual.wav", 3.0, channels=2)])
    rec = store.list_recordings(wb.db, project.id)[0]
    store.add_drafted_segments(wb.db, rec.id, [{"start": 0.0, "end": 1.0, "text": "x"}], "t")
    assert "lanes" not in _data(open_page(home, EDITOR, project.id))


def test_each_zoom_level_sends_its_own_peaks(home, wb, tmp_path):
    """A wider zoom level of the segment shown sends the peaks of that view: the browser's
    copy of the segment holds the narrower view's, which drawn over the wider view would put
    the waveform (and all that lines up with it) in the wrong place."""
    project = ensure_project(wb, "long")
    import_paths(wb, project, [tone(tmp_path / "long.wav", 40.0)])
    rec = store.list_recordings(wb.db, project.id)[0]
    drafts = [{"start": s, "end": s + 3.0, "text": f"at {s}"} for s in (15.0, 20.0)]
    store.add_drafted_segments(wb.db, rec.id, drafts, author="t")
    at = open_page(home, EDITOR, project.id)
    first = _data(at)
    assert first["view"] == [13.0, 20.0] and len(unpack_peaks(first["peaks"])) == 700
    seg = store.get_segment(wb.db, at.session_state["ed_current"])
    for nonce, context, view in [(1, 10.0, [5.0, 28.0]), (2, 2.0, [13.0, 20.0])]:
        at.session_state["ed_component"] = {
            "action": {
                "type": "context",
                "key": f"{seg.id}-{seg.version}",
                "segment_id": seg.id,
                "context": context,
                "nonce": nonce,
                "actions": [
                    {"type": "context", "segment_id": seg.id, "context": context, "nonce": nonce}
                ],
            }
        }
        data = _data(at.run())
        assert data["view"] == view
        assert "ref" not in data and len(unpack_peaks(data["peaks"])) == round(
            (view[1] - view[0]) * 100
        )
    at.run()  # nothing changed since: the browser holds this level, a reference will do
    assert _data(at)["ref"] == f"{seg.id}-{seg.version}" and "peaks" not in _data(at)


def test_the_minimap_goes_whole_once_then_only_the_users_edits(home, wb, drafted):
    at = open_page(home, EDITOR, drafted.id, user=("lena", "labeler"))
    first = _data(at)["minimap"]
    assert first["peaks"] and first["columns"] and first["recording_id"]
    again = _data(at.run())["minimap"]  # the browser holds it: the user's edits only
    assert again == {"recording_id": first["recording_id"], "edits": first["edits"]}
    seg = at.session_state["ed_current"]
    at.session_state["ed_component"] = {  # a browser that lost what it held asks again
        "action": {
            "type": "refresh",
            "segment_id": seg,
            "nonce": 1,
            "actions": [{"type": "refresh", "segment_id": seg, "nonce": 1}],
        }
    }
    assert _data(at.run())["minimap"]["peaks"] == first["peaks"]
