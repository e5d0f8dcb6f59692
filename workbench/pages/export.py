"""Export: write a batch as a training corpus and download it; past exports stay listed."""

from datetime import datetime
from pathlib import Path

import streamlit as st

from workbench import store
from workbench.export import FORMATS
from workbench.exporting import DEFAULT_STATUS, STATUS_CHOICES, export_batch, zip_folder
from workbench.ui.common import current_project, page, workbench

page("Export")
wb = workbench()
project = current_project()
if project is None:
    st.stop()

cols = st.columns(2)
fmt = cols[0].selectbox("Format", FORMATS, key="export_format",
                        format_func={"nemo": "NeMo manifest + WAV clips"}.get)
status = cols[1].selectbox("Segments with status", STATUS_CHOICES,
                           index=STATUS_CHOICES.index(DEFAULT_STATUS), key="export_status")
if st.button("Export", key="export_button", type="primary"):
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in project.name)
    out = wb.settings.exports_dir / f"{safe}-{fmt}-{stamp}"
    bar = st.progress(0.0, text="Exporting…")
    try:
        result = export_batch(
            wb, project, out, fmt=fmt, status=status, author=st.session_state.get("author", ""),
            progress=lambda d, t: bar.progress(d / t, text=f"{d}/{t} clips"),
        )
        zip_folder(result.path)
        st.session_state["export_done"] = (
            f"Exported {result.segments} segments ({result.hours:.3f} h) to {result.path.name}."
        )
    except (ValueError, FileExistsError, OSError) as exc:
        st.session_state["export_done"] = None
        st.error(str(exc))
    bar.empty()

if st.session_state.get("export_done"):
    st.success(st.session_state["export_done"])

st.subheader("Past exports")
past = store.list_exports(wb.db, project.id)
if not past:
    st.caption("None yet.")
for row in past:
    folder = Path(row["path"])
    c1, c2 = st.columns([3, 1])
    c1.markdown(
        f"**{folder.name}** · {row['format']} · status `{row['filters'].get('status')}` · "
        f"{row['counts'].get('segments')} segments · {row['hours']:.3f} h · by {row['created_by']} · "
        f"{row['created_at']:%Y-%m-%d %H:%M} · sha256 `{row['checksum'][:12]}`"
    )
    if folder.is_dir():
        c2.download_button(
            "Download zip", data=lambda f=folder: open(zip_folder(f), "rb"),
            file_name=f"{folder.name}.zip", mime="application/zip", key=f"download_{row['id']}",
            on_click="ignore",
        )
    else:
        c2.caption("folder removed")
