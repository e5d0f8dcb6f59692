"""Fine-tune jobs end to end on a tiny model the test builds: the held-out split, training,
the new version written and registered, promoted only when it is better on the held-out set
(the measuring engine is scripted), cancelled, failed, chosen again, and who may do it."""

from __future__ import annotations

import pytest

from tests.conftest import as_user
from tests.helpers.scripted_engines import Scripted, measured_texts, script
from tests.helpers.tuning import PARAMS
from workbench import store
from workbench.core.access import Forbidden
from workbench.core.errors import NotFound, WorkbenchError
from workbench.jobs.lifecycle import JobRunning
from workbench.learning.heldout import (
    approved_examples,
    draft_error,
    held_out,
    list_measures,
    record_measure,
    set_holdout_share,
    training,
)
from workbench.review.corpus_audit import audit_options
from workbench.tuning import registry
from workbench.tuning.jobs import cancel_tune_job, run_tune_job, start_tune_job, tune_status
from workbench.tuning.registry import list_models, promote, use_base


def test_split_is_stable_and_disjoint(wb, project):
    examples = approved_examples(wb, project)
    kept, taught = held_out(examples, 0.34), training(examples, 0.34)
    assert {e.segment_id for e in kept}.isdisjoint(e.segment_id for e in taught)
    assert len(kept) + len(taught) == len(examples) == 6
    assert held_out(examples, 0.34) == kept and held_out(examples[::-1], 0.34) == kept[::-1]
    assert held_out(examples, 0.0) == [] and training(examples, 1.0) == []


def test_draft_error_scores_rewrites_and_is_recorded(wb, project):
    examples = held_out(approved_examples(wb, project), 0.34)
    perfect = Scripted("p", [e.text for e in examples])
    measure = draft_error(wb, project, perfect, audit_options(project), examples)
    assert (measure.metric, measure.error, measure.segments) == ("wer", 0.0, len(examples))
    assert measure.seconds == pytest.approx(1.5 * len(examples))
    shouted = draft_error(
        wb,
        project,
        Scripted("p", [e.text for e in examples]),
        audit_options(project),
        examples,
        rewrite=lambda t: t + " extra",
    )
    assert shouted.error > 0
    stored = record_measure(wb, project, "baseline", shouted)
    assert [m.step for m in list_measures(wb, project)] == ["baseline"]
    assert stored.error == shouted.error and stored.created_by == "local"


def test_a_better_version_is_promoted(wb, project, monkeypatch):
    script(monkeypatch, wb, project, new_is_better=True)
    killed = wb.settings.models_dir / f"project-{project.id}" / ".v9.part-999999999"
    killed.mkdir(parents=True)  # a version a killed job was writing
    (killed / "model.bin").write_bytes(b"half")
    job = start_tune_job(wb, project, PARAMS)
    assert [v.state for v in list_models(wb, project)] == ["training"]
    with pytest.raises(JobRunning):
        start_tune_job(wb, project, PARAMS)
    seen = []
    job = run_tune_job(wb, job, on_progress=lambda j: seen.append(j.message))
    assert job.state == "done", job.error
    assert "is better on the held-out set (WER 100.0% → 0.0%)" in job.message
    assert any(m.startswith("training: step 3/3") for m in seen)
    assert any(m.startswith("measuring") for m in seen)
    [version] = list_models(wb, project)
    assert (version.n, version.state, version.method, version.metric) == (
        1,
        "ready",
        "decoder",
        "wer",
    )
    assert version.error_after == 0.0 and version.error_before > 0 and version.better
    heldout = len(measured_texts(wb, project))
    assert (version.train_segments, version.heldout_segments) == (6 - heldout, heldout)
    assert version.promoted_at is not None and version.base == "tiny"
    folder = wb.path(version.path)
    assert version.path == f"models/project-{project.id}/v1"
    assert {"model.bin", "config.json", "tokenizer.json"} <= {p.name for p in folder.iterdir()}
    assert not list(folder.parent.glob(".*part*"))  # nothing left aside, nor the killed one's
    import ctranslate2

    ctranslate2.models.Whisper(str(folder))  # a CTranslate2 Whisper model
    now = store.get_project(wb.db, project.id)
    assert (now.asr_engine, now.asr_model) == ("faster-whisper", f"project-{project.id}/v1")
    assert registry.in_use(now, version) and registry.outcome(now, version).startswith("in use")
    assert [m.step for m in list_measures(wb, project)] == [
        "fine-tune v1: the model in use (tiny)",
        "fine-tune v1: v1",
    ]
    events = [e["action"] for e in store.list_events(wb.db, project.id)]
    assert "model promoted" in events and "fine-tune started" in events
    # the owner goes back to the base model, then to v1 again; each switch is logged
    assert use_base(wb, now).asr_model == "tiny"
    assert promote(wb, now, 1).asr_model == f"project-{project.id}/v1"
    assert [e["action"] for e in store.list_events(wb.db, project.id)][:2] == ["model chosen"] * 2


def test_a_version_that_is_not_better_stays_unused(wb, project, monkeypatch):
    script(monkeypatch, wb, project, new_is_better=False)
    job = run_tune_job(wb, start_tune_job(wb, project, {**PARAMS, "method": "lora"}))
    assert job.state == "done" and "not better" in job.message
    [version] = list_models(wb, project)
    assert version.state == "ready" and not version.better and version.promoted_at is None
    now = store.get_project(wb.db, project.id)
    assert now.asr_model == "tiny"
    assert "not better on the held-out set" in registry.outcome(now, version)
    # the owner may still choose it, knowingly
    assert promote(wb, now, 1).asr_model == f"project-{project.id}/v1"
    with pytest.raises(NotFound):
        promote(wb, now, 7)


def test_cancelling_stops_and_writes_nothing(wb, project, monkeypatch):
    script(monkeypatch, wb, project, new_is_better=True)
    job = start_tune_job(wb, project, {**PARAMS, "steps": 50})

    def cancel_at_step_two(j):
        if j.message.startswith("training: step 2/"):
            assert cancel_tune_job(wb, project).state == "running"  # it stops after this step

    job = run_tune_job(wb, job, on_progress=cancel_at_step_two)
    assert job.state == "cancelled"
    [version] = list_models(wb, project)
    assert version.state == "cancelled" and version.error_after is None
    assert not (wb.settings.models_dir / f"project-{project.id}").exists() or not any(
        (wb.settings.models_dir / f"project-{project.id}").iterdir()
    )
    assert store.get_project(wb.db, project.id).asr_model == "tiny"
    assert cancel_tune_job(wb, project) is None  # nothing runs now


def test_cancelling_while_the_new_version_is_measured_keeps_nothing(wb, project, monkeypatch):
    script(monkeypatch, wb, project, new_is_better=True)
    job = start_tune_job(wb, project, PARAMS)

    def cancel_when_measuring_v1(j):
        if j.message.startswith("measuring v1"):
            cancel_tune_job(wb, project)

    assert run_tune_job(wb, job, on_progress=cancel_when_measuring_v1).state == "cancelled"
    [version] = list_models(wb, project)
    assert version.state == "cancelled" and not wb.path(version.path).exists()
    assert store.get_project(wb.db, project.id).asr_model == "tiny"


def test_a_failed_write_leaves_no_folder(wb, project, monkeypatch):
    script(monkeypatch, wb, project, new_is_better=True)
    from workbench.tuning import ct2

    def broken(model, folder, base, quantization="float16"):
        folder.mkdir(parents=True)
        (folder / "model.bin").write_bytes(b"half")
        raise OSError("disk trouble")

    monkeypatch.setattr(ct2, "write_ct2", broken)
    with pytest.raises(OSError):
        run_tune_job(wb, start_tune_job(wb, project, PARAMS))
    [version] = list_models(wb, project)
    assert version.state == "failed"
    assert store.latest_job(wb.db, project.id, "tune").state == "failed"
    folder = wb.settings.models_dir / f"project-{project.id}"
    assert not folder.exists() or not any(folder.iterdir())
    assert store.get_project(wb.db, project.id).asr_model == "tiny"


def test_too_few_final_segments_and_wrong_params_are_refused(wb, project):
    with pytest.raises(WorkbenchError):
        start_tune_job(wb, project, {**PARAMS, "method": "magic"})
    with pytest.raises(WorkbenchError):
        start_tune_job(wb, project, {**PARAMS, "steps": 0})
    none_held = set_holdout_share(wb, project, 0.0)
    with pytest.raises(WorkbenchError, match="not enough final segments"):
        start_tune_job(wb, none_held, PARAMS)
    with pytest.raises(WorkbenchError):
        set_holdout_share(wb, project, 0.9)
    with pytest.raises(WorkbenchError, match="no fine-tuned version"):
        use_base(wb, project)
    assert store.latest_job(wb.db, project.id, "tune") is None


@pytest.mark.parametrize("role", ["labeler", "reviewer"])
def test_only_owners_tune_or_switch_models(wb, project, role):
    other = as_user(wb, "lee", role)
    for call in (
        lambda: start_tune_job(other, project, PARAMS),
        lambda: promote(other, project, 1),
        lambda: use_base(other, project),
        lambda: tune_status(other, project),
        lambda: cancel_tune_job(other, project),
        lambda: set_holdout_share(other, project, 0.2),
    ):
        with pytest.raises(Forbidden):
            call()
    assert store.latest_job(wb.db, project.id, "tune") is None
