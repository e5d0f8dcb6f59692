"""Drafts that learn, end to end on the store: learning terms and rules from approved work,
owner decisions surviving a new learning, who may do what, the next drafts prompted with the
terms and rewritten by accepted rules, each draft's confidence and job, the 'uncertain' queue,
and the `terms` and `rules` commands."""

from __future__ import annotations

from functools import partial

import pytest
import sqlalchemy as sa

from tests.conftest import as_user, tone
from workbench import store
from workbench.asr import DraftSegment, DraftWord, TranscribeOptions, Transcript
from workbench.cli import main
from workbench.core.access import Forbidden
from workbench.core.errors import NotFound, WorkbenchError
from workbench.drafts.draft_job import run_draft_job, start_draft_job
from workbench.intake.audio_files import import_paths
from workbench.labelling.labeller_edits import save_segment
from workbench.learning import learn as learning_learn
from workbench.learning.batches import adapted
from workbench.review.verdicts import approve


def _label_and_approve(wb, project, fixes) -> None:
    """Each (queue index, person, text): saved by the person, approved by the owner."""
    queue = store.segment_queue(wb.db, project.id)
    for index, person, text in fixes:
        q = queue[index]
        save_segment(as_user(wb, person), q["id"], 1, text, q["start"], q["end"])
        approve(wb, q["id"], 2)


@pytest.fixture
def taught(wb, drafted):
    """The demo project (drafts 'w0 x0', 'w1 x1', 'w2 x2' in each of its two recordings) with
    four approved fixes: 'x0' written 'kubectl' by ann and bob, 'Helm' added twice by ann."""
    _label_and_approve(
        wb,
        drafted,
        [
            (0, "ann", "w0 kubectl"),  # a.wav 'w0 x0'
            (3, "bob", "w0 kubectl."),  # b.flac 'w0 x0'
            (1, "ann", "w1 x1 Helm"),
            (4, "ann", "Helm w1 x1"),
        ],
    )
    return drafted


def _rows(wb, table, **where):
    with wb.db.connect() as conn:
        query = sa.select(table)
        for column, value in where.items():
            query = query.where(table.c[column] == value)
        return [dict(r._mapping) for r in conn.execute(query)]


def test_learning_finds_terms_and_rules_with_enough_people(wb, taught):
    found = learning_learn.learn(wb, taught)
    assert (found.segments, found.terms, found.new_terms, found.rules) == (4, 1, 1, 1)
    terms = learning_learn.terms_of(wb, taught.id)
    assert [(t.term, t.source, t.segments, t.people, t.enabled) for t in terms] == [
        ("kubectl", "learned", 2, 2, True)
    ]
    rules = learning_learn.rewrites_of(wb, taught.id)
    assert [(r.before, r.after, r.segments, r.people, r.state) for r in rules] == [
        ("x0", "kubectl", 2, 2, "suggested")
    ]
    loose = learning_learn.learn(wb, taught, min_people=1)  # Helm: one person, two segments
    assert loose.new_terms == 1
    assert "Helm" in {t.term for t in learning_learn.terms_of(wb, taught.id)}
    assert [e["action"] for e in store.list_events(wb.db, taught.id)][:2] == [
        "vocabulary learned",
        "vocabulary learned",
    ]


def test_owner_decisions_survive_learning_again(wb, taught):
    learning_learn.learn(wb, taught)
    kubectl = learning_learn.terms_of(wb, taught.id)[0]
    learning_learn.set_term_enabled(wb, taught.id, kubectl.id, False)
    argo = learning_learn.add_term(wb, taught.id, "  Argo   CD ")
    assert (argo.term, argo.source, argo.enabled) == ("Argo CD", "owner", True)
    rule = learning_learn.rewrites_of(wb, taught.id)[0]
    learning_learn.decide_rewrite(wb, taught.id, rule.id, "dismiss")

    again = learning_learn.learn(wb, taught)
    assert (again.new_terms, again.new_rules) == (0, 0)
    terms = {t.term: t for t in learning_learn.terms_of(wb, taught.id)}
    assert terms["kubectl"].enabled is False and terms["Argo CD"].source == "owner"
    assert learning_learn.rewrites_of(wb, taught.id, "suggested") == []
    assert learning_learn.rewrites_of(wb, taught.id, "dismissed")[0].id == rule.id

    learning_learn.decide_rewrite(wb, taught.id, rule.id, "accept")  # the owner changes their mind
    learning_learn.learn(wb, taught)
    assert learning_learn.rewrites_of(wb, taught.id, "accepted")[0].decided_by == wb.actor.name
    # an owner adding a learned term makes it theirs; removing it lets learning bring it back
    learning_learn.add_term(wb, taught.id, "kubectl")
    owned = {t.term: t for t in learning_learn.terms_of(wb, taught.id)}["kubectl"]
    assert (owned.source, owned.enabled) == ("owner", True)
    learning_learn.remove_term(wb, taught.id, owned.id)
    assert "kubectl" not in {t.term for t in learning_learn.terms_of(wb, taught.id)}
    learning_learn.learn(wb, taught)
    sources = {t.term: t.source for t in learning_learn.terms_of(wb, taught.id)}
    assert sources["kubectl"] == "learned"


def test_only_owners_change_and_members_read(wb, taught):
    learning_learn.learn(wb, taught)
    term = learning_learn.terms_of(wb, taught.id)[0]
    rule = learning_learn.rewrites_of(wb, taught.id)[0]
    for role in ("labeler", "reviewer"):
        someone = as_user(wb, f"pat-{role}", role)
        assert learning_learn.terms_of(someone, taught.id) == learning_learn.terms_of(wb, taught.id)
        assert learning_learn.rewrites_of(someone, taught.id)[0].id == rule.id
        for call in (
            partial(learning_learn.learn, someone, taught),
            partial(learning_learn.add_term, someone, taught.id, "x"),
            partial(learning_learn.set_term_enabled, someone, taught.id, term.id, False),
            partial(learning_learn.remove_term, someone, taught.id, term.id),
            partial(learning_learn.decide_rewrite, someone, taught.id, rule.id, "accept"),
            partial(learning_learn.set_use_terms, someone, taught.id, True),
            partial(learning_learn.set_queue_order, someone, taught.id, "uncertain"),
        ):
            with pytest.raises(Forbidden):
                call()
    assert learning_learn.terms_of(wb, taught.id)[0].enabled is True
    assert learning_learn.rewrites_of(wb, taught.id)[0].state == "suggested"
    with pytest.raises(WorkbenchError):
        learning_learn.decide_rewrite(wb, taught.id, rule.id, "maybe")
    with pytest.raises(WorkbenchError):
        learning_learn.set_queue_order(wb, taught.id, "random")
    with pytest.raises(WorkbenchError):
        learning_learn.add_term(wb, taught.id, "   ")
    other = store.create_project(wb.db, "other")
    with pytest.raises(NotFound):
        learning_learn.set_term_enabled(wb, other.id, term.id, False)


def _draft_new_recording(wb, project, engine, tmp_path, name="c.wav"):
    freq = 500 + 10 * len(store.list_recordings(wb.db, project.id))  # a new sound: not a duplicate
    import_paths(wb, project, [tone(tmp_path / "more" / name, 2.0, freq=freq)])
    job = start_draft_job(wb, project, {})
    job = run_draft_job(wb, job, engine, TranscribeOptions(language="en"))
    rec = next(r for r in store.list_recordings(wb.db, project.id) if r.original_name == name)
    return job, rec


def test_next_drafts_get_the_terms_and_the_accepted_rules(wb, taught, fake_engine, tmp_path):
    learning_learn.learn(wb, taught)
    learning_learn.add_term(wb, taught.id, "Argo CD")
    store.update_project(wb.db, taught.id, prompt="Cloud talk.")
    job, rec = _draft_new_recording(wb, store.get_project(wb.db, taught.id), fake_engine, tmp_path)
    asked = fake_engine.asked[-1]
    assert asked.hotwords is None and asked.initial_prompt is None  # terms not used yet
    assert adapted(store.get_job(wb.db, job.id).params) == "base"  # what the batch had

    project = learning_learn.set_use_terms(wb, taught.id, True)
    rule = learning_learn.rewrites_of(wb, taught.id)[0]
    learning_learn.decide_rewrite(wb, taught.id, rule.id, "accept")
    job, rec = _draft_new_recording(wb, project, fake_engine, tmp_path, "d.wav")
    asked = fake_engine.asked[-1]
    assert asked.initial_prompt == "Cloud talk. Argo CD, kubectl"
    assert asked.hotwords is None  # the terms once, in the prompt (see learning_learn.prompts)
    assert learning_learn.draft_prompt(wb, project) == asked.initial_prompt

    segments = store.segment_queue(wb.db, taught.id, recording_id=rec.id)
    first = store.segment_view(wb.db, segments[0]["id"]).draft
    assert first.text == "w0 kubectl"  # the engine wrote 'w0 x0'
    assert first.asr_meta["engine_text"] == "w0 x0"
    assert first.asr_meta["rewrites"] == [{"before": "x0", "after": "kubectl"}]
    second = store.segment_view(wb.db, segments[1]["id"]).draft
    assert second.text == "w1 x1" and "rewrites" not in second.asr_meta

    [recording] = _rows(wb, store.recordings, id=rec.id)
    assert recording["draft_job"] == job.id
    assert adapted(store.get_job(wb.db, job.id).params) == "2 terms, 1 rule"
    for seg in _rows(wb, store.segments, recording_id=rec.id):
        words = store.segment_view(wb.db, seg["id"]).draft.asr_meta["words"]
        assert seg["confidence"] == pytest.approx(sum(w["probability"] for w in words) / len(words))
    # a rule undone is applied no more
    learning_learn.decide_rewrite(wb, taught.id, rule.id, "dismiss")
    job, rec = _draft_new_recording(wb, project, fake_engine, tmp_path, "e.wav")
    first = store.segment_queue(wb.db, taught.id, recording_id=rec.id)[0]
    assert first["text"] == "w0 x0"
    assert adapted(store.get_job(wb.db, job.id).params) == "2 terms"


class _Echo:
    """An engine that, as Whisper base does over unclear audio, writes its prompt back."""

    name, model = "echo", "1"

    def transcribe(self, audio, options):
        text = options.initial_prompt or "w0 x0 y0"
        words = tuple(
            DraftWord(f" {w}", 0.1 * i, 0.1 * i + 0.1, 0.9) for i, w in enumerate(text.split())
        )
        return Transcript(
            language="en",
            segments=iter(
                [DraftSegment(0.0, min(1.0, len(audio) / 16000), text, -0.3, 0.01, 1.2, words)]
            ),
        )


def test_a_draft_that_writes_its_prompt_and_terms_back_is_drafted_again(wb, taught, tmp_path):
    learning_learn.learn(wb, taught)
    learning_learn.add_term(wb, taught.id, "Argo CD")
    store.update_project(wb.db, taught.id, prompt="Cloud talk.")
    _, plain = _draft_new_recording(wb, store.get_project(wb.db, taught.id), _Echo(), tmp_path)
    [seg] = store.segment_queue(wb.db, taught.id, recording_id=plain.id)
    assert "prompt_echo" not in store.get_segment(wb.db, seg["id"]).flags  # 'Cloud talk.'
    project = learning_learn.set_use_terms(wb, taught.id, True)
    _, echoed = _draft_new_recording(wb, project, _Echo(), tmp_path, "d.wav")
    [seg] = store.segment_queue(wb.db, taught.id, recording_id=echoed.id)
    # it wrote back 'Cloud talk. Argo CD, kubectl' (the prompt and terms): heard again
    # without them, what the engine hears is the draft
    assert seg["text"] == "w0 x0 y0"
    assert "prompt_echo" not in store.get_segment(wb.db, seg["id"]).flags
    assert store.segment_view(wb.db, seg["id"]).latest.asr_meta["echo_redrafted"] is True


def test_a_draft_without_words_gets_its_confidence_from_its_log_probability(wb, tmp_path):
    import math

    from workbench.projects.settings import ensure_project

    project = ensure_project(wb, "bare")
    import_paths(wb, project, [tone(tmp_path / "bare.wav", 2.0)])
    [rec] = store.list_recordings(wb.db, project.id)
    drafts = [
        {"start": 0.0, "end": 1.0, "text": "a", "asr_meta": {"avg_logprob": -0.5}},
        {"start": 1.0, "end": 2.0, "text": "b", "asr_meta": None},
    ]
    assert store.add_drafted_segments(wb.db, rec.id, drafts, author="t") == 2
    rows = sorted(_rows(wb, store.segments, recording_id=rec.id), key=lambda r: r["start"])
    assert rows[0]["confidence"] == pytest.approx(math.exp(-0.5))
    assert rows[1]["confidence"] is None
    assert _rows(wb, store.recordings, id=rec.id)[0]["draft_job"] is None


def test_the_uncertain_queue_puts_the_least_confident_first(wb, drafted):
    every = store.segment_queue(wb.db, drafted.id)
    confidences = [0.7, None, 0.2, 0.9, 0.2, None]
    with wb.db.begin() as conn:
        for q, c in zip(every, confidences, strict=True):
            conn.execute(
                sa.update(store.segments).where(store.segments.c.id == q["id"]).values(confidence=c)
            )
    ranked = sorted(
        zip(every, confidences, strict=True),
        key=lambda qc: (qc[1] is None, qc[1] or 0, every.index(qc[0])),
    )
    ids = [q["id"] for q, _ in ranked]
    assert ids[-2:] == [every[1]["id"], every[5]["id"]]  # no confidence: last, in time order
    for i, seg_id in enumerate(ids):
        nav = store.queue_position(wb.db, drafted.id, seg_id, order="uncertain")
        assert nav == {
            "current": seg_id,
            "previous": ids[i - 1] if i else None,
            "next": ids[i + 1] if i + 1 < len(ids) else None,
            "index": i,
            "total": len(ids),
            "past_end": False,
        }
    assert store.queue_position(wb.db, drafted.id, None, order="uncertain")["current"] == ids[0]
    # claims hand out work in the same order
    first, why = store.claim_next(
        wb.db, drafted.id, "ann", 30, unit="segment", statuses=["drafted"], order="uncertain"
    )
    assert (first, why) == (ids[0], "")
    second, _ = store.claim_next(
        wb.db, drafted.id, "bob", 30, unit="segment", statuses=["drafted"], order="uncertain"
    )
    assert second == ids[1]


def test_the_terms_and_rules_commands(wb, taught, home, capsys):
    where = ["--home", str(home), "--db", wb.settings.db_url]
    assert main(["terms", "learn", "--project", "demo", *where]) == 0
    out = capsys.readouterr().out
    assert "read 4 approved segments: 1 terms (1 new), 1 rules (1 new)" in out
    assert "kubectl" in out and "used in drafts: no" in out
    assert main(["terms", "add", "Argo CD", "--project", "demo", "--use", "on", *where]) == 0
    out = capsys.readouterr().out
    assert "used in drafts: yes" in out and "prompt: Argo CD, kubectl" in out
    assert main(["terms", "disable", "kubectl", "--project", "demo", *where]) == 0
    assert "prompt: Argo CD\n" in capsys.readouterr().out
    assert main(["terms", "remove", "nope", "--project", "demo", *where]) == 2
    assert "no term 'nope'" in capsys.readouterr().err

    rule = learning_learn.rewrites_of(wb, taught.id)[0]
    assert main(["rules", "--project", "demo", *where]) == 0
    assert f"{rule.id:>5}  suggested" in capsys.readouterr().out
    assert main(["rules", "accept", str(rule.id), "--project", "demo", *where]) == 0
    assert "accepted" in capsys.readouterr().out
    assert learning_learn.rewrites_of(wb, taught.id, "accepted")[0].id == rule.id
    as_user(wb, "lee", "labeler")
    assert (
        main(["rules", "dismiss", str(rule.id), "--project", "demo", "--user", "lee", *where]) == 2
    )
    assert "may not" in capsys.readouterr().err
    assert learning_learn.rewrites_of(wb, taught.id, "accepted")[0].id == rule.id
