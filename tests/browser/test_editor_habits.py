"""The transcriptionist's habits in headless Chromium, on the long generated recording of
browser/test_editor_day: a new overlap held until saved again, the queue's end, Ctrl+↑ to the
segment just saved, Alt+Z after Alt+Shift+Delete, a stale save side by side, a segment added where
speech no segment covers, and find & replace across the project. Keys where the behaviour is a
key; the store is checked after each. Screenshot: tests/artifacts/editor_habits_stale.png."""

from __future__ import annotations

import re

from tests.browser.helpers import BROWSER_MARKS, _open, _st, _wait_key_change, _wait_value
from tests.conftest import ARTIFACTS
from workbench import store
from workbench.labelling.gaps import speech_gaps
from workbench.labelling.labeller_edits import delete, save_segment
from workbench.ui.common import fmt_seconds

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - skipped by pytestmark
    expect = None

pytestmark = BROWSER_MARKS


def _label_all_but(wb, project, keep: set[int]) -> None:
    """Save every queued segment but those in `keep`, as the local operator (no account)."""
    for q in store.segment_queue(wb.db, project.id):
        if q["id"] not in keep:
            save_segment(wb, q["id"], 1, "done", q["start"], q["end"])


def test_a_save_over_a_neighbour_is_held_then_kept_when_saved_again(
    wb, long_project, server, browser_page
):
    page = browser_page
    queue, _ = _open(page, server, wb, long_project)
    first, second = queue[0], queue[1]  # 0–3 s and 4–7 s
    page.locator(".ed-text").focus()
    for _ in range(22):  # the end 50 ms later each: 3.0 → 4.1 s, 0.1 s into the next one
        page.keyboard.press("Alt+Shift+ArrowRight")
    _wait_value(page, ".ed-end", 4.1, tol=0.002)
    page.keyboard.press("Control+s")
    warning = f"Segment #{first['id']} would overlap segment #{second['id']}"
    expect(page.get_by_text(warning)).to_be_visible()
    expect(page.get_by_text("by 0.10 s")).to_be_visible()
    page.wait_for_timeout(500)
    assert store.get_segment(wb.db, first["id"]).version == 1  # held back
    assert abs(_st(page, "el._st.end") - 4.1) < 0.001  # the bounds typed are kept
    page.keyboard.press("Control+s")  # the same again: kept, an overlap of two speakers
    expect(page.get_by_text(f"Saved segment #{first['id']} (revision 2).")).to_be_visible()
    seg = store.get_segment(wb.db, first["id"])
    assert seg.version == 2 and abs(seg.end - 4.1) < 0.001 and seg.start == 0.0
    assert store.get_segment(wb.db, second["id"]).version == 1  # the neighbour is untouched


def test_ctrl_enter_on_the_last_segment_stays_and_says_all_are_labelled(
    wb, long_project, server, browser_page
):
    queue = store.segment_queue(wb.db, long_project.id)
    last = queue[-1]
    _label_all_but(wb, long_project, {last["id"]})
    page = browser_page
    page.goto(f"{server}/editor")
    expect(page.get_by_text("Segment 1 of 1")).to_be_visible()
    key = _wait_key_change(page, None)
    assert key == f"{last['id']}-1"
    page.locator(".ed-text").fill("the very last words")
    page.keyboard.press("Control+Enter")
    expect(
        page.get_by_text(
            f"Saved segment #{last['id']} (revision 2). That was the last segment of this filter."
        )
    ).to_be_visible()
    expect(
        page.get_by_text(f"All {len(queue)} segments of this filter are labelled.")
    ).to_be_visible()
    page.wait_for_timeout(500)
    assert _st(page, "el._st.key") == f"{last['id']}-2"  # stays on it, never walks back
    expect(
        page.get_by_text(
            f"Segment #{last['id']} · saved, outside this filter (0 left)", exact=False
        )
    ).to_be_visible()
    assert store.segment_view(wb.db, last["id"]).text == "the very last words"


def test_ctrl_up_after_ctrl_enter_reaches_the_segment_just_saved(
    wb, long_project, server, browser_page
):
    page = browser_page
    queue, key = _open(page, server, wb, long_project)
    first = queue[0]
    page.locator(".ed-text").fill("a typo herre")
    page.keyboard.press("Control+Enter")
    key = _wait_key_change(page, key)
    assert key == f"{queue[1]['id']}-1"
    expect(page.get_by_text(f"Segment 1 of {len(queue) - 1}")).to_be_visible()
    page.keyboard.press("Control+ArrowUp")
    key = _wait_key_change(page, key)
    assert key == f"{first['id']}-2"  # although it left the to-do filter
    expect(page.get_by_text("saved, outside this filter", exact=False)).to_be_visible()
    expect(page.locator(".ed-text")).to_have_value("a typo herre")
    page.locator(".ed-text").fill("a typo here")
    page.keyboard.press("Control+s")
    expect(page.get_by_text(f"Saved segment #{first['id']} (revision 3).")).to_be_visible()
    assert store.segment_view(wb.db, first["id"]).text == "a typo here"
    assert store.segment_view(wb.db, queue[1]["id"]).segment.version == 1  # not the next one
    assert _st(page, "el._st.key") == f"{first['id']}-3"


def test_alt_z_right_after_alt_delete_brings_the_segment_back(
    wb, long_project, server, browser_page
):
    page = browser_page
    queue, key = _open(page, server, wb, long_project)
    first = queue[0]
    page.locator(".ed-text").focus()
    page.keyboard.press("Alt+Shift+Delete")
    key = _wait_key_change(page, key)
    assert key == f"{queue[1]['id']}-1"
    expect(page.get_by_text(f"Deleted segment #{first['id']}.", exact=False)).to_be_visible()
    assert store.get_segment(wb.db, first["id"]).status.value == "deleted"
    page.locator(".ed-text").focus()
    page.keyboard.press("Alt+z")
    key = _wait_key_change(page, key)
    assert key == f"{first['id']}-3"  # a delete and a restore: two revisions
    expect(page.get_by_text(f"Segment #{first['id']} is back.")).to_be_visible()
    seg = store.get_segment(wb.db, first["id"])
    assert seg.status.value == "drafted" and (seg.start, seg.end) == (first["start"], first["end"])
    assert store.get_segment(wb.db, queue[1]["id"]).version == 1


def test_a_stale_save_is_refused_and_shows_both_texts(wb, long_project, server, browser_page):
    page = browser_page
    queue, key = _open(page, server, wb, long_project)
    first = queue[0]
    # meanwhile, another session saves it
    save_segment(wb, first["id"], 1, "saved in another tab", first["start"], first["end"])
    page.locator(".ed-text").fill("my own edit")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("Not saved:", exact=False)).to_be_visible()
    expect(page.get_by_text("Your text (not saved; in the editor now", exact=False)).to_be_visible()
    expect(page.get_by_text("my own edit", exact=True)).to_be_visible()
    expect(page.get_by_text("The newer text (saved since you opened it)")).to_be_visible()
    expect(page.get_by_text("saved in another tab", exact=True).first).to_be_visible()
    # it stays on that segment, now at the newer version, with the labeller's own text in the
    # box (as the caption says) to merge the newer text into
    _wait_key_change(page, key)
    assert _st(page, "el._st.key") == f"{first['id']}-2"
    seg_view = store.segment_view(wb.db, first["id"])
    assert (seg_view.text, seg_view.segment.version) == ("saved in another tab", 2)
    assert page.locator(".ed-text").input_value() == "my own edit"
    expect(page.get_by_text("Restored unsaved text", exact=False)).to_be_visible()
    shot = ARTIFACTS / "editor_habits_stale.png"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1300, "height": 1250})  # the two texts below the editor
    page.wait_for_timeout(300)
    page.screenshot(path=str(shot))
    # merged by hand and saved again: now on top of the newer version, nothing lost
    page.locator(".ed-text").fill("my own edit, saved in another tab")
    page.keyboard.press("Control+s")
    expect(page.get_by_text(f"Saved segment #{first['id']} (revision 3).")).to_be_visible()
    assert store.segment_view(wb.db, first["id"]).text == "my own edit, saved in another tab"


def test_speech_no_segment_covers_is_listed_and_a_segment_added_there(
    wb, long_project, server, browser_page
):
    queue = store.segment_queue(wb.db, long_project.id)
    gone = queue[1]  # 4–7 s: its tone bursts are now speech no live segment covers
    delete(wb, gone["id"], 1)
    rec = store.list_recordings(wb.db, long_project.id)[0]
    gaps = speech_gaps(wb, rec)
    inside = _over(gaps, gone)
    assert inside, gaps
    gap = inside[0]
    page = browser_page
    page.goto(f"{server}/editor")
    expect(page.get_by_text(f"Segment 1 of {len(queue) - 1}")).to_be_visible()
    key = _wait_key_change(page, None)
    page.get_by_text(f"Speech no segment covers, within 10 min ({len(gaps)})").click()
    picker = page.get_by_test_id("stSelectbox").filter(has_text="Stretch of speech")
    picker.scroll_into_view_if_needed()
    picker.get_by_role("combobox").click()  # Streamlit's select: type to filter, Enter picks
    page.keyboard.type(f"{fmt_seconds(gap.start)}–{fmt_seconds(gap.end)}")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Add a segment there").click()
    expect(page.get_by_text("type what is said", exact=False)).to_be_visible()
    added = [
        s
        for s in store.segment_queue(wb.db, long_project.id)
        if s["id"] not in {q["id"] for q in queue}
    ]
    assert len(added) == 1
    new = added[0]
    assert (new["start"], new["end"]) == (gap.start, gap.end)
    key = _wait_key_change(page, key)
    assert key == f"{new['id']}-1"  # the editor shows it, ready to type
    # or asks the project's model (the embedded Whisper base, in the server) for its draft:
    # on a tone burst it may hear words or none; either way it says so, and nothing breaks
    page.get_by_role("button", name="Draft it with Whisper").click()
    said = page.get_by_text(re.compile(r"Drafted segment #\d+|not drafted: Whisper heard no words"))
    expect(said).to_be_visible(timeout=120_000)
    view = store.segment_view(wb.db, new["id"])
    if "Drafted" in said.inner_text():
        assert view.draft is not None and view.segment.version == 2
        key = _wait_key_change(page, key)
        assert key == f"{new['id']}-2"
        expect(page.locator(".ed-text")).to_have_value(view.text)
        page.screenshot(path=str(ARTIFACTS / "editor_habits_drafted.png"))
    else:
        assert view.draft is None and view.segment.version == 1
    page.locator(".ed-text").fill("hello there")
    page.keyboard.press("Control+s")
    expect(
        page.get_by_text(f"Saved segment #{new['id']} (revision {view.segment.version + 1}).")
    ).to_be_visible()
    assert store.segment_view(wb.db, new["id"]).text == "hello there"


def test_find_and_replace_previews_then_writes_revisions(wb, long_project, server, browser_page):
    queue = store.segment_queue(wb.db, long_project.id)
    texts = {q["id"]: store.segment_view(wb.db, q["id"]).text for q in queue}
    having = [i for i, text in texts.items() if "w3" in text.split()]
    assert len(having) == len(queue) - 1  # all but the loop
    page = browser_page
    page.goto(f"{server}/replace")
    expect(page.get_by_role("heading", name="Find & replace")).to_be_visible()
    find = page.get_by_role("textbox", name="Find", exact=True)
    replace = page.get_by_role("textbox", name="Replace with", exact=True)
    find.fill("w3")
    find.press("Tab")
    replace.fill("word three")
    replace.press("Tab")
    page.get_by_role("checkbox", name="Whole word").check(force=True)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text(f"{len(having)} segment(s) would change.")).to_be_visible()
    expect(page.get_by_text(f"#{having[0]} ·", exact=False).first).to_be_visible()
    assert all(store.get_segment(wb.db, i).version == 1 for i in having)  # a preview writes nothing
    page.get_by_role("button", name=f"Replace in {len(having)} segment(s)").click()
    expect(page.get_by_text(f"Replaced in {len(having)} segment(s).")).to_be_visible()
    for seg_id in having:
        view = store.segment_view(wb.db, seg_id)
        assert view.segment.version == 2
        assert view.text == texts[seg_id].replace("w3", "word three")
    revisions = store.list_revisions(wb.db, having[0])
    assert len(revisions) == 2 and revisions[0].text != revisions[1].text


def _gap_after_deleting_the_second(wb, project):
    """Delete the second segment (4–7 s) and return (queue before, the gap its speech left)."""
    queue = store.segment_queue(wb.db, project.id)
    gone = queue[1]
    delete(wb, gone["id"], 1)
    rec = store.list_recordings(wb.db, project.id)[0]
    (gap,) = _over(speech_gaps(wb, rec), gone)[:1]
    return queue, gap


def _over(gaps, segment):
    """The gaps over a segment's time: the speech it covered, and any next to it (the tone's
    0.3 s pauses are bridged as pauses inside speech, so the stretch runs on to the next
    segments)."""
    return [g for g in gaps if g.start < segment["end"] and g.end > segment["start"]]


def _new_segment(wb, project, queue):
    added = [
        s for s in store.segment_queue(wb.db, project.id) if s["id"] not in {q["id"] for q in queue}
    ]
    assert len(added) == 1, added
    return added[0]


def test_alt_n_adds_a_segment_over_the_uncovered_speech_after_the_cursor(
    wb, long_project, server, browser_page
):
    queue, _ = _gap_after_deleting_the_second(wb, long_project)
    rec = store.list_recordings(wb.db, long_project.id)[0]
    page = browser_page
    page.goto(f"{server}/editor")
    expect(page.get_by_text(f"Segment 1 of {len(queue) - 1}")).to_be_visible()
    key = _wait_key_change(page, None)
    assert key == f"{queue[0]['id']}-1"  # 0–3 s, shown ±2 s, the cursor at 0 s
    gap = next(g for g in speech_gaps(wb, rec) if g.end > 0.01)  # the first after the cursor
    assert gap.start < 5.0  # in view
    page.locator(".ed-text").focus()
    page.keyboard.press("Alt+n")
    key = _wait_key_change(page, key)
    new = _new_segment(wb, long_project, queue)
    assert (new["start"], new["end"]) == (gap.start, gap.end)
    assert key == f"{new['id']}-1"  # the editor shows it, ready to type
    expect(page.get_by_text(f"Added segment #{new['id']}", exact=False)).to_be_visible()
    page.keyboard.type("typed into the new one")
    page.keyboard.press("Control+s")
    expect(page.get_by_text(f"Saved segment #{new['id']} (revision 2).")).to_be_visible()
    assert store.segment_view(wb.db, new["id"]).text == "typed into the new one"


def test_a_span_dragged_on_the_waveform_becomes_a_segment_with_alt_n(
    wb, long_project, server, browser_page
):
    queue, _ = _gap_after_deleting_the_second(wb, long_project)
    page = browser_page
    page.goto(f"{server}/editor")
    expect(page.get_by_text(f"Segment 1 of {len(queue) - 1}")).to_be_visible()
    key = _wait_key_change(page, None)
    v0, v1 = _st(page, "el._st.zoom")
    box = page.locator(".ed-canvas").bounding_box()

    def at(seconds: float) -> float:
        return box["x"] + (seconds - v0) / (v1 - v0) * box["width"]

    y = box["y"] + box["height"] / 2
    page.mouse.move(at(3.2), y)  # in the silence between the first segment and the deleted one
    page.mouse.down()
    page.mouse.move(at(3.5), y, steps=4)
    page.mouse.move(at(3.8), y, steps=4)
    page.mouse.up()
    expect(page.get_by_text("Alt+N adds a segment there", exact=False)).to_be_visible()
    a, b = _st(page, "el._st.sel")
    assert abs(a - 3.2) < 0.05 and abs(b - 3.8) < 0.05
    page.screenshot(path=str(ARTIFACTS / "editor_habits_select.png"))
    page.keyboard.press("Alt+n")
    key = _wait_key_change(page, key)
    new = _new_segment(wb, long_project, queue)
    assert (new["start"], new["end"]) == (a, b)
    assert key == f"{new['id']}-1"
    assert store.get_segment(wb.db, queue[0]["id"]).version == 1  # the one shown is untouched


def test_a_saved_segment_asked_for_by_number_or_link_opens_itself(
    wb, long_project, server, browser_page
):
    """Once saved, a segment has left the to-do filter; Alt+G #N, the overview and a link
    still open that segment (not the next one of the filter)."""
    page = browser_page
    queue, key = _open(page, server, wb, long_project)
    first, second = queue[0], queue[1]
    page.locator(".ed-text").fill("fixed")
    page.keyboard.press("Control+Enter")
    key = _wait_key_change(page, key)
    assert key == f"{second['id']}-1"
    page.keyboard.press("Alt+g")
    page.keyboard.type(f"#{first['id']}")
    page.keyboard.press("Enter")
    key = _wait_key_change(page, key)
    assert key == f"{first['id']}-2"  # itself, saved, outside the filter
    expect(page.get_by_text("saved, outside this filter", exact=False)).to_be_visible()
    page.goto(f"{server}/editor?segment={first['id']}")  # a link (or a reload) to it
    key = _wait_key_change(page, None)
    assert key == f"{first['id']}-2"


def test_a_span_dragged_over_a_segment_is_not_added(wb, long_project, server, browser_page):
    """The other segments in view are drawn (grey bands); a span over one is refused at once."""
    page = browser_page
    queue, _ = _open(page, server, wb, long_project)
    v0, v1 = _st(page, "el._st.zoom")
    box = page.locator(".ed-canvas").bounding_box()
    y = box["y"] + box["height"] / 2

    def at(seconds: float) -> float:
        return box["x"] + (seconds - v0) / (v1 - v0) * box["width"]

    page.mouse.move(at(3.5), y)  # from the silence into the second segment (4–7 s)
    page.mouse.down()
    page.mouse.move(at(4.5), y, steps=5)
    page.mouse.up()
    expect(page.get_by_text("it overlaps a segment", exact=False)).to_be_visible()
    page.keyboard.press("Alt+n")
    expect(page.get_by_text("The selection overlaps a segment", exact=False)).to_be_visible()
    page.wait_for_timeout(500)
    assert len(store.segment_queue(wb.db, long_project.id)) == len(queue)  # nothing added
