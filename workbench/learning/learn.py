"""Drafts that learn, cheapest first: the project's vocabulary and its rewrite rules.

`learn` reads the approved segments (the engine's draft against the final text, and who
labelled it), stores the terms labellers keep writing over the draft (`workbench.vocabulary`)
and suggests the rewrites several people made (`workbench.rewrites`). The owner edits the
terms, accepts or dismisses rules, and chooses whether the next drafts are prompted with the
terms (`set_use_terms`) and the labellers' queue order (`set_queue_order`). Owners change;
anyone who may see the project may read.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench import store
from workbench.core.access import Action, require
from workbench.core.errors import NotFound, WorkbenchError
from workbench.core.messages import N_
from workbench.core.records import Project
from workbench.core.workbench import Workbench
from workbench.learning.records import Rewrite, Term
from workbench.learning.rewrites import find
from workbench.learning.vocabulary import Example, plain, prompt_limit, prompt_text
from workbench.learning.vocabulary import learn as learn_terms
from workbench.review.sampling import drawn
from workbench.text import load_profile

__all__ = [
    "Learning",
    "QUEUE_ORDERS",
    "learn",
    "terms_of",
    "add_term",
    "set_term_enabled",
    "remove_term",
    "rewrites_of",
    "decide_rewrite",
    "set_use_terms",
    "set_queue_order",
    "draft_prompt",
    "prompts",
    "accepted_rules",
]

TERM_CHARS = 100  # the longest term kept (the column holds 200)
RULE_CHARS = 200  # the longest side of a rule kept (the column holds 500)
QUEUE_ORDERS = {"time": N_("time"), "uncertain": N_("least confident first")}  # shown with t()
DECISIONS = {"accept": "accepted", "dismiss": "dismissed"}


@dataclass(frozen=True)
class Learning:
    """What a `learn` run found: the approved segments read, terms and rules (new of them)."""

    segments: int
    terms: int
    new_terms: int
    rules: int
    new_rules: int


def learn(wb: Workbench, project: Project, min_segments: int = 2, min_people: int = 2) -> Learning:
    """Learn terms and suggest rules from the project's approved segments (owners).

    Both need at least `min_segments` segments and `min_people` distinct labellers of evidence.
    Owner edits survive: see `workbench.store.terms`. The held-out share of approved segments
    (the project's `holdout_share`, drawn as fine-tuning draws it) teaches nothing, so the
    drafts' error measured on it stays a fair test of what was learned.
    """
    user = require(wb, Action.SETTINGS, project.id)
    profile = load_profile(project.conventions)
    rows = [
        r
        for r in store.approved_examples(wb.db, project.id)
        if not drawn(r["segment_id"], project.holdout_share, "heldout")
    ]
    examples = [
        Example(plain(r["draft"], profile), plain(r["final"], profile), r["labeller"]) for r in rows
    ]
    terms = [
        t for t in learn_terms(examples, min_segments, min_people) if len(t.term) <= TERM_CHARS
    ]
    new_terms = store.save_learned_terms(
        wb.db, project.id, [(t.term, t.segments, t.people) for t in terms], user.name
    )
    raw = [Example(r["draft"], r["final"], r["labeller"]) for r in rows]
    rules = [
        r
        for r in find(raw, min_people=min_people, min_segments=min_segments)
        if max(len(r.before), len(r.after)) <= RULE_CHARS
    ]
    new_rules = store.save_found_rewrites(
        wb.db, project.id, [(r.before, r.after, r.segments, r.people) for r in rules]
    )
    result = Learning(len(rows), len(terms), new_terms, len(rules), new_rules)
    store.log_event(
        wb.db,
        user.name,
        "vocabulary learned",
        project.id,
        {
            "segments": result.segments,
            "terms": result.terms,
            "new terms": new_terms,
            "rules": result.rules,
            "new rules": new_rules,
        },
    )
    return result


def terms_of(wb: Workbench, project_id: int) -> list[Term]:
    """The project's terms, the owner's first, then the most evidenced."""
    require(wb, Action.VIEW, project_id)
    return store.list_terms(wb.db, project_id)


def add_term(wb: Workbench, project_id: int, term: str) -> Term:
    """The owner adds a term (or makes a learned one theirs, enabled)."""
    user = require(wb, Action.SETTINGS, project_id)
    cleaned = " ".join((term or "").split())
    if not cleaned:
        raise WorkbenchError("a term needs some text")
    if len(cleaned) > TERM_CHARS:
        raise WorkbenchError(f"a term is at most {TERM_CHARS} characters")
    added = store.add_owner_term(wb.db, project_id, cleaned, user.name)
    store.log_event(wb.db, user.name, "term added", project_id, {"term": cleaned})
    return added


def _term(wb: Workbench, project_id: int, term_id: int) -> Term:
    found = store.get_term(wb.db, term_id)
    if found is None or found.project_id != project_id:
        raise NotFound(f"no term #{term_id} in this project")
    return found


def set_term_enabled(wb: Workbench, project_id: int, term_id: int, enabled: bool) -> None:
    """The owner enables or disables a term; a disabled term stays disabled when learned again."""
    user = require(wb, Action.SETTINGS, project_id)
    term = _term(wb, project_id, term_id)
    if term.enabled == bool(enabled):
        return
    store.set_term_enabled(wb.db, term_id, bool(enabled), user.name)
    store.log_event(
        wb.db,
        user.name,
        "term enabled" if enabled else "term disabled",
        project_id,
        {"term": term.term},
    )


def remove_term(wb: Workbench, project_id: int, term_id: int) -> None:
    """The owner removes a term. A learned one comes back when learning finds it again:
    disable it to keep it out."""
    user = require(wb, Action.SETTINGS, project_id)
    term = _term(wb, project_id, term_id)
    store.delete_term(wb.db, term_id)
    store.log_event(wb.db, user.name, "term removed", project_id, {"term": term.term})


def rewrites_of(wb: Workbench, project_id: int, state: str | None = None) -> list[Rewrite]:
    """The project's rules ('suggested', 'accepted', 'dismissed', or all), most evidenced first."""
    require(wb, Action.VIEW, project_id)
    return store.list_rewrites(wb.db, project_id, state)


def decide_rewrite(wb: Workbench, project_id: int, rewrite_id: int, decision: str) -> Rewrite:
    """The owner accepts a rule (applied to the next drafts) or dismisses it (never suggested
    again; dismissing an accepted rule undoes it)."""
    user = require(wb, Action.SETTINGS, project_id)
    if decision not in DECISIONS:
        raise WorkbenchError(f"a decision is one of {', '.join(DECISIONS)}, not {decision!r}")
    rule = store.get_rewrite(wb.db, rewrite_id)
    if rule is None or rule.project_id != project_id:
        raise NotFound(f"no rule #{rewrite_id} in this project")
    store.decide_rewrite(wb.db, rewrite_id, DECISIONS[decision], user.name)
    store.log_event(
        wb.db,
        user.name,
        f"rule {DECISIONS[decision]}",
        project_id,
        {"before": rule.before, "after": rule.after},
    )
    decided = store.get_rewrite(wb.db, rewrite_id)
    assert decided is not None  # rules are never deleted
    return decided


def set_use_terms(wb: Workbench, project_id: int, use: bool) -> Project:
    """Whether the project's next drafts are prompted with its enabled terms (owners)."""
    return _setting(wb, project_id, "use_terms", bool(use))


def set_queue_order(wb: Workbench, project_id: int, order: str) -> Project:
    """The labellers' default queue order: 'time', or 'uncertain' (least confident draft
    first, so the first hours labelled teach the model most) (owners)."""
    if order not in QUEUE_ORDERS:
        raise WorkbenchError(f"a queue order is one of {', '.join(QUEUE_ORDERS)}, not {order!r}")
    return _setting(wb, project_id, "queue_order", order)


def _setting(wb: Workbench, project_id: int, field: str, value: object) -> Project:
    user = require(wb, Action.SETTINGS, project_id)
    project = store.get_project(wb.db, project_id)
    if getattr(project, field) == value:
        return project
    updated = store.update_project(wb.db, project_id, **{field: value})
    store.log_event(wb.db, user.name, "settings changed", project_id, {field: value})
    return updated


def draft_prompt(wb: Workbench, project: Project) -> str | None:
    """The initial prompt the project's next drafts get: the owner's prompt with the enabled
    terms when the project uses them, else the owner's prompt."""
    require(wb, Action.VIEW, project.id)
    return prompts(
        project, store.list_terms(wb.db, project.id, enabled_only=True) if project.use_terms else []
    )


def prompts(project: Project, terms: list[Term]) -> str | None:
    """The initial prompt from a project and its enabled terms (pure; see `draft_prompt`);
    terms are ignored unless the project uses them.

    The terms go into the prompt only, not also into faster-whisper's hotwords: given both,
    the decoder sees the list twice and Whisper base, on unclear audio, writes the list back
    as the transcript (bench/adaptation.py measured 61% held-out WER with both against 30%
    with either alone)."""
    if not project.use_terms or not terms:
        return project.prompt or None
    return prompt_text(terms, project.prompt, prompt_limit(project.language)) or None


def accepted_rules(wb: Workbench, project_id: int) -> list[Rewrite]:
    """The rules drafts get: the accepted ones."""
    require(wb, Action.VIEW, project_id)
    return store.list_rewrites(wb.db, project_id, "accepted")
