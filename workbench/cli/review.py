"""Checking and correcting a project's transcripts: lint, replace and audit-corpus."""

from __future__ import annotations

import argparse
import json

from workbench.asr import ModelNotFound
from workbench.cli.parsers import add_project_command, add_ray, on_cluster
from workbench.cli.progress import Progress
from workbench.core.records import Project
from workbench.jobs.cluster import ClusterUnavailable, open_transcriber
from workbench.jobs.lifecycle import fail_job
from workbench.projects.settings import Workbench, lint_project, model_path
from workbench.review.audit_measures import AuditRow, by_disagreement
from workbench.review.corpus_audit import (
    AuditReport,
    audit_options,
    audit_report,
    run_audit_job,
    start_audit_job,
)
from workbench.text import pad
from workbench.text.clean import shown


def add_lint(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(
        sub, common, "lint", cmd_lint, "check every segment against the project's conventions"
    )
    p.add_argument("--json", action="store_true")


def cmd_lint(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    findings = lint_project(wb, project)
    errors = sum(f["level"] == "error" for f in findings)
    if args.json:
        print(json.dumps(findings, ensure_ascii=False, indent=2))
    else:
        for f in findings:
            print(
                f"{f['segment_id']:>8}  {pad(f['recording'], 24)}  {f['level']:<7}  "
                f"{shown(f['message'])}"
            )
        print(
            f"{shown(project.name)} ({project.conventions}): {errors} error(s), "
            f"{len(findings) - errors} warning(s)"
        )
    return 1 if errors else 0


def add_replace(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(
        sub,
        common,
        "replace",
        cmd_replace,
        "find and replace in a project's transcripts (preview; --apply)",
    )
    p.add_argument("--find", required=True)
    p.add_argument("--replace", required=True)
    p.add_argument("--whole-word", action="store_true")
    p.add_argument("--ignore-case", action="store_true")
    p.add_argument("--apply", action="store_true")


def cmd_replace(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    """Find and replace in a project's transcripts: the preview, and with --apply the change."""
    from workbench.labelling.find_replace import Query, apply, preview

    query = Query(args.find, args.replace, args.whole_word, not args.ignore_case)
    matches = preview(wb, project.id, query)
    for m in matches:
        print(
            f"{m.segment_id:>8}  {pad(m.recording, 24)}  {m.start:9.2f}  "
            f"{m.before!r} -> {m.after!r}"
        )
    if not args.apply:
        print(f"{len(matches)} segment(s) would change; add --apply to replace")
        return 0
    done = apply(wb, project.id, query, {m.segment_id: m.version for m in matches})
    for seg_id, why in done.skipped:
        print(f"skipped {seg_id}: {shown(why)}")
    print(f"replaced in {len(done.applied)} segment(s), skipped {len(done.skipped)}")
    return 1 if done.skipped else 0


def add_audit_corpus(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(
        sub,
        common,
        "audit-corpus",
        cmd_audit_corpus,
        "the corpus audit: numbers, out-of-range segments, and the labels "
        "Whisper's second opinion disagrees with most",
    )
    p.add_argument(
        "--second-opinion",
        action="store_true",
        help="first draft a second opinion (the project's engine and model) for "
        "labelled segments without one; resumes where a stopped run left off",
    )
    p.add_argument("--top", type=int, default=20, help="rows of each list (default 20)")
    p.add_argument("--json", action="store_true")
    add_ray(p)


def cmd_audit_corpus(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    """The corpus audit: optionally draft second opinions first, then the corpus's numbers,
    its segments out of range and the largest disagreements."""
    if args.second_opinion:
        _second_opinion(on_cluster(wb, args), project)
    report = audit_report(wb, project)
    ranked = by_disagreement(list(report.rows))[: args.top]
    if args.json:
        _print_audit_json(report, ranked)
    else:
        _print_audit(project, report, ranked, args.top)
    return 0


def _second_opinion(wb: Workbench, project: Project) -> None:
    """Draft a second opinion for the labelled segments without one, with a progress bar."""
    job = start_audit_job(wb, project, {"engine": project.asr_engine, "model": project.asr_model})
    try:
        transcriber = open_transcriber(
            wb, project.asr_engine, model_path(wb, project.asr_model), f"audit-{job.id}"
        )
    except (ModelNotFound, ClusterUnavailable) as exc:
        fail_job(wb, job, str(exc))
        raise
    bar = Progress("second opinion")
    job = run_audit_job(
        wb,
        job,
        transcriber,
        audit_options(project),
        on_progress=lambda j: bar.show(j.done, j.total, j.message),
    )
    bar.close()
    for line in (job.error or "").splitlines():
        print(f"failed: {shown(line)}")


def _print_audit_json(report: AuditReport, ranked: list[AuditRow]) -> None:
    """The audit as JSON."""
    stats = report.stats
    print(
        json.dumps(
            {
                "utterances": stats.utterances,
                "hours": stats.hours,
                "words": stats.words,
                "vocabulary": stats.vocabulary,
                "judged": report.judged,
                "todo": report.todo,
                "alphabet": {c.char: c.count for c in stats.alphabet},
                "rate_range": stats.rate_range,
                "out_of_range": [{"segment": s, "why": why} for s, why in stats.out_of_range],
                "disagreement": [
                    {
                        "segment": r.segment_id,
                        "recording": r.recording,
                        "start": r.start,
                        "end": r.end,
                        "wer": r.wer,
                        "cer": r.cer,
                        "text": r.text,
                        "second_opinion": r.opinion,
                    }
                    for r in ranked
                ],
            },
            ensure_ascii=False,
            indent=2,
        )
    )


def _print_audit(project: Project, report: AuditReport, ranked: list[AuditRow], top: int) -> None:
    """The audit as text: the numbers, then out-of-range segments and the disagreements."""
    stats = report.stats
    print(
        f"{shown(project.name)}: {stats.utterances} utterances, {stats.hours:.3f} h, {stats.words} "
        f"words, vocabulary {stats.vocabulary}, {len(stats.alphabet)} characters; "
        f"second opinions on {report.judged} ({report.todo} without)"
    )
    odd = [c for c in stats.alphabet if not c.letter_or_digit]
    if odd:
        print(
            "  not letters or digits: "
            + ", ".join(
                f"{c.char if c.category[0] != 'C' else ''} U+{ord(c.char):04X} x{c.count}"
                for c in odd
            )
        )
    print(f"  out of range: {len(stats.out_of_range)}")
    for seg_id, why in stats.out_of_range[:top]:
        print(f"    {seg_id:>8}  {shown(why)}")
    if ranked:
        print(f"  largest disagreement ({report.metric}) first:")
        for r in ranked:
            print(
                f"    {r.segment_id:>8}  {r.disagreement:5.2f}  {pad(r.recording, 20)}  "
                f"label: {r.text!r}  second opinion: {r.opinion!r}"
            )
