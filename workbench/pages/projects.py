"""Projects (owners): create one, import audio into it, its settings, recordings and progress."""

import pandas as pd
import streamlit as st

from workbench.core.clock import server_zone, zone_names
from workbench.core.config import MB, describe_size
from workbench.core.errors import WorkbenchError
from workbench.core.lengths import audio_length
from workbench.core.messages import LANGUAGES as INTERFACE_LANGUAGES
from workbench.core.messages import project_language, t
from workbench.intake.audio_files import AUDIO_SUFFIXES
from workbench.intake.transcripts import import_upload
from workbench.labelling.gaps import empty_drafts, redraft
from workbench.projects.settings import (
    LANGUAGES,
    draft_quality,
    ensure_project,
    labeller_stats,
    profile_choices,
    profile_label,
    project_status,
    projects,
    recordings,
    suggested_conventions,
    update_settings,
)
from workbench.review.sampling import MIN_REVIEWS
from workbench.review.verdicts import reasons, review_progress
from workbench.ui.common import (
    MISSING,
    fmt_seconds,
    forget_language,
    form_key,
    require_project,
    show_error,
    workbench,
)
from workbench.ui.jobs import start_drafts
from workbench.ui.text import md

ANNOTATION_TYPES = {"json", "jsonl", "csv", "tsv", "srt", "vtt", "textgrid", "eaf", "txt", "trn"}

wb = workbench()  # first: the title in the reader's language
st.title(t("Projects"))
choices = profile_choices(wb)


def _suggest_conventions() -> None:
    """On a change of the new project's language: preselect the profile projects in that
    language usually follow, unless the owner already chose one other than plain."""
    suggested = suggested_conventions(st.session_state["new_project_language"])
    if suggested in choices and st.session_state.get("new_project_conventions") == "plain":
        st.session_state["new_project_conventions"] = suggested


with st.expander(t("New project"), expanded=not projects(wb)):
    name = st.text_input(t("Name"), key="new_project_name", max_chars=200)
    language = st.selectbox(
        t("Language"),
        LANGUAGES,
        key="new_project_language",
        help=t("'auto' lets Whisper detect it per recording."),
        on_change=_suggest_conventions,
    )
    st.session_state.setdefault("new_project_conventions", "plain")
    conventions = st.selectbox(
        t("Transcription conventions"),
        choices,
        format_func=profile_label,
        key="new_project_conventions",
        help=t(
            "kspon: KsponSpeech / AI Hub Korean rules; verbatim-en: "
            "English clean verbatim with [noise] tags. Your own "
            "profiles: YAML files in the home's profiles/ folder."
        ),
    )
    suggestion = suggested_conventions(language)
    if suggestion:
        st.caption(
            t(
                "Projects in {language} usually follow the {suggestion} conventions: chosen "
                "for you; pick another profile to decline.",
                language=language,
                suggestion=suggestion,
            )
            if conventions == suggestion
            else t(
                "Projects in {language} usually follow the {suggestion} conventions; you "
                "chose {chosen}.",
                language=language,
                suggestion=suggestion,
                chosen=md(profile_label(conventions)),
            )
        )
    if st.button(t("Create project"), key="create_project"):
        try:
            created = ensure_project(wb, name, language, conventions)
        except WorkbenchError as exc:
            show_error(exc)
        else:
            st.session_state["picked"] = created.id  # the sidebar switches to it
            for key in ("new_project_name", "new_project_language", "new_project_conventions"):
                del st.session_state[key]  # an empty form for the next project
            st.rerun()

project = require_project(wb, t("Create one above: name, language and conventions."))

status = project_status(wb, project)
cols = st.columns(4)
cols[0].metric(t("Recordings"), status["recordings"])
cols[1].metric(t("Audio"), audio_length(status["audio_hours"] * 3600))
live = sum(n for state, n in status["segments"].items() if state != "deleted")
cols[2].metric(t("Segments"), live, help=t("Live segments (the deleted ones are not counted)."))
cols[3].metric(t("Labelled"), audio_length(status["labelled_hours"] * 3600))

quality = draft_quality(wb, project)
if quality:
    headline = quality["headline"]
    other = "WER" if headline == "CER" else "CER"
    st.caption(
        t(
            "Drafts against labelled text over {segments} segments: **{headline} {error}** "
            "({other} {other_error}): the share of the draft the labellers corrected.",
            segments=quality["segments"],
            headline=headline,
            error=f"{quality[headline.lower()]:.1%}",
            other=other,
            other_error=f"{quality[other.lower()]:.1%}",
        )
    )
labellers = labeller_stats(wb, project)
if labellers:
    with st.expander(t("Labellers"), expanded=False):
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        t("labeller"): r["author"],
                        t("saves"): r["saves"],
                        t("segments"): r["segments"],
                        t("audio (min)"): round(r["audio_seconds"] / 60, 1),
                        t("active (min)"): round(r["active"] / 60, 1),
                        t("s of work per min of audio"): round(
                            r["active"] / max(r["audio_seconds"] / 60, 1e-9), 1
                        ),
                    }
                    for r in labellers
                ]
            ),
            hide_index=True,
            width="stretch",
            key="labellers_table",
            placeholder=MISSING,
        )

progress = review_progress(wb, project.id)
if progress:
    with st.expander(t("Review"), expanded=False):
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        t("labeller"): r["labeller"],
                        t("awaiting review"): r["awaiting"],
                        t("passed unreviewed"): r["passed"],
                        t("approved"): r["approved"],
                        t("rejected now"): r["rejected"],
                        t("reviews"): r["reviews"],
                        t("rejection rate"): f"{r['rejection_rate']:.0%}",
                        t("reviewed share"): f"{r['review_share']:.0%}",
                    }
                    for r in progress
                ]
            ),
            hide_index=True,
            width="stretch",
            key="review_table",
            placeholder=MISSING,
        )

with st.expander(t("Settings: conventions, speakers, guidelines, review"), expanded=False):
    options = choices if project.conventions in choices else [project.conventions, *choices]
    with st.form(form_key(project, "project_settings")):
        chosen = st.selectbox(
            t("Transcription conventions"),
            options,
            index=options.index(project.conventions),
            format_func=profile_label,
            key=form_key(project, "set_conventions"),
            help=t("A built-in profile, or one of the YAML files in the home's profiles/ folder."),
        )
        speakers = st.text_input(
            t("Speakers (comma-separated)"),
            ", ".join(project.speakers),
            key=form_key(project, "set_speakers"),
        )
        guidelines = st.text_area(
            t("Guidelines for labellers (Markdown; empty: the conventions' own)"),
            project.guidelines or "",
            key=form_key(project, "set_guidelines"),
            height=150,
        )
        blocks = st.checkbox(
            t("Convention errors block saving (otherwise: save after a warning)"),
            project.lint_blocks,
            key=form_key(project, "set_lint_blocks"),
        )
        review_required = st.checkbox(
            t("Review required: export takes approved segments unless told otherwise"),
            project.review_required,
            key=form_key(project, "set_review_required"),
        )
        review_reasons = st.text_area(
            t("Reasons a reviewer picks from when rejecting (one a line; 'other' is always there)"),
            "\n".join(reasons(project)),
            key=form_key(project, "set_review_reasons"),
            height=120,
        )
        share_cols = st.columns(2)
        review_share = share_cols[0].number_input(
            t("Share of each labeller's work reviewed (%)"),
            1,
            100,
            round(project.review_share * 100),
            key=form_key(project, "set_review_share"),
            help=t(
                "Under 100%, a labelled segment not drawn for review is 'passed'. Flagged "
                "segments and fixes of rejected ones are always reviewed."
            ),
        )
        raise_above = share_cols[1].number_input(
            t("Review everything from labellers rejected more than (%)"),
            0,
            100,
            round(project.review_raise_above * 100),
            key=form_key(project, "set_review_raise_above"),
            help=t("Counted once {n} of their segments have been reviewed.", n=MIN_REVIEWS),
        )
        if st.form_submit_button(
            t("Save settings"), key=form_key(project, "save_project_settings")
        ):
            try:
                update_settings(
                    wb,
                    project.id,
                    conventions=chosen,
                    speakers=speakers.split(","),
                    guidelines=guidelines,
                    lint_blocks=blocks,
                    review_required=review_required,
                    review_reasons=review_reasons.splitlines(),
                    review_share=review_share / 100,
                    review_raise_above=raise_above / 100,
                )
            except WorkbenchError as exc:
                show_error(exc, t("Not saved: "))
            else:
                st.rerun()


def interface_default() -> None:
    """The interface language of members who have not chosen one (a Korean project's is
    Korean until the owner sets it)."""
    shown = project_language(project)

    def chosen() -> None:
        try:
            update_settings(
                workbench(), project.id, interface_language=st.session_state[language_key]
            )
        except WorkbenchError as exc:
            st.session_state["interface_language_error"] = exc
        forget_language()

    language_key = form_key(project, "set_interface_language")
    st.selectbox(
        t("Interface language for members who have not chosen one"),
        list(INTERFACE_LANGUAGES),
        index=list(INTERFACE_LANGUAGES).index(shown),
        format_func=INTERFACE_LANGUAGES.__getitem__,
        key=language_key,
        on_change=chosen,
        help=t("Each person can choose their own on the Account page."),
    )
    if error := st.session_state.pop("interface_language_error", None):
        show_error(error, t("Not saved: "))


interface_default()
server = t("The server's ({zone})", zone=server_zone().key)
with st.expander(t("Time zone"), expanded=False), st.form(form_key(project, "project_time_zone")):
    zones = ["", *zone_names()]
    picked = st.selectbox(
        t("The project's days and times"),
        zones,
        index=zones.index(project.time_zone) if project.time_zone in zones else 0,
        format_func=lambda z: z or server,
        key=form_key(project, "set_time_zone"),
        help=t(
            "Where its pay periods' days begin, and the zone its members see times in "
            "unless they chose their own (Account)."
        ),
    )
    if st.form_submit_button(t("Save the time zone"), key=form_key(project, "save_time_zone")):
        try:
            update_settings(wb, project.id, time_zone=picked)
        except WorkbenchError as exc:
            show_error(exc, t("Not saved: "))
        else:
            st.rerun()

st.subheader(t("Import audio into {project}", project=md(project.name)))
upload_key = f"upload_{project.id}_{st.session_state.setdefault('upload_round', 0)}"
limits = wb.settings.limits
# the server refuses a file over server.maxUploadSize whatever the widget says: keep the smaller
per_file_mb = min(limits.upload_file_mb, int(st.get_option("server.maxUploadSize")))
files = st.file_uploader(
    t(
        "Audio files or zip archives (WAV, FLAC, MP3, M4A, OGG, Opus, WebM), and transcripts to "
        "import with them (NeMo, audiofolder metadata, SRT, VTT, TextGrid, EAF, CSV/TSV, "
        "KsponSpeech .pcm with .txt or .trn, AI Hub JSON)"
    ),
    accept_multiple_files=True,
    type=sorted({s.lstrip(".") for s in AUDIO_SUFFIXES} | {"zip"} | ANNOTATION_TYPES),
    key=upload_key,
    max_upload_size=per_file_mb,
)
st.caption(
    t(
        "At most {file} a file and {batch} an upload; a zip archive may unpack to at most "
        "{unpacked} in {entries} entries.",
        file=describe_size(per_file_mb * MB),
        batch=describe_size(limits.upload_batch_mb * MB),
        unpacked=describe_size(limits.zip_total_mb * MB),
        entries=limits.zip_members,
    )
)
if st.button(t("Import"), key="import_button", disabled=not files, type="primary"):
    bar = st.progress(0.0, text=t("Importing…"))

    def show_progress(done: int, total: int, name: str) -> None:
        bar.progress(done / max(total, 1), text=f"{done}/{total} {md(name)}")

    result = import_upload(wb, project, [(f.name, f) for f in files], progress=show_progress)
    bar.empty()
    st.session_state["import_report"] = (project.id, result.report)
    st.session_state["upload_round"] += 1
    st.rerun()

shown = st.session_state.get("import_report")
if shown is not None and shown[0] == project.id:
    report = shown[1]
    (st.warning if report.failed else st.success)(md(report.summary(), 2000))
    problems = [i for i in report.items if i.outcome != "imported" or i.warning]
    st.markdown(
        "\n".join(f"- **{i.outcome}**: {md(i.name)}: {md(i.reason)}" for i in problems[:30])
    )
    if len(problems) > 30:
        st.dataframe(
            pd.DataFrame(
                [
                    {t("file"): i.name, t("outcome"): i.outcome, t("reason"): i.reason}
                    for i in problems[30:]
                ]
            ),
            hide_index=True,
            width="stretch",
            key="import_problems",
            placeholder=MISSING,
        )

found = recordings(wb, project)
st.subheader(t("Recordings"))
if found:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("name"): r.original_name,
                    t("duration"): fmt_seconds(r.duration),
                    t("original rate (Hz)"): r.sample_rate,
                    t("channels"): r.channels,
                    t("language"): r.language or "",
                }
                for r in found
            ]
        ),
        hide_index=True,
        width="stretch",
        key="recordings_table",
        placeholder=MISSING,
    )
else:
    st.caption(t("No recordings yet."))

empty = empty_drafts(wb, project.id)
if empty:
    st.warning(
        t(
            "{n} recording(s) drafted without any segment: draft them again, one at a time.",
            n=len(empty),
        )
    )
    for rec in empty:
        if st.button(t("Draft {name} again", name=md(rec.original_name)), key=f"redraft_{rec.id}"):
            try:
                redraft(wb, rec.id)
                start_drafts(wb, project, [rec.id])
            except WorkbenchError as exc:
                show_error(exc)
            else:
                st.success(
                    t("Drafting {name} again: see the Drafts page.", name=md(rec.original_name))
                )
