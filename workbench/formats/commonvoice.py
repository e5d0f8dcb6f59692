"""Common Voice style TSV: the clips under clips/ and one tab-separated line per clip.

Columns as Common Voice releases them; `client_id` carries the speaker name, `locale` the
language, and `up_votes` is 1 for segments a reviewer approved. Like Common Voice, no quoting:
fields never hold a tab or a newline (whitespace is collapsed), so read with QUOTE_NONE. A
text a spreadsheet would run as a formula gets an apostrophe in front (`workbench.text.cells`)
unless the export asks for raw cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import TextIO

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
            "",
            "",
            "",
            u.language or "",
            "",
        ]
        f.write("\t".join(cell(field, raw) for field in fields) + "\n")
        count += 1
    return count
