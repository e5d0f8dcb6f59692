"""What drafts learn from the labels: terms, rules, batches, measure, tune and models."""

from __future__ import annotations

import argparse
import dataclasses
import json
from datetime import UTC

from workbench import store
from workbench.cli.parsers import add_project_command, add_ray, on_cluster
from workbench.cli.progress import Progress
from workbench.core.clock import iso
from workbench.core.errors import NotFound, WorkbenchError
from workbench.core.records import Project
from workbench.projects.settings import Workbench, get_project
from workbench.text.clean import shown
from workbench.text.width import pad


def add_terms(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(
        sub,
        common,
        "terms",
        cmd_terms,
        "the vocabulary drafts are prompted with: list, learn (from "
        "approved segments), add, enable, disable, remove (owners change)",
    )
    p.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=["list", "learn", "add", "enable", "disable", "remove"],
    )
    p.add_argument("terms", nargs="*", metavar="TERM")
    p.add_argument(
        "--min-segments",
        type=int,
        default=2,
        help="learn: the fewest approved segments a term or rule needs (default 2)",
    )
    p.add_argument(
        "--min-people",
        type=int,
        default=2,
        help="learn: the fewest distinct labellers a term or rule needs (default 2)",
    )
    p.add_argument(
        "--use",
        choices=["on", "off"],
        help="whether the next drafts are prompted with the enabled terms",
    )


def cmd_terms(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    """The project's vocabulary for drafts: learn it from approved segments, add, enable,
    disable or remove terms, choose whether drafts use it (--use), and list it."""
    from workbench.learning import learn as learning_learn

    if args.action == "learn":
        found = learning_learn.learn(wb, project, args.min_segments, args.min_people)
        print(
            f"read {found.segments} approved segments: {found.terms} terms "
            f"({found.new_terms} new), {found.rules} rules ({found.new_rules} new)"
        )
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
                learning_learn.set_term_enabled(
                    wb, project.id, by_text[term], args.action == "enable"
                )
    if args.use is not None:
        project = learning_learn.set_use_terms(wb, project.id, args.use == "on")
    terms = learning_learn.terms_of(wb, project.id)
    print(
        f"{shown(project.name)}: {len(terms)} term{'' if len(terms) == 1 else 's'}, "
        "used in drafts: "
        f"{'yes' if project.use_terms else 'no'}"
    )
    for t in terms:
        print(
            f"  {'on ' if t.enabled else 'off'}  {t.source:<7}  {t.segments:>4} segments  "
            f"{t.people:>3} people  {shown(t.term)}"
        )
    prompt = learning_learn.draft_prompt(wb, project)
    print(f"prompt: {shown(prompt or '(none)')}")
    return 0


def add_rules(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(
        sub,
        common,
        "rules",
        cmd_rules,
        "rewrite rules learned from approved segments: list, accept or "
        "dismiss by id (accepted rules rewrite the next drafts)",
    )
    p.add_argument("action", nargs="?", default="list", choices=["list", "accept", "dismiss"])
    p.add_argument("ids", nargs="*", type=int, metavar="ID")


def cmd_rules(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    """The project's rewrite rules: accept or dismiss suggested ones by id, and list them."""
    from workbench.learning import learn as learning_learn

    if args.action in ("accept", "dismiss"):
        if not args.ids:
            raise WorkbenchError(f"name the rules to {args.action} by id")
        for rule_id in args.ids:
            learning_learn.decide_rewrite(wb, project.id, rule_id, args.action)
    rules = learning_learn.rewrites_of(wb, project.id)
    print(f"{shown(project.name)}: {len(rules)} rules")
    for r in rules:
        print(
            f"  {r.id:>5}  {r.state:<9}  {r.segments:>4} segments  {r.people:>3} people  "
            f"{r.before!r} -> {r.after!r}"
        )
    return 0


def add_batches(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(
        sub,
        common,
        "batches",
        cmd_batches,
        "the drafts' error per draft batch: the labour each one left",
    )
    p.add_argument("--json", action="store_true")


def cmd_batches(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    """The drafts' error per draft batch (the labour each batch left), oldest first."""
    from workbench.learning.ladder import draft_batches

    metric, batches = draft_batches(wb, project)
    if args.json:
        print(
            json.dumps(
                [
                    {**dataclasses.asdict(b), "drafted_at": iso(b.drafted_at, UTC) or None}
                    for b in batches
                ],
                ensure_ascii=False,
            )
        )
        return 0
    print(
        f"{'batch':<22}{'model':<28}{'with':<20}{'segments':>9}{'minutes':>9}{metric:>8}{'kept':>7}"
    )
    for b in batches:
        print(
            f"{pad(b.name, 22)}{pad(b.model[:27], 28)}{pad((b.adapted or '?')[:19], 20)}"
            f"{b.segments:>9}"
            f"{b.seconds / 60:>9.1f}{b.error:>8.1%}{b.untouched:>7.0%}"
        )
    return 0


def add_measure(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(
        sub,
        common,
        "measure",
        cmd_measure,
        "draft the held-out segments at each adaptation step and store "
        "the error of each (the Draft quality page shows them)",
    )
    add_ray(p)


def cmd_measure(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    """Draft the held-out segments at each adaptation step (base model, + vocabulary, + rules,
    the fine-tuned model in use) and store the error of each, with progress lines."""
    from workbench.learning.ladder import run_measure_job, start_measure_job

    wb = on_cluster(wb, args)
    job = start_measure_job(wb, project)
    bar = Progress("measure")
    job = run_measure_job(wb, job, on_progress=lambda j: bar.show(j.done, j.total, j.message))
    bar.close()
    print(f"{shown(project.name)}: job {job.state}")
    for step in (job.message or "").split("; "):
        print(f"  {shown(step)}")
    return 0 if job.state == "done" else 1


def add_tune(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(
        sub,
        common,
        "tune",
        cmd_tune,
        "fine-tune the project's model on its final segments (the "
        "held-out share kept out); used for drafts only if better",
    )
    p.add_argument("--method", choices=["lora", "decoder", "full"], default="lora")
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--lr", type=float, default=1e-4, help="learning rate (default 1e-4)")
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--holdout",
        type=float,
        metavar="SHARE",
        help="set the project's held-out share first (0 to 0.5)",
    )


def cmd_tune(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
    """Fine-tune the project's model in the foreground, with progress lines; the new version
    drafts from then on only when it is better on the held-out segments."""
    from workbench.learning.heldout import set_holdout_share
    from workbench.tuning.jobs import run_tune_job, start_tune_job
    from workbench.tuning.registry import CANCELLED, outcome, scores

    if args.holdout is not None:
        project = set_holdout_share(wb, project, args.holdout)
    params = {
        "method": args.method,
        "steps": args.steps,
        "learning_rate": args.lr,
        "batch_size": args.batch_size,
        "seed": args.seed,
    }
    job = start_tune_job(wb, project, params)
    bar = Progress("fine-tune")
    job = run_tune_job(wb, job, on_progress=lambda j: bar.show(j.done, j.total, j.message))
    bar.close()
    version = store.model_of_job(wb.db, job.id)
    assert version is not None  # start_tune_job adds the job's version with it
    if job.state == "cancelled":
        print(f"{project.name}: fine-tune {CANCELLED}")
        return 1
    print(
        f"{shown(project.name)}: job {job.state}; v{version.n}: "
        f"{outcome(get_project(wb, args.project), version, job)} ({scores(version)})"
    )
    return 0 if job.state == "done" else 1


def add_models(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_project_command(
        sub,
        common,
        "models",
        cmd_models,
        "list the project's fine-tuned versions, or choose one to draft with",
    )
    p.add_argument("--use", metavar="VERSION", help="a version (1, v2...) or 'base'")


def cmd_models(wb: Workbench, project: Project, args: argparse.Namespace) -> int:
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

    if args.use is not None:
        choice = args.use.strip().lower().removeprefix("v")
        if choice == "base":
            project = use_base(wb, project)
        elif choice.isdigit():
            project = promote(wb, project, int(choice))
        else:
            raise WorkbenchError(f"--use: a version number (1, v2...) or 'base', not {args.use!r}")
        print(f"{shown(project.name)}: drafts with {project.asr_model} ({project.asr_engine})")
        return 0
    base = base_model(wb, project)
    print(
        f"{shown(project.name)}: drafts with {project.asr_model} ({project.asr_engine})"
        + (f"; base model {base[1]}" if base else "")
    )
    for v in list_models(wb, project):
        mark = "*" if in_use(project, v) else " "
        print(
            f"{mark} v{v.n:<3} {v.method:<8} trained on {v.train_segments:>5}, held out "
            f"{v.heldout_segments:>4}  {outcome(project, v)}"
            + (f" ({scores(v)})" if v.state == "ready" else "")
        )
    return 0
