"""Common Voice style TSV: the clips under clips/ and one tab-separated line per clip.

Columns as Common Voice releases them; `client_id` carries the speaker name, `age`, `gender`
and `accents` what the project's speaker registry knows (the age group as Common Voice's
decade words, the region as the accent), `locale` the language, and `up_votes` is 1 for
segments a reviewer approved. Like Common Voice, no quoting:
fields never hold a tab or a newline (whitespace is collapsed), so read with QUOTE_NONE. A
text a spreadsheet would run as a formula gets an apostrophe in front (`workbench.text.cells`)
unless the export asks for raw cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import TextIO

from workbench.core.records import Speaker
from workbench.formats.utterance import Utterance, one_line
from workbench.text.cells import cell

__all__ = ["COLUMNS", "write_tsv"]

COLUMNS = (
    "client_id",
    "path",
    "sentence",
    "up_votes",
    "down_votes",
    "age",
    "gender",
    "accents",
    "locale",
    "segment",
)
# the registry's age groups as Common Voice's age words (it has none for children)
_AGES = {
    "10대": "teens",
    "20대": "twenties",
    "30대": "thirties",
    "40대": "fourties",
    "50대": "fifties",
    "60대": "sixties",
    "70대": "seventies",
    "80대": "eighties",
    "90대 이상": "nineties",
}


def _about(entry: Speaker | None) -> list[str]:
    """The age, gender and accents cells of a speaker's registry entry ('' where unknown)."""
    if entry is None:
        return ["", "", ""]
    return [_AGES.get(entry.age, ""), entry.gender, one_line(entry.region)]


def write_tsv(
    utterances: Iterable[Utterance],
    f: TextIO,
    approved: AbstractSet[int] | None = None,
    raw: bool = False,
) -> int:
    """Header and one line per clip (`path` relative to clips/); returns how many lines."""
    approved = approved or set()
    f.write("\t".join(COLUMNS) + "\n")
    count = 0
    for u in utterances:
        assert u.audio is not None and u.clip
        fields = [
            one_line(u.speaker or ""),
            u.audio.path.removeprefix("clips/"),
            one_line(u.text),
            "1" if u.segment_id in approved else "0",
            "0",
            *_about(u.speaker_entry),
            u.language or "",
            "",
        ]
        f.write("\t".join(cell(field, raw) for field in fields) + "\n")
        count += 1
    return count
