"""Showing user-supplied strings safely inside Markdown.

Names, transcripts, reasons and job messages come from people (or hostile uploads). Streamlit
renders Markdown in most elements, so such a string could draw links, images (loading remote
URLs), headings, colours (`:red[...]`) or icons (`:material/x:`). `md` backslash-escapes every
character that starts such syntax (CommonMark lets any ASCII punctuation be escaped), and a
leading list or heading marker, and folds line breaks, so the string shows as the text it is.
Streamlit turns `:material/x:` and `:smile:` into icons, and bare URLs into links, before or
regardless of backslash escapes; a zero-width space after such a colon (and inside `www.`)
stops that without changing what a reader sees.
"""

from __future__ import annotations

import re

_SYNTAX = re.compile(r"([\\`*_\[\]{}<>!|~$:#&])")
_LEADING = re.compile(r"^(\d*)([-+=.)])")
_SHORTCODE = re.compile(r"(:)(?=[A-Za-z/])|(?<=www)(\.)", re.IGNORECASE)  # icons, emoji, links
_ZWSP = "\u200b"


def md(text: object, limit: int = 500) -> str:
    """`text` as literal Markdown: syntax characters escaped, one line, at most `limit` chars."""
    flat = " ".join(str(text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    flat = _SHORTCODE.sub(lambda m: (m.group(1) or m.group(2)) + _ZWSP, flat)
    return _LEADING.sub(r"\1\\\2", _SYNTAX.sub(r"\\\1", flat))


def guidelines_md(text: str) -> str:
    """An owner's guidelines as Markdown with its formatting, minus what could load remote
    content or run: image syntax becomes plain text, raw HTML is escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"!\[", r"\\![", text)
