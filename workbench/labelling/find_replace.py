"""Find and replace across a project's transcripts: preview every match, then apply each as a
revision (op 'replace') that is refused alone when its segment changed since the preview.

Who: reviewers and owners (`Action.REVIEW`). A replace rewrites other people's saved work in
bulk, the job of whoever answers for the corpus's consistency; a labeller who keeps fixing the
same misspelling asks a reviewer, whose preview shows every segment it would touch.

What "whole word" means: the match is neither preceded nor followed by a letter or digit
(Unicode, so Hangul syllables count as letters). In Korean a word is the space-delimited
eojeol, particles included: whole-word "학교" matches "학교" alone, not "학교에" or
"학교가"; to fix a noun whatever particle follows, search without whole word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench import store
from workbench.core.access import Action, require
from workbench.core.records import Edit, InvalidEdit, StaleEdit, Status, clean_text
from workbench.core.workbench import Workbench

__all__ = ["Match", "Outcome", "Query", "apply", "pattern", "preview", "replace_in"]

DEFAULT_STATUSES = tuple(s.value for s in Status if s is not Status.DELETED)


@dataclass(frozen=True)
class Query:
    """What to find and what to put instead, and where to look."""

    find: str
    replace: str
    whole_word: bool = False
    case_sensitive: bool = True
    statuses: tuple[str, ...] = DEFAULT_STATUSES


@dataclass(frozen=True)
class Match:
    """One segment the replace would change, as the preview saw it (its version)."""

    segment_id: int
    version: int
    recording: str
    start: float
    end: float
    status: str
    before: str
    after: str
    count: int  # occurrences in this segment


@dataclass(frozen=True)
class Outcome:
    """What an apply did: the segments changed and those skipped with the reason."""

    applied: tuple[int, ...]
    skipped: tuple[tuple[int, str], ...]


def pattern(query: Query) -> re.Pattern:
    """The compiled search: the text literally, whole word or not, case or not."""
    find = clean_text(query.find)
    if not find:
        raise InvalidEdit("type the text to find")
    body = re.escape(find)
    if query.whole_word:
        body = rf"(?<!\w){body}(?!\w)"
    return re.compile(body, 0 if query.case_sensitive else re.IGNORECASE)


def replace_in(text: str, query: Query) -> tuple[str, int]:
    """`text` with every match replaced (literally: no backslash escapes), cleaned as a save
    would; and how many matches there were."""
    replacement = clean_text(query.replace)
    new, count = pattern(query).subn(lambda _: replacement, text)
    return (clean_text(new) if count else text), count


def preview(wb: Workbench, project_id: int, query: Query) -> list[Match]:
    """Every segment of the project (in `query.statuses`) whose text the replace changes, in
    time order, with its text before and after. Reviewers and owners only."""
    require(wb, Action.REVIEW, project_id)
    rx = pattern(query)  # refuses an empty search before any query
    hint = clean_text(query.find) if query.case_sensitive else None
    found = []
    for row in store.segment_texts(wb.db, project_id, query.statuses, contains=hint):
        if not rx.search(row["text"] or ""):
            continue
        after, count = replace_in(row["text"], query)
        if after != row["text"]:
            found.append(
                Match(
                    row["id"],
                    row["version"],
                    row["recording"],
                    row["start"],
                    row["end"],
                    row["status"],
                    row["text"],
                    after,
                    count,
                )
            )
    return found


def apply(wb: Workbench, project_id: int, query: Query, seen: dict[int, int]) -> Outcome:
    """Apply the replace to the segments of a preview, `seen` mapping each segment id to the
    version the preview showed. Each is one revision (source 'human', op 'replace', by the
    acting user) keeping the segment's status, bounds, speaker, tags and comment; a segment
    saved since (another version) is skipped and reported, never overwritten. The apply is
    written to the audit log."""
    user = require(wb, Action.REVIEW, project_id)
    applied, skipped = [], []
    for seg_id, version in seen.items():
        view = store.segment_view(wb.db, seg_id)
        if view.recording.project_id != project_id:
            skipped.append((seg_id, "not in this project"))
            continue
        seg = view.segment
        if seg.version != version:
            skipped.append(
                (
                    seg_id,
                    f"saved since the preview (version {version}, now "
                    f"{seg.version}): run the preview again",
                )
            )
            continue
        after, count = replace_in(view.text, query)
        if not count or after == view.text:
            skipped.append((seg_id, "no longer matches"))
            continue
        edit = Edit(
            after, seg.start, seg.end, seg.status, seg.speaker, seg.tags, seg.comment, op="replace"
        )
        try:
            store.apply_edit(wb.db, seg_id, version, edit, user.name)
        except StaleEdit:
            skipped.append((seg_id, "saved by someone else at the same moment"))
            continue
        applied.append(seg_id)
    store.log_event(
        wb.db,
        user.name,
        "replace",
        project_id,
        {
            "find": query.find,
            "replace": query.replace,
            "whole_word": query.whole_word,
            "case_sensitive": query.case_sensitive,
            "applied": applied,
            "skipped": [s for s, _ in skipped],
        },
    )
    return Outcome(tuple(applied), tuple(skipped))
