"""A segment's history and its diffs: the revisions, the draft each one started from, and word or
character diffs (per character for languages written without spaces).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace

from workbench import store
from workbench.core.access import Action, require
from workbench.core.errors import NotFound
from workbench.core.records import Revision
from workbench.core.workbench import Workbench


def history(wb: Workbench, segment_id: int) -> list[Revision]:
    """Every revision of a segment, oldest first, for whoever may see its project."""
    project_id = store.project_of_segment(wb.db, segment_id)
    if project_id is None:
        raise NotFound(f"segment {segment_id}: there is no such segment")
    require(wb, Action.VIEW, project_id)
    return store.list_revisions(wb.db, segment_id)


def drafts_of(revisions: list[Revision]) -> list[str | None]:
    """For each revision (oldest first), the draft text it is compared with: the ASR draft,
    or after a split or merge the part of the draft that the segment holds since (kept on
    that revision as asr_meta['draft_text']); None before any draft."""
    out, current = [], None
    for rev in revisions:
        if rev.source == "asr":
            current = rev.text
        elif rev.asr_meta and rev.asr_meta.get("draft_text") is not None:
            current = rev.asr_meta["draft_text"]
        out.append(current)
    return out


def draft_of(revisions: list[Revision]) -> str | None:
    """The draft text a segment's latest revision is compared with (see `drafts_of`)."""
    bases = drafts_of(revisions)
    return bases[-1] if bases else None


def part_draft(revisions: list[Revision]) -> Revision | None:
    """The draft a segment holds now, as a revision (see `drafts_of`): its latest ASR draft;
    or, since a split or merge, the revision that made the part, holding the part's draft text
    and the words of the segment's earlier ASR draft that lie within the part (none when the
    part is a new segment). None before any draft."""
    draft: Revision | None = None
    for rev in revisions:
        if rev.source == "asr":
            draft = rev
        elif rev.asr_meta and rev.asr_meta.get("draft_text") is not None:
            words = [
                w
                for w in ((draft.asr_meta or {}).get("words") or [] if draft else [])
                if rev.start <= (w["start"] + w["end"]) / 2 < rev.end
            ]
            text = rev.asr_meta["draft_text"]
            draft = replace(rev, text=text, source="asr", asr_meta={"words": words})
    return draft


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Word-level diff: a list of (op, words) with op in 'same', 'del', 'add'."""
    return _diff(before.split(), after.split(), " ")


UNSPACED_LANGUAGES = frozenset({"ko", "ja", "zh", "yue", "th", "lo", "my", "km"})


_UNSPACED = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf"
    r"\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff]"
)


def char_level(language: str | None, *texts: str) -> bool:
    """Whether texts are compared by character: the project's language is Korean, Japanese,
    Chinese... or (language 'auto'/unknown) a text holds Hangul, kana or CJK ideographs.

    In those scripts a word (an eojeol in Korean) is long, so one wrong particle would mark
    the whole word; a character diff shows the particle.
    """
    if language and language.split("-")[0].lower() in UNSPACED_LANGUAGES:
        return True
    return any(_UNSPACED.search(t or "") for t in texts)


def text_diff(
    before: str, after: str, language: str | None = None
) -> tuple[list[tuple[str, str]], str]:
    """A diff at the right level for the language: (parts, joiner).

    parts are (op, text) with op 'same' | 'del' | 'add'; joining the texts of the parts with
    `joiner` (" " for words, "" for characters) rebuilds the texts.
    """
    if char_level(language, before, after):
        return _diff(list(before), list(after), ""), ""
    return word_diff(before, after), " "


def _diff(a: list[str], b: list[str], joiner: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("same", joiner.join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("del", joiner.join(a[i1:i2])))
        if j2 > j1:
            out.append(("add", joiner.join(b[j1:j2])))
    return out
