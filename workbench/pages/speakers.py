"""Speakers: the project's speaker registry (gender, age group, region, role of each speaker
name), which the editor offers by key and the deliverables write. Everyone on the project
reads it; owners add, change, remove and import speakers."""

import hashlib

import pandas as pd
import streamlit as st

from workbench.core.errors import WorkbenchError
from workbench.core.messages import N_, t
from workbench.core.records import AGE_GROUPS, GENDERS
from workbench.projects.speakers import (
    FIELDS,
    add_speaker,
    change_speaker,
    import_csv,
    may_edit,
    registry,
    remove_speaker,
)
from workbench.ui.common import MISSING, page_flash, project_page, show_error
from workbench.ui.text import md

wb, project = project_page("Speakers")
pid = project.id
done = page_flash("speakers_flash")  # done(message): shown after the rerun that shows the change
for skipped in st.session_state.pop(f"spk_csv_skipped_{pid}", ()):
    st.warning(md(t("Skipped {problem}", problem=skipped), 500))
entries = registry(wb, project)
editing = may_edit(wb, project)

st.caption(
    t(
        "Who each speaker name on recordings and segments is, as deliveries need it: AI Hub's "
        "label files carry gender and age group (and region, role), lhotse, Common Voice and "
        "Kaldi exports what they have room for. The editor offers these speakers by key "
        "(Alt+Shift+1 the first, 2 the second…), in this order."
    )
)
COLUMNS = {"name": N_("speaker"), "gender": N_("gender"), "age": N_("age group")}
COLUMNS |= {"region": N_("region"), "role": N_("role"), "notes": N_("notes")}
GENDER_NAMES = {"female": N_("female"), "male": N_("male"), "other": N_("other")}
NOT_KNOWN = t("not known")
SHOWN_GENDERS = {"": NOT_KNOWN, **{g: t(GENDER_NAMES[g]) for g in GENDERS}}
SHOWN_AGES = {"": NOT_KNOWN, **{a: a for a in AGE_GROUPS}}

if not entries:
    st.info(
        t(
            "No speakers in the registry yet: the editor offers the plain speaker list of the "
            "project's settings."
        )
        + (" " + t("Add speakers below, or import a CSV.") if editing else "")
    )
elif not editing:
    rows = [
        {"key": n if n < 10 else None, **{f: getattr(s, f) for f in FIELDS}}
        for n, s in enumerate(entries, 1)
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        column_config={
            "key": st.column_config.NumberColumn(t("key")),
            **{f: st.column_config.TextColumn(t(label)) for f, label in COLUMNS.items()},
        },
        placeholder=MISSING,
    )


def attempt(what: str, action, *args, **kwargs) -> bool:
    """Run a use case; a refusal is shown as an error naming `what`. Whether it ran."""
    try:
        action(*args, **kwargs)
    except WorkbenchError as exc:
        show_error(exc, f"{what}: ")
        return False
    return True


def _table() -> None:
    """The registry as an editable table: change cells, tick remove, then save."""
    table = pd.DataFrame(
        [{"id": s.id, **{f: getattr(s, f) for f in FIELDS}, "remove": False} for s in entries]
    )
    stamp = hashlib.sha1(repr(entries).encode()).hexdigest()[:8]
    edited = st.data_editor(
        table,
        key=f"spk_table_{pid}_{stamp}",
        hide_index=True,
        num_rows="fixed",
        column_config={
            "id": None,
            **{f: st.column_config.TextColumn(t(label)) for f, label in COLUMNS.items()},
            "gender": st.column_config.SelectboxColumn(t("gender"), options=["", *GENDERS]),
            "age": st.column_config.SelectboxColumn(t("age group"), options=["", *AGE_GROUPS]),
            "remove": st.column_config.CheckboxColumn(t("remove")),
        },
        placeholder=MISSING,
    )
    if not st.button(t("Save speaker changes"), key=f"spk_save_{pid}"):
        return
    changed = 0
    for entry, row in zip(entries, edited.to_dict("records"), strict=True):
        what = t("{name} not changed", name=entry.name)
        if row["remove"]:
            changed += attempt(
                t("{name} not removed", name=entry.name), remove_speaker, wb, project, entry.id
            )
            continue
        new = {f: "" if pd.isna(row[f]) else str(row[f]) for f in FIELDS}
        update = {f: v for f, v in new.items() if v != getattr(entry, f)}
        if update:
            changed += attempt(what, change_speaker, wb, project, entry.id, **update)
    if changed:
        done(t("{n} speaker(s) changed.", n=changed))


def _add_form() -> None:
    with st.form(f"spk_add_{pid}", clear_on_submit=True):
        st.markdown(t("**Add a speaker**"))
        left, mid, right = st.columns(3)
        name = left.text_input(
            t("Speaker name"),
            key=f"spk_add_name_{pid}",
            max_chars=200,
            help=t("As recordings and segments name the speaker (AI Hub's speaker id)"),
        )
        gender = mid.selectbox(
            t("Gender"),
            ["", *GENDERS],
            key=f"spk_add_gender_{pid}",
            format_func=SHOWN_GENDERS.__getitem__,
        )
        age = right.selectbox(
            t("Age group"),
            ["", *AGE_GROUPS],
            key=f"spk_add_age_{pid}",
            format_func=SHOWN_AGES.__getitem__,
        )
        region = left.text_input(t("Region or dialect"), key=f"spk_add_region_{pid}", max_chars=100)
        role = mid.text_input(t("Role"), key=f"spk_add_role_{pid}", max_chars=100)
        notes = right.text_input(
            t("Notes (not exported)"), key=f"spk_add_notes_{pid}", max_chars=1000
        )
        if st.form_submit_button(t("Add speaker"), key=f"spk_add_go_{pid}") and attempt(
            t("Not added"),
            add_speaker,
            wb,
            project,
            name,
            gender=gender,
            age=age,
            region=region,
            role=role,
            notes=notes,
        ):
            done(t("{name} added to the registry.", name=name.strip()))


def _import() -> None:
    st.markdown(t("**Import a CSV of speakers**"))
    st.caption(
        t(
            "A header row naming the columns: name (or speaker, id, 화자), gender (성별), age "
            "(연령대), region (dialect, 지역), role (역할), notes (비고). A name in the registry "
            "gets the row's filled cells; a new one is added."
        )
    )
    sent = st.file_uploader(t("CSV of speakers"), type=["csv", "txt"], key=f"spk_csv_{pid}")
    if sent is None or not st.button(t("Import speakers"), key=f"spk_csv_go_{pid}"):
        return
    raw = sent.getvalue()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp949", errors="replace")
    try:
        result = import_csv(wb, project, text)
    except WorkbenchError as exc:
        show_error(exc, t("Not imported: "))
        return
    st.session_state[f"spk_csv_skipped_{pid}"] = result.problems  # shown after the rerun
    done(
        t(
            "{added} speaker(s) added, {changed} changed.",
            added=len(result.added),
            changed=len(result.changed),
        )
    )


if editing:
    if entries:
        _table()
    _add_form()
    _import()
