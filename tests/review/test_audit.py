"""The corpus audit: numbers over labels, second opinions that never replace a label, the
disagreement queue on the review page, and a real NeMo manifest with one wrong label."""

from __future__ import annotations

import json

import pytest

from tests.conftest import PG_URL, as_user, needs_shared, tone
from tests.helpers.audit import WRONG, licence_manifest
from workbench import store
from workbench.asr import DraftSegment, TranscribeOptions, Transcript
from workbench.cli import main
from workbench.core.access import Forbidden
from workbench.core.records import Edit, InvalidEdit, QueueFilter, Status
from workbench.formats.corpus_export import export_batch
from workbench.formats.select import Filters
from workbench.intake.transcripts import AudioScope, import_any
from workbench.labelling.labeller_edits import save
from workbench.labelling.queue import open_segment
from workbench.projects.settings import ensure_project
from workbench.review.audit_measures import (
    FIXED_RATE,
    AuditRow,
    alphabet,
    by_disagreement,
    corpus_stats,
    out_of_range,
    rate_range,
)
from workbench.review.corpus_audit import (
    audit_options,
    audit_report,
    cancel_audit_job,
    run_audit_job,
    start_audit_job,
)
from workbench.review.verdicts import fix_and_approve, open_review, reject, rejection


def _row(seg_id: int, text: str, start: float = 0.0, end: float = 2.0, **more) -> AuditRow:
    return AuditRow(seg_id, "a.wav", start, end, "drafted", text, **more)


def test_alphabet_puts_stray_symbols_first():
    chars = alphabet(["ab a", "a\u200bb!", "한국어 a"])
    assert [c.char for c in chars][:2] == ["!", "\u200b"]  # not letters: first, rarest first
    counts = {c.char: c.count for c in chars}
    assert counts["a"] == 4 and counts["한"] == 1 and " " not in counts
    assert next(c for c in chars if c.char == "\u200b").name == "ZERO WIDTH SPACE"


def test_rate_range_is_fixed_for_small_corpora_and_robust_after():
    assert rate_range([12.0] * 5) == FIXED_RATE
    low, high = rate_range([10.0, 11.0, 12.0, 12.0, 13.0, 12.5, 11.5, 12.0, 11.0, 13.0, 90.0])
    assert low < 10.0 and 13.0 < high < 90.0  # one wild rate does not widen the range


def test_out_of_range_names_why():
    rates = (5.0, 20.0)
    assert "longer than 30 s" in out_of_range(_row(1, "words", 0.0, 31.0), rates)
    assert "shorter than" in out_of_range(_row(1, "a", 0.0, 0.1), rates)
    assert out_of_range(_row(1, "...", 0.0, 2.0), rates) == "no words in the text"
    assert "faster than" in out_of_range(_row(1, "x" * 100, 0.0, 2.0), rates)
    assert "slower than" in out_of_range(_row(1, "ab", 0.0, 2.0), rates)
    assert out_of_range(_row(1, "twenty letters here!", 0.0, 2.0), rates) is None


def test_corpus_stats_and_ranking():
    rows = [
        _row(1, "Hello world", disagreement=0.0, opinion="hello world"),
        _row(2, "hello there", 2.0, 4.0, disagreement=0.5, opinion="hello"),
        _row(3, "bye", 4.0, 4.1),
        _row(4, "old label", 5.0, 6.0, disagreement=1.0, opinion="x", stale=True),
    ]
    stats = corpus_stats(rows)
    assert (stats.utterances, stats.words, stats.vocabulary) == (4, 7, 6)
    assert stats.hours == pytest.approx(5.1 / 3600)
    assert [s for s, _ in stats.out_of_range] == [3]
    assert [r.segment_id for r in by_disagreement(rows)] == [2, 1]  # stale opinions left out


class SayEngine:
    """Answers the same words for any audio (a second opinion to disagree with)."""

    name, model = "say", "/server/models/say-1"

    def __init__(self, words: str = "hello world"):
        self.words, self.calls = words, 0

    def transcribe(self, audio, options: TranscribeOptions) -> Transcript:
        self.calls += 1
        duration = len(audio) / 16000
        return Transcript(
            "en", iter([DraftSegment(0.0, duration, f" {self.words}", -0.2, 0.01, 1.2)])
        )


@pytest.fixture
def corpus(wb, tmp_path):
    """A NeMo manifest of four segments of one recording, imported: one label is wrong."""
    audio = tone(tmp_path / "c" / "talk.wav", 8.0)
    lines = [
        {"audio_filepath": str(audio), "offset": 2.0 * i, "duration": 1.9, "text": text}
        for i, text in enumerate(
            ["hello world", "Hello, world!", "completely other words", "hello word"]
        )
    ]
    manifest = tmp_path / "c" / "manifest.json"
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines))
    project = ensure_project(wb, "corpus", "en")
    import_any(wb, project, [manifest], audio_from=AudioScope.server())
    return project, [q["id"] for q in store.segment_queue(wb.db, project.id)]


def _audit(wb, project, engine=None):
    engine = engine or SayEngine()
    job = start_audit_job(wb, project, {})
    return run_audit_job(wb, job, engine, audit_options(project)), engine


def test_second_opinions_rank_the_wrong_label_first_and_never_replace_labels(wb, corpus):
    project, ids = corpus
    revisions_before = {i: store.list_revisions(wb.db, i) for i in ids}
    job, engine = _audit(wb, project)
    assert (job.state, job.done, job.total, engine.calls) == ("done", 4.0, 4.0, 4)
    report = audit_report(wb, project)
    assert (report.judged, report.todo, report.metric) == (4, 0, "WER")
    ranked = by_disagreement(list(report.rows))
    assert ranked[0].segment_id == ids[2] and ranked[0].disagreement == pytest.approx(1.0)
    assert ranked[-1].disagreement == 0.0 and ranked[-1].segment_id in (ids[0], ids[1])
    assert all(store.list_revisions(wb.db, i) == revisions_before[i] for i in ids)
    assert store.opinion_of(wb.db, ids[2])["model"] == "say:say-1"  # no server path
    # the job resumes: nothing is transcribed twice
    job, engine = _audit(wb, project)
    assert (job.state, job.total, engine.calls) == ("done", 0.0, 0)
    # the review page's audit order opens the largest disagreement first
    rita = as_user(wb, "rita", "reviewer")
    state = open_review(rita, project.id, None, order="disagreement")
    assert state.view.segment.id == ids[2] and state.opinion["text"] == "hello world"
    assert state.following == ids[3] and state.total == 4
    assert open_review(rita, project.id, None) is None  # imported labels await no normal review


def test_audit_fixes_and_rejections_are_kept_and_exported(wb, corpus, tmp_path):
    project, ids = corpus
    _audit(wb, project)
    rita = as_user(wb, "rita", "reviewer")
    seg = store.get_segment(wb.db, ids[2])
    fix_and_approve(rita, ids[2], seg.version, Edit("hello world", seg.start, seg.end))
    latest = store.list_revisions(wb.db, ids[2])[-1]
    assert (latest.source, latest.author, latest.text) == ("review", "rita", "hello world")
    seg = store.get_segment(wb.db, ids[3])
    reject(rita, ids[3], seg.version, "wrong text", "listen again")
    assert store.get_segment(wb.db, ids[3]).status is Status.REJECTED
    # the fixed label is judged anew next time; the queue moves on past reviewed segments
    assert audit_report(wb, project).todo == 1
    state = open_review(rita, project.id, None, order="disagreement")
    assert state.view.segment.id not in (ids[2], ids[3])
    # nobody labelled the imported text: the rejection waits in every labeller's queue
    lena = as_user(wb, "lena")
    assert open_segment(lena, project.id, ids[3], QueueFilter()).view.segment.id == ids[3]
    assert rejection(lena, ids[3])["comment"] == "listen again"
    result = export_batch(wb, project, tmp_path / "out", "nemo", filters=Filters(status="approved"))
    assert result.segments == 1
    manifest = (tmp_path / "out" / "manifest.json").read_text().splitlines()
    assert [json.loads(line)["text"] for line in manifest] == ["hello world"]


def test_only_audited_segments_are_open_to_audit_review(wb, corpus):
    project, ids = corpus
    rita = as_user(wb, "rita", "reviewer")
    seg = store.get_segment(wb.db, ids[0])
    with pytest.raises(InvalidEdit, match="not awaiting review"):
        reject(rita, ids[0], seg.version, "wrong text")
    assert open_review(rita, project.id, None, order="disagreement") is None


def test_who_may_audit(wb, corpus):
    project, _ = corpus
    lena, rita = as_user(wb, "lena"), as_user(wb, "rita", "reviewer")
    with pytest.raises(Forbidden):
        audit_report(lena, project)
    with pytest.raises(Forbidden):
        start_audit_job(rita, project, {})
    assert audit_report(rita, project).todo == 4


def test_a_cancelled_audit_keeps_what_it_judged(wb, corpus):
    project, _ = corpus
    job = start_audit_job(wb, project, {})

    class Cancelling(SayEngine):
        def transcribe(self, audio, options):
            cancel_audit_job(wb, project)
            return super().transcribe(audio, options)

    job = run_audit_job(wb, job, Cancelling(), audit_options(project))
    assert (job.state, job.done) == ("cancelled", 1.0)
    assert audit_report(wb, project).judged == 1


def test_a_failing_segment_is_named_and_the_rest_judged(wb, corpus):
    project, ids = corpus

    class Flaky(SayEngine):
        def transcribe(self, audio, options):
            if self.calls == 1:
                self.calls += 1
                raise RuntimeError("/secret/path exploded")
            return super().transcribe(audio, options)

    job = run_audit_job(wb, start_audit_job(wb, project, {}), Flaky(), audit_options(project))
    assert job.state == "done" and f"segment {ids[1]}" in job.error
    assert "/secret" not in job.error and "RuntimeError" in job.error
    assert audit_report(wb, project).judged == 3


def test_a_label_changed_after_its_opinion_is_stale(wb, corpus):
    project, ids = corpus
    _audit(wb, project)
    seg = store.get_segment(wb.db, ids[0])
    save(as_user(wb, "lena"), ids[0], seg.version, Edit("hello world again", seg.start, seg.end))
    report = audit_report(wb, project)
    (row,) = [r for r in report.rows if r.segment_id == ids[0]]
    assert row.stale and report.todo == 1
    assert ids[0] not in [r.segment_id for r in by_disagreement(list(report.rows))]
    # a label accepted as it is (saved with the same text) keeps its second opinion
    seg = store.get_segment(wb.db, ids[1])
    save(as_user(wb, "lena"), ids[1], seg.version, Edit("Hello, world!", seg.start, seg.end))
    assert audit_report(wb, project).todo == 1


@needs_shared
@pytest.mark.slow
def test_audit_of_a_real_nemo_manifest_ranks_the_wrong_label_first(tmp_path, capsys):
    """Whisper base's second opinion on real speech, through the CLI: of seven labels, the one
    that belongs to another clip has the largest disagreement (no assertion on the words
    Whisper writes)."""
    manifest, count = licence_manifest(tmp_path)
    home = tmp_path / "home"
    assert (
        main(
            [
                "--home",
                str(home),
                "import",
                str(manifest),
                "--project",
                "corpus",
                "--language",
                "en",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert (
        main(
            [
                "--home",
                str(home),
                "audit-corpus",
                "--project",
                "corpus",
                "--second-opinion",
                "--json",
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["judged"] == count and report["todo"] == 0
    ranked = report["disagreement"]
    assert ranked[0]["text"] == WRONG
    assert ranked[0]["wer"] > 0.6 > max(r["wer"] for r in ranked[1:])


pages = pytest.mark.skipif(bool(PG_URL), reason="the pages open the home's SQLite database")


def _page(home, project_id, user=("rita", "reviewer"), page="workbench/pages/audit.py"):
    from tests.conftest import open_page

    at = open_page(home, page, project_id, user)
    assert not at.exception, [e.value for e in at.exception]
    return at


@pages
def test_audit_page_shows_numbers_charts_and_the_ranking(home, wb, corpus):
    project, ids = corpus
    _audit(wb, project)
    at = _page(home, project.id)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Utterances"] == "4" and metrics["Second opinions"] == "4 / 4"
    ranked = at.dataframe[0].value  # the ranking first, the alphabet last
    assert next(iter(ranked["segment"])) == ids[2] and "second opinion" in ranked.columns
    alphabet_table = at.dataframe[-1].value
    assert set(list(alphabet_table["character"])[:2]) == {",", "!"}  # not letters first
    assert len(at.get("vega_lite_chart")) == 2  # duration and speaking-rate histograms
    # a reviewer sees the second opinion's state but may not start one
    assert not [b for b in at.button if b.key == "start_audit"]
    # the button opens the review page in the audit's order, largest disagreement first
    at.button(key="review_by_disagreement").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["rv_order"] == "disagreement"
    assert at.session_state["rv_current"] == ids[2]
    assert any("Second opinion" in m.value for m in at.markdown)


@pages
def test_audit_page_owner_starts_the_second_opinion(home, wb, corpus, monkeypatch):
    project, _ = corpus
    from workbench.ui import jobs

    engine = SayEngine()
    monkeypatch.setattr(jobs, "cached_engine", lambda *a: engine)
    at = _page(home, project.id, ("olga", "owner"))
    assert any("**4** labelled segment(s) without a second opinion" in m.value for m in at.markdown)
    at.button(key="start_audit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    job = store.latest_job(wb.db, project.id, "audit")
    jobs.wait(job.id, 30)
    assert store.get_job(wb.db, job.id).state == "done" and engine.calls == 4


@pages
def test_audit_page_before_any_label(home, wb):
    project = ensure_project(wb, "empty", "en")
    at = _page(home, project.id, ("olga", "owner"))
    assert "No labelled segments yet" in at.info[0].value
