"""In headless Chromium: the spectrogram under the waveform, lined up with it at every zoom and
kept on across a reload; and a call drafted one speaker per channel in two lanes, where a
dual-mono file of the same project is drafted once and shown in one. Takes the screenshots
docs/spectrogram.png and docs/stereo-lanes.png."""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    BROWSER_MARKS,
    _docs_screenshot,
    _open,
    _st,
    _wait_key_change,
    expect,
)
from tests.conftest import SHARED_AUDIO, needs_shared
from workbench import store

pytestmark = BROWSER_MARKS

# In the page: per pixel column of the visible view, whether the waveform is loud there (a bar
# reaches a fifth of the way up from the middle) and whether the spectrogram is bright at
# 440 Hz (the tone of the generated recording), with the column's time and whether a mark
# (cursor, handle) is drawn there. Both canvases are read back as drawn.
_COLUMNS = """el => {
  const wave = el.querySelector('.ed-canvas'), spec = el.querySelector('.ed-spec');
  const st = el._st, [z0, z1] = st.zoom, w = wave.width, dpr = window.devicePixelRatio || 1;
  const row = (c, y) => c.getContext('2d').getImageData(0, Math.round(y), c.width, 1).data;
  const wy = row(wave, wave.height / 2 - 0.2 * wave.height / 2);
  const sy = row(spec, spec.height * (1 - (440 / 8000)));
  const bar = (d, i) => [[37, 99, 235], [148, 163, 184]].some(
    ([r, g, b]) => Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 12);
  const marks = [st.start, st.end, st.cursor].map((t) => ((t - z0) / (z1 - z0)) * w);
  const out = [];
  for (let px = 0; px < w; px++) {
    out.push([z0 + ((px + 0.5) / w) * (z1 - z0), bar(wy, px * 4),
      sy[px * 4] + sy[px * 4 + 1] + sy[px * 4 + 2] > 330,
      marks.some((m) => Math.abs(m - px) < 4 * dpr)]);
  }
  return out;
}"""


def _spectrum_ready(page) -> None:
    """Wait until the browser has computed the spectrogram of the segment shown (and drew it)."""
    ready = "!!(el._win.spectra && [...el._win.spectra.values()].some((e) => e.spec))"
    for _ in range(200):
        if _st(page, ready):
            page.wait_for_timeout(300)  # drawn on the next frame
            return
        page.wait_for_timeout(100)
    raise AssertionError("no spectrogram after 20 s")


def _lined_up(page) -> None:
    """The spectrogram is where the waveform is: over the audio sent, the tone's bursts are
    bright in the one where they are loud in the other; beyond it (peaks only) it is dark."""
    columns = page.locator(".ed-root").first.evaluate(_COLUMNS)
    a0, a1 = _st(page, "el._win.cache.get(el._st.key).audio_span")
    inside = [c for c in columns if a0 + 0.02 < c[0] < a1 - 0.02 and not c[3]]
    outside = [c for c in columns if (c[0] < a0 - 0.02 or c[0] > a1 + 0.02) and not c[3]]
    loud = [c for c in inside if c[1]]
    assert loud and len(loud) < len(inside)  # bursts and gaps both in view
    agree = sum(c[1] == c[2] for c in inside) / len(inside)
    assert agree > 0.95, f"{agree:.1%} of columns agree"
    assert not any(c[2] for c in outside)
    wave, spec = page.locator(".ed-canvas"), page.locator(".ed-spec")
    a, b = wave.bounding_box(), spec.bounding_box()
    assert (a["x"], a["width"]) == (b["x"], b["width"])


def test_the_spectrogram_lines_up_with_the_waveform_at_every_zoom(
    wb, long_project, server, browser_page
):
    page = browser_page
    _, key = _open(page, server, wb, long_project)
    expect(page.locator(".ed-spec")).to_be_hidden()  # off until the user turns it on
    assert _st(page, "el._win.spectra") is None  # and nothing was computed
    for _ in range(2):  # a segment away from the start: 8–11 s, its audio 6–13 s
        page.keyboard.press("Control+ArrowDown")
        key = _wait_key_change(page, key)
    page.get_by_text("Spectrogram", exact=True).click()
    expect(page.locator(".ed-spec")).to_be_visible()
    _spectrum_ready(page)
    _lined_up(page)  # ±2 s: the audio fills the view

    page.locator(".ed-text").focus()
    page.keyboard.press("Alt+Shift+Minus")
    expect(page.locator(".ed-zoom-level")).to_have_text("±10 s")
    page.wait_for_timeout(500)
    assert _st(page, "el._st.zoom") == [0.0, 21.0]
    _lined_up(page)  # ±10 s: the audio is a third of the view, peaks beyond

    page.keyboard.press("Alt+Shift+Equal")
    expect(page.locator(".ed-zoom-level")).to_have_text("±2 s")
    page.keyboard.press("Alt+Shift+Equal")  # closer, within the audio sent
    page.wait_for_timeout(500)
    z0, z1 = _st(page, "el._st.zoom")
    assert z1 - z0 == pytest.approx(3.5, abs=0.01)
    _lined_up(page)

    page.reload()  # kept for this user: on at once in a new session
    expect(page.locator(".ed-spec")).to_be_visible()
    assert store.get_prefs(wb.db, "local").get("editor:spectrogram") is True


@pytest.mark.slow
@needs_shared
def test_a_call_in_two_lanes_and_dual_mono_in_one(wb, server, browser_page):
    """One project drafting one speaker per channel, with the embedded model: jfk.flac (one
    voice saved as stereo) is drafted once; stereo_diarization.wav (a speaker a channel,
    talking over each other) is drafted per channel and shown in two lanes."""
    from workbench.asr import load_engine
    from workbench.drafts.draft_job import options_for, run_draft_job, start_draft_job
    from workbench.intake.audio_files import import_paths
    from workbench.projects.settings import ensure_project

    project = store.update_project(wb.db, ensure_project(wb, "calls", "en").id, per_channel=True)
    import_paths(wb, project, [SHARED_AUDIO / "jfk.flac", SHARED_AUDIO / "stereo_diarization.wav"])
    engine = load_engine(project.asr_engine, project.asr_model, wb.settings.models_dir)
    run_draft_job(wb, start_draft_job(wb, project, {}), engine, options_for(project))
    jfk, call = sorted(store.list_recordings(wb.db, project.id), key=lambda r: r.original_name)
    speakers = {
        rec.original_name: {
            store.get_segment(wb.db, q["id"]).speaker
            for q in store.segment_queue(wb.db, project.id, recording_id=rec.id)
        }
        for rec in (jfk, call)
    }
    assert speakers == {"jfk.flac": {None}, "stereo_diarization.wav": {"channel 1", "channel 2"}}

    page = browser_page
    page.goto(f"{server}/editor?project={project.id}")
    expect(page.get_by_text("jfk.flac ·", exact=False)).to_be_visible()
    page.get_by_text("Spectrogram", exact=True).click()
    _spectrum_ready(page)
    expect(page.locator(".ed-lanes")).to_be_hidden()  # dual mono: one lane, the waveform
    _docs_screenshot(page, "spectrogram.png")

    first = store.segment_queue(wb.db, project.id, recording_id=call.id)[0]
    page.goto(f"{server}/editor?project={project.id}&segment={first['id']}")
    expect(page.get_by_text("stereo_diarization.wav ·", exact=False)).to_be_visible()
    lanes = page.locator(".ed-lanes")
    expect(lanes).to_be_visible()
    box, wave = lanes.bounding_box(), page.locator(".ed-canvas").bounding_box()
    assert (box["x"], box["width"], box["height"]) == (wave["x"], wave["width"], 88)
    shown = _st(page, "el._win.cache.get(el._st.key)")
    assert shown["lanes"]["names"] == ["channel 1", "channel 2"]
    lanes_of = {seg_id: lane for _, _, lane, seg_id in shown["lane_segments"]}
    for q in store.segment_queue(wb.db, project.id, recording_id=call.id):
        speaker = store.get_segment(wb.db, q["id"]).speaker
        if q["start"] < shown["view"][1] and q["end"] > shown["view"][0]:
            assert lanes_of[q["id"]] == int(speaker.split()[-1]) - 1
    assert {0, 1} <= set(lanes_of.values())  # both speakers in view: who talks over whom
    _spectrum_ready(page)
    _docs_screenshot(page, "stereo-lanes.png")
