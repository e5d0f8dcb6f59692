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


def diff_md(before: str, after: str, language: str | None = None) -> str:
    """A diff as Markdown with <del>/<ins>, by character for Korean, Japanese, Chinese (see
    `editing.text_diff`), else by word; every piece escaped (user text)."""
    from workbench.labelling.history import text_diff

    parts, joiner = text_diff(before, after, language)
    out = []
    for op, piece in parts:
        if not piece.strip():  # a changed space: visible inside <del>/<ins>
            text = "&nbsp;" if op != "same" else " "
        else:  # md folds the spaces at the ends, which a character diff needs
            text = (
                (" " if piece[0].isspace() else "")
                + md(piece, 10_000)
                + (" " if piece[-1].isspace() else "")
            )
        out.append(
            {
                "same": text,
                "del": f"<del style='color:#b91c1c'>{text}</del>",
                "add": f"<ins style='color:#15803d'>{text}</ins>",
            }[op]
        )
    return joiner.join(out)


def findings_md(findings, text: str) -> str:
    """Convention findings of `text` as a worker reads them (`text.lint_notes`), a Markdown
    list with HTML marks (show with unsafe_allow_html): the level in words on a coloured badge,
    what to do, and each place quoted from the text with the spot marked."""
    from workbench.core.messages import t
    from workbench.text.lint_notes import notes

    lines = []
    for note in notes(findings, text):
        colour = "red" if note.level == "error" else "orange"
        places = " · ".join(
            f"“{_spaced(p.before)}<mark>{md(p.spot, 100)}</mark>{_spaced(p.after)}”"
            for p in note.places
        )
        more = " " + t("(and {n} more)", n=note.more) if note.more else ""
        lines.append(f"- :{colour}-badge[{md(note.severity)}] {md(note.advice)} {places}{more}")
    return "\n".join(lines)


def _spaced(piece: str) -> str:
    """`md` of a piece of text, keeping a space at either end (md folds them)."""
    if not piece.strip():
        return " " if piece else ""
    return (" " if piece[0].isspace() else "") + md(piece) + (" " if piece[-1].isspace() else "")


def rejection_md(review: dict) -> str:
    """Who rejected a segment and why (reason, comment), as text."""
    comment = f" — {md(review['comment'], 2000)}" if review.get("comment") else ""
    return f"{md(review['reviewer'])}: **{md(review['reason'])}**{comment}"
