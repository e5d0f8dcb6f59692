"""Find & replace (reviewers, owners): preview every segment a replace changes, then apply."""

import streamlit as st

from workbench.core.errors import WorkbenchError
from workbench.core.messages import status_name, t
from workbench.core.records import Status
from workbench.labelling.find_replace import DEFAULT_STATUSES, Query, apply, preview
from workbench.labelling.segment_edits import name
from workbench.ui.common import fmt_seconds, project_page, show_error
from workbench.ui.text import diff_md, md

wb, project = project_page("Find & replace")
st.caption(
    t(
        "Whole word: not next to another letter or digit. In Korean a word is the eojeol "
        "with its particles: whole-word 학교 does not match 학교에; leave it off to fix "
        "a noun whatever particle follows."
    )
)
k = f"rp_{project.id}"
c1, c2 = st.columns(2)
find = c1.text_input(t("Find"), key=f"{k}_find", max_chars=200)
repl = c2.text_input(t("Replace with"), key=f"{k}_replace", max_chars=200)
c3, c4, c5 = st.columns([1, 1, 3])
whole = c3.checkbox(t("Whole word"), key=f"{k}_whole")
case = c4.checkbox(t("Match case"), value=True, key=f"{k}_case")
statuses = c5.multiselect(
    t("Statuses"),
    [s.value for s in Status],
    default=list(DEFAULT_STATUSES),
    format_func={s.value: status_name(s.value) for s in Status}.__getitem__,
    key=f"{k}_statuses",
)
query = Query(find, repl, whole, case, tuple(statuses))
if st.button(t("Preview"), key=f"{k}_preview", disabled=not find.strip()):
    try:
        st.session_state[f"{k}_seen"] = (query, preview(wb, project.id, query))
    except WorkbenchError as exc:
        show_error(exc)
seen = st.session_state.get(f"{k}_seen")
if seen and seen[0] == query:
    matches = seen[1]
    st.write(t("**{n}** segment(s) would change.", n=len(matches)))
    for m in matches[:500]:
        st.markdown(
            f"{name(m.segment_id)} · {md(m.recording)} · {fmt_seconds(m.start)}–"
            f"{fmt_seconds(m.end)} · `{status_name(m.status)}`: "
            + diff_md(m.before, m.after, project.language),
            unsafe_allow_html=True,
        )
    if matches and st.button(
        t("Replace in {n} segment(s)", n=len(matches)), key=f"{k}_apply", type="primary"
    ):
        done = apply(wb, project.id, query, {m.segment_id: m.version for m in matches})
        st.session_state.pop(f"{k}_seen")
        st.success(t("Replaced in {n} segment(s).", n=len(done.applied)))
        for seg_id, why in done.skipped:
            st.warning(t("Skipped segment {name}: {why}", name=name(seg_id), why=md(why)))
elif seen:
    st.caption(t("The search changed: preview again."))
