"""Editor: one segment at a time — waveform, precise playback, the draft pre-filled, save and move on."""

import html

import streamlit as st

from workbench import store
from workbench.corpus import InvalidEdit, StaleEdit, Status, unsure_words
from workbench.flags import FLAG_LABELS, order_queue
from workbench.service import save_segment
from workbench.ui.common import current_project, fmt_seconds, page, workbench
from workbench.ui.waveform import waveform, waveform_data

TODO = [Status.NEW.value, Status.DRAFTED.value, Status.REJECTED.value]

page("Editor")
wb = workbench()
project = current_project()
if project is None:
    st.stop()


def _keys(seg_id: int, version: int) -> tuple[str, str, str]:
    stem = f"{seg_id}_{version}"
    return f"ed_text_{stem}", f"ed_start_{stem}", f"ed_end_{stem}"


def _go(segment_id: int | None) -> None:
    st.session_state["ed_current"] = segment_id


def _save(segment_id: int, version: int, then: int | None) -> None:
    text_key, start_key, end_key = _keys(segment_id, version)
    try:
        rev = save_segment(
            wb, segment_id, version, st.session_state[text_key],
            st.session_state[start_key], st.session_state[end_key],
            author=st.session_state.get("author", ""),
        )
    except StaleEdit as exc:
        st.session_state["ed_flash"] = ("error", str(exc))
        return
    except (InvalidEdit, ValueError) as exc:
        st.session_state["ed_flash"] = ("error", f"Not saved: {exc}")
        return
    st.session_state["ed_flash"] = ("success", f"Saved segment {segment_id} (revision {rev.n}).")
    if then is not None:
        st.session_state["ed_current"] = then


def _marked(words, threshold_flags) -> str:
    parts = []
    for word, unsure in zip(words, threshold_flags):
        text = html.escape(word.word.strip())
        parts.append(
            f"<mark title='p={word.probability:.2f}'>{text}</mark>" if unsure else text
        )
    return " ".join(parts)


@st.fragment
def editor() -> None:
    recordings = store.list_recordings(wb.db, project.id)
    c1, c2, c3 = st.columns([2, 2, 1])
    rec_ids = [None] + [r.id for r in recordings]
    names = {r.id: r.original_name for r in recordings}
    recording_id = c1.selectbox("Recording", rec_ids, key="ed_recording",
                                format_func=lambda i: "All recordings" if i is None else names[i])
    statuses = c2.multiselect("Status", [s.value for s in Status], default=TODO, key="ed_status")
    order = c3.selectbox("Order", ["time", "flags first"], key="ed_order",
                         help="'flags first' puts the drafts most likely wrong at the top.")
    flagged_only = c3.checkbox("Flagged only", key="ed_flagged")
    queue = order_queue(store.segment_queue(wb.db, project.id, recording_id, statuses),
                        order, flagged_only)
    if not queue:
        st.info("No segments match. Draft some recordings, or widen the status filter.")
        return
    ids = [q["id"] for q in queue]
    current = st.session_state.get("ed_current")
    if current not in ids:
        current = ids[min(st.session_state.get("ed_pos", 0), len(ids) - 1)]
    pos = ids.index(current)
    st.session_state["ed_current"], st.session_state["ed_pos"] = current, pos
    nxt = ids[pos + 1] if pos + 1 < len(ids) else None
    prev = ids[pos - 1] if pos > 0 else None

    flash = st.session_state.pop("ed_flash", None)
    if flash:
        (st.error if flash[0] == "error" else st.success)(flash[1])

    view = store.segment_view(wb.db, current)
    seg = view.segment
    text_key, start_key, end_key = _keys(seg.id, seg.version)
    st.session_state.setdefault(text_key, view.text)
    st.session_state.setdefault(start_key, seg.start)
    st.session_state.setdefault(end_key, seg.end)

    st.markdown(
        f"**Segment {pos + 1} of {len(ids)}** · {html.escape(view.recording.original_name)} · "
        f"{fmt_seconds(seg.start)}–{fmt_seconds(seg.end)} · status `{seg.status.value}` · "
        f"version {seg.version}"
    )
    data = waveform_data(view, wb.settings.home, st.session_state[start_key],
                         st.session_state[end_key])
    dragged = waveform(data, key="ed_waveform")
    if dragged and dragged.get("key") == data["key"] and dragged != st.session_state.get("ed_dragged"):
        st.session_state["ed_dragged"] = dragged
        st.session_state[start_key], st.session_state[end_key] = dragged["start"], dragged["end"]

    if seg.flags:
        st.warning("Check: " + "; ".join(FLAG_LABELS.get(f, f) for f in seg.flags))
    if view.draft and view.draft.words:
        st.markdown(
            "Draft, unsure words marked: " + _marked(view.draft.words, unsure_words(view.draft.words)),
            unsafe_allow_html=True,
        )
    st.text_area("Transcript", key=text_key, height=100)
    c1, c2 = st.columns(2)
    c1.number_input("Start (s)", key=start_key, min_value=0.0, max_value=view.recording.duration,
                    step=0.05, format="%.3f")
    c2.number_input("End (s)", key=end_key, min_value=0.0, max_value=view.recording.duration,
                    step=0.05, format="%.3f")

    b = st.columns(4)
    b[0].button("Save", key="ed_save", on_click=_save, args=(seg.id, seg.version, None))
    b[1].button("Save & next", key="ed_save_next", type="primary", on_click=_save,
                args=(seg.id, seg.version, nxt if nxt is not None else seg.id))
    b[2].button("Previous", key="ed_prev", on_click=_go, args=(prev,), disabled=prev is None)
    b[3].button("Skip", key="ed_skip", on_click=_go, args=(nxt,), disabled=nxt is None)


editor()
