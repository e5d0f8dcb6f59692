"""Team (owners): hand out work, the qualification test and gold, double labelling, and the
defect rules with each labeller's standing."""

from collections.abc import Sequence

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from workbench.core.errors import WorkbenchError
from workbench.core.records import TODO, Status
from workbench.crowd.claims import UNITS, assign, set_cap, workload
from workbench.crowd.gold import gold_list, mark_gold, unmark_gold
from workbench.crowd.qualification import allow_retake, labellers, lift_pause
from workbench.projects.people import members
from workbench.projects.settings import recordings, update_settings
from workbench.ui.common import MISSING, fmt_seconds, form_key, page_flash, project_page, show_error
from workbench.ui.text import md

MODES = {
    "off": "off: everyone steps through the whole queue",
    "segment": "by segment: each person claims one segment at a time",
    "recording": "by recording: each person claims a whole recording",
}
STATUSES = [s.value for s in Status if s is not Status.DELETED]
LEVELS = {"ok": "ok", "warn": "warned", "pause": "paused"}

wb, project = project_page("Team")
pid = project.id
done = page_flash("team_flash")  # done(message): shown after the rerun that shows the change


def save(what: str, **values) -> None:
    """Store settings; a refusal is shown naming the setting (the service's message)."""
    try:
        update_settings(wb, pid, **values)
    except WorkbenchError as exc:
        show_error(exc, f"{what} not saved: ")
    else:
        done(f"{what} saved.")


def percent(column, label: str, field: str, help: str | None = None) -> float:
    """A 0..1 setting edited in %; returns it as 0..1."""
    value = column.number_input(
        f"{label} (%)",
        0.0,
        100.0,
        round(getattr(project, field) * 100, 2),
        step=1.0,
        format="%.1f",
        key=form_key(project, f"team_{field}"),
        help=help,
    )
    return value / 100


def segment_ids(text: str) -> list[int]:
    """Segment ids typed as '12, 14 20-25' (ranges included)."""
    out: list[int] = []
    for part in text.replace(",", " ").split():
        first, _, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise WorkbenchError(f"segment ids: {part!r} is not a number or a range like 20-25")
        if last and int(last) - int(first) > 100_000:
            raise WorkbenchError(f"segment ids: the range {part} is too long")
        out += range(int(first), int(last or first) + 1)
    return out


people = [u.name for u in members(wb, pid) if u.active]
anyone = [None, *people]

# ------------------------------------------------------------------------ hand out work
st.header("Hand out work")
with st.form(form_key(project, "team_assignment")):
    cols: Sequence[DeltaGenerator] = st.columns(2)
    mode = cols[0].selectbox(
        "Hand out work",
        UNITS,
        index=UNITS.index(project.assignment),
        format_func=MODES.__getitem__,
        key=form_key(project, "team_mode"),
    )
    minutes = cols[1].number_input(
        "A claim lasts (minutes)",
        1,
        24 * 60,
        project.claim_minutes,
        key=form_key(project, "team_claim_minutes"),
        help="A claim nobody saves is free again after this.",
    )
    if st.form_submit_button("Save", key=form_key(project, "team_assignment_save")):
        save("Hand out work", assignment=mode, claim_minutes=int(minutes))
if project.assignment == "off":
    st.caption("Assignments and caps count once work is handed out by segment or recording.")


def person(column, key: str):
    return column.selectbox(
        "To", anyone, key=key, format_func=lambda n: "anyone (take back)" if n is None else n
    )


left, right = st.columns(2)
with left.form(f"team_assign_recording_{pid}", clear_on_submit=True):
    st.markdown("**Assign a recording**")
    records = {r.id: r.original_name for r in recordings(wb, project)}
    rec = st.selectbox(
        "Recording", list(records), format_func=records.__getitem__, key=f"team_assign_rec_{pid}"
    )
    only = st.multiselect(
        "Only segments that are (empty: all)", STATUSES, key=f"team_assign_statuses_{pid}"
    )
    to = person(st, f"team_assign_rec_to_{pid}")
    if st.form_submit_button("Assign", key=f"team_assign_rec_go_{pid}"):
        try:
            count = assign(wb, pid, to, recording_id=rec, statuses=only)
        except WorkbenchError as exc:
            show_error(exc, "Not assigned: ")
        else:
            done(f"{count} segments of {records[rec]} handed to {to or 'anyone'}.")
with right.form(f"team_assign_segments_{pid}", clear_on_submit=True):
    st.markdown("**Assign segments**")
    typed = st.text_input("Segment ids", placeholder="12, 14, 20-25", key=f"team_assign_ids_{pid}")
    to = person(st, f"team_assign_ids_to_{pid}")
    if st.form_submit_button("Assign", key=f"team_assign_ids_go_{pid}"):
        try:
            count = assign(wb, pid, to, segment_ids=segment_ids(typed))
        except WorkbenchError as exc:
            show_error(exc, "Not assigned: ")
        else:
            done(f"{count} segments handed to {to or 'anyone'}.")

with st.form(f"team_cap_{pid}", clear_on_submit=True):
    st.markdown("**Cap a person's share** (the project's members)")
    cols = st.columns(2)
    who = cols[0].selectbox("Person", people, key=f"team_cap_who_{pid}")
    cap = cols[1].number_input(
        "Cap (segments; empty: no cap)",
        min_value=0,
        value=None,
        step=1,
        key=f"team_cap_value_{pid}",
        help="Counts what they labelled and what they hold; at the cap "
        "they get only their rejected segments back.",
    )
    if st.form_submit_button("Set cap", key=f"team_cap_go_{pid}"):
        try:
            if who is None:
                raise WorkbenchError("person: the project has no members yet (see People)")
            set_cap(wb, pid, who, None if cap is None else int(cap))
        except WorkbenchError as exc:
            show_error(exc, "Cap not set: ")
        else:
            done(f"Cap of {who}: {'none' if cap is None else int(cap)}.")

load = workload(wb, pid, TODO)
if load:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "person": r["user"],
                    "assigned, to do": r["assigned"],
                    "labelled": r["labelled"],
                    "live claims": r["claims"],
                    "cap": r["cap"],
                }
                for r in load
            ]
        ),
        hide_index=True,
        width="stretch",
        key=f"team_workload_{pid}",
        placeholder=MISSING,
    )
else:
    st.caption("Nobody has work in this project yet.")

# ------------------------------------------------------------- qualification and gold
st.header("Qualification and gold")
with st.form(form_key(project, "team_qualify")):
    required = st.checkbox(
        "Labellers pass a qualification test before their queue opens",
        project.qualify_required,
        key=form_key(project, "team_required"),
    )
    cols = st.columns(3)
    pass_mark = percent(
        cols[0],
        "Pass mark: error rate at most",
        "qualify_max_error",
        "The mean error (CER for Korean, WER otherwise) over the test's items.",
    )
    per_attempt = cols[1].number_input(
        "Items per attempt (0: all)",
        0,
        10_000,
        project.qualify_items,
        key=form_key(project, "team_qualify_items"),
        help="Each attempt draws this many of the test's gold segments, ones the labeller has "
        "not met before first: mark more gold for the test than an attempt takes, so a "
        "retake is a new test (the result shows each item's reference).",
    )
    gold_share = percent(
        cols[2],
        "Hidden gold: share of a labeller's items",
        "gold_share",
        "Gold segments handed out unannounced among the normal work.",
    )
    if st.form_submit_button("Save", key=form_key(project, "team_qualify_save")):
        save(
            "Qualification",
            qualify_required=required,
            qualify_max_error=pass_mark,
            qualify_items=int(per_attempt),
            gold_share=gold_share,
        )

golds = gold_list(wb, pid)
in_test = [g for g in golds if g["in_test"] and g["status"] != Status.DELETED.value]
if project.qualify_required and not in_test:
    st.warning(
        "The test is required but has no items: labellers cannot start. Add gold "
        "segments with “in the test” ticked, or untick the requirement."
    )
if golds:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "segment": g["segment_id"],
                    "recording": g["recording"],
                    "time": f"{fmt_seconds(g['start'])}–{fmt_seconds(g['end'])}",
                    "reference": g["text"],
                    "in test": g["in_test"],
                    "status": g["status"],
                }
                for g in golds
            ]
        ),
        hide_index=True,
        width="stretch",
        key=f"team_gold_table_{pid}",
        placeholder=MISSING,
    )
    cols = st.columns([3, 1], vertical_alignment="bottom")
    drop = cols[0].selectbox(
        "Gold segment", [g["segment_id"] for g in golds], key=f"team_gold_pick_{pid}"
    )
    if cols[1].button("Remove from gold", key=f"team_gold_remove_{pid}"):
        try:
            unmark_gold(wb, drop)
        except WorkbenchError as exc:
            show_error(exc, "Not removed: ")
        else:
            done(f"Segment {drop} is gold no more.")
else:
    st.caption("No gold segments yet.")
with st.form(f"team_gold_add_{pid}", clear_on_submit=True):
    st.markdown("**Add a gold segment**")
    cols = st.columns([1, 3])
    seg = cols[0].number_input(
        "Segment id", min_value=1, value=None, step=1, key=f"team_gold_segment_{pid}"
    )
    reference = cols[1].text_area(
        "Reference text (empty: the segment's current text)", key=f"team_gold_text_{pid}", height=80
    )
    test_item = st.checkbox("In the qualification test", key=f"team_gold_in_test_{pid}")
    if st.form_submit_button("Make gold", key=f"team_gold_add_go_{pid}"):
        try:
            if seg is None:
                raise WorkbenchError("segment id: name the segment")
            mark_gold(
                wb, int(seg), reference if reference.strip() else None, test_item, project_id=pid
            )
        except WorkbenchError as exc:
            show_error(exc, "Not made gold: ")
        else:
            done(f"Segment {int(seg)} is gold" + (", in the test." if test_item else "."))

# ------------------------------------------------------------------- double labelling
st.header("Double labelling")
with st.form(form_key(project, "team_double")):
    cols = st.columns(2)
    double = percent(cols[0], "Share of segments labelled twice, blind", "double_share")
    agree = percent(
        cols[1],
        "Two labels further apart than this go to review",
        "agree_max_error",
        "The error rate of the second label against the first.",
    )
    if st.form_submit_button("Save", key=form_key(project, "team_double_save")):
        save("Double labelling", double_share=double, agree_max_error=agree)

# ------------------------------------------------------------------------ defect rules
st.header("Defect rules")
with st.form(form_key(project, "team_rules")):
    cols = st.columns(4)
    warn_reject = percent(cols[0], "Warn above rejection rate", "warn_reject")
    pause_reject = percent(cols[1], "Pause above rejection rate", "pause_reject")
    warn_gold = percent(cols[2], "Warn above gold error", "warn_gold")
    pause_gold = percent(cols[3], "Pause above gold error", "pause_gold")
    cols = st.columns(2)
    rules_min = cols[0].number_input(
        "Items judged before a rule applies",
        1,
        10_000,
        project.rules_min,
        key=form_key(project, "team_rules_min"),
    )
    rules_days = cols[1].number_input(
        "Window (days)", 1, 365, project.rules_days, key=form_key(project, "team_rules_days")
    )
    if st.form_submit_button("Save", key=form_key(project, "team_rules_save")):
        save(
            "Defect rules",
            warn_reject=warn_reject,
            pause_reject=pause_reject,
            warn_gold=warn_gold,
            pause_gold=pause_gold,
            rules_min=int(rules_min),
            rules_days=int(rules_days),
        )


def qualification(row) -> str:
    if row.qualification == "in progress":
        return f"in progress ({row.answered} of {row.items})"
    if row.score is not None:
        return f"{row.qualification} (error {row.score:.1%})"
    return row.qualification


def rate(value: float | None, count: int) -> str:
    return "—" if value is None else f"{value:.0%} of {count}"


team = labellers(wb, pid)
if not team:
    st.caption(
        "No labellers are members of this project: add accounts to it on the People "
        "page (or `workbench members --set`)."
    )
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "labeller": r.name,
                    "qualification": qualification(r),
                    "attempt": r.attempt + 1,
                    "rejected": rate(r.standing.rejection_rate, r.standing.reviews),
                    "gold error": rate(r.standing.gold_error, r.standing.golds),
                    "standing": LEVELS[r.standing.level],
                    "reasons": r.standing.describe(),
                }
                for r in team
            ]
        ),
        hide_index=True,
        width="stretch",
        key=f"team_standings_{pid}",
        column_config={"reasons": st.column_config.TextColumn(width="large")},
        placeholder=MISSING,
    )
    st.caption(f"Rates count the last {project.rules_days} days, or since a pause was lifted.")
    for r in team:
        retake = r.qualification == "failed"
        if not (retake or r.standing.paused):
            continue
        cols = st.columns([3, 1.4, 1], vertical_alignment="center")
        cols[0].markdown(f"**{md(r.name)}**: {md(qualification(r))}, {LEVELS[r.standing.level]}")
        if retake and cols[1].button("Allow another attempt", key=f"team_retake_{pid}_{r.name}"):
            attempt = allow_retake(wb, pid, r.name)
            done(f"{r.name} may take the test again (attempt {attempt + 1}).")
        if r.standing.paused and cols[2].button("Lift pause", key=f"team_lift_{pid}_{r.name}"):
            lift_pause(wb, pid, r.name)
            done(f"The pause of {r.name} is lifted: the rules count only what comes after.")
