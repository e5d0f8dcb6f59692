"""Showing user-supplied strings safely inside Markdown.

Names, transcripts, reasons and job messages come from people (or hostile uploads). Streamlit
renders Markdown in most elements, so such a string could draw links, images (loading remote
URLs), headings or colours. `md` escapes every ASCII punctuation character (CommonMark lets any
of them be backslash-escaped) and folds line breaks, so the string shows as the text it is.
"""

from __future__ import annotations

import re
import string

_PUNCT = re.compile("([" + re.escape(string.punctuation) + "])")


def md(text: object, limit: int = 500) -> str:
    """`text` as literal Markdown: punctuation escaped, one line, at most `limit` characters."""
    flat = " ".join(str(text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return _PUNCT.sub(r"\\\1", flat)


def guidelines_md(text: str) -> str:
    """An owner's guidelines as Markdown with its formatting, minus what could load remote
    content or run: image syntax becomes plain text, raw HTML is escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"!\[", r"\\![", text)
