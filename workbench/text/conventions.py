"""Transcription convention profiles: how a project writes its transcripts, as data.

A profile is a small YAML file. The built-ins live in `workbench/conventions/` (`plain`,
`kspon`, `verbatim-en`), each with a Markdown guideline beside it (`kspon.yaml`, `kspon.md`);
a team can write its own file and load it by path. Loaded profiles are frozen dataclasses.

File format (every field but `name` is optional; a user file may start from a built-in with
`extends: kspon` and override only what differs, mappings merged key by key)::

    name: kspon                     # defaults to the file's stem
    title: KsponSpeech / AI Hub (Korean)
    language: ko
    description: one paragraph
    guidelines: kspon.md            # Markdown, relative to this file; default <stem>.md
    tags:
      syntax: "{}/"                 # "{}/" -> b/ (a token of its own); "[{}]" -> [noise]
      names: {b: breath, u: unintelligible}
      unusable: [u]                 # a segment carrying one is unusable for training
    dual: {open: "(", separator: "/", close: ")"}   # (spelling)/(pronunciation); null: none
    marks: {filler: "/", repetition: "+", uncertain: "*"}  # written right after a word
    fillers: [음, 어]                # known filler words
    numbers: words                  # "words": digits only on a dual spelling side; "digits"
    lint: {digits: error, double-space: warning}   # rule -> error | warning | off
    export:                         # per text form: case keep|lower, punctuation keep|strip
      spelling: {case: keep, punctuation: keep}
      pronunciation: {case: keep, punctuation: strip, keep_in_words: "'-"}
      dual_order: spelling-first    # how AI Hub label files write a dual transcription:
                                    # pronunciation-first writes (11월)/(십일월) as (십일월)/(11월)
      tag_map: {u: "[unk]"}         # an export with tags "map": a tag named here becomes its
                                    # text ('' removes it); a tag not named is removed

A malformed file raises ProfileError naming the file and the field.

KsponSpeech (`kspon`), as understood here from the published corpus (Bang et al., 2020) and
its transcripts; where the conventions were not at hand, the assumption is stated:
- `(spelling)/(pronunciation)`: the written form, then what was said, in Hangul words; used
  for numbers, symbols, English and non-standard pronunciations. Text may be glued to it
  (particles: `(5분)/(오 분)만`). No spaces around the `/`.
- noise tags `b/` breath, `l/` laughter, `o/` another speaker's voice, `n/` noise, `u/`
  unintelligible, each written as a word of its own (in the corpus they mostly stand at the
  start or between words; glued to a word is taken as a mistake).
- `/` right after a filler (`음/`), `+` right after a repeated or broken-off fragment
  (`그+`), `*` right after a word the transcriber is unsure of (`아마*`).
- transcripts carry sentence punctuation (`.`, `?`, `!`); kept in the spelling form.
- common KsponSpeech ASR recipes strip tags and the `/ + *` marks and keep the filler and
  fragment words; the text forms follow that. Whether `u/` segments are trained on differs
  between recipes; here the export decides (`tags="drop"`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from workbench.core.errors import NotFound, WorkbenchError

__all__ = [
    "BUILTIN_DIR",
    "DUAL_ORDERS",
    "RULES",
    "LEVELS",
    "Tag",
    "Dual",
    "Style",
    "Profile",
    "ProfileError",
    "load_profile",
    "list_profiles",
]

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "conventions"


class ProfileError(WorkbenchError):
    """A conventions profile that cannot be used: the message names the file and the field."""


DUAL_ORDERS = ("spelling-first", "pronunciation-first")

RULES = {  # every lint rule a profile may enable, with what it checks
    "dual-transcription": "dual transcription as (spelling)/(pronunciation), both sides filled, "
    "not nested",
    "unknown-tag": "a tag that the profile does not define, or an unclosed tag bracket",
    "tag-placement": "a tag glued to a word instead of standing alone",
    "digits": "digits where the profile wants numbers written as words",
    "mark-placement": "a filler, repetition or uncertainty mark not directly after a word, or "
    "doubled",
    "filler-unknown": "a filler mark on a word that is not a known filler",
    "filler-word": "a filler word written in a profile whose fillers are left out",
    "latin-letters": "Latin letters outside the spelling side of a dual transcription",
    "double-space": "two or more spaces between words",
    "edge-space": "space at the start or end of the text",
    "odd-space": "a tab, line break, non-breaking, full-width or zero-width space",
    "unicode-form": "text not in NFC (for example decomposed Hangul jamo from a macOS IME)",
}
LEVELS = ("error", "warning")

_FIELDS = {
    "name",
    "title",
    "language",
    "description",
    "guidelines",
    "tags",
    "dual",
    "marks",
    "fillers",
    "numbers",
    "lint",
    "export",
    "extends",
}
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_MAX_EXTENDS = 5  # profiles extending profiles, at most this deep


@dataclass(frozen=True)
class Tag:
    name: str  # as written between the syntax's parts: "b" in b/, "noise" in [noise]
    meaning: str
    trainable: bool = True  # False: a segment carrying it is dropped with tags="drop"


@dataclass(frozen=True)
class Dual:
    """Dual transcription syntax: (spelling)/(pronunciation) with the default characters."""

    open: str = "("
    separator: str = "/"
    close: str = ")"


@dataclass(frozen=True)
class Style:
    """Case and punctuation of one exported text form."""

    case: str = "keep"  # "keep" | "lower"
    punctuation: str = "keep"  # "keep" | "strip" (Unicode categories P*)
    keep_in_words: str = ""  # punctuation kept between two letters when stripping: "'-"


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    language: str | None
    description: str
    tag_syntax: str  # "{}/" or "[{}]": where the tag name goes; "" when the profile has no tags
    tags: tuple[Tag, ...]
    dual: Dual | None
    filler_mark: str | None
    repetition_mark: str | None
    uncertain_mark: str | None
    fillers: tuple[str, ...]
    numbers: str  # "digits" | "words"
    rules: tuple[tuple[str, str], ...]  # (rule id, level), enabled rules only
    spelling_style: Style
    pronunciation_style: Style
    guidelines: str  # Markdown for the editor's guidelines panel
    source: str  # the file it came from
    dual_order: str = "spelling-first"  # in AI Hub label files; one of DUAL_ORDERS
    tag_map: tuple[tuple[str, str], ...] = ()  # (tag name, text) for an export with tags "map"

    @property
    def tag_open(self) -> str:
        return self.tag_syntax.split("{}")[0] if self.tag_syntax else ""

    @property
    def tag_close(self) -> str:
        return self.tag_syntax.split("{}")[1] if self.tag_syntax else ""

    @property
    def tag_names(self) -> frozenset[str]:
        return frozenset(t.name for t in self.tags)

    @property
    def unusable_tags(self) -> frozenset[str]:
        return frozenset(t.name for t in self.tags if not t.trainable)

    @property
    def marks(self) -> str:
        """The mark characters in use, filler first."""
        return "".join(
            m for m in (self.filler_mark, self.repetition_mark, self.uncertain_mark) if m
        )

    def tag_text(self, name: str) -> str:
        """A tag as written: "b" -> "b/" in kspon, "noise" -> "[noise]" in verbatim-en."""
        return self.tag_syntax.replace("{}", name)

    def level(self, rule: str) -> str | None:
        """ "error" or "warning" for an enabled rule, None for one that is off."""
        return dict(self.rules).get(rule)

    def style(self, form: str) -> Style:
        return {"spelling": self.spelling_style, "pronunciation": self.pronunciation_style}[form]


def list_profiles() -> list[str]:
    """Names of the built-in profiles, sorted."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def load_profile(name_or_path: str | Path | Profile) -> Profile:
    """A built-in profile by name ("kspon"), or a user's profile file by path.

    A Profile passes through unchanged, so callers may hand over either.
    """
    if isinstance(name_or_path, Profile):
        return name_or_path
    if isinstance(name_or_path, str) and name_or_path in list_profiles():
        return _builtin(name_or_path)
    path = Path(name_or_path)
    if isinstance(name_or_path, str) and not _looks_like_path(name_or_path):
        names = ", ".join(list_profiles())
        raise NotFound(
            f"no conventions profile named {name_or_path!r} (built-in: {names}); "
            "give the path of a .yaml file for your own"
        )
    if not path.is_file():
        raise NotFound(f"{path}: conventions profile file not found")
    return _build(_read(path, depth=0), path)


@cache
def _builtin(name: str) -> Profile:
    path = BUILTIN_DIR / f"{name}.yaml"
    return _build(_read(path, depth=0), path)


def _looks_like_path(text: str) -> bool:
    return text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text or Path(text).is_file()


# ---- reading: YAML -> a plain dict, `extends` resolved, guidelines made absolute


def _read(path: Path, depth: int) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read the profile: {exc}") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: a profile is a mapping of fields, got {type(data).__name__}")
    unknown = sorted(str(k) for k in data if k not in _FIELDS)
    if unknown:
        raise ProfileError(
            f"{path}: unknown field {unknown[0]!r} (fields: {', '.join(sorted(_FIELDS))})"
        )
    data = dict(data)
    data.setdefault("name", path.stem)
    if "guidelines" in data:
        data["guidelines"] = _guidelines_path(path, data["guidelines"])
    elif path.with_suffix(".md").is_file():
        data["guidelines"] = str(path.with_suffix(".md"))
    base = data.pop("extends", None)
    if base is None:
        return data
    return _merge(_base(path, base, depth), data)


def _guidelines_path(path: Path, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(
            f"{path}: field 'guidelines': expected a Markdown file name, got {value!r}"
        )
    found = (path.parent / value).resolve()
    if not found.is_file():
        raise ProfileError(
            f"{path}: field 'guidelines': file {value!r} not found beside the profile"
        )
    return str(found)


def _base(path: Path, base: Any, depth: int) -> dict[str, Any]:
    if not isinstance(base, str):
        raise ProfileError(
            f"{path}: field 'extends': expected a profile name or path, got {base!r}"
        )
    if depth >= _MAX_EXTENDS:
        raise ProfileError(
            f"{path}: field 'extends': profiles extend each other more than {_MAX_EXTENDS} deep"
        )
    if base in list_profiles():
        found = BUILTIN_DIR / f"{base}.yaml"
    else:
        found = (path.parent / base).resolve()
        if not found.is_file():
            raise ProfileError(
                f"{path}: field 'extends': no built-in profile or file named {base!r}"
            )
    data = _read(found, depth + 1)
    _build(data, found)  # a base is a profile of its own: its mistakes are named in its file
    data.pop("name", None)
    return data


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# ---- building: a plain dict -> Profile, every field checked


def _build(data: dict[str, Any], path: Path) -> Profile:
    src = str(path)
    name = _text(data, "name", src, required=True)
    tag_syntax, tags = _tags(data.get("tags"), src)
    dual = _dual(data.get("dual"), src)
    marks = _marks(data.get("marks"), src, dual)
    export = _mapping(
        data.get("export"), "export", src, {"spelling", "pronunciation", "dual_order", "tag_map"}
    )
    profile = Profile(
        name=name,
        title=_text(data, "title", src) or name,
        language=_text(data, "language", src) or None,
        description=_text(data, "description", src),
        tag_syntax=tag_syntax,
        tags=tags,
        dual=dual,
        filler_mark=marks.get("filler"),
        repetition_mark=marks.get("repetition"),
        uncertain_mark=marks.get("uncertain"),
        fillers=_fillers(data.get("fillers"), src),
        numbers=_choice(data.get("numbers", "digits"), "numbers", src, ("digits", "words")),
        rules=_rules(data.get("lint"), src),
        spelling_style=_style(export.get("spelling"), "export.spelling", src),
        pronunciation_style=_style(export.get("pronunciation"), "export.pronunciation", src),
        guidelines="",
        source=src,
        dual_order=_choice(
            export.get("dual_order", DUAL_ORDERS[0]), "export.dual_order", src, DUAL_ORDERS
        ),
        tag_map=_tag_map(export.get("tag_map"), tags, src),
    )
    text = _guidelines_text(data.get("guidelines"), src) or _summary(profile)
    return replace(profile, guidelines=text)


def _text(data: dict[str, Any], field: str, src: str, required: bool = False) -> str:
    value = data.get(field)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ProfileError(f"{src}: field {field!r}: expected text, got {value!r}")
    return value.strip()


def _choice(value: Any, field: str, src: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ProfileError(f"{src}: field {field!r}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _mapping(value: Any, field: str, src: str, keys: set[str] | None = None) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProfileError(f"{src}: field {field!r}: expected a mapping, got {value!r}")
    extra = sorted(str(k) for k in value if keys is not None and k not in keys)
    if extra:
        expected = ", ".join(sorted(keys or ()))
        raise ProfileError(f"{src}: field '{field}.{extra[0]}': unknown (expected {expected})")
    return value


def _char(value: Any, field: str, src: str) -> str:
    if not isinstance(value, str) or len(value) != 1 or value.isspace() or value.isalnum():
        raise ProfileError(
            f"{src}: field {field!r}: expected one punctuation character, got {value!r}"
        )
    return value


def _tags(value: Any, src: str) -> tuple[str, tuple[Tag, ...]]:
    if value is None:
        return "", ()
    spec = _mapping(value, "tags", src, {"syntax", "names", "unusable"})
    syntax = spec.get("syntax", "[{}]")
    if not isinstance(syntax, str) or syntax.count("{}") != 1 or syntax == "{}":
        raise ProfileError(
            f"{src}: field 'tags.syntax': expected one {{}} as in '{{}}/', got {syntax!r}"
        )
    if any(c.isalnum() or c.isspace() for c in syntax.replace("{}", "")):
        raise ProfileError(
            f"{src}: field 'tags.syntax': only punctuation may surround {{}}, got {syntax!r}"
        )
    names = _mapping(spec.get("names"), "tags.names", src)
    suffix_only = not syntax.split("{}")[0] or not syntax.split("{}")[1]
    for name, meaning in names.items():
        pattern = r"[A-Za-z]+" if suffix_only else _TAG_NAME.pattern
        if not isinstance(name, str) or not re.fullmatch(pattern, name):
            raise ProfileError(
                f"{src}: field 'tags.names': {name!r} is not a tag name (letters only)"
            )
        if not isinstance(meaning, str):
            raise ProfileError(
                f"{src}: field 'tags.names.{name}': expected a description, got {meaning!r}"
            )
    unusable = spec.get("unusable") or []
    if not isinstance(unusable, list) or any(u not in names for u in unusable):
        raise ProfileError(
            f"{src}: field 'tags.unusable': expected a list of tags.names, got {unusable!r}"
        )
    return syntax, tuple(Tag(n, m, n not in unusable) for n, m in names.items())


def _tag_map(value: Any, tags: tuple[Tag, ...], src: str) -> tuple[tuple[str, str], ...]:
    spec = _mapping(value, "export.tag_map", src)
    names = {t.name for t in tags}
    for name, text in spec.items():
        if name not in names:
            raise ProfileError(f"{src}: field 'export.tag_map.{name}': not a tag of tags.names")
        if not isinstance(text, str) or any(c.isspace() for c in text):
            raise ProfileError(
                f"{src}: field 'export.tag_map.{name}': expected one word or '', got {text!r}"
            )
    return tuple(spec.items())


def _dual(value: Any, src: str) -> Dual | None:
    if value is None or value is False:
        return None
    if value is True:
        return Dual()
    spec = _mapping(value, "dual", src, {"open", "separator", "close"})
    dual = Dual(**{k: _char(v, f"dual.{k}", src) for k, v in spec.items()})
    if len({dual.open, dual.separator, dual.close}) != 3:
        raise ProfileError(
            f"{src}: field 'dual': open, separator and close must differ, got {value!r}"
        )
    return dual


def _marks(value: Any, src: str, dual: Dual | None) -> dict[str, str]:
    spec = _mapping(value, "marks", src, {"filler", "repetition", "uncertain"})
    marks = {k: _char(v, f"marks.{k}", src) for k, v in spec.items() if v is not None}
    if len(set(marks.values())) != len(marks):
        raise ProfileError(
            f"{src}: field 'marks': each mark needs its own character, got {value!r}"
        )
    for kind, mark in marks.items():
        if dual and mark in (dual.open, dual.close):
            raise ProfileError(
                f"{src}: field 'marks.{kind}': {mark!r} is a dual transcription bracket"
            )
    return marks


def _fillers(value: Any, src: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ProfileError(f"{src}: field 'fillers': expected a list of words, got {value!r}")
    return tuple(unicodedata.normalize("NFC", v.strip()) for v in value)


def _rules(value: Any, src: str) -> tuple[tuple[str, str], ...]:
    spec = _mapping(value, "lint", src)
    rules = []
    for rule, level in spec.items():
        if rule not in RULES:
            raise ProfileError(
                f"{src}: field 'lint.{rule}': unknown rule (rules: {', '.join(RULES)})"
            )
        if level is False or level == "off":
            continue
        if level not in LEVELS:
            raise ProfileError(
                f"{src}: field 'lint.{rule}': {level!r} is not error, warning or off"
            )
        rules.append((rule, level))
    return tuple(rules)


def _style(value: Any, field: str, src: str) -> Style:
    spec = _mapping(value, field, src, {"case", "punctuation", "keep_in_words"})
    keep = spec.get("keep_in_words", "")
    if not isinstance(keep, str):
        raise ProfileError(
            f"{src}: field '{field}.keep_in_words': expected characters, got {keep!r}"
        )
    return Style(
        case=_choice(spec.get("case", "keep"), f"{field}.case", src, ("keep", "lower")),
        punctuation=_choice(
            spec.get("punctuation", "keep"), f"{field}.punctuation", src, ("keep", "strip")
        ),
        keep_in_words=keep,
    )


def _guidelines_text(path: str | None, src: str) -> str:
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8").strip() + "\n"
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{src}: field 'guidelines': cannot read {path}: {exc}") from None


def _summary(p: Profile) -> str:
    """Guidelines made from the profile's data, for a profile that ships no Markdown."""
    lines = [f"# {p.title}", ""]
    if p.description:
        lines += [p.description, ""]
    for t in p.tags:
        note = "" if t.trainable else " (not trained on)"
        lines.append(f"- tag `{p.tag_text(t.name)}`: {t.meaning}{note}")
    if p.dual:
        o, s, c = p.dual.open, p.dual.separator, p.dual.close
        lines.append(f"- dual transcription: `{o}spelling{c}{s}{o}pronunciation{c}`")
    marks = {
        "filler": p.filler_mark,
        "repetition": p.repetition_mark,
        "uncertain word": p.uncertain_mark,
    }
    for kind, mark in marks.items():
        if mark:
            lines.append(f"- `{mark}` right after a word marks a {kind}")
    lines.append(
        "- numbers: " + ("write them as words" if p.numbers == "words" else "digits are fine")
    )
    return "\n".join(lines) + "\n"
