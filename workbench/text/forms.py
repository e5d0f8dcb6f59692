"""Text forms of a transcript, for export and metrics.

- written: as the labeller wrote it (NFC, single spaces), markup and all.
- spelling: the written form of what was said: dual transcriptions give their spelling
  side (`(70%)/(칠십 퍼센트)` -> `70%`), marks are removed.
- pronunciation: what was said, for acoustic training: dual transcriptions give their
  pronunciation side (`칠십 퍼센트`), marks are removed.

Fillers and repeated fragments stay in both forms as words, without their marks
(`음/ 그+ 그래서` -> `음 그 그래서`): that is the common KsponSpeech practice for ASR
training (the speech is in the audio, so the words belong in the transcript). Pass
`disfluencies="drop"` to leave them out, for language-model text; in a profile without a
filler mark (verbatim-en), "drop" removes the listed filler words instead. The uncertain
mark is removed and its word kept. Marks are removed where they belong (ending a word); a
misplaced one stays, for the linter to point at.

Tags: "keep" leaves them in as written (a tag glued to a word is split off as its own
word), "strip" removes them, "drop" returns None for text carrying a tag the profile marks
unusable for training (kspon `u/`, verbatim-en `[inaudible]`) and otherwise strips, "map"
writes each tag as the profile's `tag_map` says (kspon: `u/` -> `[unk]`, as ESPnet's
ksponspeech recipe does) and removes the tags it does not name.

`dual_order="pronunciation-first"` writes the written form's dual transcriptions the other
way round, `(pronunciation)/(spelling)`, as some AI Hub label files do; `swap_dual_sides`
turns such text back (swapping twice is the identity).

The profile's export style (case, punctuation) applies to the spelling and pronunciation
forms, never to tags. Text with lint errors gets a best effort, never an exception:
malformed dual transcriptions are kept as written, minus the marks.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from workbench.text.conventions import DUAL_ORDERS, Dual, Profile, Style, load_profile
from workbench.text.markup import Parsed, Piece, Word, is_punct, nfc, parse, word_marks

__all__ = [
    "FORMS",
    "TAG_MODES",
    "written",
    "spelling",
    "pronunciation",
    "render",
    "apply_style",
    "swap_dual_sides",
]

FORMS = ("written", "spelling", "pronunciation")
TAG_MODES = ("keep", "strip", "drop", "map")
_SPLITTING = "/…‥·"  # besides dashes: punctuation that separates words when stripped


def written(text: str) -> str:
    """The text as written: NFC, whitespace collapsed to single spaces, trimmed."""
    return " ".join(nfc(text).split())


def spelling(
    text: str,
    profile: Profile | str,
    tags: str = "strip",
    *,
    marks: str = "strip",
    disfluencies: str = "keep",
) -> str | None:
    """The written form of what was said; see `render`."""
    return render(text, profile, "spelling", tags, marks=marks, disfluencies=disfluencies)


def pronunciation(
    text: str,
    profile: Profile | str,
    tags: str = "strip",
    *,
    marks: str = "strip",
    disfluencies: str = "keep",
) -> str | None:
    """What was said, for acoustic training; see `render`."""
    return render(text, profile, "pronunciation", tags, marks=marks, disfluencies=disfluencies)


def render(
    text: str,
    profile: Profile | str,
    form: str = "spelling",
    tags: str = "strip",
    *,
    marks: str = "strip",
    disfluencies: str = "keep",
    dual_order: str = "spelling-first",
) -> str | None:
    """`text` in `form` with `tags` kept, stripped, dropped or mapped; None when dropped.

    `marks` ("strip" | "keep") and `disfluencies` ("keep" | "drop") apply to the spelling and
    pronunciation forms; the written form keeps everything but the tags it is told to strip,
    its dual transcriptions in `dual_order` (see DUAL_ORDERS).
    """
    _check(form, FORMS, "form")
    _check(tags, TAG_MODES, "tags")
    _check(marks, ("strip", "keep"), "marks")
    _check(disfluencies, ("keep", "drop"), "disfluencies")
    _check(dual_order, DUAL_ORDERS, "dual_order")
    profile = load_profile(profile)
    swap = form == "written" and dual_order != DUAL_ORDERS[0]
    if form == "written" and tags == "keep" and not swap:
        return written(text)
    parsed = parse(text, profile)
    if tags == "drop" and any(
        t.name in profile.unusable_tags for w in parsed.words for t in w.tags
    ):
        return None
    tag_text = _tag_writer(tags, profile)
    out: list[str] = []
    for word in parsed.words:
        if form != "written" and disfluencies == "drop" and _disfluent(parsed, word, profile):
            continue
        out += _render_word(parsed, word, profile, form, tag_text, marks == "strip", swap)
    return " ".join(" ".join(out).split())


def swap_dual_sides(text: str, profile: Profile | str) -> str:
    """`text` with both sides of each dual transcription swapped, everything else as written:
    AI Hub's `(십일월)/(11월)` <-> the profile's `(11월)/(십일월)`."""
    return render(text, profile, "written", "keep", dual_order=DUAL_ORDERS[1]) or ""


def _tag_writer(tags: str, profile: Profile) -> Callable[[str, str], str]:
    """(tag name, tag as written) -> what the output holds in its place."""
    if tags == "keep":
        return lambda name, as_written: as_written
    if tags == "map":
        mapping = dict(profile.tag_map)
        return lambda name, as_written: mapping.get(name, "")
    return lambda name, as_written: ""


def apply_style(text: str, style: Style, keep: str = "") -> str:
    """Case and punctuation of one word (or phrase) per an export style; `keep`: characters
    (the profile's marks, when kept) that punctuation stripping leaves alone."""
    if style.case == "lower":
        text = text.lower()
    if style.punctuation == "strip":
        text = _strip_punctuation(text, style.keep_in_words, keep)
    return text


def _check(value: str, allowed: tuple[str, ...], name: str) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")


def _render_word(
    parsed: Parsed,
    word: Word,
    profile: Profile,
    form: str,
    tag_text: Callable[[str, str], str],
    strip_marks: bool,
    swap: bool,
) -> list[str]:
    """The word as one or more output words: a kept tag glued to it becomes its own word.

    Only marks where they belong (ending the word) are removed; a misplaced one (`+그`,
    `1/2` outside a dual transcription) is text the labeller must fix, and stays.
    """
    style = None if form == "written" else profile.style(form)
    marks = (
        {at for _, at in word_marks(parsed, word, profile)[1]} if strip_marks and style else set()
    )
    kept = "" if strip_marks else profile.marks
    out: list[str] = []
    run: list[str] = []
    for piece in word.pieces:
        if piece.kind == "tag":
            out += [_finish(run, style, kept), tag_text(piece.name, piece.text)]
            run = []
        elif piece.kind == "dual" and style:
            run.append(parsed.side(piece, form))
        elif piece.kind == "dual" and swap and profile.dual:
            run.append(_swapped(parsed, piece, profile.dual))
        else:
            run += [c for at, c in enumerate(piece.text, piece.start) if at not in marks]
    out.append(_finish(run, style, kept))
    return [w for w in out if w]


def _swapped(parsed: Parsed, piece: Piece, dual: Dual) -> str:
    """A dual transcription written with its sides the other way round, each side as written."""
    (a, b), (c, d) = piece.spelling, piece.pronunciation
    first, second = parsed.text[c:d], parsed.text[a:b]
    return f"{dual.open}{first}{dual.close}{dual.separator}{dual.open}{second}{dual.close}"


def _finish(run: list[str], style: Style | None, kept: str) -> str:
    text = "".join(run)
    return apply_style(text, style, kept) if style else text


def _disfluent(parsed: Parsed, word: Word, profile: Profile) -> bool:
    if word.is_tag:
        return False
    core, suffix = word_marks(parsed, word, profile)
    found = {c for c, _ in suffix}
    if profile.filler_mark or profile.repetition_mark:
        return bool(found & {profile.filler_mark, profile.repetition_mark} - {None})
    bare = "".join(c for c, _ in core if not is_punct(c)).casefold()
    return bare in {f.casefold() for f in profile.fillers}


def _strip_punctuation(text: str, keep_in_words: str, keep: str) -> str:
    out = []
    for i, ch in enumerate(text):
        if not is_punct(ch) or ch in keep:
            out.append(ch)
            continue
        inside = 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()
        if inside and ch in keep_in_words:
            out.append(ch)
        elif inside and (ch in _SPLITTING or unicodedata.category(ch) == "Pd"):
            out.append(" ")
    return "".join(out)
