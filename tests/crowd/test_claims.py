"""Claims and assignment: two labellers never hold one item, claims expire and are released on
save and skip, owners' assignments and caps hold, an edit of someone else's item is refused.

Runs on SQLite, and on PostgreSQL when WORKBENCH_TEST_PG is set (the `wb` fixture)."""

from __future__ import annotations

import hashlib
import multiprocessing
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.conftest import as_user
from workbench import store
from workbench.core.access import Forbidden
from workbench.core.errors import NotFound, WorkbenchError
from workbench.core.records import Edit, QueueFilter, Status
from workbench.crowd import claims as crowd_claims
from workbench.crowd.claims import Claimed
from workbench.labelling.editor_actions import apply_action
from workbench.labelling.labeller_edits import save
from workbench.labelling.queue import open_segment
from workbench.projects.settings import ensure_project, update_settings
from workbench.projects.time_zones import set_my_zone
from workbench.review.verdicts import reject

QUEUE = QueueFilter()


def _team_project(
    wb, unit: str = "segment", recordings: int = 2, per: int = 10, name: str = "team"
):
    """A project of `recordings` drafted recordings of `per` one-second segments (no audio
    files: nothing here plays them), handing out claims by `unit`."""
    project = ensure_project(wb, name, "en")
    for r in range(recordings):
        rec = store.add_recording(
            wb.db,
            project_id=project.id,
            original_name=f"r{r}.wav",
            sha256=hashlib.sha256(f"{name}/{r}".encode()).hexdigest(),
            source_path="-",
            working_path="-",
            peaks_path="-",
            sample_rate=16000,
            channels=1,
            num_samples=16000 * per,
            duration=float(per),
        )
        store.add_drafted_segments(
            wb.db,
            rec.id,
            [{"start": float(i), "end": i + 0.9, "text": f"draft {r}.{i}"} for i in range(per)],
            author="asr",
        )
    return update_settings(wb, project.id, assignment=unit)


def _claim(wb, project, after=None) -> int | None:
    return crowd_claims.claim_next(wb, project.id, QUEUE, after=after).segment_id


def _save(wb, segment_id: int, text: str = "done"):
    seg = store.get_segment(wb.db, segment_id)
    return save(wb, segment_id, seg.version, Edit(text, seg.start, seg.end))


def _expire_claims(wb) -> None:
    with wb.db.begin() as conn:
        conn.execute(sa.update(store.claims).values(expires_at=store.now().replace(year=2000)))


def _live_claims(wb) -> list[tuple]:
    with wb.db.connect() as conn:
        return conn.execute(
            sa.select(
                store.claims.c.segment_id, store.claims.c.recording_id, store.claims.c.user_name
            ).where(store.claims.c.expires_at > store.now())
        ).all()


@pytest.mark.parametrize("unit", ["segment", "recording"])
def test_two_labellers_racing_for_one_item_never_both_get_it(wb, unit):
    project = _team_project(
        wb, unit, recordings=12 if unit == "recording" else 2, per=1 if unit == "recording" else 12
    )
    ann, bob = as_user(wb, "ann"), as_user(wb, "bob")
    barrier = threading.Barrier(2)
    rounds: list[dict[str, int | None]] = []
    failures: list[BaseException] = []

    def labeller(who) -> None:
        try:
            for i in range(6):
                barrier.wait()
                got = _claim(who, project)
                rounds[i][who.actor.name] = got
                barrier.wait()
                if got is not None:
                    _save(who, got, f"{who.actor.name} {i}")
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)
            barrier.abort()

    rounds.extend({} for _ in range(6))
    threads = [threading.Thread(target=labeller, args=(w,)) for w in (ann, bob)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    for got in rounds:
        assert got["ann"] is not None and got["bob"] is not None
        assert got["ann"] != got["bob"]
    saved = [r for g in rounds for r in g.values()]
    assert len(set(saved)) == 12  # each segment once: nobody saved another's


def _labeller_process(home: str, url: str, name: str, project_id: int, start, out) -> None:
    """One labeller in its own process: claim and save until the queue is empty."""
    from workbench.core.workbench import open_workbench

    wb = open_workbench(home, url)
    wb = wb.as_user(store.find_user(wb.db, name)[0])
    start.wait()
    got = []
    while (seg := crowd_claims.claim_next(wb, project_id, QUEUE).segment_id) is not None:
        got.append(seg)
        _save(wb, seg, f"{name} saved")
    out.put((name, got))


def test_two_processes_on_one_database_never_claim_the_same_item(wb, home):
    project = _team_project(wb, per=15)
    as_user(wb, "ann"), as_user(wb, "bob")
    spawn = multiprocessing.get_context("spawn")
    start, out = spawn.Barrier(2), spawn.Queue()
    procs = [
        spawn.Process(
            target=_labeller_process,
            args=(str(home), wb.settings.db_url, name, project.id, start, out),
        )
        for name in ("ann", "bob")
    ]
    for p in procs:
        p.start()
    results = dict(out.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert set(results["ann"]).isdisjoint(results["bob"])
    assert len(results["ann"]) + len(results["bob"]) == 30
    for seg in [*results["ann"], *results["bob"]]:
        human = [r for r in store.list_revisions(wb.db, seg) if r.source == "human"]
        assert len(human) == 1  # saved once, by whoever claimed it


def test_a_claim_expires_and_its_holder_can_no_longer_save(wb):
    project = _team_project(wb, per=1, recordings=1)
    ann, bob = as_user(wb, "ann"), as_user(wb, "bob")
    first = _claim(ann, project)
    assert first is not None and _claim(bob, project) is None
    assert "claimed by others" in crowd_claims.claim_next(bob, project.id, QUEUE).reason
    _expire_claims(wb)
    assert _claim(bob, project) == first  # free again once expired
    with pytest.raises(Claimed, match="claimed by bob until"):
        _save(ann, first)
    _save(bob, first)
    assert _live_claims(wb) == []  # released on save


def test_skip_releases_and_moves_on(wb):
    project = _team_project(wb, per=3, recordings=1)
    ann, bob = as_user(wb, "ann"), as_user(wb, "bob")
    a, b, c = store.segments_of(wb.db, project.id)
    assert _claim(ann, project) == a
    assert crowd_claims.skip(ann, project.id, a, QUEUE).segment_id == b
    assert _claim(bob, project) == a  # the skipped one is free for others
    assert crowd_claims.skip(ann, project.id, b, QUEUE).segment_id == c
    assert crowd_claims.skip(ann, project.id, c, QUEUE).segment_id == b  # round again, a is bob's


def test_assigned_items_go_to_their_assignee_only(wb):
    project = _team_project(wb, per=3)
    ann, bob = as_user(wb, "ann"), as_user(wb, "bob")
    first_rec, second_rec = (r.id for r in store.list_recordings(wb.db, project.id))
    with pytest.raises(Forbidden):
        crowd_claims.assign(ann, project.id, "ann", recording_id=second_rec)
    assert crowd_claims.assign(wb, project.id, "bob", recording_id=first_rec) == 3
    ann_got = []
    while (seg := _claim(ann, project)) is not None:
        ann_got.append(seg)
        _save(ann, seg)
    assert {store.get_segment(wb.db, s).recording_id for s in ann_got} == {second_rec}
    assert "assigned to someone else" in crowd_claims.claim_next(ann, project.id, QUEUE).reason
    bob_first = _claim(bob, project)
    assert store.get_segment(wb.db, bob_first).recording_id == first_rec
    with pytest.raises(NotFound, match="no active account"):
        crowd_claims.assign(wb, project.id, "nobody", segment_ids=[bob_first])


def test_a_cap_stops_new_claims(wb):
    project = _team_project(wb, per=5, recordings=1)
    ann = as_user(wb, "ann")
    crowd_claims.set_cap(wb, project.id, "ann", 2)
    first = _claim(ann, project)
    _save(ann, first)
    second = _claim(ann, project)
    assert _claim(ann, project) == second  # the one held comes back, within the cap
    _save(ann, second)
    handed = crowd_claims.claim_next(ann, project.id, QUEUE)
    assert handed.segment_id is None and handed.reason.endswith("cap of 2 segments in this project")
    crowd_claims.set_cap(wb, project.id, "ann", None)
    assert _claim(ann, project) is not None


def test_rejected_segments_go_back_to_their_labeller_first_and_only(wb):
    project = _team_project(wb, per=4, recordings=1)
    ann, bob = as_user(wb, "ann"), as_user(wb, "bob")
    rita = as_user(wb, "rita", "reviewer")
    first = _claim(ann, project)
    rev = _save(ann, first, "ann's text")
    reject(rita, first, store.get_segment(wb.db, first).version, "wrong text")
    for _ in range(3):  # bob works through the rest, never the rejected one
        seg = _claim(bob, project)
        assert seg != first
        _save(bob, seg)
    assert _claim(bob, project) is None
    assert _claim(ann, project) == first  # given back to ann
    assert rev.author == "ann"


def test_an_edit_of_an_item_someone_else_holds_is_refused(wb):
    project = _team_project(wb, per=2, recordings=1)
    ann, bob = as_user(wb, "ann"), as_user(wb, "bob")
    seg = _claim(ann, project)
    with pytest.raises(Claimed, match="claimed by ann"):
        _save(bob, seg)
    action = {
        "type": "save",
        "segment_id": seg,
        "version": 1,
        "text": "bob's",
        "start": 0.0,
        "end": 0.9,
    }
    out = apply_action(bob, action, shown=seg, queue=QUEUE)
    assert out.kind == "error" and "claimed by ann until" in out.message
    assert store.get_segment(wb.db, seg).version == 1
    state = open_segment(bob, project.id, seg, QUEUE)  # bob opens it by a link: shown, held
    assert state.view.segment.id == seg and state.claim.user == "ann"
    assert apply_action(ann, action, shown=seg, queue=QUEUE).kind == "success"


def test_the_editor_hands_each_labeller_their_own_item(wb):
    project = _team_project(wb, per=3, recordings=1)
    ann, bob = as_user(wb, "ann"), as_user(wb, "bob")
    a = open_segment(ann, project.id, None, QUEUE)
    b = open_segment(bob, project.id, None, QUEUE)
    assert a.view.segment.id != b.view.segment.id and a.claim is b.claim is None
    assert (
        open_segment(ann, project.id, a.view.segment.id, QUEUE).view.segment.id == a.view.segment.id
    )  # a rerun keeps it
    seg = a.view.segment
    action = {
        "type": "save_next",
        "segment_id": seg.id,
        "version": seg.version,
        "text": "ann's",
        "start": seg.start,
        "end": seg.end,
    }
    out = apply_action(ann, action, shown=seg.id, queue=QUEUE)
    third = out.go_to
    assert out.kind == "success" and third not in (seg.id, b.view.segment.id)
    out = apply_action(
        ann, {**action, "type": "next", "segment_id": third}, shown=third, queue=QUEUE
    )
    assert (out.kind, out.go_to) == ("warning", third)  # nothing else free: she keeps it
    assert "No other segment is free" in out.message


def test_by_recording_a_claim_takes_the_whole_recording(wb):
    project = _team_project(wb, "recording", recordings=2, per=2)
    ann, bob = as_user(wb, "ann"), as_user(wb, "bob")
    a1 = _claim(ann, project)
    b1 = _claim(bob, project)
    rec_a = store.get_segment(wb.db, a1).recording_id
    assert store.get_segment(wb.db, b1).recording_id != rec_a
    _save(ann, a1)
    a2 = _claim(ann, project, after=a1)
    assert store.get_segment(wb.db, a2).recording_id == rec_a
    with pytest.raises(Claimed):  # bob may not edit in ann's recording
        _save(bob, a2)
    _save(ann, a2)  # the last to do: the recording is released
    assert [c for c in _live_claims(wb) if c.user_name == "ann"] == []
    assert _claim(ann, project) is None  # bob holds the other


def test_assignment_settings_are_checked(wb):
    project = _team_project(wb, "off", per=1, recordings=1)
    with pytest.raises(WorkbenchError, match="assignment: one of"):
        update_settings(wb, project.id, assignment="people")
    with pytest.raises(WorkbenchError, match="claim_minutes"):
        update_settings(wb, project.id, claim_minutes=0)
    assert update_settings(wb, project.id, claim_minutes=45).claim_minutes == 45
    with pytest.raises(WorkbenchError, match="assignment setting is off"):
        crowd_claims.claim_next(as_user(wb, "ann"), project.id, QUEUE)
    ann = as_user(wb, "ann")  # off: the editor steps through the queue, no claims
    state = open_segment(ann, project.id, None, QUEUE)
    assert state.view.segment.status is Status.DRAFTED and _live_claims(wb) == []


def test_cli_assigns_a_recording_and_caps(wb, home, capsys):
    from workbench.cli import main

    project = _team_project(wb, per=2)
    as_user(wb, "ann")
    argv = ["assign", "--project", "team", "--home", str(home), "--db", wb.settings.db_url]
    assert (
        main([*argv, "--mode", "recording", "--to", "ann", "--recording", "r1.wav", "--cap", "5"])
        == 0
    )
    out = capsys.readouterr().out
    assert "2 segments handed to ann" in out and "assignment recording" in out
    assert "cap 5" in out and store.get_project(wb.db, project.id).assignment == "recording"
    assert main([*argv, "--cap", "many", "--to", "ann"]) == 2
    assert "--cap: a number" in capsys.readouterr().err


def test_the_window_passes_a_colleagues_claims_for_the_next_free_segments(wb):
    from workbench.labelling.window import window_after

    project = _team_project(wb, per=10, recordings=1)
    ann, bob = as_user(wb, "ann"), as_user(wb, "bob")
    a = open_segment(ann, project.id, None, QUEUE)
    order = [s["id"] for s in store.segment_queue(wb.db, project.id)]
    held_by_bob = order[1:3]  # the two after ann's first are bob's
    for segment_id in held_by_bob:
        assert open_segment(bob, project.id, segment_id, QUEUE).claim is None
    window = [step.view.segment.id for step in window_after(ann, project.id, a, QUEUE)]
    assert window == order[3:6]  # past bob's two, and claimed for ann
    mine = {s for s, _r, user in _live_claims(wb) if user == "ann"}
    assert mine == {order[0], *order[3:6]}
    assert not set(window) & {s for s, _r, user in _live_claims(wb) if user == "bob"}


def test_the_window_stops_at_the_cap(wb):
    from workbench.labelling.window import window_after

    project = _team_project(wb, per=10, recordings=1)
    ann, bob = as_user(wb, "ann"), as_user(wb, "bob")
    crowd_claims.set_cap(wb, project.id, "ann", 2)
    a = open_segment(ann, project.id, None, QUEUE)
    order = [s["id"] for s in store.segment_queue(wb.db, project.id)]
    open_segment(bob, project.id, order[1], QUEUE)
    window = [step.view.segment.id for step in window_after(ann, project.id, a, QUEUE)]
    assert window == [order[2]]  # past bob's, one more: her cap
    assert {s for s, _r, user in _live_claims(wb) if user == "ann"} == {order[0], order[2]}


def test_the_window_moves_on_by_opening_only_what_changed(wb):
    """The window of the last key is taken as it was where nothing changed; a segment saved
    since (a new version) is opened again, one claimed by someone else is passed over."""
    from workbench.labelling.window import window_after

    project = _team_project(wb, per=10, recordings=1)
    ann, bob = as_user(wb, "ann"), as_user(wb, "bob")
    a = open_segment(ann, project.id, None, QUEUE)
    first = window_after(ann, project.id, a, QUEUE)
    b = open_segment(ann, project.id, first[0].view.segment.id, QUEUE)
    moved = window_after(ann, project.id, b, QUEUE, held=first)
    assert [s.view.segment.id for s in moved[:2]] == [s.view.segment.id for s in first[1:]]
    assert moved[0] is first[1] and moved[1] is first[2]  # taken as they were
    assert moved[2] not in first

    store.release(wb.db, "ann", segment_id=moved[1].view.segment.id)
    assert open_segment(bob, project.id, moved[1].view.segment.id, QUEUE).claim is None
    again = window_after(ann, project.id, b, QUEUE, held=moved)
    assert [s.view.segment.id for s in again[:2]] == [
        moved[0].view.segment.id,
        moved[2].view.segment.id,
    ]
    assert again[0] is moved[0] and again[1] is moved[2]  # bob's passed over

    store.release(wb.db, "ann", segment_id=moved[0].view.segment.id)
    _save(wb, moved[0].view.segment.id, "the owner's fix")  # saved: it has left the queue
    assert window_after(ann, project.id, b, QUEUE, held=again) == []  # the window stops there


def test_the_segment_moved_to_from_the_window_is_taken_as_the_window_opened_it(wb):
    """Save & next lands on the window's first segment: shown as the window opened it (not
    opened again), with its place in the queue counted and its neighbours read again (the
    one just saved shows its new text); one saved by someone else since is opened again."""
    from workbench.labelling.editor_screen import open_editor
    from workbench.labelling.window import unchanged, window_after

    project = _team_project(wb, per=10, recordings=1)
    ann = as_user(wb, "ann")
    a = open_segment(ann, project.id, None, QUEUE)
    window = window_after(ann, project.id, a, QUEUE)
    _save(ann, a.view.segment.id, "ann's words")
    nxt = window[0].view.segment.id
    screen = open_editor(
        ann, project.id, QUEUE, shown=nxt, pinned=nxt, window=unchanged(ann, window)
    )
    state = screen.segment
    assert state is not None and state.view is window[0].view and state.claim is None
    assert state.before is not None and state.before["text"] == "ann's words"
    assert (state.index, state.total) == (0, 9)  # counted: the saved one has left the queue

    later = window[1].view.segment.id
    store.release(wb.db, "ann", segment_id=later)
    _save(wb, later, "the owner's fix")  # a new version: the window's copy is stale
    screen = open_editor(
        ann, project.id, QUEUE, shown=later, pinned=later, window=unchanged(ann, window)
    )
    state = screen.segment
    assert state is not None and state.view is not window[1].view
    assert state.view.text == "the owner's fix"


def test_a_link_claim_passes_a_segment_another_claimer_is_taking(wb):
    """On PostgreSQL a claimer walking the queue locks its candidate (FOR UPDATE SKIP LOCKED)
    and then writes its claim; a claim of the same segment by a link or the editor's window
    (`claim_item`) written meanwhile waited on that lock while the walker waited on its row:
    a deadlock. It now passes the segment at once, and takes it once the walker is done."""
    if wb.db.dialect.name != "postgresql":
        pytest.skip("SQLite hands out claims one at a time (its write lock)")
    project = _team_project(wb, per=3, recordings=1)
    segment_id = store.segment_queue(wb.db, project.id)[0]["id"]
    took: list[bool] = []

    def claim() -> None:
        took.append(store.claim_item(wb.db, project.id, segment_id, "ann", 30, "segment"))

    with wb.db.connect() as walker:
        with walker.begin():
            walker.execute(
                sa.select(store.segments.c.id)
                .where(store.segments.c.id == segment_id)
                .with_for_update(skip_locked=True)
            ).scalar_one()
            thread = threading.Thread(target=claim, daemon=True)
            thread.start()
            thread.join(timeout=10)
            waited = thread.is_alive()
        thread.join(timeout=10)
    assert not waited and took == [False]  # passed at once, not waiting on the walker
    assert store.claim_item(wb.db, project.id, segment_id, "ann", 30, "segment")


def test_a_claim_is_told_in_the_readers_time_zone(wb):
    """'claimed by bob until ...' in the zone of whoever is refused: their choice, else the
    project's (the server's here: UTC)."""
    project = _team_project(wb, per=1, recordings=1)
    ann, bob = as_user(wb, "ann"), as_user(wb, "bob")
    first = _claim(bob, project)
    with wb.db.begin() as conn:  # live until 00:30 on 1 March 2099 in Seoul
        conn.execute(sa.update(store.claims).values(expires_at=datetime(2099, 2, 28, 15, 30)))
    with pytest.raises(Claimed, match="claimed by bob until 2099-02-28 15:30 UTC"):
        _save(ann, first)
    set_my_zone(ann, "Asia/Seoul")
    with pytest.raises(Claimed, match="claimed by bob until 2099-03-01 00:30 KST"):
        _save(ann, first)
    blocking = crowd_claims.blocking_claim(ann, first)
    assert blocking.describe(ZoneInfo("Asia/Seoul")).endswith("until 2099-03-01 00:30 KST")


def test_a_claim_is_told_in_the_readers_language():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from workbench.core.messages import use_language

    claim = crowd_claims.Claim("bob", datetime(2099, 2, 28, 15, 30))
    try:
        use_language("ko")
        assert (
            claim.describe(ZoneInfo("Asia/Seoul")) == "bob 님이 2099-03-01 00:30 KST까지 맡은 구간"
        )
    finally:
        use_language("en")
    assert claim.describe(ZoneInfo("UTC")) == "claimed by bob until 2099-02-28 15:30 UTC"
