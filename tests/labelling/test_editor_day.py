"""The transcriptionist's day in the editor: overlaps held back, the queue's end, Ctrl+↑ to the
segment just saved, Alt+Z after Alt+Shift+Delete, stale saves side by side, split/merge drafts,
coverage (gaps, added segments, empty drafts, redraft), find & replace page and CLI."""

import threading

import numpy as np
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as hs

from tests.conftest import as_user
from tests.helpers.pages import _act, _no_errors, said
from workbench import store
from workbench.asr import Transcript
from workbench.cli import main
from workbench.core.access import Forbidden
from workbench.core.records import TODO, InvalidEdit, QueueFilter, Role, StaleEdit
from workbench.drafts.draft_job import draft_added
from workbench.labelling.editor_actions import apply_action
from workbench.labelling.gaps import empty_drafts, redraft, speech_spans, uncovered
from workbench.labelling.history import drafts_of
from workbench.labelling.labeller_edits import add_segment, delete, save_segment, split_at
from workbench.labelling.queue import open_segment
from workbench.ui.jobs import wait_span_drafts


def test_a_new_overlap_is_held_back_until_saved_again(wb, drafted):
    first, second = store.segment_queue(wb.db, drafted.id)[:2]
    ann = as_user(wb, "ann")
    action = {
        "type": "save",
        "segment_id": first["id"],
        "version": 1,
        "text": "w0",
        "start": first["start"],
        "end": second["start"] + 0.3,
    }
    held = apply_action(ann, action, shown=first["id"])
    assert held.kind == "warning" and f"#{second['id']}" in held.message
    assert "by 0.30 s" in held.message and held.confirm
    assert store.get_segment(wb.db, first["id"]).version == 1
    done = apply_action(ann, action, shown=first["id"], confirmed=held.confirm)
    assert done.kind == "success" and store.get_segment(wb.db, first["id"]).version == 2
    # the overlap is there already: a second save is not held again
    again = apply_action(ann, {**action, "version": 2, "text": "w0 x0"}, shown=first["id"])
    assert again.kind == "success"


def test_save_next_at_the_queue_end_stays_and_says_so(app, wb, drafted):
    queue = store.segment_queue(wb.db, drafted.id)
    for q in queue[:-1]:
        save_segment(as_user(wb, "bob"), q["id"], 1, "done", q["start"], q["end"])
    at = app("workbench/pages/editor.py", drafted.id)
    last = queue[-1]["id"]
    assert at.session_state["ed_current"] == last
    _act(at, wb, "save_next", text="last one")
    _no_errors(at)
    assert at.session_state["ed_current"] == last  # not an earlier one
    assert any(f"All {len(queue)} segments of this filter are labelled" in i.value for i in at.info)
    assert "last segment of this filter" in said(at, "success")


def test_a_recording_whose_segments_are_all_deleted_says_how_to_reach_them(wb, drafted):
    from workbench.labelling.queue_end import describe, queue_end

    ann = as_user(wb, "ann")
    rec = store.list_recordings(wb.db, drafted.id)[1]
    for q in store.segment_queue(wb.db, drafted.id, rec.id):
        delete(ann, q["id"], 1)
    queue = QueueFilter(rec.id, TODO)
    head, nexts = describe(queue_end(ann, drafted.id, queue), queue)
    assert head.startswith("Every segment here is deleted") and "Status filter" in nexts[0]
    with_deleted = QueueFilter(rec.id, (*TODO, "deleted"))
    state = open_segment(ann, drafted.id, None, with_deleted)
    assert state.view.recording.id == rec.id and state.view.segment.status.value == "deleted"


def test_ctrl_up_reaches_the_segment_just_saved(app, wb, drafted):
    at = app("workbench/pages/editor.py", drafted.id)
    first = at.session_state["ed_current"]
    _act(at, wb, "save_next", text="typo here")
    assert at.session_state["ed_current"] != first
    _act(at, wb, "prev")
    _no_errors(at)
    assert at.session_state["ed_current"] == first
    assert "outside this filter" in at.markdown[0].value
    _act(at, wb, "save", text="typo fixed")
    assert store.segment_view(wb.db, first).text == "typo fixed"
    assert at.session_state["ed_current"] == first


def test_alt_z_after_alt_delete_restores_the_segment(app, wb, drafted):
    at = app("workbench/pages/editor.py", drafted.id)
    first = at.session_state["ed_current"]
    _act(at, wb, "delete")
    assert at.session_state["ed_current"] != first
    _act(at, wb, "undelete")  # Alt+Z: the editor sends the segment it shows now
    _no_errors(at)
    assert store.get_segment(wb.db, first).status.value == "drafted"
    assert at.session_state["ed_current"] == first
    assert f"{first} is back" in said(at, "success")


def test_a_stale_save_stays_with_both_texts(app, wb, drafted):
    at = app("workbench/pages/editor.py", drafted.id, user=("olga", "owner"))
    first = store.segment_queue(wb.db, drafted.id)[0]
    save_segment(
        as_user(wb, "bob"), first["id"], 1, "saved in another tab", first["start"], first["end"]
    )
    _act(at, wb, "save_next", text="my edit", version=1)
    _no_errors(at)
    assert at.session_state["ed_current"] == first["id"]  # although it left the filter
    assert at.session_state["ed_conflict"]["theirs"] == "saved in another tab"
    texts = [c.value for c in at.run().text]
    assert "my edit" in texts and "saved in another tab" in texts


def test_korean_history_diffs_by_character(app, wb, drafted):
    store.update_project(wb.db, drafted.id, language="auto")
    first = store.segment_queue(wb.db, drafted.id)[0]
    owner = as_user(wb, "ann")
    save_segment(owner, first["id"], 1, "안녕하세요 여러분", first["start"], first["end"])
    save_segment(owner, first["id"], 2, "안녕하세요 여러븐", first["start"], first["end"])
    at = app("workbench/pages/editor.py", drafted.id, user=("olga", "owner"))
    at.multiselect(key=f"ed_status_{drafted.id}").select("labeled").run()
    at.session_state["ed_current"] = first["id"]
    at.run()
    assert any(
        "여러<del" in m.value and "<ins style='color:#15803d'>븐</ins>" in m.value
        for m in at.markdown
    )


def test_split_and_merge_keep_the_draft_they_came_from(wb, drafted):
    ann = as_user(wb, "ann")
    first = store.segment_queue(wb.db, drafted.id)[0]
    right = split_at(ann, first["id"], 1, first["start"] + 0.4, "w0 x0 edited")
    right_revs = store.list_revisions(wb.db, right)
    assert drafts_of(right_revs)[-1] == "x0" and all(r.source != "asr" for r in right_revs)
    assert drafts_of(store.list_revisions(wb.db, first["id"]))[-1] == "w0"
    apply_action(
        ann,
        {"type": "merge", "segment_id": first["id"], "version": 2, "text": "w0"},
        shown=first["id"],
    )
    assert drafts_of(store.list_revisions(wb.db, first["id"]))[-1] == "w0 x0"


def test_speech_spans_and_gaps():
    energy = np.zeros(300)
    energy[50:120] = 0.5  # 0.5-1.2 s
    energy[135:150] = 0.5  # 1.35-1.5 s: a word after a pause of 0.15 s, bridged
    energy[200:220] = 0.5  # 0.2 s: a click
    energy[270:282] = 0.5  # 0.12 s, alone
    assert speech_spans(energy, 100) == [(0.5, 1.5)]
    energy[200:235] = 0.5  # 0.35 s: a short word, then 0.35 s to the next one (bridged)
    assert speech_spans(energy, 100) == [(0.5, 1.5), (2.0, 2.82)]
    gaps = uncovered([(0.5, 2.5)], [(0.0, 1.0), (1.2, 1.4)])
    assert [(g.start, g.end) for g in gaps] == [(1.4, 2.5)]
    # rounded inwards: never over the segments around them
    gaps = uncovered([(0.0, 3.0)], [(0.0, 0.995), (1.995, 3.0)])
    assert [(g.start, g.end) for g in gaps] == [(1.0, 1.99)]


def _uncovered_pairwise(spans, segments, min_len=0.5):
    """The plain definition: cut every span by every segment, one pair at a time."""
    out = []
    for start, end in spans:
        pieces = [(start, end)]
        for a, b in segments:
            if b <= start or a >= end:
                continue
            pieces = [
                p for lo, hi in pieces for p in ((lo, min(hi, a)), (max(lo, b), hi)) if p[1] > p[0]
            ]
        out += [(round(lo, 2), round(hi, 2)) for lo, hi in pieces if hi - lo >= min_len]
    return out


_span = hs.tuples(hs.integers(0, 400), hs.integers(1, 80)).map(
    lambda p: (p[0] / 10, (p[0] + p[1]) / 10)
)


@settings(max_examples=300, deadline=None)
@given(
    spans=hs.lists(_span, max_size=8).map(lambda s: sorted(s)),
    segments=hs.lists(_span, max_size=12),
)
def test_the_gaps_sweep_agrees_with_cutting_pair_by_pair(spans, segments):
    """Speech spans never overlap (speech_spans' runs), segments may; any order."""
    merged = []
    for a, b in spans:  # spans as speech_spans gives them: apart and in order
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    got = [(g.start, g.end) for g in uncovered(merged, segments)]
    assert got == _uncovered_pairwise(merged, segments)


def test_a_gap_is_listed_and_a_segment_added_there(app, wb, drafted, fake_engine, monkeypatch):
    rec = store.list_recordings(wb.db, drafted.id)[0]
    ann = as_user(wb, "ann")
    second = store.segment_queue(wb.db, drafted.id, rec.id)[1]
    delete(ann, second["id"], 1)
    at = app("workbench/pages/editor.py", drafted.id)
    shown = at.session_state["ed_current"]
    picker = at.selectbox(key=f"ed_gap_{shown}")
    inside = [g for g in picker.options if "–" in g]
    assert inside and picker.value.start >= second["start"] - 0.01  # the next stretch, first
    at.button(key=f"ed_add_{shown}").click().run()
    _no_errors(at)
    new = store.get_segment(wb.db, at.session_state["ed_current"])
    assert new.status.value == "new" and store.segment_view(wb.db, new.id).text == ""
    assert second["start"] - 0.01 <= new.start < new.end <= second["end"] + 0.01
    assert new.id in at.session_state["ed_changed"][rec.id]  # on the minimap at once
    # the new segment asks the project's model for its draft (the fake engine: 'w0 x0 ...')
    hearing = threading.Event()  # the model takes its time: the page does not wait for it
    heard = fake_engine.transcribe
    monkeypatch.setattr(fake_engine, "transcribe", lambda *a: (hearing.wait(30), heard(*a))[1])
    at.button(key=f"ed_draft_{new.id}_1").click().run()
    _no_errors(at)
    assert "in the background" in said(at, "info")  # the editor is the labeller's meanwhile
    assert store.segment_view(wb.db, new.id).segment.status.value == "new"
    assert any("Drafting segment" in c.value for c in at.caption)
    hearing.set()
    wait_span_drafts(60)
    at.run()  # the page watches for it (every second in a browser)
    _no_errors(at)
    view = store.segment_view(wb.db, new.id)
    assert view.segment.status.value == "drafted" and view.text.startswith("w0 x0")
    assert "Drafted segment" in said(at, "success") and f"{new.id}" in said(at, "success")
    assert not [b for b in at.button if b.key and b.key.startswith(f"ed_draft_{new.id}_")]


class _Silent:
    """An engine that hears nothing."""

    name, model = "silent", "none"

    def transcribe(self, audio, options):
        return Transcript(language="en", segments=iter(()))


def test_an_added_segment_is_drafted_alone_as_a_job_would(wb, drafted, fake_engine):
    rec = store.list_recordings(wb.db, drafted.id)[0]
    ann = as_user(wb, "ann")
    second = store.segment_queue(wb.db, drafted.id, rec.id)[1]
    delete(ann, second["id"], 1)
    new_id = add_segment(ann, rec.id, second["start"], second["end"])
    with pytest.raises(InvalidEdit, match="heard no words"):  # nothing written
        draft_added(ann, new_id, 1, _Silent())
    assert store.get_segment(wb.db, new_id).version == 1
    calls = fake_engine.calls
    with pytest.raises(StaleEdit):  # saved since the editor showed it: refused at once
        draft_added(ann, new_id, 7, fake_engine)
    rev = draft_added(ann, new_id, 1, fake_engine)
    assert fake_engine.calls == calls + 1  # the span alone
    heard = fake_engine.asked[-1]
    assert heard.language == "en"
    view = store.segment_view(wb.db, new_id)
    assert (rev.source, rev.op, rev.n) == ("asr", "draft", 2)
    assert view.draft.id == rev.id and view.text == rev.text and rev.text.startswith("w0 x0")
    assert view.segment.status.value == "drafted" and view.segment.version == 2
    words = view.draft.asr_meta["words"]
    assert words and all(
        second["start"] - 0.01 <= w["start"] <= second["end"] + 0.01 for w in words
    )  # in the recording's time, not the span's
    assert words[0]["start"] == pytest.approx(second["start"])
    assert drafts_of(store.list_revisions(wb.db, new_id))[-1] == rev.text  # "vs draft"
    with pytest.raises(InvalidEdit, match="has a draft"):
        draft_added(ann, new_id, 2, fake_engine)
    outsider = store.create_user(wb.db, "mallory", Role.LABELLER, "!")
    with pytest.raises(Forbidden):
        draft_added(wb.as_user(outsider), new_id, 2, fake_engine)


def test_add_is_checked(wb, drafted):
    ann = as_user(wb, "ann")
    first = store.segment_queue(wb.db, drafted.id)[0]
    with pytest.raises(InvalidEdit, match="overlaps segment"):
        add_segment(ann, first["recording_id"], first["start"], first["end"])
    out = apply_action(
        ann,
        {"type": "add", "segment_id": first["id"], "version": 1, "start": 10.0, "end": 11.0},
        shown=first["id"],
    )
    assert out.kind == "error" and "after the recording ends" in out.message
    delete(ann, first["id"], 1)
    out = apply_action(
        ann,
        {
            "type": "add",
            "segment_id": first["id"],
            "version": 2,
            "start": first["start"],
            "end": first["start"] + 0.05,
        },
        shown=first["id"],
    )
    assert out.kind == "error" and "at least 0.1 s" in out.message


def test_an_empty_draft_is_flagged_and_redrafted_alone(app, wb, drafted):
    from workbench.drafts.draft_job import start_draft_job

    rec = store.list_recordings(wb.db, drafted.id)[1]
    with wb.db.begin() as conn:  # as if the engine wrote nothing
        ids = [
            r.id
            for r in conn.execute(
                store.segments.select().where(store.segments.c.recording_id == rec.id)
            )
        ]
        conn.execute(
            store.segments.update()
            .where(store.segments.c.id.in_(ids))
            .values(latest_revision_id=None)
        )
        conn.execute(store.revisions.delete().where(store.revisions.c.segment_id.in_(ids)))
        conn.execute(store.segments.delete().where(store.segments.c.id.in_(ids)))
    assert [r.id for r in empty_drafts(wb, drafted.id)] == [rec.id]
    at = app("workbench/pages/editor.py", drafted.id)
    assert any("drafted without any segment" in w.value for w in at.warning)
    at = app("workbench/pages/editor.py", drafted.id, ("lena", "labeler"))  # an owner's to-do
    assert any("Segment 1 of" in m.value for m in at.markdown)
    assert not any("drafted without any segment" in w.value for w in at.warning)
    page = app("workbench/pages/projects.py", drafted.id)
    _no_errors(page)
    assert page.button(key=f"redraft_{rec.id}") is not None
    with pytest.raises(PermissionError):
        redraft(as_user(wb, "ann"), rec.id)
    owner = as_user(wb, "olga", "owner")
    redraft(owner, rec.id)
    job = start_draft_job(owner, drafted, {"recordings": [rec.id]})
    assert job.total == pytest.approx(rec.duration)
    with pytest.raises(InvalidEdit):
        redraft(owner, store.list_recordings(wb.db, drafted.id)[0].id)  # it has segments


def test_find_and_replace_page(app, wb, drafted):
    at = app("workbench/pages/replace.py", drafted.id)
    _no_errors(at)
    k = f"rp_{drafted.id}"
    at.text_input(key=f"{k}_find").input("x1")
    at.text_input(key=f"{k}_replace").input("ex one")
    at.run()
    at.button(key=f"{k}_preview").click().run()
    _no_errors(at)
    assert any("2** segment(s) would change" in m.value for m in at.markdown)
    at.button(key=f"{k}_apply").click().run()
    _no_errors(at)
    assert any("Replaced in 2 segment(s)" in s.value for s in at.success)
    assert sum("ex one" in q["text"] for q in store.segment_queue(wb.db, drafted.id)) == 2


def test_replace_cli_previews_then_applies(wb, drafted, home, capsys):
    assert (
        main(
            ["replace", "--project", "demo", "--find", "x1", "--replace", "y", "--home", str(home)]
        )
        == 0
    )
    assert "2 segment(s) would change" in capsys.readouterr().out
    assert not any(q["text"].endswith(" y") for q in store.segment_queue(wb.db, drafted.id))
    assert (
        main(
            [
                "replace",
                "--project",
                "demo",
                "--find",
                "x1",
                "--replace",
                "y",
                "--apply",
                "--home",
                str(home),
            ]
        )
        == 0
    )
    assert "replaced in 2 segment(s)" in capsys.readouterr().out


def test_a_pinned_segment_of_another_project_is_not_shown(wb, drafted):
    """A link (?segment=N) pins its segment; one of another project never opens here."""
    from workbench.core.records import QueueFilter
    from workbench.labelling.queue import open_segment
    from workbench.projects.settings import ensure_project

    other = ensure_project(wb, "other")
    theirs = store.segment_queue(wb.db, drafted.id)[0]["id"]
    assert open_segment(wb, other.id, theirs, QueueFilter(), pinned=theirs) is None
    mine = open_segment(wb, drafted.id, theirs, QueueFilter(), pinned=theirs)
    assert mine.view.segment.id == theirs  # in its own project it opens


def test_save_and_next_on_a_segment_just_added_goes_on_not_back(app, wb, drafted):
    """Alt+N from a segment, then Ctrl+Enter on the new one: the editor goes on in the queue,
    not back to the segment it was added from."""
    rec = store.list_recordings(wb.db, drafted.id)[0]
    queue = store.segment_queue(wb.db, drafted.id, rec.id)
    delete(as_user(wb, "ann"), queue[1]["id"], 1)  # a gap after the first segment
    at = app("workbench/pages/editor.py", drafted.id)
    first = at.session_state["ed_current"]
    at.button(key=f"ed_add_{first}").click().run()
    new = at.session_state["ed_current"]
    assert new != first
    _act(at, wb, "save_next", text="added by hand")
    _no_errors(at)
    assert store.segment_view(wb.db, new).text == "added by hand"
    assert at.session_state["ed_current"] not in (first, new)


def test_a_segment_rejected_while_the_labeller_works_comes_next_without_a_reload(app, wb, drafted):
    from workbench.review.verdicts import reject

    at = app("workbench/pages/editor.py", drafted.id, ("lena", "labeler"))
    queue = store.segment_queue(wb.db, drafted.id)
    lena = as_user(wb, "lena")
    save_segment(lena, queue[3]["id"], 1, "lena's label", queue[3]["start"], queue[3]["end"])
    reject(as_user(wb, "olga", "owner"), queue[3]["id"], 2, "wrong text", "a word is missing")
    _act(at, wb, "save_next", text="first")
    assert at.session_state["ed_current"] == queue[3]["id"]
    assert "came back from review" in said(at, "warning")
    assert any("a word is missing" in e.value for e in at.error)  # the reason, above
    _act(at, wb, "next")
    assert at.session_state["ed_current"] != queue[3]["id"]  # once: it does not hold them there


def test_save_stays_on_the_segment_when_claims_are_handed_out_by_segment(app, wb, drafted):
    store.update_project(wb.db, drafted.id, assignment="segment")
    at = app("workbench/pages/editor.py", drafted.id, ("lena", "labeler"))
    first = at.session_state["ed_current"]
    _act(at, wb, "save", text="kept on screen")
    _no_errors(at)
    assert at.session_state["ed_current"] == first  # Ctrl+S is save and stay
    assert store.segment_view(wb.db, first).text == "kept on screen"
    _act(at, wb, "save_next", text="kept on screen, then on")
    second = at.session_state["ed_current"]
    assert second != first
    _act(at, wb, "prev")
    assert at.session_state["ed_current"] == first  # Ctrl+↑ goes back to it


def test_an_owner_browsing_the_editor_takes_no_claim(app, wb, drafted):
    store.update_project(wb.db, drafted.id, assignment="segment")
    at = app("workbench/pages/editor.py", drafted.id, ("olga", "owner"))
    _act(at, wb, "next")
    _act(at, wb, "next")
    _no_errors(at)
    with wb.db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store.claims)).scalar() == 0
