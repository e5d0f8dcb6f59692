"""export: a batch of a project as a training corpus."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli.parsers import add_project_command
from workbench.cli.progress import Progress
from workbench.core.records import Project
from workbench.formats import CLIP_MODES, FORMAT_INFO, FORMATS, MISSING_SPEAKERS
from workbench.formats.corpus_export import (
    FILLERS,
    STATUS_CHOICES,
    build_request,
    default_status,
    export_batch,
)
from workbench.formats.split import SPLIT_BY
from workbench.formats.textform import TAG_MODES, TEXT_FORMS
from workbench.projects.settings import Workbench
from workbench.text.clean import shown


def add_export(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(
        sub, common, "export", cmd_export, "export a batch as a training corpus"
    )
    _add_corpus_options(p)
    _add_audio_options(p)
    _add_text_options(p)
    _add_filter_options(p)


def _add_corpus_options(p: argparse.ArgumentParser) -> None:
    """The format, the folder, the status taken and the split."""
    p.add_argument(
        "--format",
        default="nemo",
        choices=FORMATS,
        help="; ".join(f"{f.name}: {f.label}" for f in FORMAT_INFO.values()),
    )
    p.add_argument("--out", required=True, help="folder to create")
    p.add_argument(
        "--status",
        choices=STATUS_CHOICES,
        help="labeled takes approved too (default: approved where the project "
        "requires review, else labeled)",
    )
    p.add_argument(
        "--split",
        default="",
        metavar="TRAIN,DEV,TEST",
        help="shares of audio time, e.g. 0.8,0.1,0.1 (two: train,test); "
        "each split is a sub-folder holding a full corpus",
    )
    p.add_argument(
        "--split-by",
        default="segment",
        choices=SPLIT_BY,
        help="what never straddles two splits (default: %(default)s)",
    )
    p.add_argument("--seed", default="0", help="the same seed gives the same split")


def _add_audio_options(p: argparse.ArgumentParser) -> None:
    """How the audio is cut: clips, sample rate, padding."""
    p.add_argument(
        "--clips",
        choices=CLIP_MODES,
        help="clip files, or none: offsets into whole recordings "
        "(default: the format's first: "
        + ", ".join(f"{f.name} {'|'.join(f.clips)}" for f in FORMAT_INFO.values())
        + ")",
    )
    p.add_argument(
        "--sample-rate",
        metavar="HZ|original",
        help="default 16000 (the working copies); another rate is resampled with "
        "soxr; 'original' cuts from the imported source file at its own rate, "
        "which is not available when that file is gone (zip imports, moved files)",
    )
    p.add_argument(
        "--padding",
        default="0",
        metavar="SECONDS",
        help="added either side of each segment, within its recording",
    )


def _add_text_options(p: argparse.ArgumentParser) -> None:
    """Which form of the text is written, and what becomes of tags and fillers."""
    p.add_argument(
        "--text-form",
        default="written",
        help="written (as the labeller wrote it), spelling or pronunciation (the two "
        "sides of the project's conventions, e.g. KsponSpeech's (70%%)/(칠십 "
        f"퍼센트)); also {', '.join(f for f in TEXT_FORMS if f != 'as-written')} "
        "(lower case, no punctuation)",
    )
    p.add_argument(
        "--tags",
        default="keep",
        help=f"inline tags of the conventions (b/, [noise]): {', '.join(TAG_MODES)}, "
        "map (drop leaves out segments with a tag unusable for training, e.g. "
        "u/; map writes them as the conventions' export.tag_map says)",
    )
    p.add_argument(
        "--words",
        action="store_true",
        help="word timings of the saved texts where they are re-timed: a cue per word in "
        "srt and vtt, a word list per line in nemo (textgrid, eaf, lhotse and kaldi carry "
        "them always)",
    )
    p.add_argument(
        "--fillers",
        default="keep",
        choices=FILLERS,
        help="drop leaves fillers and repeated fragments out of the spelling or "
        "pronunciation form (default: %(default)s)",
    )
    p.add_argument(
        "--raw-cells",
        action="store_true",
        help="csv and cv: write text as it is, for programs; by default a text starting "
        "with = + - @ gets an apostrophe in front, so a spreadsheet never runs it as a formula",
    )
    p.add_argument(
        "--missing-speakers",
        default="refuse",
        choices=MISSING_SPEAKERS,
        help="AI Hub formats: a speaker the registry lacks gender or age (or region) of "
        "refuses the export, naming each speaker and field; blank writes them empty "
        "(default: %(default)s)",
    )


def _add_filter_options(p: argparse.ArgumentParser) -> None:
    """Which segments are taken: recordings, speakers, labellers, tags, dates."""
    p.add_argument(
        "--recording",
        action="append",
        default=[],
        metavar="ID|NAME",
        help="only these recordings (repeat the option for more)",
    )
    p.add_argument("--speaker", action="append", default=[], help="only these speakers")
    p.add_argument(
        "--labeller",
        action="append",
        default=[],
        help="only segments whose latest revision is by these people",
    )
    p.add_argument(
        "--exclude-tag",
        action="append",
        default=[],
        metavar="TAG",
        help="leave out segments carrying this tag",
    )
    p.add_argument("--since", help="latest revision on or after this date (UTC), e.g. 2025-03-01")
    p.add_argument("--until", help="latest revision on or before this date (UTC)")
    p.add_argument(
        "--not-exported-before",
        action="store_true",
        help="only segments that no earlier export of the project took",
    )


def cmd_export(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    filters, options = build_request(
        args.status or default_status(project),
        args.recording,
        args.speaker,
        args.labeller,
        args.exclude_tag,
        args.since,
        args.until,
        args.not_exported_before,
        clips=args.clips,
        sample_rate=args.sample_rate,
        padding=args.padding,
        text_form=args.text_form,
        tags=args.tags,
        split=args.split,
        split_by=args.split_by,
        seed=args.seed,
        fillers=args.fillers,
        words=args.words,
        raw_cells=args.raw_cells,
        missing_speakers=args.missing_speakers,
    )
    bar = Progress("export")
    result = export_batch(
        wb,
        project,
        Path(args.out),
        fmt=args.format,
        progress=lambda d, t: bar.show(d, t),
        filters=filters,
        options=options,
    )
    bar.close()
    print(
        f"wrote {result.segments} segments, {result.hours:.3f} h, to {result.path} "
        f"(manifest sha256 {result.checksum[:12]})"
    )
    for name, (count, seconds) in result.splits.items():
        print(f"  {name}: {count} segments, {seconds / 3600:.3f} h")
    print(f"  files: {', '.join(result.files)}")
    if result.dropped:
        print(f"  {result.dropped} segments left out by the text options")
    for warning in result.warnings:
        print(f"  warning: {shown(warning)}")
    return 0
