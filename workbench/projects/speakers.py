"""A project's speaker registry: who each speaker name on recordings and segments is, as the
deliverables need it (gender, age group, region or dialect, role), and the owner's notes.

Owners add, change, remove and import entries (a CSV of them); everyone on the project reads
the registry: the editor offers its speakers by key, in its order. Values are checked here:
a gender from `GENDERS` (여/남 and the like read as such), an age group from `AGE_GROUPS`
(an age in years read as its decade). Label files that describe their speakers (AI Hub's) fill
the registry on import (`fill_from_files`): a new speaker is added with what the files say, a
known one only gets the fields it lacks, and a value this module does not understand is noted,
never guessed. The formats write the registry (`workbench.formats.speakers`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy.exc as sa_exc

from workbench import store
from workbench.core.access import Action, allowed, require
from workbench.core.errors import Kind, NotFound, WorkbenchError
from workbench.core.records import AGE_GROUPS, GENDERS, SPEAKER_FIELDS, Project, Speaker
from workbench.core.workbench import Workbench
from workbench.formats.speakers import FIELD_NAMES, SpeakerFacts
from workbench.text.clean import clean_text

__all__ = [
    "FIELDS",
    "CSV_COLUMNS",
    "SpeakerImport",
    "parse_gender",
    "parse_age",
    "registry",
    "may_edit",
    "add_speaker",
    "change_speaker",
    "remove_speaker",
    "import_csv",
    "fill_from_files",
    "offered",
    "describe",
]

FIELDS = ("name", *SPEAKER_FIELDS, "notes")  # what an entry holds, as the page and CSV order it
_LIMITS = {"name": 200, "gender": 16, "age": 16, "region": 100, "role": 100, "notes": 1000}
_LABELS = {"name": "speaker name", **FIELD_NAMES, "notes": "notes"}

# how people and files write a gender, folded to lower case -> the registry's word
_GENDER_WORDS = {
    "female": "female",
    "f": "female",
    "woman": "female",
    "여": "female",
    "여성": "female",
    "여자": "female",
    "male": "male",
    "m": "male",
    "man": "male",
    "남": "male",
    "남성": "male",
    "남자": "male",
    "other": "other",
    "기타": "other",
}
_DECADE = re.compile(r"(\d0)\s*(?:대|s)")
_CHILD = ("10대 미만", "10대미만")
_OLDEST = ("90대 이상", "90대이상")


def parse_gender(value: str) -> str:
    """The registry's gender for `value` ('' stays ''): one of GENDERS, from the word in any
    of the spellings people and AI Hub files use (female, F, 여, 여성...); else WorkbenchError."""
    text = " ".join(str(value).split()).lower()
    if not text:
        return ""
    if text in _GENDER_WORDS:
        return _GENDER_WORDS[text]
    raise WorkbenchError(
        f"gender {_quoted(value)} is not one of {', '.join(GENDERS)} (or 여, 남, 기타)"
    )


def parse_age(value: str) -> str:
    """The registry's age group for `value` ('' stays ''): one of AGE_GROUPS as written, a
    decade ('30대', '30s'), or an age in years (34 is '30대'); else WorkbenchError naming the
    groups (a wider group such as '60대 이상' is not narrowed to a decade: that would guess)."""
    text = " ".join(str(value).split())
    if not text:
        return ""
    if text in AGE_GROUPS:
        return text
    if text in _CHILD:
        return AGE_GROUPS[0]
    if text in _OLDEST:
        return AGE_GROUPS[-1]
    if text.isdigit():
        years = int(text)
        if years < 130:
            return AGE_GROUPS[0] if years < 10 else AGE_GROUPS[min(years // 10, 9)]
    elif (decade := _DECADE.fullmatch(text.lower())) and 10 <= int(decade.group(1)) <= 90:
        return AGE_GROUPS[min(int(decade.group(1)) // 10, 9)]
    raise WorkbenchError(
        f"age group {_quoted(value)} is not one of {', '.join(AGE_GROUPS)} "
        "(or an age in years, e.g. 34)"
    )


def _quoted(value: object) -> str:
    text = " ".join(str(value).split())
    return repr(text if len(text) <= 40 else text[:39] + "…")


def _clean(values: Mapping[str, str], fields: Iterable[str]) -> dict[str, str]:
    """`values` of `fields` checked and put in the registry's form; WorkbenchError naming the
    first that is not (an empty name, a gender or age group not understood, one too long)."""
    clean = {}
    for f in fields:
        raw = values.get(f, "")
        value = clean_text(raw if isinstance(raw, str) else str(raw))
        if f == "gender":
            value = parse_gender(value)
        elif f == "age":
            value = parse_age(value)
        if len(value) > _LIMITS[f]:
            raise WorkbenchError(f"the {_LABELS[f]} has at most {_LIMITS[f]} characters")
        clean[f] = value
    if "name" in clean and not clean["name"]:
        raise WorkbenchError("a speaker needs a name (the speaker as segments name it)")
    return clean


# ---------------------------------------------------------------- the registry


def registry(wb: Workbench, project: Project) -> list[Speaker]:
    """The project's speakers, in the registry's order (everyone on the project reads it)."""
    require(wb, Action.VIEW, project.id)
    return store.list_speakers(wb.db, project.id)


def may_edit(wb: Workbench, project: Project) -> bool:
    """Whether the acting user may change the registry (the project's owners)."""
    return allowed(wb.actor, Action.SETTINGS)


def add_speaker(wb: Workbench, project: Project, name: str, **fields: str) -> Speaker:
    """A new speaker at the end of the registry (`fields`: gender, age, region, role, notes);
    WorkbenchError when a value is not understood, or the name is in the registry already."""
    user = require(wb, Action.SETTINGS, project.id)
    values = _clean({"name": name, **fields}, FIELDS)
    if store.find_speaker(wb.db, project.id, values["name"]) is not None:
        raise WorkbenchError(
            f"{values['name']} is in the speaker registry already", kind=Kind.CONFLICT
        )
    try:
        speaker = store.add_speaker(wb.db, project.id, values, user.name)
    except sa_exc.IntegrityError:  # added by someone else meanwhile
        raise WorkbenchError(
            f"{values['name']} is in the speaker registry already", kind=Kind.CONFLICT
        ) from None
    store.log_event(wb.db, user.name, "speaker added", project.id, {"name": speaker.name})
    return speaker


def change_speaker(wb: Workbench, project: Project, speaker_id: int, **fields: str) -> Speaker:
    """Set some of an entry's fields (name, gender, age, region, role, notes)."""
    user = require(wb, Action.SETTINGS, project.id)
    entry = _entry(wb, project, speaker_id)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise WorkbenchError(f"a speaker has no field {', '.join(sorted(unknown))}")
    values = _clean(fields, fields)
    taken = store.find_speaker(wb.db, project.id, values.get("name", entry.name))
    if taken is not None and taken.id != entry.id:
        raise WorkbenchError(f"{taken.name} is in the speaker registry already", kind=Kind.CONFLICT)
    speaker = store.update_speaker(wb.db, entry.id, values, user.name)
    store.log_event(
        wb.db, user.name, "speaker changed", project.id, {"name": speaker.name, **values}
    )
    return speaker


def remove_speaker(wb: Workbench, project: Project, speaker_id: int) -> None:
    """Drop an entry; the segments keep their speaker names (no longer described)."""
    user = require(wb, Action.SETTINGS, project.id)
    entry = _entry(wb, project, speaker_id)
    store.remove_speaker(wb.db, entry.id)
    store.log_event(wb.db, user.name, "speaker removed", project.id, {"name": entry.name})


def _entry(wb: Workbench, project: Project, speaker_id: int) -> Speaker:
    found = next((s for s in store.list_speakers(wb.db, project.id) if s.id == speaker_id), None)
    if found is None:
        raise NotFound(f"no speaker {speaker_id} in this project's registry")
    return found


def describe(speaker: Speaker) -> str:
    """'F01 · female, 20대, 서울, 사회자': the name and what the registry knows."""
    known = [getattr(speaker, f) for f in SPEAKER_FIELDS if getattr(speaker, f)]
    return f"{speaker.name} · {', '.join(known)}" if known else speaker.name


def offered(
    wb: Workbench, project: Project, current: str | None, entries: Sequence[Speaker] | None = None
) -> list[tuple[str, str]]:
    """The speakers the editor offers, as (name, what to show), in the order of its keys:
    the registry's in its order when the project has one, else the settings' plain names
    (sorted); the segment's `current` speaker is kept among them (last, if not listed).
    `entries`: the registry, when the caller read it already (`registry`)."""
    entries = registry(wb, project) if entries is None else entries
    if not entries:
        return [(n, n) for n in sorted({*project.speakers, *([current] if current else [])})]
    offer = [(s.name, describe(s)) for s in entries]
    if current and all(name != current for name, _ in offer):
        offer.append((current, current))
    return offer


# ---------------------------------------------------------------- importing


@dataclass(frozen=True)
class SpeakerImport:
    """What an import into the registry did: names added, names changed, and each row or
    value not taken, with where it was and why."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


# a CSV's header words -> the registry's fields (English, AI Hub's names, Korean)
CSV_COLUMNS = {
    "name": "name",
    "speaker": "name",
    "id": "name",
    "화자": "name",
    "gender": "gender",
    "sex": "gender",
    "성별": "gender",
    "age": "age",
    "age group": "age",
    "age_group": "age",
    "연령": "age",
    "연령대": "age",
    "region": "region",
    "dialect": "region",
    "residence": "region",
    "지역": "region",
    "방언": "region",
    "role": "role",
    "역할": "role",
    "notes": "notes",
    "note": "notes",
    "비고": "notes",
}


def import_csv(wb: Workbench, project: Project, text: str) -> SpeakerImport:
    """Add or change the registry from a CSV with a header row (name, gender, age, region,
    role, notes: see CSV_COLUMNS for the words taken). A name in the registry gets the row's
    non-empty cells; a new name is added. A row with a value not understood is skipped, with
    its line and why; the rest are taken."""
    require(wb, Action.SETTINGS, project.id)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        raise WorkbenchError("the CSV is empty: it needs a header row (name, gender, age...)")
    columns = [CSV_COLUMNS.get(" ".join(h.split()).lower()) for h in rows[0]]
    if "name" not in columns:
        raise WorkbenchError(
            "the CSV's header has no name column (name, speaker or id); it has "
            + ", ".join(_quoted(h) for h in rows[0])
        )
    added: list[str] = []
    changed: list[str] = []
    problems: list[str] = []
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        given = {c: cell for c, cell in zip(columns, row, strict=False) if c and cell.strip()}
        try:
            done = _take(wb, project, given)
        except WorkbenchError as exc:
            problems.append(f"line {line}: {exc}")
            continue
        (added if done == "added" else changed).append(given["name"].strip())
    return SpeakerImport(tuple(added), tuple(changed), tuple(problems))


def _take(wb: Workbench, project: Project, given: dict[str, str]) -> str:
    """One CSV row into the registry: 'added', 'changed' or 'same'."""
    if "name" not in given:
        raise WorkbenchError("no speaker name")
    values = _clean(given, given)
    entry = store.find_speaker(wb.db, project.id, values["name"])
    if entry is None:
        add_speaker(wb, project, **values)
        return "added"
    update = {f: v for f, v in values.items() if f != "name" and getattr(entry, f) != v}
    if update:
        change_speaker(wb, project, entry.id, **update)
    return "changed" if update else "same"


def fill_from_files(
    wb: Workbench, project: Project, found: Sequence[tuple[str, SpeakerFacts]]
) -> list[tuple[str, str]]:
    """Fill the registry from the speaker records label files hold (file name, record): a
    new speaker is added with the values understood, a known one gets only the fields it
    lacks. Returns notes as (file, what): a value not understood (left empty, not guessed) or
    one that differs from the registry's (the registry's kept), each finding once, at the
    first file that shows it."""
    user = require(wb, Action.SETTINGS, project.id)
    entries = {s.name: s for s in store.list_speakers(wb.db, project.id)}
    notes: dict[str, tuple[str, str]] = {}
    for file, facts in found:
        name = clean_text(facts.name)[: _LIMITS["name"]]
        if not name:
            continue
        values = {}
        for field, raw in facts.values:
            try:
                value = _clean({field: raw}, (field,))[field]
            except WorkbenchError as exc:
                finding = f"speaker {name}: {exc}; left empty"
                notes.setdefault(finding, (file, finding))
                continue
            known = getattr(entries.get(name), field, "")
            if value and known and known != value:
                finding = (
                    f"speaker {name}: {_LABELS[field]} {value!r} here, {known!r} in the "
                    "registry (the registry's kept)"
                )
                notes.setdefault(finding, (file, finding))
            elif value and not known:
                values[field] = value
        entries[name] = _filled(wb, project, entries.get(name), name, values, user.name)
    return list(notes.values())


def _filled(
    wb: Workbench,
    project: Project,
    entry: Speaker | None,
    name: str,
    values: dict[str, str],
    by: str,
) -> Speaker:
    if entry is None:
        entry = store.add_speaker(wb.db, project.id, {"name": name, **values}, by)
        store.log_event(wb.db, by, "speaker added", project.id, {"name": name, "from": "import"})
    elif values:
        entry = store.update_speaker(wb.db, entry.id, values, by)
    return entry
