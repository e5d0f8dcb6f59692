"""Vocabulary (owners): the terms drafts are prompted with, the rules that rewrite new drafts,
and the labellers' queue order: what the project's approved work teaches its next drafts."""

import hashlib

import pandas as pd
import streamlit as st

from workbench.core.errors import WorkbenchError
from workbench.core.messages import N_, t
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
SOURCES = {"learned": N_("learned"), "owner": N_("owner")}  # where a term came from


def attempt(what: str, action, *args) -> bool:
    """Run a use case; a refusal is shown as an error naming `what`. Whether it ran."""
    try:
        action(*args)
    except WorkbenchError as exc:
        show_error(exc, what + ": ")
        return False
    return True


# ---------------------------------------------------------------------- learned vocabulary
st.header(t("Learned vocabulary"))
st.caption(
    t(
        "Words labellers keep writing where the draft had something else (names, products, "
        "jargon), learned from approved segments: at least 2 segments by at least 2 people."
    )
)
if st.button(t("Learn from approved segments"), key=f"voc_learn_{pid}"):
    try:
        found = learn(wb, project)
    except WorkbenchError as exc:
        show_error(exc, t("Not learned: "))
    else:
        done(
            t(
                "Read {segments} approved segments: {terms} terms ({new_terms} new), "
                "{rules} rules ({new_rules} new).",
                segments=found.segments,
                terms=found.terms,
                new_terms=found.new_terms,
                rules=found.rules,
                new_rules=found.new_rules,
            )
        )

terms = terms_of(wb, pid)
if terms:
    table = pd.DataFrame(
        [
            {
                "id": term.id,
                "enabled": term.enabled,
                "term": term.term,
                "source": t(SOURCES.get(term.source, term.source)),
                "segments": term.segments,
                "people": term.people,
                "remove": False,
            }
            for term in terms
        ]
    )
    stamp = hashlib.sha1(repr([(term.id, term.enabled) for term in terms]).encode()).hexdigest()[:8]
    edited = st.data_editor(
        table,
        key=f"voc_terms_{pid}_{stamp}",
        hide_index=True,
        num_rows="fixed",
        disabled=["id", "term", "source", "segments", "people"],
        column_config={
            "id": None,
            "enabled": st.column_config.CheckboxColumn(t("enabled")),
            "term": st.column_config.TextColumn(t("term")),
            "source": st.column_config.TextColumn(t("source")),
            "segments": st.column_config.NumberColumn(t("segments"), format="%d"),
            "people": st.column_config.NumberColumn(t("people"), format="%d"),
            "remove": st.column_config.CheckboxColumn(t("remove")),
        },
        placeholder=MISSING,
    )
    if st.button(t("Save term changes"), key=f"voc_terms_save_{pid}"):
        changed = 0
        for term, row in zip(terms, edited.to_dict("records"), strict=True):
            if row["remove"]:
                changed += attempt(
                    t("{term} not removed", term=term.term), remove_term, wb, pid, term.id
                )
            elif bool(row["enabled"]) != term.enabled:
                changed += attempt(
                    t("{term} not changed", term=term.term),
                    set_term_enabled,
                    wb,
                    pid,
                    term.id,
                    bool(row["enabled"]),
                )
        if changed:
            done(t("{n} term(s) changed.", n=changed))
    st.caption(
        t(
            "A removed learned term comes back when learning finds it again: disable it to "
            "keep it out."
        )
    )
else:
    st.caption(t("No terms yet: learn them from approved segments, or add your own."))

with st.form(f"voc_add_{pid}", clear_on_submit=True):
    typed = st.text_input(
        t("Add a term"),
        key=f"voc_add_term_{pid}",
        max_chars=100,
        placeholder=t("a name, product or word drafts get wrong"),
    )
    if (
        st.form_submit_button(t("Add"), key=f"voc_add_go_{pid}")
        and typed.strip()
        and attempt(t("Not added"), add_term, wb, pid, typed)
    ):
        done(t("Term added."))

use = st.checkbox(
    t("Use these terms in the next drafts"),
    value=project.use_terms,
    key=f"voc_use_terms_{pid}_{int(project.use_terms)}",
    help=t(
        "The enabled terms go into the prompt of the next drafts. Drafts made "
        "already stay as they are."
    ),
)
if use != project.use_terms and attempt(t("Not saved"), set_use_terms, wb, pid, use):
    done(t("The next drafts use the terms.") if use else t("The next drafts do not use the terms."))
prompt = draft_prompt(wb, project)
st.markdown(t("**The prompt the next drafts get**"))
st.text(prompt or t("(none)"))

# ------------------------------------------------------------------------- suggested rules
st.header(t("Suggested rules"))
st.caption(
    t(
        "The same part of a draft changed the same way by several people. An accepted rule "
        "rewrites the next drafts (whole words only), and the editor says so under the draft."
    )
)
suggested = rewrites_of(wb, pid, "suggested")
if not suggested:
    st.caption(t("No suggestions now: learn from approved segments to look for some."))
for rule in suggested:
    cols = st.columns([5, 2, 1, 1])
    cols[0].text(f"{rule.before} → {rule.after}")
    cols[1].text(
        t("{segments} segments, {people} people", segments=rule.segments, people=rule.people)
    )
    if cols[2].button(t("Accept"), key=f"voc_accept_{rule.id}") and attempt(
        t("Not accepted"), decide_rewrite, wb, pid, rule.id, "accept"
    ):
        done(t("Rule accepted: the next drafts use it."))
    if cols[3].button(t("Dismiss"), key=f"voc_dismiss_{rule.id}") and attempt(
        t("Not dismissed"), decide_rewrite, wb, pid, rule.id, "dismiss"
    ):
        done(t("Rule dismissed: it will not be suggested again."))

accepted = rewrites_of(wb, pid, "accepted")
if accepted:
    st.markdown(t("**Accepted rules**"))
for rule in accepted:
    cols = st.columns([5, 2, 2])
    cols[0].text(f"{rule.before} → {rule.after}")
    cols[1].text(
        t("{segments} segments, {people} people", segments=rule.segments, people=rule.people)
    )
    if cols[2].button(t("Undo"), key=f"voc_undo_{rule.id}") and attempt(
        t("Not undone"), decide_rewrite, wb, pid, rule.id, "dismiss"
    ):
        done(t("Rule undone: the next drafts no longer use it."))

# ------------------------------------------------------------------------------ queue order
st.header(t("Labellers' queue"))
order_labels = {o: t(label) for o, label in QUEUE_ORDERS.items()}  # before: no t() in format_func
order = st.selectbox(
    t("Queue order"),
    list(QUEUE_ORDERS),
    format_func=order_labels.__getitem__,
    index=list(QUEUE_ORDERS).index(project.queue_order)
    if project.queue_order in QUEUE_ORDERS
    else 0,
    key=f"voc_queue_order_{pid}_{project.queue_order}",
    help=t(
        "Least confident first: the drafts the model was least sure of come "
        "first, so the first hours labelled teach it the most. A labeller's "
        "own choice in the editor wins."
    ),
)
if order != project.queue_order and attempt(t("Not saved"), set_queue_order, wb, pid, order):
    done(t("Labellers' queue: {order}.", order=order_labels[order]))
