"""A project's learned vocabulary (`terms`) and rewrite rules (`rewrites`), and the approved
work they are learned from.

Learning again updates the evidence and never undoes an owner's decision: a disabled term stays
disabled, an owner's term stays the owner's, a dismissed rule is not suggested again and an
accepted one stays accepted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.core.records import Status
from workbench.learning.records import Rewrite, Term
from workbench.store.dashboard import _labels
from workbench.store.engine import now, reading
from workbench.store.records import all_records, first_record, to_record
from workbench.store.schema import revisions, rewrites, segments, terms


def approved_examples(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    """The project's approved segments that the ASR drafted and a person labelled: dicts of
    segment_id, draft (the text of revision 1), final (the current text) and labeller (the
    author of the latest 'human' revision). By segment id."""
    current = revisions.alias("current")
    query = (
        _labels(project_id)
        .add_columns(current.c.text.label("final"))
        .join(current, current.c.id == segments.c.latest_revision_id)
        .where(segments.c.status == Status.APPROVED.value)
        .order_by(segments.c.id)
    )
    with reading(engine) as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    return [
        {
            "segment_id": r["segment_id"],
            "draft": r["draft"],
            "final": r["final"],
            "labeller": r["labeller"],
        }
        for r in rows
        if r["draft"] is not None
    ]


# ------------------------------------------------------------------------------------ terms


def list_terms(engine: Engine, project_id: int, enabled_only: bool = False) -> list[Term]:
    """The project's terms: the owner's first, then by evidence (people, segments), then name."""
    query = (
        sa.select(terms)
        .where(terms.c.project_id == project_id)
        .order_by(
            sa.case((terms.c.source == "owner", 0), else_=1),
            terms.c.people.desc(),
            terms.c.segments.desc(),
            terms.c.term,
        )
    )
    if enabled_only:
        query = query.where(terms.c.enabled.is_(True))
    return all_records(engine, Term, query)


def get_term(engine: Engine, term_id: int) -> Term | None:
    """The term `term_id`, or None."""
    return first_record(engine, Term, sa.select(terms).where(terms.c.id == term_id))


def save_learned_terms(
    engine: Engine, project_id: int, learned: Iterable[tuple[str, int, int]], by: str
) -> int:
    """Store learned (term, segments, people): new terms are added enabled, known ones get the
    new evidence and keep their source and whether they are enabled. Returns how many were new."""
    added = 0
    at = now()
    with engine.begin() as conn:
        known = dict(
            conn.execute(
                sa.select(terms.c.term, terms.c.id).where(terms.c.project_id == project_id)
            ).all()
        )
        for term, n_segments, n_people in learned:
            if term in known:
                conn.execute(
                    sa.update(terms)
                    .where(terms.c.id == known[term])
                    .values(segments=n_segments, people=n_people)
                )
            else:
                conn.execute(
                    sa.insert(terms).values(
                        project_id=project_id,
                        term=term,
                        source="learned",
                        segments=n_segments,
                        people=n_people,
                        enabled=True,
                        updated_by=by,
                        updated_at=at,
                    )
                )
                known[term] = None
                added += 1
    return added


def add_owner_term(engine: Engine, project_id: int, term: str, by: str) -> Term:
    """The owner's term: added, or (already known) made the owner's and enabled."""
    at = now()
    with engine.begin() as conn:
        found = conn.execute(
            sa.select(terms.c.id).where(terms.c.project_id == project_id, terms.c.term == term)
        ).scalar()
        if found is None:
            conn.execute(
                sa.insert(terms).values(
                    project_id=project_id,
                    term=term,
                    source="owner",
                    segments=0,
                    people=0,
                    enabled=True,
                    updated_by=by,
                    updated_at=at,
                )
            )
        else:
            conn.execute(
                sa.update(terms)
                .where(terms.c.id == found)
                .values(source="owner", enabled=True, updated_by=by, updated_at=at)
            )
        return to_record(
            Term,
            conn.execute(
                sa.select(terms).where(terms.c.project_id == project_id, terms.c.term == term)
            ).one(),
        )


def set_term_enabled(engine: Engine, term_id: int, enabled: bool, by: str) -> None:
    """Enable or disable a term."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(terms)
            .where(terms.c.id == term_id)
            .values(enabled=enabled, updated_by=by, updated_at=now())
        )


def delete_term(engine: Engine, term_id: int) -> None:
    """Remove a term (a learned one comes back when learning finds it again)."""
    with engine.begin() as conn:
        conn.execute(sa.delete(terms).where(terms.c.id == term_id))


# --------------------------------------------------------------------------------- rewrites


def list_rewrites(engine: Engine, project_id: int, state: str | None = None) -> list[Rewrite]:
    """The project's rules (in `state` when given), by evidence (people, segments), then text."""
    query = (
        sa.select(rewrites)
        .where(rewrites.c.project_id == project_id)
        .order_by(
            rewrites.c.people.desc(),
            rewrites.c.segments.desc(),
            rewrites.c.before,
            rewrites.c.after,
        )
    )
    if state is not None:
        query = query.where(rewrites.c.state == state)
    return all_records(engine, Rewrite, query)


def get_rewrite(engine: Engine, rewrite_id: int) -> Rewrite | None:
    """The rule `rewrite_id`, or None."""
    return first_record(engine, Rewrite, sa.select(rewrites).where(rewrites.c.id == rewrite_id))


def save_found_rewrites(
    engine: Engine, project_id: int, found: Iterable[tuple[str, str, int, int]]
) -> int:
    """Store found (before, after, segments, people): new ones are suggested, known ones get
    the new evidence and keep their state. Returns how many were new."""
    added = 0
    at = now()
    with engine.begin() as conn:
        known = {
            (b, a): i
            for b, a, i in conn.execute(
                sa.select(rewrites.c.before, rewrites.c.after, rewrites.c.id).where(
                    rewrites.c.project_id == project_id
                )
            )
        }
        for before, after, n_segments, n_people in found:
            if (before, after) in known:
                conn.execute(
                    sa.update(rewrites)
                    .where(rewrites.c.id == known[(before, after)])
                    .values(segments=n_segments, people=n_people)
                )
                continue
            conn.execute(
                sa.insert(rewrites).values(
                    project_id=project_id,
                    before=before,
                    after=after,
                    segments=n_segments,
                    people=n_people,
                    state="suggested",
                    created_at=at,
                )
            )
            known[(before, after)] = None
            added += 1
    return added


def decide_rewrite(engine: Engine, rewrite_id: int, state: str, by: str) -> None:
    """Accept or dismiss a rule, naming who did."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(rewrites)
            .where(rewrites.c.id == rewrite_id)
            .values(state=state, decided_by=by, decided_at=now())
        )
