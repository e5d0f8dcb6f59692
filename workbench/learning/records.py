"""Records of what drafts learn from approved work: the project's terms (vocabulary for the
engine's prompt) and rewrite rules (recurring fixes applied to new drafts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["Term", "Rewrite", "TERM_SOURCES", "REWRITE_STATES"]

TERM_SOURCES = ("learned", "owner")
REWRITE_STATES = ("suggested", "accepted", "dismissed")


@dataclass(frozen=True)
class Term:
    """A word or phrase the engine is prompted with; learned from approved fixes, or the owner's."""

    id: int
    project_id: int
    term: str
    source: str  # 'learned' | 'owner'
    segments: int  # evidence: approved segments where labellers wrote it over the draft
    people: int  # evidence: distinct labellers who did
    enabled: bool
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True)
class Rewrite:
    """A recurring fix: the draft's span `before` written as `after` by several people.

    Suggested when learned; applied to new drafts once an owner accepts it.
    """

    id: int
    project_id: int
    before: str
    after: str
    segments: int
    people: int
    state: str  # 'suggested' | 'accepted' | 'dismissed'
    created_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
