"""The adaptation ladder on the held-out segments: the base model, + vocabulary, + rules, the
fine-tuned model in use, each drafted afresh (a scripted engine) and stored as a measure;
cancelled; who may run it."""

from __future__ import annotations

import pytest

from tests.conftest import as_user
from tests.helpers.scripted_engines import Drafter
from tests.helpers.tuning import final_project
from workbench import asr, store
from workbench.core.access import Forbidden
from workbench.core.errors import WorkbenchError
from workbench.jobs.lifecycle import JobRunning
from workbench.learning.heldout import approved_examples, held_out, list_measures
from workbench.learning.ladder import cancel_measure_job, ladder, run_measure_job, start_measure_job
from workbench.learning.learn import add_term, decide_rewrite
from workbench.tuning.registry import version_model


@pytest.fixture
def project(wb, tmp_path, monkeypatch):
    project, _ = final_project(wb, tmp_path)
    project = store.update_project(wb.db, project.id, holdout_share=0.5)
    texts = [e.text for e in held_out(approved_examples(wb, project), 0.5)]
    assert len(texts) >= 2
    monkeypatch.setitem(asr.ENGINES, "faster-whisper", lambda model, _dir: Drafter(model, texts))
    monkeypatch.setattr(asr, "_loaded", {})
    return project


def _measure(wb, project):
    job = start_measure_job(wb, project)
    done = run_measure_job(wb, job)
    assert done.state == "done", done.error
    return {m.step: m for m in list_measures(wb, project)}, done


def test_only_the_base_model_before_the_project_learned_anything(wb, project):
    assert [r.name for r in ladder(wb, project)] == ["base model"]
    measured, job = _measure(wb, project)
    base = measured["base model"]
    n = len(held_out(approved_examples(wb, project), 0.5))
    assert (base.metric, base.segments) == ("wer", n) and base.error > 0
    assert job.message.startswith("base model WER")


def test_each_step_is_measured_and_what_it_used_is_kept(wb, project):
    texts = [e.text for e in held_out(approved_examples(wb, project), 0.5)]
    add_term(wb, project.id, "Kubectl")
    first = texts[0].split()[0]
    store.save_found_rewrites(wb.db, project.id, [("zzz", first, 2, 2)])
    (rule,) = store.list_rewrites(wb.db, project.id, "suggested")
    decide_rewrite(wb, project.id, rule.id, "accept")
    assert [r.name for r in ladder(wb, project)] == ["base model", "+ vocabulary", "+ rules"]
    measured, _ = _measure(wb, project)
    base, vocab, rules = measured["base model"], measured["+ vocabulary"], measured["+ rules"]
    assert vocab.error == 0.0 < base.error  # the term in the prompt: every first word right
    assert (vocab.detail["terms"], vocab.detail["rules"]) == (1, 0)
    assert (rules.detail["terms"], rules.detail["rules"]) == (1, 1)
    assert rules.error == 0.0  # the rules' step keeps the terms: one adaptation more each
    assert base.detail["terms"] == 0 and base.detail["model"] == project.asr_model


def test_the_fine_tuned_model_in_use_is_the_last_step(wb, project):
    version = store.add_model(
        wb.db,
        project.id,
        engine="faster-whisper",
        path=f"models/project-{project.id}/v1",
        base=project.asr_model,
        method="lora",
        params={},
        state="ready",
        job_id=None,
        created_by="olga",
    )
    store.update_project(wb.db, project.id, asr_model=version_model(version))
    project = store.get_project(wb.db, project.id)
    assert [r.name for r in ladder(wb, project)] == ["base model", "model v1 (in use)"]
    measured, _ = _measure(wb, project)
    assert measured["model v1 (in use)"].error == 0.0 < measured["base model"].error


def test_one_measure_at_a_time_and_a_cancel_keeps_what_was_measured(wb, project):
    job = start_measure_job(wb, project)
    with pytest.raises(JobRunning):
        start_measure_job(wb, project)
    cancel_measure_job(wb, project)
    done = run_measure_job(wb, job)
    assert done.state == "cancelled" and list_measures(wb, project) == []


def test_nothing_held_out_is_refused_with_the_share(wb, project):
    store.update_project(wb.db, project.id, holdout_share=0.0)
    with pytest.raises(WorkbenchError, match="held-out share is 0%"):
        start_measure_job(wb, store.get_project(wb.db, project.id))


def test_only_owners_measure(wb, project):
    for name in ("lena", "rita"):
        with pytest.raises(Forbidden):
            start_measure_job(as_user(wb, name), project)


def test_measure_and_batches_commands(wb, home, project, capsys):
    from workbench.cli import main

    where = ["--home", str(home), "--db", wb.settings.db_url]
    code = main(["measure", "--project", project.name, *where])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "measure [" in err  # progress lines on stderr
    assert f"{project.name}: job done" in out and "base model WER" in out
    assert [m.step for m in list_measures(wb, project)] == ["base model"]
    code = main(["batches", "--project", project.name, *where])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.splitlines()[0].split()[:4] == ["batch", "model", "with", "segments"]
