"""Team (owners): hand out work, the qualification test and gold, double labelling, and the
defect rules with each labeller's standing."""

from collections.abc import Sequence

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from workbench.core.errors import WorkbenchError
from workbench.core.messages import N_, status_name, t
from workbench.core.records import TODO, Status
from workbench.crowd.claims import UNITS, assign, set_cap, workload
from workbench.crowd.gold import gold_list, mark_gold, unmark_gold
from workbench.crowd.qualification import allow_retake, labellers, lift_pause
from workbench.projects.people import members
from workbench.projects.settings import recordings, update_settings
from workbench.ui.common import MISSING, fmt_seconds, form_key, page_flash, project_page, show_error
from workbench.ui.text import md

MODES = {
    "off": N_("off: everyone steps through the whole queue"),
    "segment": N_("by segment: each person claims one segment at a time"),
    "recording": N_("by recording: each person claims a whole recording"),
}
STATUSES = [s.value for s in Status if s is not Status.DELETED]
LEVELS = {"ok": N_("ok"), "warn": N_("warned"), "pause": N_("paused")}
QUALIFICATION = {
    "not taken": N_("not taken"),
    "in progress": N_("in progress"),
    "passed": N_("passed"),
    "failed": N_("failed"),
}

wb, project = project_page("Team")
pid = project.id
done = page_flash("team_flash")  # done(message): shown after the rerun that shows the change


def save(what: str, **values) -> None:
    """Store settings; a refusal is shown naming the setting (the service's message)."""
    try:
        update_settings(wb, pid, **values)
    except WorkbenchError as exc:
        show_error(exc, t("{what} not saved: ", what=what))
    else:
        done(t("{what} saved.", what=what))


def percent(column, label: str, field: str, help: str | None = None) -> float:
    """A 0..1 setting edited in %; returns it as 0..1."""
    value = column.number_input(
        f"{t(label)} (%)",
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
            raise WorkbenchError(
                t("segment ids: {part} is not a number or a range like 20-25", part=repr(part))
            )
        if last and int(last) - int(first) > 100_000:
            raise WorkbenchError(t("segment ids: the range {part} is too long", part=part))
        out += range(int(first), int(last or first) + 1)
    return out


people = [u.name for u in members(wb, pid) if u.active]
anyone = [None, *people]
# labels built here: AppTest runs a format_func in another thread (no language there)
MODE_LABELS = {unit: t(label) for unit, label in MODES.items()}
STATUS_LABELS = {s: status_name(s) for s in STATUSES}
PERSON_LABELS = {n: n or t("anyone (take back)") for n in anyone}

# ------------------------------------------------------------------------ hand out work
st.header(t("Hand out work"))
with st.form(form_key(project, "team_assignment")):
    cols: Sequence[DeltaGenerator] = st.columns(2)
    mode = cols[0].selectbox(
        t("Hand out work"),
        UNITS,
        index=UNITS.index(project.assignment),
        format_func=MODE_LABELS.__getitem__,
        key=form_key(project, "team_mode"),
    )
    minutes = cols[1].number_input(
        t("A claim lasts (minutes)"),
        1,
        24 * 60,
        project.claim_minutes,
        key=form_key(project, "team_claim_minutes"),
        help=t("A claim nobody saves is free again after this."),
    )
    if st.form_submit_button(t("Save"), key=form_key(project, "team_assignment_save")):
        save(t("Hand out work"), assignment=mode, claim_minutes=int(minutes))
if project.assignment == "off":
    st.caption(t("Assignments and caps count once work is handed out by segment or recording."))


def person(column, key: str):
    return column.selectbox(t("To"), anyone, key=key, format_func=PERSON_LABELS.__getitem__)


left, right = st.columns(2)
with left.form(f"team_assign_recording_{pid}", clear_on_submit=True):
    st.markdown(f"**{t('Assign a recording')}**")
    records = {r.id: r.original_name for r in recordings(wb, project)}
    rec = st.selectbox(
        t("Recording"), list(records), format_func=records.__getitem__, key=f"team_assign_rec_{pid}"
    )
    only = st.multiselect(
        t("Only segments that are (empty: all)"),
        STATUSES,
        format_func=STATUS_LABELS.__getitem__,
        key=f"team_assign_statuses_{pid}",
    )
    to = person(st, f"team_assign_rec_to_{pid}")
    if st.form_submit_button(t("Assign"), key=f"team_assign_rec_go_{pid}"):
        try:
            count = assign(wb, pid, to, recording_id=rec, statuses=only)
        except WorkbenchError as exc:
            show_error(exc, t("Not assigned: "))
        else:
            done(
                t(
                    "{count} segments of {recording} handed to {person}.",
                    count=count,
                    recording=records[rec],
                    person=to or t("anyone"),
                )
            )
with right.form(f"team_assign_segments_{pid}", clear_on_submit=True):
    st.markdown(f"**{t('Assign segments')}**")
    typed = st.text_input(
        t("Segment ids"), placeholder="12, 14, 20-25", key=f"team_assign_ids_{pid}"
    )
    to = person(st, f"team_assign_ids_to_{pid}")
    if st.form_submit_button(t("Assign"), key=f"team_assign_ids_go_{pid}"):
        try:
            count = assign(wb, pid, to, segment_ids=segment_ids(typed))
        except WorkbenchError as exc:
            show_error(exc, t("Not assigned: "))
        else:
            done(t("{count} segments handed to {person}.", count=count, person=to or t("anyone")))

with st.form(f"team_cap_{pid}", clear_on_submit=True):
    st.markdown(t("**Cap a person's share** (the project's members)"))
    cols = st.columns(2)
    who = cols[0].selectbox(t("Person"), people, key=f"team_cap_who_{pid}")
    cap = cols[1].number_input(
        t("Cap (segments; empty: no cap)"),
        min_value=0,
        value=None,
        step=1,
        key=f"team_cap_value_{pid}",
        help=t(
            "Counts what they labelled and what they hold; at the cap "
            "they get only their rejected segments back."
        ),
    )
    if st.form_submit_button(t("Set cap"), key=f"team_cap_go_{pid}"):
        try:
            if who is None:
                raise WorkbenchError(t("person: the project has no members yet (see People)"))
            set_cap(wb, pid, who, None if cap is None else int(cap))
        except WorkbenchError as exc:
            show_error(exc, t("Cap not set: "))
        else:
            done(
                t("Cap of {person}: {cap}.", person=who, cap=t("none") if cap is None else int(cap))
            )

load = workload(wb, pid, TODO)
if load:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("person"): r["user"],
                    t("assigned, to do"): r["assigned"],
                    t("segments labelled"): r["labelled"],
                    t("live claims"): r["claims"],
                    t("cap"): r["cap"],
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
    st.caption(t("Nobody has work in this project yet."))

# ------------------------------------------------------------- qualification and gold
st.header(t("Qualification and gold"))
with st.form(form_key(project, "team_qualify")):
    required = st.checkbox(
        t("Labellers pass a qualification test before their queue opens"),
        project.qualify_required,
        key=form_key(project, "team_required"),
    )
    cols = st.columns(3)
    pass_mark = percent(
        cols[0],
        N_("Pass mark: error rate at most"),
        "qualify_max_error",
        t("The mean error (CER for Korean, WER otherwise) over the test's items."),
    )
    per_attempt = cols[1].number_input(
        t("Items per attempt (0: all)"),
        0,
        10_000,
        project.qualify_items,
        key=form_key(project, "team_qualify_items"),
        help=t(
            "Each attempt draws this many of the test's gold segments, ones the labeller has "
            "not met before first: mark more gold for the test than an attempt takes, so a "
            "retake is a new test (the result shows each item's reference)."
        ),
    )
    gold_share = percent(
        cols[2],
        N_("Hidden gold: share of a labeller's items"),
        "gold_share",
        t("Gold segments handed out unannounced among the normal work."),
    )
    if st.form_submit_button(t("Save"), key=form_key(project, "team_qualify_save")):
        save(
            t("Qualification"),
            qualify_required=required,
            qualify_max_error=pass_mark,
            qualify_items=int(per_attempt),
            gold_share=gold_share,
        )

golds = gold_list(wb, pid)
in_test = [g for g in golds if g["in_test"] and g["status"] != Status.DELETED.value]
if project.qualify_required and not in_test:
    st.warning(
        t(
            "The test is required but has no items: labellers cannot start. Add gold "
            "segments with “in the test” ticked, or untick the requirement."
        )
    )
if golds:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("segment"): g["segment_id"],
                    t("recording"): g["recording"],
                    t("span"): f"{fmt_seconds(g['start'])}–{fmt_seconds(g['end'])}",
                    t("reference"): g["text"],
                    t("in test"): g["in_test"],
                    t("status"): status_name(g["status"]),
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
        t("Gold segment"), [g["segment_id"] for g in golds], key=f"team_gold_pick_{pid}"
    )
    if cols[1].button(t("Remove from gold"), key=f"team_gold_remove_{pid}"):
        try:
            unmark_gold(wb, drop)
        except WorkbenchError as exc:
            show_error(exc, t("Not removed: "))
        else:
            done(t("Segment {segment} is gold no more.", segment=drop))
else:
    st.caption(t("No gold segments yet."))
with st.form(f"team_gold_add_{pid}", clear_on_submit=True):
    st.markdown(f"**{t('Add a gold segment')}**")
    cols = st.columns([1, 3])
    seg = cols[0].number_input(
        t("Segment id"), min_value=1, value=None, step=1, key=f"team_gold_segment_{pid}"
    )
    reference = cols[1].text_area(
        t("Reference text (empty: the segment's current text)"),
        key=f"team_gold_text_{pid}",
        height=80,
    )
    test_item = st.checkbox(t("In the qualification test"), key=f"team_gold_in_test_{pid}")
    if st.form_submit_button(t("Make gold"), key=f"team_gold_add_go_{pid}"):
        try:
            if seg is None:
                raise WorkbenchError(t("segment id: name the segment"))
            mark_gold(
                wb, int(seg), reference if reference.strip() else None, test_item, project_id=pid
            )
        except WorkbenchError as exc:
            show_error(exc, t("Not made gold: "))
        else:
            done(
                t("Segment {segment} is gold, in the test.", segment=int(seg))
                if test_item
                else t("Segment {segment} is gold.", segment=int(seg))
            )

# ------------------------------------------------------------------- double labelling
st.header(t("Double labelling"))
with st.form(form_key(project, "team_double")):
    cols = st.columns(2)
    double = percent(cols[0], N_("Share of segments labelled twice, blind"), "double_share")
    agree = percent(
        cols[1],
        N_("Two labels further apart than this go to review"),
        "agree_max_error",
        t("The error rate of the second label against the first."),
    )
    if st.form_submit_button(t("Save"), key=form_key(project, "team_double_save")):
        save(t("Double labelling"), double_share=double, agree_max_error=agree)

# ------------------------------------------------------------------------ defect rules
st.header(t("Defect rules"))
with st.form(form_key(project, "team_rules")):
    cols = st.columns(4)
    warn_reject = percent(cols[0], N_("Warn above rejection rate"), "warn_reject")
    pause_reject = percent(cols[1], N_("Pause above rejection rate"), "pause_reject")
    warn_gold = percent(cols[2], N_("Warn above gold error"), "warn_gold")
    pause_gold = percent(cols[3], N_("Pause above gold error"), "pause_gold")
    cols = st.columns(2)
    rules_min = cols[0].number_input(
        t("Items judged before a rule applies"),
        1,
        10_000,
        project.rules_min,
        key=form_key(project, "team_rules_min"),
    )
    rules_days = cols[1].number_input(
        t("Window (days)"), 1, 365, project.rules_days, key=form_key(project, "team_rules_days")
    )
    if st.form_submit_button(t("Save"), key=form_key(project, "team_rules_save")):
        save(
            t("Defect rules"),
            warn_reject=warn_reject,
            pause_reject=pause_reject,
            warn_gold=warn_gold,
            pause_gold=pause_gold,
            rules_min=int(rules_min),
            rules_days=int(rules_days),
        )


def qualification(row) -> str:
    state = t(QUALIFICATION.get(row.qualification, row.qualification))
    if row.qualification == "in progress":
        return t("in progress ({answered} of {items})", answered=row.answered, items=row.items)
    if row.score is not None:
        return t("{state} (error {score})", state=state, score=f"{row.score:.1%}")
    return state


def rate(value: float | None, count: int) -> str:
    return "—" if value is None else t("{rate} of {count}", rate=f"{value:.0%}", count=count)


team = labellers(wb, pid)
if not team:
    st.caption(
        t(
            "No labellers are members of this project: add accounts to it on the People "
            "page (or `workbench members --set`)."
        )
    )
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("labeller"): r.name,
                    t("qualification"): qualification(r),
                    t("attempt"): r.attempt + 1,
                    t("rejected"): rate(r.standing.rejection_rate, r.standing.reviews),
                    t("gold error"): rate(r.standing.gold_error, r.standing.golds),
                    t("standing"): t(LEVELS[r.standing.level]),
                    t("reasons"): r.standing.describe(),
                }
                for r in team
            ]
        ),
        hide_index=True,
        width="stretch",
        key=f"team_standings_{pid}",
        column_config={t("reasons"): st.column_config.TextColumn(width="large")},
        placeholder=MISSING,
    )
    st.caption(
        t("Rates count the last {days} days, or since a pause was lifted.", days=project.rules_days)
    )
    for r in team:
        retake = r.qualification == "failed"
        if not (retake or r.standing.paused):
            continue
        cols = st.columns([3, 1.4, 1], vertical_alignment="center")
        cols[0].markdown(
            f"**{md(r.name)}**: {md(qualification(r))}, {md(t(LEVELS[r.standing.level]))}"
        )
        if retake and cols[1].button(t("Allow another attempt"), key=f"team_retake_{pid}_{r.name}"):
            attempt = allow_retake(wb, pid, r.name)
            done(
                t(
                    "{person} may take the test again (attempt {attempt}).",
                    person=r.name,
                    attempt=attempt + 1,
                )
            )
        if r.standing.paused and cols[2].button(t("Lift pause"), key=f"team_lift_{pid}_{r.name}"):
            lift_pause(wb, pid, r.name)
            done(
                t(
                    "The pause of {person} is lifted: the rules count only what comes after.",
                    person=r.name,
                )
            )
