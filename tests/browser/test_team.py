"""In headless Chromium: state that follows the user (URL, forms keyed by project, filters kept)
and sign-in with roles, each person seeing only the pages of their role."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import BROWSER_MARKS, _sign_in, expect
from tests.conftest import ARTIFACTS
from workbench import store
from workbench.projects import people
from workbench.projects.settings import ensure_project

pytestmark = BROWSER_MARKS


def _pick_project(page, name: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("combobox").click()
    page.get_by_role("option", name=name).click()


def test_settings_follow_the_project_chosen_in_the_sidebar(wb, server, browser_page):
    ko = ensure_project(wb, "Korean calls", "ko", "kspon")
    en = ensure_project(wb, "English", "en", "plain")
    # the English interface (a Korean project's members who never chose one see Korean)
    store.update_project(wb.db, ko.id, guidelines="숫자는 한글로", interface_language="en")
    page = browser_page
    page.goto(f"{server}/projects?project={en.id}")
    expect(page.get_by_text("Import audio into English")).to_be_visible()
    page.get_by_text("Settings: conventions, speakers, guidelines").click()
    expect(page.get_by_label(re.compile("^Guidelines for labellers"))).to_have_value("")
    _pick_project(page, "Korean calls")
    expect(page.get_by_text("Import audio into Korean calls")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"project={ko.id}"))
    guidelines = page.get_by_label(re.compile("^Guidelines for labellers"))
    expect(guidelines).to_have_count(1)  # the previous project's form is gone
    expect(guidelines).to_have_value("숫자는 한글로")
    speakers = page.get_by_label("Speakers (comma-separated)")
    expect(speakers).to_have_count(1)
    speakers.fill("A, B")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "settings_follow_project.png"), full_page=True)
    ko, en = store.get_project(wb.db, ko.id), store.get_project(wb.db, en.id)
    assert (ko.conventions, ko.guidelines, ko.speakers) == ("kspon", "숫자는 한글로", ("A", "B"))
    assert (en.conventions, en.guidelines, en.speakers) == ("plain", None, ())


def test_a_reload_and_a_new_tab_open_the_same_project_and_segment(
    wb, drafted, server, browser_page
):
    ensure_project(wb, "aaa first by name")
    page = browser_page
    page.goto(f"{server}/editor?project={drafted.id}")
    expect(page.get_by_text("Segment 1 of 6")).to_be_visible()
    page.locator(".ed-text").click()
    page.keyboard.press("Control+ArrowDown")
    expect(page.get_by_text("Segment 2 of 6")).to_be_visible()
    page.locator(".ed-text").click()  # the new segment's box: keys go to the editor
    page.keyboard.press("Control+ArrowDown")
    expect(page.get_by_text("Segment 3 of 6")).to_be_visible()
    third = store.segment_queue(wb.db, drafted.id)[2]["id"]
    expect(page).to_have_url(re.compile(rf"segment={third}"))
    page.reload()
    expect(page.get_by_text("Segment 3 of 6")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "editor_after_reload.png"), full_page=True)
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.get_by_text("Segment 3 of 6")).to_be_visible()
    expect(other).to_have_url(re.compile(rf"project={drafted.id}"))


def test_creating_a_project_switches_to_it(wb, server, browser_page):
    ensure_project(wb, "aaa old")
    page = browser_page
    page.goto(f"{server}/projects")
    page.get_by_text("New project").click()
    page.get_by_label("Name", exact=True).fill("zzz new")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_text("Import audio into zzz new")).to_be_visible()
    new = store.find_project(wb.db, "zzz new")
    expect(page).to_have_url(re.compile(rf"project={new.id}"))


def test_editor_filters_survive_leaving_the_page(wb, drafted, server, browser_page):
    page = browser_page
    page.goto(f"{server}/editor?project={drafted.id}")
    expect(page.get_by_text("Segment 1 of 6")).to_be_visible()
    page.get_by_text("Flagged only").click()
    page.wait_for_timeout(800)
    page.get_by_test_id("stSidebar").get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name="Speech workbench")).to_be_visible()
    page.get_by_test_id("stSidebar").get_by_role("link", name="Editor").click()
    expect(page.get_by_role("checkbox", name="Flagged only")).to_be_checked()


@pytest.fixture
def team(wb, drafted):
    owner = people.create_first_owner(wb, "olga", "owner-pass-1").user
    as_owner = wb.as_user(owner)
    other = ensure_project(as_owner, "other project")
    for name, role in (("rita", "reviewer"), ("lena", "labeler")):
        people.create_user(as_owner, name, role, "secret-pass")
        people.set_members(
            as_owner, drafted.id, [u.id for u in store.list_users(wb.db) if u.role.value != "owner"]
        )
    return {"demo": drafted, "other": other}


@pytest.mark.parametrize(
    "who,password,pages",
    [
        (
            "olga",
            "owner-pass-1",
            [
                "Overview",
                "Editor",
                "Review",
                "Find & replace",
                "Corpus audit",
                "Dashboard",
                "Projects",
                "Drafts",
                "Export",
                "Speakers",
                "Draft quality",
                "Vocabulary",
                "Models",
                "Team",
                "People",
                "Account",
            ],
        ),
        (
            "rita",
            "secret-pass",
            [
                "Overview",
                "Editor",
                "Review",
                "Find & replace",
                "Corpus audit",
                "Speakers",
                "Account",
            ],
        ),
        ("lena", "secret-pass", ["Overview", "Editor", "Speakers", "Account"]),
    ],
)
def test_each_role_signs_in_and_sees_only_its_pages(
    wb, team, server, browser_page, who, password, pages
):
    page = browser_page
    page.goto(f"{server}/export")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Past exports")).to_have_count(0)
    _sign_in(page, server, who, password)
    expect(
        page.get_by_test_id("stSidebarNav").get_by_text(re.compile(r"View \d+ more"))
    ).to_have_count(0)  # grouped, and all shown
    links = page.get_by_test_id("stSidebarNav").get_by_role("link")
    expect(links).to_have_count(len(pages))
    assert [" ".join(t.split()[1:]) for t in links.all_inner_texts()] == pages  # after the icon
    page.screenshot(path=str(ARTIFACTS / f"signed_in_{who}.png"), full_page=True)
    page.goto(f"{server}/export")
    if "Export" in pages:
        expect(page.get_by_text("Past exports")).to_be_visible()
    else:  # Streamlit says the page is not there, and shows the overview
        expect(page.get_by_text("Page not found")).to_be_visible()
        expect(page.get_by_text("Past exports")).to_have_count(0)
        page.screenshot(path=str(ARTIFACTS / f"export_refused_{who}.png"), full_page=True)
        page.goto(server)
    page.get_by_test_id("stSidebar").get_by_role("combobox").click()
    options = page.get_by_role("option").all_inner_texts()
    expected = ["demo", "other project"] if who == "olga" else ["demo"]
    assert sorted(o.strip() for o in options) == expected
    page.keyboard.press("Escape")
    page.reload()  # the session cookie keeps them signed in
    expect(page.get_by_text(re.compile(f"Signed in as {who}"))).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_signing_out_in_one_tab_stops_saves_from_another(wb, team, server, browser_page):
    page = browser_page
    _sign_in(page, server, "lena", "secret-pass")
    demo = team["demo"]
    page.goto(f"{server}/editor?project={demo.id}")
    expect(page.get_by_text("Segment 1 of 6")).to_be_visible()
    other = page.context.new_page()  # the same browser: the same session cookie
    other.goto(server)
    other.get_by_role("button", name="Sign out").click()
    expect(other.get_by_role("button", name="Sign in")).to_be_visible()
    first = store.segment_queue(wb.db, demo.id)[0]["id"]
    box = page.locator(".ed-text")
    box.fill("saved after signing out")
    page.keyboard.press("Control+s")
    expect(page.get_by_text("Your session has ended")).to_be_visible()
    assert store.get_segment(wb.db, first).version == 1
    page.goto(server)  # and signing out from the editor itself works too
    _sign_in(page, server, "lena", "secret-pass")
    page.goto(f"{server}/editor?project={demo.id}")
    expect(page.get_by_text("Segment 1 of 6")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("KeyError")).to_have_count(0)


def test_a_link_opened_signed_out_signs_in_then_opens_its_segment(
    wb, drafted, server, browser_page
):
    """A link to a segment, opened before signing in, shows the sign-in form (not 'page not
    found') and, once signed in, that page and segment."""
    people.create_first_owner(wb, "olga", "owner-pass-1")
    queue = store.segment_queue(wb.db, drafted.id)
    target = queue[2]["id"]
    page = browser_page
    page.goto(f"{server}/editor?project={drafted.id}&segment={target}")
    page.get_by_label("Name").fill("olga")
    expect(page.get_by_text("Page not found")).to_have_count(0)
    page.get_by_label("Password", exact=True).fill("owner-pass-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Editor")).to_be_visible()
    expect(page.get_by_text(f"Segment 3 of {len(queue)}")).to_be_visible()
    key = page.locator(".ed-root").first.evaluate("el => el._st && el._st.key")
    assert key is None or key.startswith(f"{target}-")
