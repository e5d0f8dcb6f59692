"""People (owners): accounts and roles, who works on the current project, the audit log."""

import io

import pandas as pd
import streamlit as st

from workbench.core.errors import WorkbenchError
from workbench.core.messages import role_name, t
from workbench.core.records import Role
from workbench.projects.people import (
    audit_log,
    create_user,
    list_users,
    members,
    reset_password,
    set_active,
    set_members,
    set_role,
    write_audit_csv,
)
from workbench.projects.settings import projects
from workbench.ui.common import MISSING, current_project, show_error, workbench
from workbench.ui.text import md
from workbench.ui.times import time_zone, when

st.title(t("People"))
wb = workbench()
if wb.actor.id is None:
    st.info(t("Create the owner account first (Protect this workbench): accounts need an owner."))
    st.stop()
ROLES = [r.value for r in Role]
ROLE_NAMES = {r: role_name(r) for r in ROLES}
HELP = t("labeller: labels; reviewer: labels and reviews; owner: everything")

handed = st.session_state.pop("handed_password", None)
if handed:
    st.success(
        t(
            "Password for {name}, shown once: hand it over privately. They can change it on "
            "their Account page.",
            name=md(handed[0]),
        )
    )
    st.code(handed[1], language=None)

users = list_users(wb)
st.dataframe(
    pd.DataFrame(
        [
            {
                t("name"): u.name,
                t("shown as"): u.display_name,
                t("role"): role_name(u.role.value),
                t("active"): u.active,
                t("since"): when(u.created_at),
            }
            for u in users
        ]
    ),
    hide_index=True,
    width="stretch",
    key="people_table",
    placeholder=MISSING,
)

with (
    st.expander(t("Add a person"), expanded=len(users) < 2),
    st.form("add_person", clear_on_submit=True),
):
    cols = st.columns(3)
    name = cols[0].text_input(t("Sign-in name"), key="add_name", max_chars=40)
    shown = cols[1].text_input(t("Shown as (optional)"), key="add_display", max_chars=200)
    role = cols[2].selectbox(
        t("Role"), ROLES, format_func=ROLE_NAMES.__getitem__, key="add_role", help=HELP
    )
    if st.form_submit_button(t("Add"), type="primary", key="add_person_button"):
        try:
            user, password = create_user(wb, name, role, display_name=shown)
        except WorkbenchError as exc:
            show_error(exc)
        else:
            st.session_state["handed_password"] = (user.name, password)
            st.rerun()

st.subheader(t("Change an account"))
by_id = {u.id: u for u in users}
account_labels = {
    i: f"{u.name} ({role_name(u.role.value)}{'' if u.active else t(', deactivated')})"
    for i, u in by_id.items()
}
chosen = st.selectbox(
    t("Account to change"), list(by_id), key="people_pick", format_func=account_labels.__getitem__
)
if chosen is not None:
    target = by_id[chosen]
    cols = st.columns(3)
    role = cols[0].selectbox(
        t("Role"),
        ROLES,
        index=ROLES.index(target.role.value),
        format_func=ROLE_NAMES.__getitem__,
        key=f"role_{target.id}_{target.role.value}",
        help=HELP,
    )
    if role != target.role.value and cols[0].button(t("Change role"), key=f"set_role_{target.id}"):
        try:
            set_role(wb, target.account_id, role)
            st.rerun()
        except WorkbenchError as exc:
            show_error(exc)
    label = t("Deactivate") if target.active else t("Reactivate")
    if cols[1].button(
        label,
        key=f"active_{target.id}",
        help=t("A deactivated account cannot sign in; its work stays attributed."),
    ):
        try:
            set_active(wb, target.account_id, not target.active)
            st.rerun()
        except WorkbenchError as exc:
            show_error(exc)
    if cols[2].button(t("Reset password"), key=f"reset_{target.id}"):
        st.session_state["handed_password"] = (target.name, reset_password(wb, target.account_id))
        st.rerun()

project = current_project(wb)
if project is not None:
    st.subheader(t("Who works on this project"))
    st.caption(
        t("Labellers and reviewers see only the projects they are members of; owners see all.")
    )
    workers = [u for u in users if u.role is not Role.OWNER]  # deactivated ones too: kept
    current = [u.account_id for u in members(wb, project.id) if u.id in {w.id for w in workers}]
    names = {u.account_id: u.name + ("" if u.active else t(" (deactivated)")) for u in workers}
    with st.form(f"members_{project.id}"):
        picked = st.multiselect(
            t("Members"),
            list(names),
            default=current,
            format_func=names.__getitem__,
            key=f"members_pick_{project.id}",
        )
        if st.form_submit_button(t("Save members"), key=f"members_save_{project.id}"):
            set_members(wb, project.id, picked)
            st.rerun()

st.subheader(t("Audit log"))
project_names = {p.id: p.name for p in projects(wb)}
lines = audit_log(wb, limit=1000)
log = pd.DataFrame(
    [
        {
            t("at"): when(e["at"]),
            t("who"): e["actor"],
            t("what"): e["action"],
            t("project"): project_names.get(e["project_id"], e["project_id"] or ""),
            t("detail"): str(e["detail"] or ""),
        }
        for e in lines
    ]
)
if log.empty:
    st.caption(t("Nothing yet."))
else:
    st.dataframe(
        log.head(200), hide_index=True, width="stretch", key="audit_table", placeholder=MISSING
    )
    audit_csv = io.StringIO()
    write_audit_csv(lines, audit_csv, time_zone())
    st.download_button(
        t("Download the audit log (CSV)"),
        audit_csv.getvalue().encode(),
        "audit-log.csv",
        "text/csv",
        key="audit_download",
    )
