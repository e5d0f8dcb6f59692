"""Corpus audit (reviewers, owners): an existing corpus's numbers, a second opinion by Whisper
for every label, and the labels that disagree with it most, reviewed in that order."""

import altair as alt
import pandas as pd
import streamlit as st

from workbench.core.access import Action, allowed
from workbench.core.errors import WorkbenchError
from workbench.review.audit_measures import LONGEST, ROBUST_AFTER, SHORTEST, by_disagreement
from workbench.review.corpus_audit import audit_job, audit_report
from workbench.ui.common import MISSING, fmt_seconds, project_page, show_error
from workbench.ui.jobs import cancel_audit, start_audit
from workbench.ui.text import md

TOP = 200  # rows of the disagreement table

wb, project = project_page("Corpus audit")
st.caption(
    "For a corpus imported with its transcripts (NeMo, audiofolder, Kaldi, CSV…): "
    "Whisper gives a second opinion on every label without replacing it; the labels "
    "it disagrees with most are reviewed first."
)

report = audit_report(wb, project)
stats = report.stats
if not report.rows:
    st.info("No labelled segments yet: import a corpus with its transcripts, or label some.")
    st.stop()

cols = st.columns(6)
cols[0].metric("Utterances", f"{stats.utterances:,}")
cols[1].metric("Hours", f"{stats.hours:.2f}")
cols[2].metric("Words", f"{stats.words:,}")
cols[3].metric("Vocabulary", f"{stats.vocabulary:,}")
cols[4].metric("Characters", f"{len(stats.alphabet):,}")
cols[5].metric("Second opinions", f"{report.judged:,} / {len(report.rows):,}")

st.subheader("Second opinion")
job = report.job
running = job is not None and job.state == "running"
if allowed(wb.actor, Action.DRAFT):
    st.write(
        f"**{report.todo:,}** labelled segment(s) without a second opinion on their current "
        f"label · engine {md(project.asr_engine)}, model {md(project.asr_model)} "
        "(change them on the Drafts page)."
    )
    if st.button(
        "Draft second opinions",
        key="start_audit",
        type="primary",
        disabled=running or not report.todo,
    ):
        try:
            start_audit(wb, project)
            st.rerun()
        except WorkbenchError as exc:
            show_error(exc)
elif report.todo:
    st.write(f"{report.todo:,} labelled segment(s) without a second opinion; an owner starts it.")


@st.fragment(run_every=1.0 if running else None)
def audit_progress() -> None:
    now = audit_job(wb, project)
    if now is None:
        return
    if running and now.state != "running":
        st.rerun(scope="app")  # the job ended: refresh the tables, stop polling
    if now.state == "running":
        share = now.done / now.total if now.total else 0.0
        st.progress(
            min(share, 1.0), text=f"{now.done:.0f}/{now.total:.0f} segments · {md(now.message)}"
        )
        if allowed(wb.actor, Action.DRAFT) and st.button("Cancel", key="cancel_audit"):
            cancel_audit(wb, project)
            st.toast("Stopping after the current segment.")
    else:
        note = "" if now.message == now.state else f" · {md(now.message)}"
        st.caption(f"Last second opinion: {now.state}{note}")
    if now.error:
        with st.expander("Segments that failed"):
            st.text(now.error)


audit_progress()


def _rate(value: float | None) -> float | None:
    """A rate to 3 decimals; none without a second opinion."""
    return None if value is None else round(value, 3)


ranked = by_disagreement(list(report.rows))
if ranked:
    st.subheader(f"Largest disagreement ({report.metric}) first")
    if st.button(
        "Review in this order",
        key="review_by_disagreement",
        type="primary",
        help="Open the review page on the audited segments not yet reviewed, the "
        "largest disagreement first: approve, fix & approve, or reject.",
    ):
        st.switch_page(
            "workbench/pages/review.py",
            query_params={"project": str(project.id), "order": "disagreement"},
        )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "segment": r.segment_id,
                    "recording": r.recording,
                    "time": f"{fmt_seconds(r.start)}–{fmt_seconds(r.end)}",
                    "status": r.status,
                    report.metric: _rate(r.disagreement),
                    "WER": _rate(r.wer),
                    "CER": _rate(r.cer),
                    "label": r.text,
                    "second opinion": r.opinion,
                }
                for r in ranked[:TOP]
            ]
        ),
        hide_index=True,
        width="stretch",
        key="audit_ranked",
        placeholder=MISSING,
    )

st.subheader("Durations and speaking rates")
frame = pd.DataFrame(
    [
        {
            "segment": r.segment_id,
            "duration (s)": round(r.duration, 2),
            "characters per second": round(r.char_rate, 2),
        }
        for r in report.rows
    ]
)
low, high = stats.rate_range
charts = st.columns(2)
for col, field, bounds in (
    (charts[0], "duration (s)", (SHORTEST, LONGEST)),
    (charts[1], "characters per second", (low, high)),
):
    extent = [0.0, float(max(bounds[1], frame[field].max()) * 1.02)]  # the limits show too
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{field}:Q", bin=alt.Bin(maxbins=40, extent=extent), title=field),
            y=alt.Y("count():Q", title="segments"),
        )
    )
    rules = (
        alt.Chart(pd.DataFrame({"limit": list(bounds)}))
        .mark_rule(color="#d62728", strokeDash=[4, 3])
        .encode(x="limit:Q")
    )
    col.altair_chart(bars + rules, width="stretch")
how = (
    "the corpus median ± 4 robust deviations"
    if len(report.rows) >= ROBUST_AFTER
    else f"a fixed range until there are {ROBUST_AFTER} segments"
)
st.caption(
    f"Red lines: the range accepted. Durations {SHORTEST}–{LONGEST:.0f} s; speaking rate "
    f"{low:.1f}–{high:.1f} characters per second ({how})."
)

if stats.out_of_range:
    st.subheader(f"Out of range ({len(stats.out_of_range):,})")
    rows = {r.segment_id: r for r in report.rows}
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "segment": seg_id,
                    "recording": rows[seg_id].recording,
                    "time": f"{fmt_seconds(rows[seg_id].start)}–{fmt_seconds(rows[seg_id].end)}",
                    "why": why,
                    "label": rows[seg_id].text,
                }
                for seg_id, why in stats.out_of_range
            ]
        ),
        hide_index=True,
        width="stretch",
        key="audit_out_of_range",
        placeholder=MISSING,
    )

st.subheader("Alphabet")
st.caption(
    "Every character of the labels with its count: symbols, punctuation and other "
    "non-letters first, so stray ones show; then letters and digits, rarest first."
)
st.dataframe(
    pd.DataFrame(
        [
            {
                "character": c.char if c.category[0] != "C" else "",
                "code point": f"U+{ord(c.char):04X}",
                "name": c.name,
                "category": c.category,
                "count": c.count,
            }
            for c in stats.alphabet
        ]
    ),
    hide_index=True,
    width="stretch",
    key="audit_alphabet",
    placeholder=MISSING,
)
