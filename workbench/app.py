"""Streamlit entry point (`streamlit run workbench/app.py`): sign-in, the router, the sidebar.

`st.navigation` offers each person the pages of their role; the project picker and the account
box live here, so they are the same on every page. The chosen project (and the editor's
segment) are kept in the URL, so a link, a reload or a new tab opens the same place.
"""

import streamlit as st

from workbench.corpus import Role
from workbench.logs import configure_logging
from workbench.ui.cookie import write_token
from workbench.ui.common import signed_in
from workbench.ui.sidebar import account_box, project_picker

configure_logging()
st.set_page_config(page_title="Speech workbench", page_icon=":material/graphic_eq:",
                   layout="wide")

PAGES = {  # file, title, icon, url path, roles
    "overview": ("views/overview.py", "Overview", ":material/home:", None),
    "dashboard": ("views/dashboard.py", "Dashboard", ":material/monitoring:", {Role.OWNER}),
    "projects": ("views/projects.py", "Projects", ":material/folder_open:", {Role.OWNER}),
    "drafts": ("views/drafts.py", "Drafts", ":material/smart_toy:", {Role.OWNER}),
    "models": ("views/models.py", "Models", ":material/model_training:", {Role.OWNER}),
    "editor": ("views/editor.py", "Editor", ":material/edit_note:", None),
    "replace": ("views/replace.py", "Find & replace", ":material/find_replace:", {Role.REVIEWER, Role.OWNER}),
    "review": ("views/review.py", "Review", ":material/fact_check:", {Role.REVIEWER, Role.OWNER}),
    "audit": ("views/audit.py", "Corpus audit", ":material/troubleshoot:", {Role.REVIEWER, Role.OWNER}),
    "export": ("views/export.py", "Export", ":material/inventory_2:", {Role.OWNER}),
    "team": ("views/team.py", "Team", ":material/groups:", {Role.OWNER}),
    "vocabulary": ("views/vocabulary.py", "Vocabulary", ":material/spellcheck:", {Role.OWNER}),
    "draft-quality": ("views/draft_quality.py", "Draft quality", ":material/trending_down:",
                      {Role.OWNER}),
    "people": ("views/people.py", "People", ":material/group:", {Role.OWNER}),
    "account": ("views/account.py", "Account", ":material/person:", None),
}

if st.session_state.pop("clear_cookie", False):
    write_token(None, key="cookie_clear")
if token := st.session_state.pop("set_cookie", None):
    write_token(*token, key="cookie_set")

user = signed_in()
if user is None:  # every page's address signs in first, then opens that page (with its link)
    page = st.navigation([st.Page("views/sign_in.py", title="Sign in", icon=":material/login:",
                                  url_path="sign-in", default=True)]
                         + [st.Page("views/sign_in.py", title="Sign in", url_path=slug)
                            for slug in PAGES], position="hidden")
else:
    allowed = [
        st.Page(path, title=title, icon=icon, url_path=slug, default=slug == "overview")
        for slug, (path, title, icon, roles) in PAGES.items()
        if roles is None or user.role in roles
    ]
    if user.id is None:  # no account yet: the unprotected single-user default
        allowed.append(st.Page("views/setup.py", title="Protect this workbench",
                               icon=":material/lock:", url_path="setup"))
    page = st.navigation(allowed)
    with st.sidebar:
        project_picker(user)
        account_box(user)
page.run()
