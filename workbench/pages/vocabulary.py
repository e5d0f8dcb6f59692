"""Vocabulary (owners): the terms drafts are prompted with, the rules that rewrite new drafts,
and the labellers' queue order: what the project's approved work teaches its next drafts."""

import hashlib

import pandas as pd
import streamlit as st

from workbench.core.errors import WorkbenchError
from workbench.learning.learn import (
    QUEUE_ORDERS,
    add_term,
    decide_rewrite,
    draft_prompt,
    learn,
    remove_term,
    rewrites_of,
    set_queue_order,
    set_term_enabled,
    set_use_terms,
    terms_of,
)
from workbench.ui.common import MISSING, page_flash, project_page, show_error

wb, project = project_page("Vocabulary")
pid = project.id
done = page_flash("vocabulary_flash")  # done(message): shown after the rerun that shows the change


def attempt(what: str, action, *args) -> bool:
    """Run a use case; a refusal is shown as an error naming `what`. Whether it ran."""
    try:
        action(*args)
    except WorkbenchError as exc:
        show_error(exc, f"{what}: ")
        return False
    return True


# ---------------------------------------------------------------------- learned vocabulary
st.header("Learned vocabulary")
st.caption(
    "Words labellers keep writing where the draft had something else (names, products, "
    "jargon), learned from approved segments: at least 2 segments by at least 2 people."
)
if st.button("Learn from approved segments", key=f"voc_learn_{pid}"):
    try:
        found = learn(wb, project)
    except WorkbenchError as exc:
        show_error(exc, "Not learned: ")
    else:
        done(
            f"Read {found.segments} approved segments: {found.terms} terms "
            f"({found.new_terms} new), {found.rules} rules ({found.new_rules} new)."
        )

terms = terms_of(wb, pid)
if terms:
    table = pd.DataFrame(
        [
            {
                "id": t.id,
                "enabled": t.enabled,
                "term": t.term,
                "source": t.source,
                "segments": t.segments,
                "people": t.people,
                "remove": False,
            }
            for t in terms
        ]
    )
    stamp = hashlib.sha1(repr([(t.id, t.enabled) for t in terms]).encode()).hexdigest()[:8]
    edited = st.data_editor(
        table,
        key=f"voc_terms_{pid}_{stamp}",
        hide_index=True,
        num_rows="fixed",
        disabled=["id", "term", "source", "segments", "people"],
        column_config={
            "id": None,
            "enabled": st.column_config.CheckboxColumn("enabled"),
            "segments": st.column_config.NumberColumn("segments", format="%d"),
            "people": st.column_config.NumberColumn("people", format="%d"),
            "remove": st.column_config.CheckboxColumn("remove"),
        },
        placeholder=MISSING,
    )
    if st.button("Save term changes", key=f"voc_terms_save_{pid}"):
        changed = 0
        for term, row in zip(terms, edited.to_dict("records"), strict=True):
            if row["remove"]:
                changed += attempt(f"{term.term} not removed", remove_term, wb, pid, term.id)
            elif bool(row["enabled"]) != term.enabled:
                changed += attempt(
                    f"{term.term} not changed",
                    set_term_enabled,
                    wb,
                    pid,
                    term.id,
                    bool(row["enabled"]),
                )
        if changed:
            done(f"{changed} term(s) changed.")
    st.caption(
        "A removed learned term comes back when learning finds it again: disable it to keep it out."
    )
else:
    st.caption("No terms yet: learn them from approved segments, or add your own.")

with st.form(f"voc_add_{pid}", clear_on_submit=True):
    typed = st.text_input(
        "Add a term",
        key=f"voc_add_term_{pid}",
        max_chars=100,
        placeholder="a name, product or word drafts get wrong",
    )
    if (
        st.form_submit_button("Add", key=f"voc_add_go_{pid}")
        and typed.strip()
        and attempt("Not added", add_term, wb, pid, typed)
    ):
        done("Term added.")

use = st.checkbox(
    "Use these terms in the next drafts",
    value=project.use_terms,
    key=f"voc_use_terms_{pid}_{int(project.use_terms)}",
    help="The enabled terms go into the prompt of the next drafts. Drafts made "
    "already stay as they are.",
)
if use != project.use_terms and attempt("Not saved", set_use_terms, wb, pid, use):
    done("The next drafts use the terms." if use else "The next drafts do not use the terms.")
prompt = draft_prompt(wb, project)
st.markdown("**The prompt the next drafts get**")
st.text(prompt or "(none)")

# ------------------------------------------------------------------------- suggested rules
st.header("Suggested rules")
st.caption(
    "The same part of a draft changed the same way by several people. An accepted rule "
    "rewrites the next drafts (whole words only), and the editor says so under the draft."
)
suggested = rewrites_of(wb, pid, "suggested")
if not suggested:
    st.caption("No suggestions now: learn from approved segments to look for some.")
for rule in suggested:
    cols = st.columns([5, 2, 1, 1])
    cols[0].text(f"{rule.before} → {rule.after}")
    cols[1].text(f"{rule.segments} segments, {rule.people} people")
    if cols[2].button("Accept", key=f"voc_accept_{rule.id}") and attempt(
        "Not accepted", decide_rewrite, wb, pid, rule.id, "accept"
    ):
        done("Rule accepted: the next drafts use it.")
    if cols[3].button("Dismiss", key=f"voc_dismiss_{rule.id}") and attempt(
        "Not dismissed", decide_rewrite, wb, pid, rule.id, "dismiss"
    ):
        done("Rule dismissed: it will not be suggested again.")

accepted = rewrites_of(wb, pid, "accepted")
if accepted:
    st.markdown("**Accepted rules**")
for rule in accepted:
    cols = st.columns([5, 2, 2])
    cols[0].text(f"{rule.before} → {rule.after}")
    cols[1].text(f"{rule.segments} segments, {rule.people} people")
    if cols[2].button("Undo", key=f"voc_undo_{rule.id}") and attempt(
        "Not undone", decide_rewrite, wb, pid, rule.id, "dismiss"
    ):
        done("Rule undone: the next drafts no longer use it.")

# ------------------------------------------------------------------------------ queue order
st.header("Labellers' queue")
order = st.selectbox(
    "Queue order",
    list(QUEUE_ORDERS),
    format_func=QUEUE_ORDERS.__getitem__,
    index=list(QUEUE_ORDERS).index(project.queue_order)
    if project.queue_order in QUEUE_ORDERS
    else 0,
    key=f"voc_queue_order_{pid}_{project.queue_order}",
    help="Least confident first: the drafts the model was least sure of come "
    "first, so the first hours labelled teach it the most. A labeller's "
    "own choice in the editor wins.",
)
if order != project.queue_order and attempt("Not saved", set_queue_order, wb, pid, order):
    done(f"Labellers' queue: {QUEUE_ORDERS[order]}.")
