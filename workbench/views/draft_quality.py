"""Draft quality (owners): the drafts' error batch by batch, as the project learns."""

import altair as alt
import pandas as pd
import streamlit as st

from workbench.access import Forbidden
from workbench.adaptation import draft_batches
from workbench.ui.common import current_project, workbench

PERCENT = st.column_config.NumberColumn(format="percent")

st.title("Draft quality")
wb = workbench()
project = current_project(wb)
if project is None:
    st.stop()
try:
    metric, batches = draft_batches(wb, project)
except Forbidden as exc:
    st.error(str(exc))
    st.stop()

st.subheader(f"Draft {metric} by batch")
st.caption(f"Each draft job is a batch. Its {metric} is how far its drafts were from the labels "
           "people saved (per segment, capped at 100%, weighted by length): the labour the "
           "drafts left. Learned vocabulary, accepted rules and a fine-tuned model should bring "
           "later batches down.")
if not batches:
    st.info("No labelled drafts yet: draft some audio and label it; each draft job then shows "
            "here as a batch.")
    st.stop()
table = pd.DataFrame([{"batch": b.name, "drafted": b.drafted_at, "model": b.model,
                       "segments": b.segments, "minutes": round(b.seconds / 60, 1),
                       metric: b.error, "kept as drafted": b.untouched} for b in batches])
order = list(table["batch"])
line = alt.Chart(table).mark_line(point=True).encode(
    x=alt.X("batch:N", sort=order, title="draft batch (oldest first)"),
    y=alt.Y(f"{metric}:Q", axis=alt.Axis(format="%"), title=f"draft {metric}"),
    tooltip=["batch", "model", "segments", "minutes",
             alt.Tooltip(f"{metric}:Q", format=".1%"),
             alt.Tooltip("kept as drafted:Q", format=".0%")],
)
st.altair_chart(line, width="stretch")
st.dataframe(table, hide_index=True, width="stretch",
             column_config={metric: PERCENT, "kept as drafted": PERCENT})
