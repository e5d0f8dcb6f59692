"""Drafts that learn, measured: held-out draft error before and after each adaptation step.

A temporary workbench gets one English project drafted by the embedded Whisper base model
(faster-whisper) with the real draft job. The speech is full of a domain vocabulary the model
does not know: ../shared/audio/hotwords.mp3 ("ComfyUI") and, when `espeak-ng` is on PATH,
generated sentences naming made-up and uncommon products (Zentrolux, Quorvia, kubectl, Grafana,
ComfyUI, Traefik) at several voices and speeds. Two labellers correct every segment to its
reference text and the owner approves it. The project's held-out share (`holdout_share`, drawn
per segment as learning and fine-tuning draw it) splits the clips: the training half teaches
(`learning_learn.learn`), the held-out half is only measured.

Each step re-drafts the held-out audio with that step's options, through the pipeline's own
pieces (`options_for`, `with_terms`, the engine, `to_draft`, `cut`, `rewritten`; only the store
write is left out), and scores it against the approved text with the language's headline
metric (`workbench.text.metrics`, normalised):
  1. baseline: the project's model, no terms, no rules;
  2. + vocabulary: the learned terms in the prompt (`use_terms` on);
  3. + rules: the suggested rewrites, all accepted by the owner, applied to the step-2 drafts
     (and, as a side row, to the baseline drafts alone);
  4. + fine-tuned: a real fine-tune job (LoRA by default, `--tune-steps`) on the training
     half, its version then drafting the held-out clips with the terms and rules.
A draft job gives the terms in the initial prompt only; `--variants` adds diagnostic rows with
them as faster-whisper's hotwords instead, and as both (which makes Whisper base copy the
list into the transcript on unclear audio). The baseline re-drafts are compared with the
drafts the job stored for the same clips, which checks the re-drafting path against the job.
The labour measure: a next batch of new clips (generated speech only) is drafted by the real
draft job with the adapted settings, corrected and approved; its edit distance from draft to
final is printed beside the training batch's (baseline drafts) and beside the same next batch
re-drafted at baseline. Nothing is asserted; timings are printed for the record only.

    .venv/bin/python bench/adaptation.py [--models data/models] [--sentences 18] [--next 6]
        [--holdout 0.5] [--variants] [--tune-steps 30] [--tune-method lora]
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench import store
from workbench.asr import Engine, load_engine
from workbench.audio.peaks import load_peaks
from workbench.audio.working import read_all
from workbench.core.records import Project, Recording, Role
from workbench.drafts.cutting import CutOptions, cut
from workbench.drafts.draft_job import (
    options_for,
    rewritten,
    run_draft_job,
    start_draft_job,
    to_draft,
    with_terms,
)
from workbench.intake.audio_files import import_paths
from workbench.labelling.labeller_edits import save_segment
from workbench.learning import learn as learning_learn
from workbench.learning.records import Rewrite, Term
from workbench.projects.settings import Workbench, ensure_project, open_workbench, update_settings
from workbench.review.sampling import drawn
from workbench.review.verdicts import approve
from workbench.text.metrics import cer, headline_metric, normalise, wer

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# The domain vocabulary: the words the base model is expected to get wrong.
TERMS = ("Zentrolux", "Quorvia", "kubectl", "Grafana", "ComfyUI", "Traefik")

# The first batch: drafted at baseline, labelled, approved; split into training and held-out.
SENTENCES = (
    "Zentrolux engineers run kubectl every morning to check the Grafana dashboards.",
    "Open ComfyUI and load the Zentrolux workflow before the demo.",
    "The Quorvia agent sends its metrics straight to Grafana.",
    "Put Traefik in front of the cluster and let kubectl apply the routes.",
    "Our ComfyUI nodes render the Quorvia product shots overnight.",
    "Zentrolux moved every service behind Traefik last spring.",
    "If the Grafana panel is empty, restart the Quorvia collector.",
    "Use kubectl logs to see why ComfyUI stopped on the new server.",
    "The Traefik dashboard shows each Zentrolux route in green.",
    "Quorvia licences are renewed by Zentrolux every January.",
    "She built a Grafana alert for the ComfyUI queue length.",
    "Run kubectl get pods and look for the Traefik controller.",
    "Zentrolux support answers Quorvia tickets within a day.",
    "Export the ComfyUI graph and attach it to the Grafana report.",
    "Kubectl describe shows that Traefik restarted twice tonight.",
    "The Quorvia installer asks for the Zentrolux licence key.",
    "Grafana reads the Traefik access logs every minute.",
    "ComfyUI runs fine once kubectl has scaled the GPU pool.",
)
# The next batch: new sentences, drafted after learning with the adapted settings.
NEXT_SENTENCES = (
    "Zentrolux will show Quorvia and ComfyUI at the fair.",
    "Check Grafana before you touch the Traefik config.",
    "The kubectl plugin from Zentrolux lists every Quorvia job.",
    "A new ComfyUI release broke the Grafana exporter.",
    "Traefik sends Quorvia traffic to the second cluster.",
    "Ask Zentrolux why kubectl cannot reach the Grafana host.",
)
# espeak-ng voice and words per minute, taken in turn
VOICES = (
    ("en-us", 150),
    ("en-gb", 165),
    ("en+f3", 140),
    ("en-gb-scotland", 170),
    ("en-us+m3", 155),
    ("en-gb-x-rp", 145),
)
# The README names only the product in this clip; the rest of the reference is our
# transcription of it (the words every configuration agrees on; "ComfyUI" as the README spells it).
SHARED_CLIPS = {"hotwords.mp3": "Then you go into your ComfyUI folder again in the ComfyUI"}


@dataclass(frozen=True)
class Clip:
    """An audio file of the bench and what is said in it."""

    path: Path
    reference: str


@dataclass(frozen=True)
class Step:
    """One configuration measured on the held-out clips."""

    name: str
    texts: dict[int, str]  # recording id -> draft text
    used: str  # what the drafts were given (terms, rules)
    seconds: float


def generated(folder: Path, sentences: tuple[str, ...], prefix: str, start: int = 0) -> list[Clip]:
    """WAV files of `sentences` spoken by espeak-ng, the voices and speeds taken in turn."""
    clips = []
    for k, sentence in enumerate(sentences):
        voice, speed = VOICES[(start + k) % len(VOICES)]
        path = folder / f"{prefix}{k + 1:02d}-{voice.replace('+', '_')}-{speed}.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), sentence],
            check=True,
            capture_output=True,
        )
        clips.append(Clip(path, sentence))
    return clips


def split_reference(reference: str, drafts: list[str]) -> list[str]:
    """The reference cut into one text per draft segment, in proportion to the words each
    draft has (one segment keeps it whole)."""
    if len(drafts) <= 1:
        return [reference]
    words = reference.split()
    counts = [max(1, len(d.split())) for d in drafts]
    total, done, out = sum(counts), 0, []
    for k, count in enumerate(counts):
        end = len(words) if k == len(counts) - 1 else round(len(words) * (done + count) / total)
        out.append(" ".join(words[round(len(words) * done / total) : end]))
        done += count
    return out


def add_labeller(wb: Workbench, project: Project, name: str) -> Workbench:
    """A labeller account, member of the project; `wb` acting as them."""
    user = store.create_user(wb.db, name, Role.LABELLER, "!unusable", created_by=wb.actor.name)
    store.add_member(wb.db, user.id, project.id)
    return wb.as_user(user)


def draft_batch(wb: Workbench, project: Project, engine: Engine) -> None:
    """Draft the project's undrafted recordings with the real draft job, in the foreground."""
    job = start_draft_job(wb, project, {"engine": engine.name, "model": engine.model})
    job = run_draft_job(wb, job, engine, options_for(project))
    if job.state != "done" or job.error:
        raise SystemExit(f"draft job {job.id} ended {job.state}: {job.error}")


def label_and_approve(
    wb: Workbench,
    labellers: list[Workbench],
    project: Project,
    recordings: list[Recording],
    references: dict[str, str],
) -> None:
    """Each recording's segments corrected to its reference by the labellers in turn (one
    labeller per recording), then approved by the owner."""
    for k, recording in enumerate(recordings):
        who = labellers[k % len(labellers)]
        queue = store.segment_queue(wb.db, project.id, recording_id=recording.id)
        parts = split_reference(
            references[recording.original_name], [q["text"] or "" for q in queue]
        )
        for q, text in zip(queue, parts, strict=False):  # no segment: one part
            version = store.get_segment(wb.db, q["id"]).version
            save_segment(who, q["id"], version, text, q["start"], q["end"])
            approve(wb, q["id"], store.get_segment(wb.db, q["id"]).version)


def redraft(
    wb: Workbench,
    project: Project,
    engine: Engine,
    recording: Recording,
    terms: list[Term],
    **override,
) -> list[dict]:
    """The drafts the draft job would make of `recording` now (the project's options, with
    `terms` when it uses them; `override`: options changed after that, for a diagnostic
    variant), before rules and without storing them."""
    options = replace(with_terms(options_for(project), project, terms), **override)
    transcript = engine.transcribe(read_all(wb.path(recording.working_path)), options)
    raw = [
        d
        for d in (
            to_draft(s, recording.duration, engine, transcript.language)
            for s in transcript.segments
        )
        if d is not None
    ]
    peaks = load_peaks(wb.path(recording.peaks_path), 0.0, recording.duration)
    return cut(
        raw,
        recording.duration,
        CutOptions(max_len=project.max_segment, min_len=project.min_segment),
        peaks[:, 1] - peaks[:, 0],
    )


def joined(drafts: list[dict], rules: list[Rewrite]) -> str:
    """The recording's draft text with `rules` applied to each draft, as the job applies them."""
    return " ".join(rewritten(d, rules)["text"].strip() for d in drafts)


def fine_tuned_step(
    wb: Workbench,
    project: Project,
    held: list[Recording],
    terms: list[Term],
    rules: list[Rewrite],
    method: str,
    steps: int,
) -> Step | None:
    """Step 4: a real fine-tune job on the project's training half (the held-out share is
    never trained on), then its version drafts the held-out clips with the terms and rules.
    The job's own verdict (its held-out check, segment by segment, without terms) is printed
    too; the version is measured here whether or not the job made it the drafting model."""
    from workbench.tuning.jobs import run_tune_job, start_tune_job
    from workbench.tuning.registry import outcome, scores

    if steps <= 0:
        print("fine-tuning: skipped (--tune-steps 0)")
        return None
    t = time.perf_counter()
    job = run_tune_job(wb, start_tune_job(wb, project, {"method": method, "steps": steps}))
    version = store.model_of_job(wb.db, job.id)
    trained = time.perf_counter() - t
    if version is None or version.state != "ready":
        print(f"fine-tuning: the job {job.state}: {job.error or job.message}")
        return None
    print(
        f"fine-tuning: {method}, {steps} steps on {version.train_segments} training segments "
        f"({trained:.0f} s); the job's own held-out check {scores(version)}: "
        f"{outcome(store.get_project(wb.db, project.id), version, job)}"
    )
    tuned = load_engine("faster-whisper", str(wb.path(version.path)), wb.settings.models_dir)
    drafts, seconds = redraft_all(wb, project, tuned, held, terms)
    return Step(
        "4 + fine-tuned",
        {i: joined(d, rules) for i, d in drafts.items()},
        f"v{version.n} ({method}, {steps} steps) + {len(terms)} terms + {len(rules)} rules",
        seconds,
    )


def term_hits(refs: list[str], hyps: list[str]) -> tuple[int, int]:
    """(domain terms the drafts write right, domain terms said), counted per text."""
    right = said = 0
    for ref, hyp in zip(refs, hyps, strict=True):
        ref_words, hyp_words = normalise(ref).split(), normalise(hyp).split()
        for term in TERMS:
            key = normalise(term)
            said += ref_words.count(key)
            right += min(ref_words.count(key), hyp_words.count(key))
    return right, said


def final_text(wb: Workbench, project: Project, recording: Recording) -> str:
    """A recording's approved text: its segments' current text, in time order."""
    return " ".join(
        (q["text"] or "").strip()
        for q in store.segment_queue(wb.db, project.id, recording_id=recording.id)
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=str(ROOT / "data" / "models"))
    ap.add_argument(
        "--sentences",
        type=int,
        default=len(SENTENCES),
        help=f"generated sentences in the first batch (at most {len(SENTENCES)})",
    )
    ap.add_argument(
        "--next",
        type=int,
        default=len(NEXT_SENTENCES),
        help=f"generated sentences in the next batch (at most {len(NEXT_SENTENCES)})",
    )
    ap.add_argument("--holdout", type=float, default=0.5, help="the project's held-out share")
    ap.add_argument(
        "--variants",
        action="store_true",
        help="also re-draft with the terms as hotwords only, and as both",
    )
    ap.add_argument(
        "--tune-steps", type=int, default=30, help="fine-tuning steps for step 4 (0: skip it)"
    )
    ap.add_argument("--tune-method", choices=["lora", "decoder", "full"], default="lora")
    args = ap.parse_args()
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)
    began = time.perf_counter()
    temp = Path(tempfile.mkdtemp(prefix="adaptation-"))
    try:
        run(args, temp, began)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def run(args: argparse.Namespace, temp: Path, began: float) -> None:
    """The bench in the temporary folder `temp`: speech, workbench, steps, table."""
    first, following = speech(temp / "audio", args.sentences, args.next)
    wb, project, labellers = bench_workbench(temp, args.holdout)
    metric = headline_metric(project.language)
    rate = cer if metric == "CER" else wer
    engine = load_engine(project.asr_engine, project.asr_model, Path(args.models))
    references = {c.path.name: c.reference for c in first + following}
    batch1 = first_batch(wb, labellers, project, engine, first, references)
    held, taught = split_held_out(wb, project, batch1, following)
    project, terms, rules = learn_and_accept(wb, project)
    refs = [final_text(wb, project, r) for r in held]
    steps, sides, base_drafts = measured_steps(
        wb, project, engine, held, terms, rules, args.variants
    )
    same = same_as_stored(wb, project, held, base_drafts)
    tuned = fine_tuned_step(wb, project, held, terms, rules, args.tune_method, args.tune_steps)
    if tuned is not None:
        steps.append(tuned)
    print_steps(held, refs, steps, sides, metric, rate, same)
    if following:
        labour(
            wb,
            labellers,
            project,
            _without_terms(project),
            engine,
            following,
            references,
            rate,
            metric,
            taught,
        )
    print(f"\ntotal {time.perf_counter() - began:.0f} s")
    print("command: " + " ".join([Path(sys.executable).name, "bench/adaptation.py", *sys.argv[1:]]))


def speech(audio: Path, sentences: int, following_n: int) -> tuple[list[Clip], list[Clip]]:
    """The clips of the first batch (the shared clip(s), and `sentences` generated ones when
    espeak-ng is on PATH) and of the next batch (`following_n` generated ones, else none),
    written into the new folder `audio`; prints what speech there is and the terms it says."""
    audio.mkdir()
    first = [
        Clip(SHARED / "audio" / name, ref)
        for name, ref in SHARED_CLIPS.items()
        if (SHARED / "audio" / name).is_file()
    ]
    following: list[Clip] = []
    if shutil.which("espeak-ng"):
        first += generated(audio, SENTENCES[:sentences], "a")
        following = generated(audio, NEXT_SENTENCES[:following_n], "b", start=sentences)
        source = (
            f"{len(first) - len(SHARED_CLIPS)} generated sentences (espeak-ng, "
            f"{len(VOICES)} voices/speeds) + the shared clip(s)"
        )
    else:
        source = "the shared clip(s) only: espeak-ng is not on PATH, no generated speech"
    if not first:
        raise SystemExit(f"no speech: {SHARED / 'audio'} is missing and espeak-ng is not on PATH")
    said = [
        t
        for t in TERMS
        if any(normalise(t) in normalise(c.reference).split() for c in first + following)
    ]
    print(f"speech: {source}; domain terms said: {', '.join(said)}")
    return first, following


def bench_workbench(temp: Path, holdout: float) -> tuple[Workbench, Project, list[Workbench]]:
    """A workbench in `temp` with the English project (one clip, one segment; the held-out
    share `holdout`) and two labellers of it."""
    wb = open_workbench(temp / "home", f"sqlite:///{temp / 'home' / 'workbench.db'}")
    project = ensure_project(wb, "adaptation", "en")
    project = update_settings(wb, project.id, max_segment=60.0)  # one clip, one segment
    # not an owner's setting on this branch: the draw learning and fine-tuning share
    project = store.update_project(wb.db, project.id, holdout_share=holdout)
    labellers = [add_labeller(wb, project, name) for name in ("ann", "bob")]
    return wb, project, labellers


def first_batch(
    wb: Workbench,
    labellers: list[Workbench],
    project: Project,
    engine: Engine,
    clips: list[Clip],
    references: dict[str, str],
) -> list[Recording]:
    """The first batch imported, drafted by the real draft job, corrected and approved."""
    t = time.perf_counter()
    import_paths(wb, project, [c.path for c in clips])
    draft_batch(wb, project, engine)
    batch1 = store.list_recordings(wb.db, project.id)
    label_and_approve(wb, labellers, project, batch1, references)
    print(
        f"batch 1: {len(batch1)} clips drafted (real draft job), corrected by 2 labellers, "
        f"approved ({time.perf_counter() - t:.0f} s)"
    )
    return batch1


def split_held_out(
    wb: Workbench, project: Project, batch1: list[Recording], following: list[Clip]
) -> tuple[list[Recording], list[Recording]]:
    """(the clips held out, the clips that teach), each whole: a clip whose segments the
    held-out draw splits is in neither (its taught segments teach; it is not measured).
    Stops when either is empty, saying why (`following`: none when espeak-ng is missing)."""
    held: list[Recording] = []
    taught: list[Recording] = []
    mixed: list[Recording] = []
    for recording in batch1:
        draws = [
            drawn(q["id"], project.holdout_share, "heldout")
            for q in store.segment_queue(wb.db, project.id, recording_id=recording.id)
        ]
        (held if all(draws) else taught if not any(draws) else mixed).append(recording)
    print(
        f"split (holdout_share {project.holdout_share:.0%}, drawn per segment): "
        f"{len(taught)} clips teach, {len(held)} held out"
        + (
            f", {len(mixed)} split between both (their taught segments teach; not measured)"
            if mixed
            else ""
        )
    )
    if not held or not taught:
        raise SystemExit(
            f"{len(taught)} clip(s) teach and {len(held)} are held out: nothing to "
            "measure"
            + (
                " (espeak-ng is not on PATH: install it for generated speech)"
                if not following
                else "; change --holdout or --sentences"
            )
        )
    return held, taught


def learn_and_accept(wb: Workbench, project: Project) -> tuple[Project, list[Term], list[Rewrite]]:
    """Learn from the approved training segments, the owner accepting every suggested rule and
    turning the terms on: the project then, its enabled terms and its accepted rules."""
    found = learning_learn.learn(wb, project)
    # the owner accepts them all
    for rule in learning_learn.rewrites_of(wb, project.id, "suggested"):
        learning_learn.decide_rewrite(wb, project.id, rule.id, "accept")
    project = learning_learn.set_use_terms(wb, project.id, True)
    terms = store.list_terms(wb.db, project.id, enabled_only=True)
    rules = learning_learn.accepted_rules(wb, project.id)
    prompt = learning_learn.draft_prompt(wb, project)
    print(
        f"learned from {found.segments} approved training segments: {found.terms} terms "
        f"({', '.join(t.term for t in terms) or 'none'}), {found.rules} rules "
        f"({'; '.join(f'{r.before} -> {r.after}' for r in rules) or 'none'}), all accepted"
    )
    print(f"next drafts get the prompt {prompt!r}")
    return project, terms, rules


def measured_steps(
    wb: Workbench,
    project: Project,
    engine: Engine,
    held: list[Recording],
    terms: list[Term],
    rules: list[Rewrite],
    variants: bool,
) -> tuple[list[Step], list[Step], dict[int, list[dict]]]:
    """Steps 1 to 3 on the held-out clips, the side rows (rules alone; with `variants` the
    terms as hotwords), and the baseline re-drafts."""
    base_drafts, base_s = redraft_all(wb, _without_terms(project), engine, held, [])
    term_drafts, term_s = redraft_all(wb, project, engine, held, terms)
    n_terms, n_rules = f"{len(terms)} terms", f"{len(rules)} rules"
    steps = [
        Step(
            "1 baseline",
            {i: joined(d, []) for i, d in base_drafts.items()},
            "no terms, no rules",
            base_s,
        ),
        Step(
            "2 + vocabulary",
            {i: joined(d, []) for i, d in term_drafts.items()},
            f"{n_terms} (in the prompt)",
            term_s,
        ),
        Step(
            "3 + rules",
            {i: joined(d, rules) for i, d in term_drafts.items()},
            f"{n_terms} + {n_rules} on the step-2 drafts",
            0.0,
        ),
    ]
    sides = [
        Step(
            "  (rules alone)",
            {i: joined(d, rules) for i, d in base_drafts.items()},
            f"{n_rules} on the baseline drafts, no terms",
            0.0,
        )
    ]
    if variants:
        sides += hotword_steps(wb, project, engine, held, terms)
    return steps, sides, base_drafts


def hotword_steps(
    wb: Workbench, project: Project, engine: Engine, held: list[Recording], terms: list[Term]
) -> list[Step]:
    """The diagnostic rows: the terms as faster-whisper's hotwords instead, and as both."""
    listed, n_terms = ", ".join(t.term for t in terms), f"{len(terms)} terms"
    both, b_s = redraft_all(wb, project, engine, held, terms, hotwords=listed)
    hot_only, h_s = redraft_all(
        wb, project, engine, held, terms, hotwords=listed, initial_prompt=project.prompt or None
    )
    return [
        Step(
            "  (hotwords only)",
            {i: joined(d, []) for i, d in hot_only.items()},
            f"{n_terms} as hotwords, no prompt (not what jobs do)",
            h_s,
        ),
        Step(
            "  (prompt + hotwords)",
            {i: joined(d, []) for i, d in both.items()},
            f"{n_terms} twice: prompt and hotwords (not what jobs do)",
            b_s,
        ),
    ]


def same_as_stored(
    wb: Workbench, project: Project, held: list[Recording], base_drafts: dict[int, list[dict]]
) -> int:
    """How many held-out clips the baseline re-drafts write as the draft job stored them."""
    stored = {e["segment_id"]: e["draft"] for e in store.approved_examples(wb.db, project.id)}
    return sum(
        joined(base_drafts[r.id], [])
        == " ".join(
            stored[q["id"]].strip()
            for q in store.segment_queue(wb.db, project.id, recording_id=r.id)
        )
        for r in held
    )


def print_steps(
    held: list[Recording],
    refs: list[str],
    steps: list[Step],
    sides: list[Step],
    metric: str,
    rate: Callable,
    same: int,
) -> None:
    """The table of steps on the held-out clips, then each clip through steps 1 to 3."""
    print()
    print(
        f"held-out: {len(held)} clips, {sum(r.duration for r in held):.0f} s of speech, "
        f"{sum(len(normalise(x).split()) for x in refs)} words; {metric} normalised "
        f"(case, punctuation), pooled"
    )
    base = rate(refs, [steps[0].texts[r.id] for r in held])
    print(
        f"{'step':<21} {'held-out ' + metric:>13} {'vs baseline':>12} {'terms right':>12}  "
        f"{'re-draft s':>10}  used"
    )
    for step in steps[:3] + sides + steps[3:]:
        hyps = [step.texts[r.id] for r in held]
        value = rate(refs, hyps)
        right, said = term_hits(refs, hyps)
        seconds = f"{step.seconds:10.1f}" if step.seconds else f"{'(reused)':>10}"
        print(
            f"{step.name:<21} {value:13.1%} {value - base:+12.1%} {right:>6}/{said:<5}  "
            f"{seconds}  {step.used}"
        )
    print(
        f"(the baseline re-drafts equal the draft job's stored drafts for {same} of "
        f"{len(held)} held-out clips)"
    )
    print()
    print("held-out clips, baseline -> vocabulary -> rules, and the step-2 draft:")
    for recording, ref in zip(held, refs, strict=True):
        row = [rate([ref], [s.texts[recording.id]]) for s in steps[:3]]
        print(
            f"  {recording.original_name:<34} "
            + " -> ".join(f"{v:6.1%}" for v in row)
            + f"   {steps[1].texts[recording.id]!r}"
        )


def _without_terms(project: Project) -> Project:
    """The project as it drafted before learning: no terms."""
    return replace(project, use_terms=False)


def redraft_all(
    wb: Workbench,
    project: Project,
    engine: Engine,
    recordings: list[Recording],
    terms: list[Term],
    **override,
) -> tuple[dict[int, list[dict]], float]:
    """`redraft` of each recording (by id), and the seconds it took."""
    started = time.perf_counter()
    out = {r.id: redraft(wb, project, engine, r, terms, **override) for r in recordings}
    return out, time.perf_counter() - started


def labour(
    wb: Workbench,
    labellers: list[Workbench],
    project: Project,
    baseline: Project,
    engine: Engine,
    clips: list[Clip],
    references: dict[str, str],
    rate: Callable,
    metric: str,
    taught: list[Recording],
) -> None:
    """The next batch drafted by the real job with the adapted settings, corrected, approved:
    its draft-to-final edit distance, beside the training batch's and the same batch at
    baseline."""
    t = time.perf_counter()
    before = {r.id for r in store.list_recordings(wb.db, project.id)}
    import_paths(wb, project, [c.path for c in clips])
    draft_batch(wb, project, engine)
    batch2 = [r for r in store.list_recordings(wb.db, project.id) if r.id not in before]
    label_and_approve(wb, labellers, project, batch2, references)
    examples = {e["segment_id"]: e for e in store.approved_examples(wb.db, project.id)}

    def measure(recordings: list[Recording]) -> tuple[float, int, int, int]:
        ids = [
            q["id"]
            for r in recordings
            for q in store.segment_queue(wb.db, project.id, recording_id=r.id)
        ]
        pairs = [(examples[i]["final"], examples[i]["draft"]) for i in ids if i in examples]
        right, said = term_hits([p[0] for p in pairs], [p[1] for p in pairs])
        return rate([p[0] for p in pairs], [p[1] for p in pairs]), len(pairs), right, said

    adapted = measure(batch2)
    trained = measure(taught)
    redrafted = [joined(redraft(wb, baseline, engine, r, []), []) for r in batch2]
    finals = [final_text(wb, project, r) for r in batch2]
    at_base = rate(finals, redrafted)
    right, said = term_hits(finals, redrafted)
    print(f"\nlabour: {metric} from draft to approved final ({time.perf_counter() - t:.0f} s)")
    print(
        f"  training batch, drafted at baseline      {trained[0]:6.1%}  "
        f"({trained[1]} segments, terms right {trained[2]}/{trained[3]})"
    )
    print(
        f"  next batch, drafted with terms + rules   {adapted[0]:6.1%}  "
        f"({adapted[1]} segments, terms right {adapted[2]}/{adapted[3]}; real draft job)"
    )
    print(
        f"  next batch, re-drafted at baseline       {at_base:6.1%}  "
        f"({len(batch2)} clips, terms right {right}/{said}; same audio, for comparison)"
    )


if __name__ == "__main__":
    main()
