"""`python -m workbench`: the same operations as the pages, for scripts and batch jobs."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import time
from pathlib import Path

from workbench import store
from workbench.asr import EMBEDDED_NAME, ENGINES, ModelNotFound, load_engine
from workbench.core.access import Forbidden
from workbench.core.config import load_settings
from workbench.core.logs import configure_logging
from workbench.core.records import TODO, Job
from workbench.crowd import claims as crowd_claims
from workbench.crowd import gold as crowd_gold
from workbench.drafts.draft_job import (
    cancel_draft_job,
    options_for,
    run_draft_job,
    start_draft_job,
)
from workbench.formats import CLIP_MODES, FORMAT_INFO, FORMATS
from workbench.formats.corpus_export import (
    FILLERS,
    STATUS_CHOICES,
    build_request,
    default_status,
    export_batch,
)
from workbench.formats.select import matches_recording
from workbench.formats.split import SPLIT_BY
from workbench.formats.textform import TAG_MODES, TEXT_FORMS
from workbench.intake.transcripts import AudioScope, import_any
from workbench.jobs.failures import describe
from workbench.jobs.lifecycle import JobRunning, fail_job
from workbench.projects import people
from workbench.projects.settings import (
    NotFound,
    Workbench,
    ensure_project,
    get_project,
    lint_project,
    open_workbench,
    project_status,
    recordings,
    update_settings,
)
from workbench.review.audit_measures import by_disagreement
from workbench.review.corpus_audit import (
    audit_options,
    audit_report,
    run_audit_job,
    start_audit_job,
)
from workbench.text import pad

log = logging.getLogger(__name__)


class Progress:
    """A one-line progress bar on stderr (redrawn on a terminal, a line per 10% otherwise)."""

    def __init__(self, label: str):
        self.label = label
        self.tty = sys.stderr.isatty()
        self.last_decile = -1
        self.started = time.monotonic()

    def show(self, done: float, total: float, note: str = "") -> None:
        share = 1.0 if total <= 0 else min(1.0, done / total)
        elapsed = time.monotonic() - self.started
        eta = f" ETA {elapsed / share - elapsed:.0f}s" if 0 < share < 1 else ""
        bar = "#" * int(share * 30)
        line = f"{self.label} [{bar:<30}] {share:6.1%}{eta} {note}"[:120]
        if self.tty:
            print("\r" + line.ljust(120), end="", file=sys.stderr, flush=True)
        elif int(share * 10) != self.last_decile:
            self.last_decile = int(share * 10)
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.tty:
            print(file=sys.stderr)


def cmd_import(wb: Workbench, args: argparse.Namespace) -> int:
    project = ensure_project(wb, args.project, language=args.language,
                             conventions=args.conventions, allow_path=True)
    bar = Progress("import")
    result = import_any(wb, project, args.paths, progress=lambda d, t, n: bar.show(d, t, n),
                        audio_from=AudioScope.server())  # the operator's own files
    bar.close()
    report = result.report
    for item in report.items:
        if item.outcome != "imported" or item.reason:
            print(f"{item.outcome}: {item.name}: {item.reason}")
    attached = f"; {result.segments} segments from annotations" if result.segments else ""
    print(f"{project.name}: {report.summary()}{attached}")
    return 1 if report.failed else 0


def cmd_transcribe(wb: Workbench, args: argparse.Namespace) -> int:
    project = get_project(wb, args.project)
    engine_name = args.engine or project.asr_engine
    model = args.model or (project.asr_model if engine_name == project.asr_engine else EMBEDDED_NAME)
    language = args.language or project.language
    options = options_for(project, language, beam_size=args.beam_size)
    job = start_draft_job(wb, project, {"engine": engine_name, "model": model, "language": language})
    try:
        engine = load_engine(engine_name, model, wb.settings.models_dir)
    except ModelNotFound as exc:
        log.warning("draft job %d for project %r: cannot load %s model %r: %s",
                    job.id, project.name, engine_name, model, exc)
        fail_job(wb, job, str(exc))
        raise
    bar = Progress("draft")

    def show(j: Job) -> None:
        bar.show(j.done, j.total, j.message)

    job = run_draft_job(wb, job, engine, options, on_progress=show)
    bar.close()
    for line in (job.error or "").splitlines():
        print(f"failed: {line}")
    counts = project_status(wb, project)["segments"]
    print(f"{project.name}: job {job.state}; the project has {counts['drafted']} drafted "
          "segment(s) to label")
    return 0 if job.state == "done" and not job.error else 1


def cmd_export(wb: Workbench, args: argparse.Namespace) -> int:
    project = get_project(wb, args.project)
    filters, options = build_request(
        args.status or default_status(project), args.recording, args.speaker, args.labeller, args.exclude_tag,
        args.since, args.until, args.not_exported_before, clips=args.clips,
        sample_rate=args.sample_rate, padding=args.padding, text_form=args.text_form,
        tags=args.tags, split=args.split, split_by=args.split_by, seed=args.seed,
        fillers=args.fillers,
    )
    bar = Progress("export")
    result = export_batch(
        wb, project, Path(args.out), fmt=args.format,
        progress=lambda d, t: bar.show(d, t), filters=filters, options=options,
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
        print(f"  warning: {warning}")
    return 0


def cmd_lint(wb: Workbench, args: argparse.Namespace) -> int:
    project = get_project(wb, args.project)
    findings = lint_project(wb, project)
    errors = sum(f["level"] == "error" for f in findings)
    if args.json:
        print(json.dumps(findings, ensure_ascii=False, indent=2))
    else:
        for f in findings:
            print(f"{f['segment_id']:>8}  {pad(f['recording'], 24)}  {f['level']:<7}  {f['message']}")
        print(f"{project.name} ({project.conventions}): {errors} error(s), "
              f"{len(findings) - errors} warning(s)")
    return 1 if errors else 0


def cmd_replace(wb: Workbench, args: argparse.Namespace) -> int:
    """Find and replace in a project's transcripts: the preview, and with --apply the change."""
    from workbench.labelling.find_replace import Query, apply, preview

    project = get_project(wb, args.project)
    query = Query(args.find, args.replace, args.whole_word, not args.ignore_case)
    matches = preview(wb, project.id, query)
    for m in matches:
        print(f"{m.segment_id:>8}  {pad(m.recording, 24)}  {m.start:9.2f}  {m.before!r} -> {m.after!r}")
    if not args.apply:
        print(f"{len(matches)} segment(s) would change; add --apply to replace")
        return 0
    done = apply(wb, project.id, query, {m.segment_id: m.version for m in matches})
    for seg_id, why in done.skipped:
        print(f"skipped {seg_id}: {why}")
    print(f"replaced in {len(done.applied)} segment(s), skipped {len(done.skipped)}")
    return 1 if done.skipped else 0


def cmd_cancel(wb: Workbench, args: argparse.Namespace) -> int:
    project = get_project(wb, args.project)
    job = cancel_draft_job(wb, project)
    if job is None:
        print(f"{project.name}: no draft job is running")
        return 1
    if job.state == "running":
        print(f"{project.name}: job {job.id} will stop after the recording it is drafting")
    else:
        print(f"{project.name}: job {job.id} {job.message}; marked {job.state}")
    return 0


def cmd_status(wb: Workbench, args: argparse.Namespace) -> int:
    status = project_status(wb, get_project(wb, args.project))
    if args.json:
        print(json.dumps(status, indent=2))
        return 0
    print(f"{status['project']} (language {status['language']})")
    print(f"  recordings      {status['recordings']}  ({status['audio_hours']:.3f} h of audio)")
    for name, count in status["segments"].items():
        print(f"  {name:<15} {count}")
    print(f"  labelled        {status['labelled_hours']:.3f} h")
    return 0


def cmd_user(wb: Workbench, args: argparse.Namespace) -> int:
    """Accounts: add, list, role, deactivate, activate, reset-password (owners only)."""
    if args.action == "list":
        for u in people.list_users(wb):
            state = "" if u.active else "  (deactivated)"
            print(f"{u.id:>4}  {pad(u.name, 20)}  {u.role.value:<9} {u.display_name}{state}")
        return 0
    if args.action == "add":
        password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
        user, password = people.create_user(wb, args.name, args.role or "labeler", password,
                                            display_name=args.display_name or "")
        print(f"added {user.name} ({user.role.value})")
        if not args.password_stdin:
            print(f"temporary password: {password}")
        return 0
    target = next((u for u in people.list_users(wb) if u.name == (args.name or "").lower()), None)
    if target is None:
        raise NotFound(f"no account named {args.name!r}")
    if args.action == "role":
        if not args.role:
            raise ValueError("--role is required")
        people.set_role(wb, target.id, args.role)
    elif args.action in ("deactivate", "activate"):
        people.set_active(wb, target.id, args.action == "activate")
    elif args.action == "reset-password":
        print(f"temporary password: {people.reset_password(wb, target.id)}")
    print(f"{target.name}: {args.action} done")
    return 0


def cmd_members(wb: Workbench, args: argparse.Namespace) -> int:
    """Show or set who works on a project."""
    project = get_project(wb, args.project)
    if args.set is not None:
        by_name = {u.name: u.id for u in people.list_users(wb)}
        names = [n.strip().lower() for n in args.set.split(",") if n.strip()]
        missing = [n for n in names if n not in by_name]
        if missing:
            raise NotFound(f"no account named {missing[0]!r}")
        people.set_members(wb, project.id, [by_name[n] for n in names])
    members = people.members(wb, project.id)
    for u in members:
        print(f"{u.name} ({u.role.value})")
    if not members:
        print(f"{project.name}: no members yet (owners see every project); add them with "
              "--set NAME,NAME")
    return 0


def cmd_assign(wb: Workbench, args: argparse.Namespace) -> int:
    """Hand out work: the project's assignment mode, a batch for a person, a person's cap."""
    project = get_project(wb, args.project)
    settings = {k: v for k, v in (("assignment", args.mode), ("claim_minutes", args.minutes))
                if v is not None}
    if settings:
        project = update_settings(wb, project.id, **settings)
    batch = args.recording is not None or args.segments is not None
    if (batch or args.cap is not None) and not (args.to or args.unassign):
        raise ValueError("name the person with --to (or --unassign the segments)")
    if batch:
        recording_id = None
        if args.recording is not None:
            recording_id = next((r.id for r in recordings(wb, project)
                                 if matches_recording(r.id, r.original_name, args.recording)), None)
            if recording_id is None:
                raise NotFound(f"no recording {args.recording!r} in project {project.name!r}")
        try:
            ids = [int(i) for i in (args.segments or "").split(",") if i.strip()]
        except ValueError:
            raise ValueError(f"--segments: ids separated by commas, not {args.segments!r}") from None
        to = None if args.unassign else args.to.lower()
        count = crowd_claims.assign(wb, project.id, to, segment_ids=ids,
                                  recording_id=recording_id, statuses=TODO)
        print(f"{count} segments handed to {to or 'anyone'}")
    if args.cap is not None:
        if args.cap.lower() != "none" and not args.cap.isdigit():
            raise ValueError(f"--cap: a number of segments or 'none', not {args.cap!r}")
        cap = None if args.cap.lower() == "none" else int(args.cap)
        crowd_claims.set_cap(wb, project.id, args.to.lower(), cap)
    print(f"{project.name}: assignment {project.assignment}, claims last "
          f"{project.claim_minutes} min")
    for row in crowd_claims.workload(wb, project.id, TODO):
        cap = "" if row["cap"] is None else f"  cap {row['cap']}"
        print(f"  {pad(row['user'], 20)}  {row['assigned']:>6} assigned  {row['labelled']:>6} "
              f"labelled  {row['claims']:>3} claims{cap}")
    return 0


def cmd_gold(wb: Workbench, args: argparse.Namespace) -> int:
    """Gold segments: mark (with a reference text, in the qualification test or hidden),
    unmark, and list them."""
    project = get_project(wb, args.project)
    for name in ("add", "remove"):
        try:
            setattr(args, name, [int(i) for i in (getattr(args, name) or "").split(",")
                                 if i.strip()])
        except ValueError:
            raise ValueError(f"--{name}: segment ids separated by commas") from None
    if args.text is not None and len(args.add) != 1:
        raise ValueError("--text goes with one segment in --add")
    for segment_id in args.add:
        crowd_gold.mark_gold(wb, segment_id, args.text, in_test=args.test, project_id=project.id)
    for segment_id in args.remove:
        crowd_gold.unmark_gold(wb, segment_id, project_id=project.id)
    rows = crowd_gold.gold_list(wb, project.id)
    print(f"{project.name}: {len(rows)} gold segments, "
          f"{sum(r['in_test'] for r in rows)} in the qualification test")
    for r in rows:
        where = "test  " if r["in_test"] else "hidden"
        print(f"  {r['segment_id']:>7}  {where}  {pad(r['recording'], 24)} "
              f"{r['start']:8.2f}–{r['end']:.2f} s  {r['text']}")
    return 0


def cmd_terms(wb: Workbench, args: argparse.Namespace) -> int:
    """The project's vocabulary for drafts: learn it from approved segments, add, enable,
    disable or remove terms, choose whether drafts use it (--use), and list it."""
    from workbench.learning import learn as learning_learn

    project = get_project(wb, args.project)
    if args.action == "learn":
        found = learning_learn.learn(wb, project, args.min_segments, args.min_people)
        print(f"read {found.segments} approved segments: {found.terms} terms "
              f"({found.new_terms} new), {found.rules} rules ({found.new_rules} new)")
    elif args.action == "add":
        for term in args.terms:
            learning_learn.add_term(wb, project.id, term)
    elif args.action in ("enable", "disable", "remove"):
        by_text = {t.term: t.id for t in learning_learn.terms_of(wb, project.id)}
        missing = [t for t in args.terms if t not in by_text]
        if missing:
            raise NotFound(f"no term {missing[0]!r} in project {project.name!r}")
        for term in args.terms:
            if args.action == "remove":
                learning_learn.remove_term(wb, project.id, by_text[term])
            else:
                learning_learn.set_term_enabled(wb, project.id, by_text[term], args.action == "enable")
    if args.use is not None:
        project = learning_learn.set_use_terms(wb, project.id, args.use == "on")
    terms = learning_learn.terms_of(wb, project.id)
    print(f"{project.name}: {len(terms)} term{'' if len(terms) == 1 else 's'}, used in drafts: "
          f"{'yes' if project.use_terms else 'no'}")
    for t in terms:
        print(f"  {'on ' if t.enabled else 'off'}  {t.source:<7}  {t.segments:>4} segments  "
              f"{t.people:>3} people  {t.term}")
    prompt = learning_learn.draft_prompt(wb, project)
    print(f"prompt: {prompt or '(none)'}")
    return 0


def cmd_rules(wb: Workbench, args: argparse.Namespace) -> int:
    """The project's rewrite rules: accept or dismiss suggested ones by id, and list them."""
    from workbench.learning import learn as learning_learn

    project = get_project(wb, args.project)
    if args.action in ("accept", "dismiss"):
        if not args.ids:
            raise ValueError(f"name the rules to {args.action} by id")
        for rule_id in args.ids:
            learning_learn.decide_rewrite(wb, project.id, rule_id, args.action)
    rules = learning_learn.rewrites_of(wb, project.id)
    print(f"{project.name}: {len(rules)} rules")
    for r in rules:
        print(f"  {r.id:>5}  {r.state:<9}  {r.segments:>4} segments  {r.people:>3} people  "
              f"{r.before!r} -> {r.after!r}")
    return 0


def cmd_audit(wb: Workbench, args: argparse.Namespace) -> int:
    """The audit log as CSV on stdout, newest first."""
    import csv

    project_id = get_project(wb, args.project).id if args.project else None
    writer = csv.writer(sys.stdout)
    writer.writerow(["at", "actor", "action", "project_id", "detail"])
    for e in people.audit_log(wb, project_id, limit=args.limit):
        writer.writerow([e["at"].isoformat(), e["actor"], e["action"], e["project_id"] or "",
                         json.dumps(e["detail"], ensure_ascii=False)])
    return 0


def cmd_pay(wb: Workbench, args: argparse.Namespace) -> int:
    """The pay report of a period as CSV on stdout (owners)."""
    from datetime import date

    from workbench.crowd.pay import csv_text, pay_report

    project = get_project(wb, args.project)
    days = []
    for option, value in (("--from", args.start), ("--to", args.end)):
        try:
            days.append(date.fromisoformat(value))
        except ValueError:
            raise ValueError(f"{option}: a date as YYYY-MM-DD, not {value!r}") from None
    report = pay_report(wb, project.id, *days, unit=args.unit, rate=args.rate,
                        weighted=args.weighted)
    if not report.rate:
        print(f"warning: the rate is 0 (project {project.name!r} has no pay rate set): give "
              "--rate, or set the project's pay defaults on the Dashboard", file=sys.stderr)
    sys.stdout.write(csv_text(report))
    return 0


def cmd_audit_corpus(wb: Workbench, args: argparse.Namespace) -> int:
    """The corpus audit: optionally draft second opinions first, then the corpus's numbers,
    its segments out of range and the largest disagreements."""
    project = get_project(wb, args.project)
    if args.second_opinion:
        job = start_audit_job(wb, project, {"engine": project.asr_engine,
                                            "model": project.asr_model})
        try:
            engine = load_engine(project.asr_engine, project.asr_model, wb.settings.models_dir)
        except ModelNotFound as exc:
            fail_job(wb, job, str(exc))
            raise
        bar = Progress("second opinion")
        job = run_audit_job(wb, job, engine, audit_options(project),
                            on_progress=lambda j: bar.show(j.done, j.total, j.message))
        bar.close()
        for line in (job.error or "").splitlines():
            print(f"failed: {line}")
    report = audit_report(wb, project)
    ranked = by_disagreement(list(report.rows))[:args.top]
    stats = report.stats
    if args.json:
        print(json.dumps({
            "utterances": stats.utterances, "hours": stats.hours, "words": stats.words,
            "vocabulary": stats.vocabulary, "judged": report.judged, "todo": report.todo,
            "alphabet": {c.char: c.count for c in stats.alphabet},
            "rate_range": stats.rate_range,
            "out_of_range": [{"segment": s, "why": why} for s, why in stats.out_of_range],
            "disagreement": [{"segment": r.segment_id, "recording": r.recording,
                              "start": r.start, "end": r.end, "wer": r.wer, "cer": r.cer,
                              "text": r.text, "second_opinion": r.opinion} for r in ranked],
        }, ensure_ascii=False, indent=2))
        return 0
    print(f"{project.name}: {stats.utterances} utterances, {stats.hours:.3f} h, {stats.words} "
          f"words, vocabulary {stats.vocabulary}, {len(stats.alphabet)} characters; "
          f"second opinions on {report.judged} ({report.todo} without)")
    odd = [c for c in stats.alphabet if not c.letter_or_digit]
    if odd:
        print("  not letters or digits: " + ", ".join(
            f"{c.char if c.category[0] != 'C' else ''} U+{ord(c.char):04X} x{c.count}"
            for c in odd))
    print(f"  out of range: {len(stats.out_of_range)}")
    for seg_id, why in stats.out_of_range[:args.top]:
        print(f"    {seg_id:>8}  {why}")
    if ranked:
        print(f"  largest disagreement ({report.metric}) first:")
        for r in ranked:
            print(f"    {r.segment_id:>8}  {r.disagreement:5.2f}  {pad(r.recording, 20)}  "
                  f"label: {r.text!r}  second opinion: {r.opinion!r}")
    return 0


def cmd_backup(wb: Workbench, args: argparse.Namespace) -> int:
    """Archive the database and the audio store; exits 1 when the database names a file that
    the home lacks (the archive is written all the same)."""
    from workbench.projects.backup import backup

    bar = Progress("backup")
    result = backup(wb, Path(args.dest), progress=lambda d, t, n: bar.show(d, t, n))
    bar.close()
    rows = result.rows
    print(f"wrote {result.path} ({result.bytes / 1e6:.1f} MB): {result.database} database at "
          f"schema {result.schema}, {rows.get('projects', 0)} projects, "
          f"{rows.get('recordings', 0)} recordings, {rows.get('segments', 0)} segments, "
          f"{rows.get('users', 0)} accounts; {result.files} files")
    for rel in result.missing:
        print(f"  missing: {rel} is named by the database but not in the home")
    return 1 if result.missing else 0


def cmd_restore(wb: Workbench, args: argparse.Namespace) -> int:
    """Replace the database and audio store by an archive's, after checking all of it."""
    from workbench.projects.backup import restore

    bar = Progress("restore")
    result = restore(wb, Path(args.archive), force=args.force,
                     progress=lambda d, t, n: bar.show(d, t, n))
    bar.close()
    rows = result.rows
    print(f"restored {result.archive.name} (made {result.made_at} from {result.source_home}) "
          f"into {wb.settings.home}: {rows.get('projects', 0)} projects, "
          f"{rows.get('recordings', 0)} recordings, {rows.get('segments', 0)} segments, "
          f"{rows.get('users', 0)} accounts; {result.files} files")
    for rel in result.missing:
        print(f"  missing: {rel} was already missing when the backup was made")
    return 0


def cmd_tune(wb: Workbench, args: argparse.Namespace) -> int:
    """Fine-tune the project's model in the foreground, with progress lines; the new version
    drafts from then on only when it is better on the held-out segments."""
    from workbench.learning.heldout import set_holdout_share
    from workbench.tuning.jobs import run_tune_job, start_tune_job
    from workbench.tuning.registry import outcome, scores

    project = get_project(wb, args.project)
    if args.holdout is not None:
        project = set_holdout_share(wb, project, args.holdout)
    params = {"method": args.method, "steps": args.steps, "learning_rate": args.lr,
              "batch_size": args.batch_size, "seed": args.seed}
    job = start_tune_job(wb, project, params)
    bar = Progress("fine-tune")
    job = run_tune_job(wb, job, on_progress=lambda j: bar.show(j.done, j.total, j.message))
    bar.close()
    version = store.model_of_job(wb.db, job.id)
    print(f"{project.name}: job {job.state}; v{version.n}: "
          f"{outcome(get_project(wb, args.project), version, job)} ({scores(version)})")
    return 0 if job.state == "done" else 1


def cmd_measure(wb: Workbench, args: argparse.Namespace) -> int:
    """Draft the held-out segments at each adaptation step (base model, + vocabulary, + rules,
    the fine-tuned model in use) and store the error of each, with progress lines."""
    from workbench.learning.ladder import run_measure_job, start_measure_job

    project = get_project(wb, args.project)
    job = start_measure_job(wb, project)
    bar = Progress("measure")
    job = run_measure_job(wb, job, on_progress=lambda j: bar.show(j.done, j.total, j.message))
    bar.close()
    print(f"{project.name}: job {job.state}")
    for step in (job.message or "").split("; "):
        print(f"  {step}")
    return 0 if job.state == "done" else 1


def cmd_batches(wb: Workbench, args: argparse.Namespace) -> int:
    """The drafts' error per draft batch (the labour each batch left), oldest first."""
    from workbench.learning.ladder import draft_batches

    project = get_project(wb, args.project)
    metric, batches = draft_batches(wb, project)
    if args.json:
        print(json.dumps([{**dataclasses.asdict(b), "drafted_at": str(b.drafted_at)}
                          for b in batches], ensure_ascii=False))
        return 0
    print(f"{'batch':<22}{'model':<28}{'with':<20}{'segments':>9}{'minutes':>9}{metric:>8}"
          f"{'kept':>7}")
    for b in batches:
        print(f"{b.name:<22}{b.model[:27]:<28}{(b.adapted or '?')[:19]:<20}{b.segments:>9}"
              f"{b.seconds / 60:>9.1f}{b.error:>8.1%}{b.untouched:>7.0%}")
    return 0


def cmd_models(wb: Workbench, args: argparse.Namespace) -> int:
    """List the project's model versions, or choose one (or the base model) to draft with."""
    from workbench.tuning.registry import (
        base_model,
        in_use,
        list_models,
        outcome,
        promote,
        scores,
        use_base,
    )

    project = get_project(wb, args.project)
    if args.use is not None:
        choice = args.use.strip().lower().removeprefix("v")
        if choice == "base":
            project = use_base(wb, project)
        elif choice.isdigit():
            project = promote(wb, project, int(choice))
        else:
            raise ValueError(f"--use: a version number (1, v2...) or 'base', not {args.use!r}")
        print(f"{project.name}: drafts with {project.asr_model} ({project.asr_engine})")
        return 0
    base = base_model(wb, project)
    print(f"{project.name}: drafts with {project.asr_model} ({project.asr_engine})"
          + (f"; base model {base[1]}" if base else ""))
    for v in list_models(wb, project):
        mark = "*" if in_use(project, v) else " "
        print(f"{mark} v{v.n:<3} {v.method:<8} trained on {v.train_segments:>5}, held out "
              f"{v.heldout_segments:>4}  {outcome(project, v)}"
              + (f" ({scores(v)})" if v.state == "ready" else ""))
    return 0


def _common_options(default: object) -> argparse.ArgumentParser:
    """--home, --db and --user, accepted before or after the command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", default=default,
                        help="workbench folder (default: $WORKBENCH_HOME or data)")
    common.add_argument("--db", default=default,
                        help="SQLAlchemy database URL (default: SQLite in the home)")
    common.add_argument("--user", default=default, metavar="NAME",
                        help="act as this account (default: the local operator, an owner: "
                             "whoever runs this on the server can read the database anyway)")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options(argparse.SUPPRESS)  # a subcommand's copy must not reset the top's
    parser = argparse.ArgumentParser(prog="python -m workbench", parents=[_common_options(None)],
                                     description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", parents=[common],
                       help="import audio files, folders or zips, and transcripts with their audio "
                            "(NeMo, audiofolder, Kaldi, lhotse, SRT, VTT, TextGrid, EAF, CSV/TSV, "
                            "KsponSpeech, AI Hub JSON)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--project", required=True)
    p.add_argument("--language", default="auto", help="for a new project: auto or a code (ko, en)")
    p.add_argument("--conventions", default="plain", metavar="PROFILE",
                   help="for a new project: plain, kspon, verbatim-en, or a profile file's path")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("transcribe", parents=[common], help="draft undrafted recordings")
    p.add_argument("--project", required=True)
    p.add_argument("--engine", choices=sorted(ENGINES), help="default: the project's")
    p.add_argument("--model", help=f"model name or path (default: the project's, {EMBEDDED_NAME})")
    p.add_argument("--language", help="auto or a code (default: the project's)")
    p.add_argument("--beam-size", type=int, default=5)
    p.set_defaults(func=cmd_transcribe)

    p = sub.add_parser("export", parents=[common], help="export a batch as a training corpus")
    p.add_argument("--project", required=True)
    p.add_argument("--format", default="nemo", choices=FORMATS,
                   help="; ".join(f"{f.name}: {f.label}" for f in FORMAT_INFO.values()))
    p.add_argument("--out", required=True, help="folder to create")
    p.add_argument("--status", choices=STATUS_CHOICES,
                   help="labeled takes approved too (default: approved where the project "
                        "requires review, else labeled)")
    p.add_argument("--split", default="", metavar="TRAIN,DEV,TEST",
                   help="shares of audio time, e.g. 0.8,0.1,0.1 (two: train,test); "
                        "each split is a sub-folder holding a full corpus")
    p.add_argument("--split-by", default="segment", choices=SPLIT_BY,
                   help="what never straddles two splits (default: %(default)s)")
    p.add_argument("--seed", default="0", help="the same seed gives the same split")
    p.add_argument("--clips", choices=CLIP_MODES,
                   help="clip files, or none: offsets into whole recordings "
                        "(default: the format's first: " + ", ".join(
                            f"{f.name} {'|'.join(f.clips)}" for f in FORMAT_INFO.values()) + ")")
    p.add_argument("--sample-rate", metavar="HZ|original",
                   help="default 16000 (the working copies); another rate is resampled with "
                        "soxr; 'original' cuts from the imported source file at its own rate, "
                        "which is not available when that file is gone (zip imports, moved files)")
    p.add_argument("--padding", default="0", metavar="SECONDS",
                   help="added either side of each segment, within its recording")
    p.add_argument("--text-form", default="written",
                   help="written (as the labeller wrote it), spelling or pronunciation (the two "
                        "sides of the project's conventions, e.g. KsponSpeech's (70%%)/(칠십 "
                        f"퍼센트)); also {', '.join(f for f in TEXT_FORMS if f != 'as-written')} "
                        "(lower case, no punctuation)")
    p.add_argument("--tags", default="keep",
                   help=f"inline tags of the conventions (b/, [noise]): {', '.join(TAG_MODES)}, "
                        "map (drop leaves out segments with a tag unusable for training, e.g. "
                        "u/; map writes them as the conventions' export.tag_map says)")
    p.add_argument("--fillers", default="keep", choices=FILLERS,
                   help="drop leaves fillers and repeated fragments out of the spelling or "
                        "pronunciation form (default: %(default)s)")
    p.add_argument("--recording", action="append", default=[], metavar="ID|NAME",
                   help="only these recordings (repeat the option for more)")
    p.add_argument("--speaker", action="append", default=[], help="only these speakers")
    p.add_argument("--labeller", action="append", default=[],
                   help="only segments whose latest revision is by these people")
    p.add_argument("--exclude-tag", action="append", default=[], metavar="TAG",
                   help="leave out segments carrying this tag")
    p.add_argument("--since", help="latest revision on or after this date (UTC), e.g. 2025-03-01")
    p.add_argument("--until", help="latest revision on or before this date (UTC)")
    p.add_argument("--not-exported-before", action="store_true",
                   help="only segments that no earlier export of the project took")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("lint", parents=[common],
                       help="check every segment against the project's conventions")
    p.add_argument("--project", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_lint)

    p = sub.add_parser("replace", parents=[common],
                       help="find and replace in a project's transcripts (preview; --apply)")
    p.add_argument("--project", required=True)
    p.add_argument("--find", required=True)
    p.add_argument("--replace", required=True)
    p.add_argument("--whole-word", action="store_true")
    p.add_argument("--ignore-case", action="store_true")
    p.add_argument("--apply", action="store_true")
    p.set_defaults(func=cmd_replace)

    p = sub.add_parser("cancel", parents=[common], help="stop a running draft job")
    p.add_argument("--project", required=True)
    p.set_defaults(func=cmd_cancel)

    p = sub.add_parser("status", parents=[common], help="counts by status and hours")
    p.add_argument("--project", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("user", parents=[common], help="accounts: add, list, role, deactivate, "
                                                      "activate, reset-password")
    p.add_argument("action", choices=["add", "list", "role", "deactivate", "activate",
                                      "reset-password"])
    p.add_argument("name", nargs="?")
    p.add_argument("--role", choices=["labeler", "reviewer", "owner"])
    p.add_argument("--display-name")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the new account's password from stdin instead of generating one")
    p.set_defaults(func=cmd_user)

    p = sub.add_parser("members", parents=[common], help="show or set a project's members")
    p.add_argument("--project", required=True)
    p.add_argument("--set", metavar="NAME,NAME", help="make exactly these accounts members")
    p.set_defaults(func=cmd_members)

    p = sub.add_parser("audit-corpus", parents=[common],
                       help="the corpus audit: numbers, out-of-range segments, and the labels "
                            "Whisper's second opinion disagrees with most")
    p.add_argument("--project", required=True)
    p.add_argument("--second-opinion", action="store_true",
                   help="first draft a second opinion (the project's engine and model) for "
                        "labelled segments without one; resumes where a stopped run left off")
    p.add_argument("--top", type=int, default=20, help="rows of each list (default 20)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_audit_corpus)

    p = sub.add_parser("tune", parents=[common],
                       help="fine-tune the project's model on its final segments (the "
                            "held-out share kept out); used for drafts only if better")
    p.add_argument("--project", required=True)
    p.add_argument("--method", choices=["lora", "decoder", "full"], default="lora")
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--lr", type=float, default=1e-4, help="learning rate (default 1e-4)")
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--holdout", type=float, metavar="SHARE",
                   help="set the project's held-out share first (0 to 0.5)")
    p.set_defaults(func=cmd_tune)

    p = sub.add_parser("measure", parents=[common],
                       help="draft the held-out segments at each adaptation step and store "
                            "the error of each (the Draft quality page shows them)")
    p.add_argument("--project", required=True)
    p.set_defaults(func=cmd_measure)

    p = sub.add_parser("batches", parents=[common],
                       help="the drafts' error per draft batch: the labour each one left")
    p.add_argument("--project", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_batches)

    p = sub.add_parser("models", parents=[common],
                       help="list the project's fine-tuned versions, or choose one to draft with")
    p.add_argument("--project", required=True)
    p.add_argument("--use", metavar="VERSION", help="a version (1, v2...) or 'base'")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("assign", parents=[common],
                       help="hand out work: claims (off, by segment or by recording), batches "
                            "for a person, a person's cap; lists who has what")
    p.add_argument("--project", required=True)
    p.add_argument("--mode", choices=crowd_claims.UNITS,
                   help="what one claim takes; off: everyone steps through the whole queue")
    p.add_argument("--minutes", type=int, help="how long a claim lasts unsaved (default 30)")
    p.add_argument("--to", metavar="NAME", help="the person to hand segments to, or to cap")
    p.add_argument("--recording", metavar="ID|NAME",
                   help="hand out this recording's segments still to do")
    p.add_argument("--segments", metavar="ID,ID", help="hand out these segments")
    p.add_argument("--unassign", action="store_true",
                   help="hand the named segments back to anyone")
    p.add_argument("--cap", metavar="N|none", help="the most segments --to may label here")
    p.set_defaults(func=cmd_assign)

    p = sub.add_parser("gold", parents=[common],
                       help="gold segments: mark with a reference text (for the qualification "
                            "test, or hidden in queues), unmark, list")
    p.add_argument("--project", required=True)
    p.add_argument("--add", metavar="ID,ID", help="make these segments gold")
    p.add_argument("--text", help="the reference text (one segment; default: its current text)")
    p.add_argument("--test", action="store_true",
                   help="the added segments are part of the qualification test")
    p.add_argument("--remove", metavar="ID,ID", help="these segments are gold no more")
    p.set_defaults(func=cmd_gold)

    p = sub.add_parser("terms", parents=[common],
                       help="the vocabulary drafts are prompted with: list, learn (from "
                            "approved segments), add, enable, disable, remove (owners change)")
    p.add_argument("action", nargs="?", default="list",
                   choices=["list", "learn", "add", "enable", "disable", "remove"])
    p.add_argument("terms", nargs="*", metavar="TERM")
    p.add_argument("--project", required=True)
    p.add_argument("--min-segments", type=int, default=2,
                   help="learn: the fewest approved segments a term or rule needs (default 2)")
    p.add_argument("--min-people", type=int, default=2,
                   help="learn: the fewest distinct labellers a term or rule needs (default 2)")
    p.add_argument("--use", choices=["on", "off"],
                   help="whether the next drafts are prompted with the enabled terms")
    p.set_defaults(func=cmd_terms)

    p = sub.add_parser("rules", parents=[common],
                       help="rewrite rules learned from approved segments: list, accept or "
                            "dismiss by id (accepted rules rewrite the next drafts)")
    p.add_argument("action", nargs="?", default="list", choices=["list", "accept", "dismiss"])
    p.add_argument("ids", nargs="*", type=int, metavar="ID")
    p.add_argument("--project", required=True)
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("audit", parents=[common], help="the audit log as CSV")
    p.add_argument("--project")
    p.add_argument("--limit", type=int, default=10000)
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("pay", parents=[common],
                       help="the pay report of a period as CSV: approved segments per "
                            "labeller, counted on the day of their approval (owners)")
    p.add_argument("--project", required=True)
    p.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD",
                   help="the first day (UTC) of the period")
    p.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD",
                   help="the day after the last (UTC; not included): --from 2025-03-01 "
                        "--to 2025-04-01 is March")
    p.add_argument("--unit", choices=["item", "minute"],
                   help="paid per approved segment or per minute of its audio (default: the "
                        "project's)")
    p.add_argument("--rate", type=float, help="per unit (default: the project's)")
    p.add_argument("--weighted", action=argparse.BooleanOptionalAction, default=None,
                   help="weight each item by the edit effort, 0.5 + the draft's error (at "
                        "most 1.5) (default: the project's setting)")
    p.set_defaults(func=cmd_pay)

    p = sub.add_parser("backup", parents=[common],
                       help="archive the database and the audio store (owners); safe while "
                            "the app runs")
    p.add_argument("dest", nargs="?", default=".", metavar="DEST",
                   help="archive to write (.tar, or .tar.gz), or a folder for "
                        "workbench-DATE-TIME.tar (default: the current folder)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", parents=[common],
                       help="replace the database and audio store by an archive's (owners); "
                            "stop the app first")
    p.add_argument("archive", metavar="ARCHIVE")
    p.add_argument("--force", action="store_true",
                   help="replace a workbench that already holds data")
    p.set_defaults(func=cmd_restore)
    return parser


# errors whose own message tells the user what to fix
USER_ERRORS = (NotFound, LookupError, ValueError, FileExistsError, ModelNotFound, JobRunning,
               Forbidden)


def error_line(exc: BaseException, home: Path | None = None) -> tuple[str, int]:
    """What `main` prints for an exception, without "error: ", and its exit status.

    The user's own mistakes (no such project, a bad option) and the machine's trouble (a full
    disk, a read-only home, a locked database, a missing working copy: see
    `workbench.failures`) exit 2; anything else is a bug, named by its type, and exits 1.
    Always one line: the traceback goes to the log at DEBUG (WORKBENCH_LOG_LEVEL=DEBUG).
    """
    if isinstance(exc, USER_ERRORS):
        message, status = str(exc) or type(exc).__name__, 2
    elif (cause := describe(exc, home)) is not None:
        message, status = cause, 2
    elif isinstance(exc, OSError):
        message, status = str(exc), 2
    else:
        message = (f"internal error ({type(exc).__name__}: {exc}); run again with "
                   "WORKBENCH_LOG_LEVEL=DEBUG for the details")
        status = 1
    return " ".join(message.split()), status


def main(argv: list[str] | None = None) -> int:
    """Run one command; an error prints one line ("error: ...") and no traceback."""
    args = build_parser().parse_args(argv)
    configure_logging(tracebacks=False)
    try:
        wb = people.resolve_cli_user(open_workbench(args.home, args.db), args.user)
        return args.func(wb, args)
    except Exception as exc:
        log.debug("workbench %s failed", args.command, exc_info=True)  # the traceback, at DEBUG
        message, status = error_line(exc, load_settings(args.home, args.db).home)
        print(f"error: {message}", file=sys.stderr)
        return status
    except KeyboardInterrupt:
        log.info("workbench %s interrupted", args.command)
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # `python -m workbench.cli` as `python -m workbench`
    sys.exit(main())
