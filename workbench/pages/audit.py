"""Corpus audit (reviewers, owners): an existing corpus's numbers, a second opinion by Whisper
for every label, and the labels that disagree with it most, reviewed in that order."""

import altair as alt
import pandas as pd
import streamlit as st

from workbench.core.access import Action, allowed
from workbench.core.errors import WorkbenchError
from workbench.core.messages import status_name, t
from workbench.review.audit_measures import LONGEST, ROBUST_AFTER, SHORTEST, by_disagreement
from workbench.review.corpus_audit import audit_job, audit_report
from workbench.ui.common import MISSING, fmt_seconds, project_page, show_error
from workbench.ui.jobs import cancel_audit, job_state_name, start_audit
from workbench.ui.text import md

TOP = 200  # rows of the disagreement table

wb, project = project_page("Corpus audit")
st.caption(
    t(
        "For a corpus imported with its transcripts (NeMo, audiofolder, Kaldi, CSV…): "
        "Whisper gives a second opinion on every label without replacing it; the labels "
        "it disagrees with most are reviewed first."
    )
)

report = audit_report(wb, project)
stats = report.stats
if not report.rows:
    st.info(t("No labelled segments yet: import a corpus with its transcripts, or label some."))
    st.stop()

cols = st.columns(6)
cols[0].metric(t("Utterances"), f"{stats.utterances:,}")
cols[1].metric(t("Hours"), f"{stats.hours:.2f}")
cols[2].metric(t("Words"), f"{stats.words:,}")
cols[3].metric(t("Vocabulary"), f"{stats.vocabulary:,}")
cols[4].metric(t("Characters"), f"{len(stats.alphabet):,}")
cols[5].metric(t("Second opinions"), f"{report.judged:,} / {len(report.rows):,}")

st.subheader(t("Second opinion"))
job = report.job
running = job is not None and job.state == "running"
if allowed(wb.actor, Action.DRAFT):
    st.write(
        t(
            "**{n}** labelled segment(s) without a second opinion on their current label · "
            "engine {engine}, model {model} (change them on the Drafts page).",
            n=f"{report.todo:,}",
            engine=md(project.asr_engine),
            model=md(project.asr_model),
        )
    )
    if st.button(
        t("Draft second opinions"),
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
    st.write(
        t(
            "{n} labelled segment(s) without a second opinion; an owner starts it.",
            n=f"{report.todo:,}",
        )
    )


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
            min(share, 1.0),
            text=t("{done}/{total} segments", done=f"{now.done:.0f}", total=f"{now.total:.0f}")
            + f" · {md(now.message)}",
        )
        if allowed(wb.actor, Action.DRAFT) and st.button(t("Cancel"), key="cancel_audit"):
            cancel_audit(wb, project)
            st.toast(t("Stopping after the current segment."))
    else:
        note = "" if now.message == now.state else f" · {md(now.message)}"
        st.caption(t("Last second opinion: {state}", state=job_state_name(now.state)) + note)
    if now.error:
        with st.expander(t("Segments that failed")):
            st.text(now.error)


audit_progress()


def _rate(value: float | None) -> float | None:
    """A rate to 3 decimals; none without a second opinion."""
    return None if value is None else round(value, 3)


ranked = by_disagreement(list(report.rows))
if ranked:
    st.subheader(t("Largest disagreement ({metric}) first", metric=report.metric))
    if st.button(
        t("Review in this order"),
        key="review_by_disagreement",
        type="primary",
        help=t(
            "Open the review page on the audited segments not yet reviewed, the "
            "largest disagreement first: approve, fix & approve, or reject."
        ),
    ):
        st.switch_page(
            "workbench/pages/review.py",
            query_params={"project": str(project.id), "order": "disagreement"},
        )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("segment"): r.segment_id,
                    t("recording"): r.recording,
                    t("start–end"): f"{fmt_seconds(r.start)}–{fmt_seconds(r.end)}",
                    t("status"): status_name(r.status),
                    report.metric: _rate(r.disagreement),
                    "WER": _rate(r.wer),
                    "CER": _rate(r.cer),
                    t("label"): r.text,
                    t("second opinion"): r.opinion,
                }
                for r in ranked[:TOP]
            ]
        ),
        hide_index=True,
        width="stretch",
        key="audit_ranked",
        placeholder=MISSING,
    )

st.subheader(t("Durations and speaking rates"))
duration, rate = t("duration (s)"), t("characters per second")
frame = pd.DataFrame(
    [
        {t("segment"): r.segment_id, duration: round(r.duration, 2), rate: round(r.char_rate, 2)}
        for r in report.rows
    ]
)
low, high = stats.rate_range
charts = st.columns(2)
for col, field, bounds in (
    (charts[0], duration, (SHORTEST, LONGEST)),
    (charts[1], rate, (low, high)),
):
    extent = [0.0, float(max(bounds[1], frame[field].max()) * 1.02)]  # the limits show too
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{field}:Q", bin=alt.Bin(maxbins=40, extent=extent), title=field),
            y=alt.Y("count():Q", title=t("segments")),
        )
    )
    rules = (
        alt.Chart(pd.DataFrame({"limit": list(bounds)}))
        .mark_rule(color="#d62728", strokeDash=[4, 3])
        .encode(x="limit:Q")
    )
    col.altair_chart(bars + rules, width="stretch")
how = (
    t("the corpus median ± 4 robust deviations")
    if len(report.rows) >= ROBUST_AFTER
    else t("a fixed range until there are {n} segments", n=ROBUST_AFTER)
)
st.caption(
    t(
        "Red lines: the range accepted. Durations {shortest}–{longest} s; speaking rate "
        "{low}–{high} characters per second ({how}).",
        shortest=SHORTEST,
        longest=f"{LONGEST:.0f}",
        low=f"{low:.1f}",
        high=f"{high:.1f}",
        how=how,
    )
)

if stats.out_of_range:
    st.subheader(t("Out of range ({n})", n=f"{len(stats.out_of_range):,}"))
    rows = {r.segment_id: r for r in report.rows}
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("segment"): seg_id,
                    t("recording"): rows[seg_id].recording,
                    t(
                        "start–end"
                    ): f"{fmt_seconds(rows[seg_id].start)}–{fmt_seconds(rows[seg_id].end)}",
                    t("why"): why,
                    t("label"): rows[seg_id].text,
                }
                for seg_id, why in stats.out_of_range
            ]
        ),
        hide_index=True,
        width="stretch",
        key="audit_out_of_range",
        placeholder=MISSING,
    )

st.subheader(t("Alphabet"))
st.caption(
    t(
        "Every character of the labels with its count: symbols, punctuation and other "
        "non-letters first, so stray ones show; then letters and digits, rarest first."
    )
)
st.dataframe(
    pd.DataFrame(
        [
            {
                t("character"): c.char if c.category[0] != "C" else "",
                t("code point"): f"U+{ord(c.char):04X}",
                t("name"): c.name,
                t("category"): c.category,
                t("count"): c.count,
            }
            for c in stats.alphabet
        ]
    ),
    hide_index=True,
    width="stretch",
    key="audit_alphabet",
    placeholder=MISSING,
)
