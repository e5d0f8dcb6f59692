"""Streamlit entry point (`streamlit run streamlit_app.py`): sign-in, the router, the sidebar.

`st.navigation` offers each person the pages of their role; the project picker and the account
box live here, so they are the same on every page. The chosen project (and the editor's
segment) are kept in the URL, so a link, a reload or a new tab opens the same place.
"""

from pathlib import Path

import streamlit as st

from workbench.core.logs import configure_logging
from workbench.core.messages import N_, t
from workbench.core.records import Role
from workbench.ui.common import signed_in
from workbench.ui.cookie import write_token
from workbench.ui.history import one_entry_per_page
from workbench.ui.sidebar import account_box, on_page, project_picker

configure_logging()
# the icon from a file the server serves: a `:material/...:` one is fetched from Google's
# font servers by the browser, which an offline workbench cannot reach
st.set_page_config(
    page_title="Speech workbench",
    page_icon=str(Path(__file__).parent / "workbench" / "ui" / "icon.png"),
    layout="wide",
)

# file, title, icon, roles (None: everyone)
PageSpec = tuple[str, str, str, set[Role] | None]
SECTIONS: dict[str, dict[str, PageSpec]] = {  # section: {url path: the page}
    N_("Work"): {
        "overview": ("workbench/pages/overview.py", N_("Overview"), ":material/home:", None),
        "editor": ("workbench/pages/editor.py", N_("Editor"), ":material/edit_note:", None),
    },
    N_("Review"): {
        "review": (
            "workbench/pages/review.py",
            N_("Review"),
            ":material/fact_check:",
            {Role.REVIEWER, Role.OWNER},
        ),
        "replace": (
            "workbench/pages/replace.py",
            N_("Find & replace"),
            ":material/find_replace:",
            {Role.REVIEWER, Role.OWNER},
        ),
        "audit": (
            "workbench/pages/audit.py",
            N_("Corpus audit"),
            ":material/troubleshoot:",
            {Role.REVIEWER, Role.OWNER},
        ),
    },
    N_("Project"): {
        "dashboard": (
            "workbench/pages/dashboard.py",
            N_("Dashboard"),
            ":material/monitoring:",
            {Role.OWNER},
        ),
        "projects": (
            "workbench/pages/projects.py",
            N_("Projects"),
            ":material/folder_open:",
            {Role.OWNER},
        ),
        "drafts": ("workbench/pages/drafts.py", N_("Drafts"), ":material/smart_toy:", {Role.OWNER}),
        "export": (
            "workbench/pages/export.py",
            N_("Export"),
            ":material/inventory_2:",
            {Role.OWNER},
        ),
        "speakers": (
            "workbench/pages/speakers.py",
            N_("Speakers"),
            ":material/record_voice_over:",
            None,
        ),
    },
    N_("Better drafts"): {
        "draft-quality": (
            "workbench/pages/draft_quality.py",
            N_("Draft quality"),
            ":material/trending_down:",
            {Role.OWNER},
        ),
        "vocabulary": (
            "workbench/pages/vocabulary.py",
            N_("Vocabulary"),
            ":material/spellcheck:",
            {Role.OWNER},
        ),
        "models": (
            "workbench/pages/models.py",
            N_("Models"),
            ":material/model_training:",
            {Role.OWNER},
        ),
    },
    N_("Team"): {
        "team": ("workbench/pages/team.py", N_("Team"), ":material/groups:", {Role.OWNER}),
        "people": ("workbench/pages/people.py", N_("People"), ":material/group:", {Role.OWNER}),
    },
    N_("You"): {
        "account": ("workbench/pages/account.py", N_("Account"), ":material/person:", None)
    },
}
PAGES = {slug: page for pages in SECTIONS.values() for slug, page in pages.items()}

one_entry_per_page()  # first, before a page changes the URL's query
if st.session_state.pop("clear_cookie", False):
    write_token(None, key="cookie_clear")
if token := st.session_state.pop("set_cookie", None):
    value, max_age = token
    write_token(value, max_age, key="cookie_set")

user = signed_in()
if user is None:  # every page's address signs in first, then opens that page (with its link)
    page = st.navigation(
        [
            st.Page(
                "workbench/pages/sign_in.py",
                title=t("Sign in"),
                icon=":material/login:",
                url_path="sign-in",
                default=True,
            )
        ]
        + [
            st.Page("workbench/pages/sign_in.py", title=t("Sign in"), url_path=slug)
            for slug in PAGES
        ],
        position="hidden",
    )
else:
    allowed = {
        section: [
            st.Page(path, title=t(title), icon=icon, url_path=slug, default=slug == "overview")
            for slug, (path, title, icon, roles) in pages.items()
            if roles is None or user.role in roles
        ]
        for section, pages in SECTIONS.items()
    }
    if user.id is None:  # no account yet: the unprotected single-user default
        allowed[N_("You")].append(
            st.Page(
                "workbench/pages/setup.py",
                title=t("Protect this workbench"),
                icon=":material/lock:",
                url_path="setup",
            )
        )
    # grouped by what they are for, and all shown: Streamlit folds a long list after 10 pages
    page = st.navigation(
        {t(section): pages for section, pages in allowed.items() if pages}, expanded=True
    )
    with st.sidebar:
        project_picker(user)
        account_box(user)
    on_page(page.url_path)
page.run()
