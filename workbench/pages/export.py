"""Export (owners): write a batch as a training corpus and download it; past exports stay listed."""

import datetime as dt
from collections.abc import Sequence
from functools import partial

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from workbench.core.errors import WorkbenchError
from workbench.core.messages import N_, t
from workbench.formats import FORMAT_INFO, FORMATS
from workbench.formats.corpus_export import (
    CONVENTION_FORMS,
    CONVENTION_TAG_MODES,
    FILLERS,
    RATE_CHOICES,
    STATUS_CHOICES,
    build_request,
    default_out,
    default_status,
    export_batch,
    export_zip,
    filter_choices,
    past_exports,
    zip_folder,
)
from workbench.formats.split import SPLIT_BY
from workbench.formats.textform import TAG_MODES, TEXT_FORMS
from workbench.projects.settings import profile_label
from workbench.ui.common import project_page, show_error
from workbench.ui.text import md
from workbench.ui.times import time_zone, when

CLIP_LABELS = {
    "wav": N_("WAV clips"),
    "flac": N_("FLAC clips"),
    "pcm": N_("headerless 16 kHz PCM clips"),
    "none": N_("whole recordings, with offsets"),
}
RATES = ["16000", *(str(r) for r in RATE_CHOICES if r != 16000), "original"]

wb, project = project_page("Export")
choices = filter_choices(wb, project)
# the options' labels in the reader's language, looked up here (a format_func runs elsewhere)
format_labels = {f: t(FORMAT_INFO[f].label) for f in FORMATS}
clip_labels = {c: t(label) for c, label in CLIP_LABELS.items()}

cols: Sequence[DeltaGenerator] = st.columns(2)
fmt = cols[0].selectbox(
    t("Format"), FORMATS, key="export_format", format_func=format_labels.__getitem__
)
status = cols[1].selectbox(
    t("Segments with status"),
    STATUS_CHOICES,
    index=STATUS_CHOICES.index(default_status(project)),
    key="export_status",
    help=t(
        "labeled: all labelled work (passed and approved too). "
        "accepted: approved, or passed without review under sampling. "
        "Where the project requires review, approved (or accepted when "
        "it reviews a sample) is the default"
    ),
)
info = FORMAT_INFO[fmt]

cols = st.columns(3)
clips = cols[0].selectbox(
    t("Audio"),
    info.clips,
    key="export_clips",
    format_func=clip_labels.__getitem__,
    disabled=len(info.clips) == 1 or not info.audio,
)
rate = cols[1].selectbox(
    t("Sample rate (Hz)"),
    RATES,
    key="export_rate",
    disabled=not info.audio,
    help=t(
        "16000 is the working copies' rate; others are resampled. 'original' cuts from the "
        "imported source file at its own rate, and is not available when that file is gone."
    ),
)
padding = cols[2].number_input(
    t("Padding (s)"),
    min_value=0.0,
    max_value=10.0,
    value=0.0,
    step=0.05,
    key="export_padding",
    disabled=not info.audio,
    help=t("added either side of each segment, within its recording"),
)

cols = st.columns(4)
text_forms = [*CONVENTION_FORMS, *(f for f in TEXT_FORMS if f != "as-written")]
text_form = cols[0].selectbox(
    t("Text"),
    text_forms,
    key="export_text_form",
    help=t(
        "written: as the labeller wrote it; spelling / pronunciation: the two sides of the "
        "'{conventions}' conventions' dual transcriptions, tags and marks removed; lower: "
        "lower case, punctuation and symbols removed",
        conventions=md(profile_label(project.conventions)),
    ),
)
tags = cols[1].selectbox(
    t("Inline tags of the conventions"),
    list(dict.fromkeys([*CONVENTION_TAG_MODES, *TAG_MODES])),
    key="export_tags",
    help=t(
        "drop leaves out segments that carry a tag unusable for training "
        "(e.g. KsponSpeech's u/); map writes each tag as the conventions' "
        "export.tag_map says (KsponSpeech: u/ becomes [unk], as ESPnet's "
        "recipe does) and removes the others"
    ),
)
fillers = cols[2].selectbox(
    t("Fillers"),
    FILLERS,
    key="export_fillers",
    help=t(
        "drop leaves filler words and repeated fragments (음/, 그+) out "
        "of the spelling or pronunciation form"
    ),
)
split = cols[3].text_input(
    t("Split train,dev,test"),
    key="export_split",
    placeholder="0.8,0.1,0.1",
    help=t("shares of audio time; leave empty for one corpus"),
)
cols = st.columns(2)
split_by = cols[0].selectbox(
    t("Split by"), SPLIT_BY, key="export_split_by", help=t("what may not straddle two splits")
)
seed = cols[1].number_input(t("Seed"), min_value=0, value=0, step=1, key="export_seed")
words = st.checkbox(
    t("Word timings"),
    key="export_words",
    disabled=info.words != "option",
    help=t(
        "a cue per word (SRT, WebVTT) or a word list per line (NeMo), where the saved text "
        "has been re-timed against the audio. TextGrid and ELAN always add a word tier, lhotse "
        "the supervisions' word alignment and Kaldi a ctm file, where there are timings."
    ),
)

with st.expander(t("Filters")):
    recordings = st.multiselect(
        t("Recordings"), choices["recordings"], key=f"export_recordings_{project.id}"
    )
    speakers = st.multiselect(
        t("Speakers"), choices["speakers"], key=f"export_speakers_{project.id}"
    )
    labellers = st.multiselect(
        t("Labellers (author of the latest revision)"),
        choices["labellers"],
        key=f"export_labellers_{project.id}",
    )
    exclude = st.text_input(
        t("Leave out segments tagged (comma-separated)"), key="export_exclude_tags"
    )
    cols = st.columns(2)
    zone = time_zone(project)  # the days are the reader's
    since = cols[0].date_input(t("Revised since"), value=None, key="export_since", help=zone.key)
    until = cols[1].date_input(t("Revised until"), value=None, key="export_until", help=zone.key)
    fresh = st.checkbox(t("Only segments not exported before"), key="export_not_exported")
    raw_cells = fmt in ("csv", "cv") and st.checkbox(
        t("Raw cells, for programs"),
        key="export_raw_cells",
        help=t(
            "by default a text starting with = + - @ gets an apostrophe in front, so a "
            "spreadsheet never runs it as a formula; raw keeps the text exactly as it is"
        ),
    )
# AI Hub's shapes: a speaker the registry lacks a needed field of refuses the export, unless
blank_speakers = bool(info.speaker_fields) and st.checkbox(
    t("Write missing speaker fields empty"),
    key="export_missing_speakers",
    help=t(
        "This format carries each speaker's {fields} from the speaker registry (the Speakers "
        "page). Without this, an export whose speakers lack one is refused, naming each "
        "speaker and field.",
        fields=", ".join(info.speaker_fields),
    ),
)

if st.button(t("Export"), key="export_button", type="primary"):
    bar = st.progress(0.0, text=t("Exporting…"))

    def show_progress(done: int, total: int) -> None:
        bar.progress(done / total, text=t("{done}/{total} segments", done=done, total=total))

    try:
        filters, options = build_request(
            status,
            recordings,
            speakers,
            labellers,
            exclude,
            since and dt.datetime.combine(since, dt.time.min, tzinfo=zone),
            until and dt.datetime.combine(until, dt.time.max, tzinfo=zone),
            fresh,
            clips=clips,
            sample_rate=rate,
            padding=padding,
            text_form=text_form,
            tags=tags,
            fillers=fillers,
            split=split,
            split_by=split_by,
            seed=seed,
            words=words and info.words == "option",
            raw_cells=raw_cells,
            missing_speakers="blank" if blank_speakers else "refuse",
        )
        result = export_batch(
            wb,
            project,
            default_out(wb, project, fmt),
            fmt=fmt,
            filters=filters,
            options=options,
            progress=show_progress,
        )
        zip_folder(result.path)
        parts = "".join(f" {n}: {c}." for n, (c, _) in result.splits.items())
        st.session_state["export_done"] = (
            project.id,
            t(
                "Exported {n} segments ({hours} h) to {name}.",
                n=result.segments,
                hours=f"{result.hours:.3f}",
                name=result.path.name,
            )
            + parts
            + "".join(t(" Warning: {warning}.", warning=w) for w in result.warnings),
        )
    except WorkbenchError as exc:
        st.session_state["export_done"] = None
        show_error(exc)
    except OSError:
        st.session_state["export_done"] = None
        st.error(
            t(
                "The export could not be written (disk full or not writable?); nothing was "
                "left half-written. The server log has the details."
            )
        )
    bar.empty()

done = st.session_state.get("export_done")
if done and done[0] == project.id:
    st.success(md(done[1], 2000))


def _zip_bytes(export_id: int) -> bytes:
    """A past export's zip, read when its download is clicked."""
    return export_zip(wb, project, export_id).read_bytes()


st.subheader(t("Past exports"))
past = past_exports(wb, project)
if not past:
    st.caption(t("None yet."))
for row in past:
    c1, c2 = st.columns([3, 1])
    c1.markdown(
        f"**{md(row['name'])}** · {row['format']} · "
        + t(
            "status `{status}` · {n} segments · {hours} h · by {name}",
            status=row["filters"].get("status"),
            n=row["counts"].get("segments"),
            hours=f"{row['hours']:.3f}",
            name=md(row["created_by"]),
        )
        + f" · {when(row['created_at'], project)} · sha256 `{row['checksum'][:12]}`"
    )
    if row["available"]:
        c2.download_button(
            t("Download zip"),
            data=partial(_zip_bytes, row["id"]),
            file_name=f"{row['name']}.zip",
            mime="application/zip",
            key=f"download_{row['id']}",
            on_click="ignore",
        )
    else:
        c2.caption(t("folder removed"))
