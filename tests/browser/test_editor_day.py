"""The transcriptionist's day in headless Chromium, on a long generated recording: the minimap,
zoom levels, go-to, pause and resume, a split at the playhead, the comment saved with Ctrl+Enter,
and word lanes that never overlap. Screenshot: docs/editor_day.png."""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    BROWSER_MARKS,
    DOCS,
    LOOP_AT,
    SECONDS,
    _open,
    _st,
    _wait_key_change,
)
from tests.conftest import ARTIFACTS
from workbench import store

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - skipped by pytestmark
    expect = None

pytestmark = BROWSER_MARKS


def test_minimap_click_and_go_to_a_time(wb, long_project, server, browser_page):
    page = browser_page
    queue, key = _open(page, server, wb, long_project)
    mini = page.locator(".ed-minimap")
    # drawn: some pixel of the status band is not background
    painted = mini.evaluate("""c => { const g = c.getContext('2d');
        const d = g.getImageData(0, c.height - 4, c.width, 1).data;
        let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0) n++; return n; }""")
    assert painted > 0
    box = mini.bounding_box()
    target = queue[40]  # 160 s into 240 s
    page.mouse.click(
        box["x"] + (target["start"] + 1.5) / SECONDS * box["width"], box["y"] + box["height"] / 2
    )
    key = _wait_key_change(page, key)
    assert key == f"{target['id']}-1"
    page.screenshot(path=str(ARTIFACTS / "editor_day_minimap.png"))

    # go to a time by keys: Alt+G, 1:00, Enter
    page.keyboard.press("Alt+g")
    expect(page.locator(".ed-goto")).to_be_focused()
    page.keyboard.type("1:00.5")
    page.keyboard.press("Enter")
    key = _wait_key_change(page, key)
    assert key == f"{queue[15]['id']}-1"  # the segment 60–63 s
    page.keyboard.press("Alt+g")
    page.keyboard.type(f"#{queue[3]['id']}")
    page.keyboard.press("Enter")
    key = _wait_key_change(page, key)
    assert key == f"{queue[3]['id']}-1"


def test_zoom_levels_send_a_wider_view_and_pan(wb, long_project, server, browser_page):
    page = browser_page
    queue, key = _open(page, server, wb, long_project)
    for _ in range(2):  # a segment away from the start: 8–11 s
        page.keyboard.press("Control+ArrowDown")
        key = _wait_key_change(page, key)
    assert key == f"{queue[2]['id']}-1"
    assert _st(page, "el._st.zoom") == [6.0, 13.0]
    page.locator(".ed-text").focus()
    page.keyboard.press("Alt+Shift+Minus")
    expect(page.locator(".ed-zoom-level")).to_have_text("±10 s")
    page.keyboard.press("Alt+Shift+Minus")
    expect(page.locator(".ed-zoom-level")).to_have_text("±30 s")
    page.wait_for_timeout(300)
    assert _st(page, "el._st.zoom") == [0.0, 41.0]
    assert _st(page, "el._st.key") == f"{queue[2]['id']}-1"  # the same segment, text kept
    page.screenshot(path=str(ARTIFACTS / "editor_day_zoomed_out.png"))
    # zoom in within the ±2 s view, then pan with Alt+. and back with Alt+,
    page.keyboard.press("Alt+Shift+Equal")
    expect(page.locator(".ed-zoom-level")).to_have_text("±10 s")
    page.keyboard.press("Alt+Shift+Equal")
    expect(page.locator(".ed-zoom-level")).to_have_text("±2 s")
    page.keyboard.press("Alt+Shift+Equal")
    page.wait_for_timeout(200)
    z0, z1 = _st(page, "el._st.zoom")
    assert z1 - z0 == pytest.approx(3.5, abs=0.01)
    page.keyboard.press("Alt+Period")
    page.wait_for_timeout(200)
    p0, p1 = _st(page, "el._st.zoom")
    assert p0 > z0 and p1 - p0 == pytest.approx(z1 - z0, abs=0.01)
    page.keyboard.press("Alt+Comma")
    page.wait_for_timeout(200)
    assert _st(page, "el._st.zoom")[0] < p0


def test_pause_resumes_where_it_stopped_and_alt_s_splits_there(
    wb, long_project, server, browser_page
):
    page = browser_page
    queue, key = _open(page, server, wb, long_project)
    first = queue[0]
    audio = page.locator(".ed-audio")
    page.keyboard.press("Control+Space")
    expect(audio).to_have_js_property("paused", False)
    page.wait_for_timeout(900)
    page.keyboard.press("Control+Space")
    expect(audio).to_have_js_property("paused", True)
    stopped = audio.evaluate("a => a.currentTime")
    assert stopped > 0.3
    assert _st(page, "el._st.cursor") == pytest.approx(stopped, abs=0.05)  # the cursor followed
    page.keyboard.press("Control+Space")  # resume: from there, not from the segment's start
    expect(audio).to_have_js_property("paused", False)
    resumed = audio.evaluate("a => a.currentTime")
    assert resumed >= stopped - 0.05
    page.wait_for_timeout(400)
    at = _st(page, "el._st.playhead")
    page.keyboard.press("Alt+s")  # split at the playhead, no click
    key = _wait_key_change(page, key)
    segs = sorted(
        (s for s in store.segment_queue(wb.db, long_project.id) if s["start"] < 4.0),
        key=lambda s: s["start"],
    )
    assert len(segs) == 2
    assert segs[0]["id"] == first["id"] and at <= segs[0]["end"] <= at + 0.5
    assert segs[1]["start"] == segs[0]["end"]


def test_comment_typed_then_ctrl_enter_at_once_is_saved(wb, long_project, server, browser_page):
    store.update_project(wb.db, long_project.id, speakers=["Kim Min-ji", "Lee"])
    page = browser_page
    queue, key = _open(page, server, wb, long_project)
    page.locator(".ed-speaker").select_option("Lee")
    page.locator(".ed-segtags button", has_text="noise").click()
    comment = page.locator(".ed-comment")
    comment.click()
    page.keyboard.type("door slam")
    page.keyboard.press("Control+Enter")  # no pause: the comment has not been committed
    key = _wait_key_change(page, key)
    seg = store.get_segment(wb.db, queue[0]["id"])
    assert (seg.speaker, seg.tags, seg.comment, seg.version) == ("Lee", ("noise",), "door slam", 2)
    assert page.locator(".ed-comment").input_value() == ""  # the next segment's own fields


def test_word_lanes_never_overlap_and_far_words_fold(wb, long_project, server, browser_page):
    page = browser_page
    queue, key = _open(page, server, wb, long_project)
    page.keyboard.press("Alt+g")
    page.keyboard.type(f"#{queue[LOOP_AT]['id']}")
    page.keyboard.press("Enter")
    key = _wait_key_change(page, key)
    assert key == f"{queue[LOOP_AT]['id']}-1"
    boxes = [b for b in (s.bounding_box() for s in page.locator(".ed-words span").all()) if b]
    assert len(boxes) >= 4
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["width"] <= b["x"] + 0.5
                or b["x"] + b["width"] <= a["x"] + 0.5
                or a["y"] + a["height"] <= b["y"] + 0.5
                or b["y"] + b["height"] <= a["y"] + 0.5
            )
            assert apart, (a, b)
    expect(page.locator(".ed-fold-before")).to_have_text("◂ +12 words before")
    expect(page.locator(".ed-fold-after")).to_contain_text("+5 words after")
    expect(page.locator(".ed-fold-after")).to_contain_text("too close to show")
    DOCS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)
    page.screenshot(path=str(DOCS / "editor_day.png"))
