"""End to end in headless Chromium: the editor page, a dragged boundary, an edited transcript, a
save.

Starts `streamlit run streamlit_app.py` on a free port against a workbench home prepared by the
`drafted` fixture, drives it with Playwright, and checks the database afterwards. Screenshots go
to docs/editor.png (used in the README) and tests/artifacts/.
"""

from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.browser.helpers import (
    BROWSER_MARKS,
    DOCS,
    DONE,
    _editor,
    _value,
    _wait_key_change,
    _wait_value,
    expect,
)
from tests.conftest import ARTIFACTS
from workbench import store
from workbench.core.records import Status

pytestmark = BROWSER_MARKS

NEW_TEXT = "corrected by the browser"


def test_editor_drag_nudge_play_and_save_by_keyboard(wb, drafted, server, browser_page):
    page = browser_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    queue = store.segment_queue(wb.db, drafted.id)
    first, total = queue[0], len(queue)
    duration = store.segment_view(wb.db, first["id"]).recording.duration
    v0, v1 = max(0.0, first["start"] - 2.0), min(duration, first["end"] + 2.0)
    box_text = _editor(page, server, total)
    expect(box_text).to_have_value(first["text"])
    expect(box_text).to_be_focused()  # ready to type at once
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "editor_fake.png"))

    # drag the end handle (the red line) to 0.7 s
    canvas = page.locator(".ed-canvas")
    box = canvas.bounding_box()
    px = lambda t: box["x"] + (t - v0) / (v1 - v0) * box["width"]  # noqa: E731
    y = box["y"] + box["height"] / 2
    page.mouse.move(px(first["end"]), y)
    page.mouse.down()
    page.mouse.move(px(first["end"]) - 5, y, steps=3)
    page.mouse.move(px(0.7), y, steps=10)
    page.mouse.up()
    dragged = _wait_value(page, ".ed-end", 0.7)

    # Alt+Shift+Right nudges the end 50 ms later; Alt+Right the start 50 ms later
    box_text.focus()
    page.keyboard.press("Alt+Shift+ArrowRight")
    _wait_value(page, ".ed-end", dragged + 0.05, tol=0.002)
    page.keyboard.press("Alt+ArrowRight")
    _wait_value(page, ".ed-start", 0.05, tol=0.002)

    # Ctrl+Space plays the segment and stops it
    audio = page.locator(".ed-audio")
    page.keyboard.press("Control+Space")
    page.wait_for_function("() => true")
    expect(audio).to_have_js_property("paused", False)
    page.keyboard.press("Control+Space")
    expect(audio).to_have_js_property("paused", True)

    # a key the IME is composing is the IME's: Ctrl+Enter while composing saves nothing
    box_text.evaluate("""el => el.dispatchEvent(new KeyboardEvent('keydown',
        {code: 'Enter', key: 'Enter', ctrlKey: true, isComposing: true, bubbles: true,
         composed: true}))""")
    page.wait_for_timeout(800)
    assert store.get_segment(wb.db, first["id"]).version == 1

    # type and save & next with one keystroke
    box_text.fill(NEW_TEXT)
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text(f"Saved segment #{first['id']} (revision 2).")).to_be_visible()
    expect(page.get_by_text(f"Segment 1 of {total - 1}")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "editor_after_save.png"))
    rev = store.list_revisions(wb.db, first["id"])[-1]
    assert (rev.source, rev.text, rev.author) == ("human", NEW_TEXT, rev.author)
    assert rev.start == pytest.approx(0.05, abs=0.002)
    assert rev.end == pytest.approx(dragged + 0.05, abs=0.002)
    assert rev.active_seconds > 0
    segment = store.get_segment(wb.db, first["id"])
    assert (segment.status, segment.version) == (Status.LABELLED, 2)

    # accepting a correct draft as it is: one keystroke
    second = store.segment_queue(wb.db, drafted.id, statuses=["drafted"])[0]
    expect(page.locator(".ed-text")).to_have_value(second["text"])
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text(f"Saved segment #{second['id']} (revision 2).")).to_be_visible()
    assert store.segment_view(wb.db, second["id"]).text == second["text"]


def test_unsaved_text_survives_a_reload(wb, drafted, server, browser_page):
    page = browser_page
    total = len(store.segment_queue(wb.db, drafted.id))
    box_text = _editor(page, server, total)
    box_text.fill("typed but not saved 한국어")
    page.wait_for_timeout(300)
    page.reload()
    box_text = _editor(page, server, total)
    expect(box_text).to_have_value("typed but not saved 한국어")
    expect(page.locator(".ed-note")).to_contain_text("Restored your unsaved text")


def test_the_browser_asks_nothing_of_the_internet(wb, drafted, server, browser_page):
    """An offline workbench works whole: every request the pages make goes to the server
    (the page icon was once fetched from Google's font servers)."""
    page = browser_page
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    total = len(store.segment_queue(wb.db, drafted.id))
    _editor(page, server, total)
    for path in ("", "/projects", "/drafts", "/draft-quality"):
        page.goto(f"{server}{path}")
        expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
        page.wait_for_timeout(500)
    local = urllib.parse.urlsplit(server).netloc
    outside = [
        u
        for u in asked
        if urllib.parse.urlsplit(u).scheme in ("http", "https", "ws", "wss")
        and urllib.parse.urlsplit(u).netloc != local
    ]
    assert asked and not outside, outside


def test_second_tab_save_is_refused_with_the_newer_text(wb, drafted, server, browser_page):
    page = browser_page
    total = len(store.segment_queue(wb.db, drafted.id))
    first = store.segment_queue(wb.db, drafted.id)[0]
    box_text = _editor(page, server, total)
    other = page.context.new_page()
    other_box = _editor(other, server, total)
    other_box.fill("saved in the other tab")
    other.keyboard.press("Control+s")
    expect(other.get_by_text(f"Saved segment #{first['id']} (revision 2).")).to_be_visible()
    box_text.fill("my late edit")
    page.keyboard.press("Control+s")
    expect(page.get_by_text("saved in the other tab").first).to_be_visible()
    expect(page.get_by_text("was saved since you opened it", exact=False).first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "editor_stale_save.png"))
    assert store.segment_view(wb.db, first["id"]).text == "saved in the other tab"


@pytest.fixture
def jfk_drafted(wb, tmp_path):
    """jfk.flac drafted by the embedded Whisper base model (for the README screenshot)."""
    from tests.conftest import SHARED_AUDIO
    from workbench.cli import main

    if not (SHARED_AUDIO / "jfk.flac").is_file():
        pytest.skip(f"{SHARED_AUDIO / 'jfk.flac'} not found")
    home = str(wb.settings.home)
    assert (
        main(
            [
                "import",
                str(SHARED_AUDIO / "jfk.flac"),
                "--project",
                "JFK inaugural",
                "--language",
                "en",
                "--home",
                home,
            ]
        )
        == 0
    )
    assert main(["transcribe", "--project", "JFK inaugural", "--home", home]) == 0
    return store.find_project(wb.db, "JFK inaugural")


def test_readme_screenshot_of_the_editor(wb, jfk_drafted, server, browser_page):
    """The editor as a signed-in transcriptionist sees it, for the README."""
    from workbench.projects import people

    owner = people.create_first_owner(wb, "olga", "owner-pass-1").user
    minji, _ = people.create_user(
        wb.as_user(owner), "minji", "labeler", "secret-pass", display_name="Kim Min-ji"
    )
    people.set_members(wb.as_user(owner), jfk_drafted.id, [minji.id])
    page = browser_page
    DOCS.mkdir(parents=True, exist_ok=True)
    page.goto(server)
    page.get_by_label("Name").fill("minji")
    page.get_by_label("Password", exact=True).fill("secret-pass")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as Kim Min-ji")).to_be_visible()
    for _ in range(100):  # the page writes the session cookie just after; the next load needs it
        if any(c["name"] == "workbench_session" for c in page.context.cookies()):
            break
        page.wait_for_timeout(100)
    queue = store.segment_queue(wb.db, jfk_drafted.id)
    box_text = _editor(page, server, len(queue))
    expect(box_text).to_have_value(queue[0]["text"])  # the model's words, whatever they are
    page.get_by_text("Keyboard shortcuts").click()
    page.wait_for_timeout(500)
    page.screenshot(path=str(DOCS / "editor.png"))
    shutil.copyfile(DOCS / "editor.png", ARTIFACTS / "editor.png")


def test_upload_and_import_from_the_projects_page(wb, server, browser_page, tmp_path):
    from tests.conftest import tone
    from workbench.projects.settings import ensure_project

    project = ensure_project(wb, "uploads")
    files = [tone(tmp_path / "up" / "one.wav", 1.5), tone(tmp_path / "up" / "two.flac", 2.0)]
    (tmp_path / "up" / "broken.wav").write_text("not audio")
    page = browser_page
    page.goto(f"{server}/projects")
    expect(page.get_by_text(f"Import audio into {project.name}")).to_be_visible()
    page.locator("input[type=file]").set_input_files(
        [str(f) for f in files] + [str(tmp_path / "up" / "broken.wav")]
    )
    expect(page.get_by_text("two.flac")).to_be_visible()
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("2 imported")).to_be_visible()
    expect(page.get_by_text("broken.wav").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "projects_upload.png"), full_page=True)
    names = sorted(r.original_name for r in store.list_recordings(wb.db, project.id))
    assert names == ["one.wav", "two.flac"]


def test_the_whole_path_in_the_browser(wb, server, browser_page, tmp_path):
    """Create a project, upload, draft with the embedded model, correct, export, download."""
    from tests.conftest import SHARED_AUDIO

    if not (SHARED_AUDIO / "jfk.flac").is_file():
        pytest.skip(f"{SHARED_AUDIO / 'jfk.flac'} not found")
    page = browser_page
    page.set_default_timeout(60_000)
    page.goto(f"{server}/projects")
    page.get_by_label("Name", exact=True).fill("Inaugural")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_text("Import audio into Inaugural")).to_be_visible()
    page.locator("input[type=file]").set_input_files(str(SHARED_AUDIO / "jfk.flac"))
    expect(page.get_by_text("jfk.flac").first).to_be_visible()
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("1 imported")).to_be_visible()

    page.get_by_role("link", name="Drafts").click()
    expect(page.get_by_role("heading", name="Drafts")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Start drafts").click()
    expect(page.get_by_text("Last draft job: done")).to_be_visible(timeout=120_000)
    page.screenshot(path=str(ARTIFACTS / "drafts_done.png"), full_page=True)

    page.get_by_role("link", name="Editor").click()
    expect(page.get_by_role("heading", name="Editor")).to_be_visible(timeout=30_000)
    box_text = page.locator(".ed-text")
    first = store.segment_queue(wb.db, store.find_project(wb.db, "Inaugural").id)[0]
    expect(box_text).to_have_value(first["text"])  # the first draft, whatever the model wrote
    box_text.fill("And so, my fellow Americans: ask not what your country can do for you.")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("Saved segment")).to_be_visible()

    page.get_by_role("link", name="Export").click()
    expect(page.get_by_role("heading", name="Past exports")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Export", exact=True).click()
    expect(page.get_by_text("Exported 1 segments")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download zip").first.click()
    target = tmp_path / "corpus.zip"
    download.value.save_as(target)
    page.screenshot(path=str(ARTIFACTS / "export_done.png"), full_page=True)

    import json
    import zipfile

    with zipfile.ZipFile(target) as zf:
        manifest = next(n for n in zf.namelist() if n.endswith("manifest.json"))
        entries = [json.loads(line) for line in zf.read(manifest).decode().splitlines()]
        assert entries[0]["text"].startswith("And so, my fellow Americans:")
        assert any(n.endswith(".wav") for n in zf.namelist())


# Counts, by event type, the listeners that the editor's module (Streamlit names its inline JS
# st-bidi-<component>-<hash>.js) has added and not removed; window.addEventListener is
# EventTarget's, so this sees every target.
LIVE_LISTENERS_JS = """
(() => {
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  const registry = new WeakMap();  // target -> [[type, listener, capture]] added by the editor
  const live = window.__editorListeners = {};
  const capture = (opts) => (typeof opts === "boolean" ? opts : !!(opts && opts.capture));
  const find = (list, type, fn, c) =>
    list.findIndex(([t, f, k]) => t === type && f === fn && k === c);
  EventTarget.prototype.addEventListener = function (type, fn, opts) {
    if (fn && /st-bidi-workbench_segment_editor/.test(new Error().stack || "")) {
      const list = registry.get(this) || [];
      registry.set(this, list);
      if (find(list, type, fn, capture(opts)) < 0) {  // a repeated add is a no-op in the DOM too
        list.push([type, fn, capture(opts)]);
        live[type] = (live[type] || 0) + 1;
      }
    }
    return add.call(this, type, fn, opts);
  };
  EventTarget.prototype.removeEventListener = function (type, fn, opts) {
    const list = registry.get(this) || [], i = find(list, type, fn, capture(opts));
    if (i >= 0) { list.splice(i, 1); live[type] -= 1; }
    return remove.call(this, type, fn, opts);
  };
})();
"""


def _live_listeners(page) -> dict[str, int]:
    counts = page.evaluate("() => ({...window.__editorListeners})")
    types = ("keydown", "resize", "compositionstart", "compositionend")
    return {k: counts.get(k, 0) for k in types}


def test_one_set_of_listeners_across_segments_and_none_after_unmount(
    wb, drafted, server, browser_page
):
    """Listeners added by a render are removed by the next render, and all at unmount."""
    page = browser_page
    page.add_init_script(LIVE_LISTENERS_JS)
    queue = store.segment_queue(wb.db, drafted.id)
    _editor(page, server, len(queue))
    assert page.evaluate("() => window.addEventListener === EventTarget.prototype.addEventListener")
    one = {"keydown": 1, "resize": 1, "compositionstart": 1, "compositionend": 1}
    key = _wait_key_change(page, None)  # the first segment, once the editor has drawn it
    assert key == f"{queue[0]['id']}-1"
    assert _live_listeners(page) == one

    seen = [key]
    for press in ["Control+ArrowDown"] * 3 + ["Control+ArrowUp"]:
        page.keyboard.press(press)
        key = _wait_key_change(page, key)
        seen.append(key)
        assert _live_listeners(page) == one, (seen, _live_listeners(page))
    assert seen == [f"{s['id']}-1" for s in (queue[0], queue[1], queue[2], queue[3], queue[2])]

    page.locator(".ed-text").fill("typed, then a rerun for the draft")
    page.wait_for_timeout(1200)  # the draft state goes to Python after 500 ms: a rerun
    assert _live_listeners(page) == one

    for _ in range(2):  # back to the first: save & next stays on the last one of the queue
        page.keyboard.press("Control+ArrowUp")
        key = _wait_key_change(page, key)
    for _ in range(len(queue) + 2):  # save and next until the queue is empty
        page.keyboard.press("Control+Enter")
        key = _wait_key_change(page, key)
        if not key:
            break
        assert _live_listeners(page) == one, (key, _live_listeners(page))
    expect(page.get_by_text(DONE).first).to_be_visible()
    assert _live_listeners(page) == one  # the last one saved stays on screen
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Overview").click()
    expect(page.locator(".ed-root")).to_have_count(0)
    page.wait_for_timeout(500)
    assert _live_listeners(page) == dict.fromkeys(one, 0)  # the unmount removed them all


def test_titles_and_keys_come_from_the_shortcut_table(wb, drafted, server, browser_page):
    from workbench.labelling.shortcuts import SHORTCUTS

    store.update_project(wb.db, drafted.id, conventions="verbatim-en")  # it has tags
    first = store.segment_queue(wb.db, drafted.id)[0]
    page = browser_page
    total = len(store.segment_queue(wb.db, drafted.id))
    box_text = _editor(page, server, total)
    by_action = {s.action: s for s in SHORTCUTS}
    save_next = by_action["save_next"]
    assert save_next.keys_text == "Ctrl+Enter"
    expect(page.locator(".ed-save-next")).to_have_attribute(
        "title", f"{save_next.label} ({save_next.keys_text})"
    )
    for s in SHORTCUTS:
        for cls in s.controls:
            expect(page.locator(f".{cls}")).to_have_attribute("title", f"{s.label} ({s.keys_text})")
    tag_keys = by_action["tag"].keys
    expect(page.locator(".ed-tags button").nth(1)).to_have_attribute(
        "title", f"laughter ({tag_keys[1].text})"
    )
    page.locator(".ed-save-next").hover()
    page.wait_for_timeout(1500)  # the browser's tooltip, for the screenshot if it draws one
    page.screenshot(path=str(ARTIFACTS / "editor_titles.png"))

    # the keys of the table run their actions: speed, loop, nudge, tags
    speed, loop = page.locator(".ed-speed"), page.locator(".ed-loop")
    box_text.focus()
    page.keyboard.press("Alt+Equal")
    expect(speed).to_have_value("1.25")
    page.keyboard.press("Alt+Minus")
    page.keyboard.press("Alt+Minus")
    expect(speed).to_have_value("0.75")
    page.keyboard.press("Alt+l")
    expect(loop).to_have_class(re.compile(r"\bon\b"))
    end = _value(page, ".ed-end")
    page.keyboard.press("Alt+Shift+ArrowLeft")
    _wait_value(page, ".ed-end", end - 0.05, tol=0.002)
    box_text.fill("w0")
    page.keyboard.press("Alt+2")
    expect(box_text).to_have_value("w0 [laughter] ")  # the space the tag rule wants after it
    page.locator(".ed-tags button").first.click()  # a tag button inserts at the caret too
    expect(box_text).to_have_value("w0 [laughter] [noise] ")
    page.locator(".ed-words span").first.click()  # a word plays from its start
    expect(page.locator(".ed-audio")).to_have_js_property("paused", False)
    page.keyboard.press("Control+Space")
    expect(page.locator(".ed-audio")).to_have_js_property("paused", True)

    # the modifiers must match exactly: Ctrl+Shift+S is not Ctrl+S
    box_text.focus()
    page.keyboard.press("Control+Shift+KeyS")
    page.wait_for_timeout(800)
    assert store.get_segment(wb.db, first["id"]).version == 1
    page.keyboard.press("Control+KeyS")
    expect(page.get_by_text(f"Saved segment #{first['id']} (revision 2).")).to_be_visible()
    assert store.segment_view(wb.db, first["id"]).text == "w0 [laughter] [noise]"  # trimmed
