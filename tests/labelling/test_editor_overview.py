"""The editor's overview and go-to: the pure parts, the service checks, and the page's handling
of the component's "goto" and "context" actions (AppTest)."""

from __future__ import annotations

import pytest

from tests.conftest import as_user, open_page, tone
from tests.helpers.pages import said
from workbench import store
from workbench.audio import unpack_peaks
from workbench.core.access import Forbidden
from workbench.core.errors import NotFound
from workbench.labelling.overview import (
    GAP,
    parse_goto,
    recording_columns,
    segment_at,
    segment_in_project,
    status_columns,
)


def test_status_columns_mark_spans_gaps_and_starts():
    spans = [(1, 0.0, 1.0, "drafted"), (2, 1.0, 2.5, "labeled"), (3, 3.0, 4.0, "rejected")]
    cols = status_columns(spans, 5.0, 20)  # 0.25 s a column
    assert cols == "DdddLlllll..Rrrr...."
    assert status_columns([(1, 0.0, 5.0, "deleted")], 5.0, 10) == GAP * 10
    # a segment shorter than a column still shows, and the one that needs a person wins
    spans = [(1, 0.0, 0.01, "approved"), (2, 0.02, 0.03, "rejected")]
    assert status_columns(spans, 10.0, 4)[0] == "R"
    assert len(status_columns([(1, 0.0, 36000.0, "drafted")], 36000.0)) == 1000


@pytest.mark.parametrize(
    "text, expected",
    [
        ("#123", ("segment", 123)),
        ("# 7", ("segment", 7)),
        ("12:34", ("time", 754.0)),
        ("1:02:03.5", ("time", 3723.5)),
        ("75.5", ("time", 75.5)),
        ("0:05", ("time", 5.0)),
        ("1:75", None),
        ("abc", None),
        ("", None),
        ("#", None),
        ("-3", None),
    ],
)
def test_parse_goto(text, expected):
    assert parse_goto(text) == expected


def test_segment_at_and_in_project_are_checked_by_project(wb, drafted):
    from workbench.projects.settings import ensure_project

    rec = store.list_recordings(wb.db, drafted.id)[0]
    queue = store.segment_queue(wb.db, drafted.id, recording_id=rec.id)
    assert segment_at(wb, drafted.id, rec.id, queue[1]["start"] + 0.01) == queue[1]["id"]
    assert segment_at(wb, drafted.id, rec.id, 10_000) == queue[-1]["id"]  # past the end: the last
    assert segment_in_project(wb, drafted.id, queue[0]["id"])
    other = ensure_project(wb, "other")
    assert not segment_in_project(wb, other.id, queue[0]["id"])
    assert not segment_in_project(wb, drafted.id, 10**6)
    with pytest.raises(NotFound):
        segment_at(wb, other.id, rec.id, 0.0)  # the recording is not in that project
    stranger = as_user(wb, "stranger")  # a member of both projects made so far...
    store.set_members(wb.db, drafted.id, [])  # ...then of none of drafted's
    with pytest.raises(Forbidden):
        recording_columns(stranger, drafted.id, rec.id)
    with pytest.raises(Forbidden):
        segment_in_project(stranger, drafted.id, queue[0]["id"])


def _send(at, wb, kind: str, nonce: str, **fields):
    seg = store.get_segment(wb.db, at.session_state["ed_current"])
    at.session_state["ed_component"] = {
        "action": {
            "type": kind,
            "key": f"{seg.id}-{seg.version}",
            "segment_id": seg.id,
            "version": seg.version,
            "text": "",
            "start": seg.start,
            "end": seg.end,
            "cursor": seg.start,
            "nonce": nonce,
            **fields,
        }
    }
    return at.run()


def test_goto_by_time_by_number_and_refused_for_another_project(home, wb, drafted, monkeypatch):
    from workbench.intake.audio_files import import_paths
    from workbench.projects.settings import ensure_project

    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    other = ensure_project(wb, "other")
    import_paths(wb, other, [tone(home.parent / "o" / "o.wav", 2.0)])
    store.add_drafted_segments(
        wb.db,
        store.list_recordings(wb.db, other.id)[0].id,
        [{"start": 0.0, "end": 1.0, "text": "elsewhere"}],
        author="t",
    )
    foreign = store.segment_queue(wb.db, other.id)[0]["id"]
    at = open_page(home, "workbench/pages/editor.py", drafted.id)
    assert not at.exception
    first = at.session_state["ed_current"]
    rec_id = store.get_segment(wb.db, first).recording_id
    queue = store.segment_queue(wb.db, drafted.id, recording_id=rec_id)

    _send(at, wb, "goto", "t1", time=queue[2]["start"] + 0.1)  # a minimap click
    assert not at.exception
    assert at.session_state["ed_current"] == queue[2]["id"]
    _send(at, wb, "goto", "t2", query=f"#{queue[1]['id']}")
    assert at.session_state["ed_current"] == queue[1]["id"]
    _send(at, wb, "goto", "t3", query="0:00.2")
    assert at.session_state["ed_current"] == queue[0]["id"]

    _send(at, wb, "goto", "t4", query=f"#{foreign}")  # not this project's: refused, stays
    assert at.session_state["ed_current"] == queue[0]["id"]
    assert f"no segment {foreign} in this project" in said(at, "warning")
    _send(at, wb, "goto", "t5", query="soon")
    assert "Go to what?" in said(at, "warning")
    assert store.get_segment(wb.db, queue[0]["id"]).version == 1  # nothing saved by a goto


def test_context_action_widens_the_view_sent(home, wb, drafted, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    at = open_page(home, "workbench/pages/editor.py", drafted.id)
    _send(at, wb, "context", "c1", context=10.0)
    assert not at.exception
    assert at.session_state["ed_context"] == 10.0
    _send(at, wb, "context", "c2", context=999)  # not a level: back to ±2 s
    assert at.session_state["ed_context"] == 2.0


def test_editor_data_sends_a_wider_view_with_the_same_audio(wb, tmp_path):
    from workbench.core.records import QueueFilter
    from workbench.intake.audio_files import import_paths
    from workbench.labelling.queue import open_segment
    from workbench.projects.settings import ensure_project
    from workbench.ui.editor import VIEW_PEAKS, editor_data, minimap_data

    project = ensure_project(wb, "long")
    import_paths(wb, project, [tone(tmp_path / "long.wav", 120.0)])
    rec = store.list_recordings(wb.db, project.id)[0]
    store.add_drafted_segments(
        wb.db, rec.id, [{"start": 60.0, "end": 62.0, "text": "x"}], author="t"
    )
    view = open_segment(wb, project.id, None, QueueFilter()).view

    def data(context):
        return editor_data(
            view,
            wb.settings.home,
            project_id=project.id,
            tags=[],
            before=None,
            after=None,
            can_prev=False,
            can_next=False,
            context=context,
        )

    narrow, wide = data(2.0), data(30.0)
    assert narrow["view"] == [58.0, 64.0] and wide["view"] == [30.0, 92.0]
    assert narrow["audio"] == wide["audio"] and wide["audio_span"] == [58.0, 64.0]
    assert len(unpack_peaks(wide["peaks"])) <= VIEW_PEAKS < 62 * 100
    mini = minimap_data(wb, project.id, rec)
    assert len(unpack_peaks(mini["peaks"])) == 1000 and len(mini["columns"]) == 1000
    assert mini["columns"][500] == "D" and set(mini["columns"][:490]) == {"."}


def test_minimap_draws_the_users_changes_at_once(wb, drafted):
    from workbench.labelling.labeller_edits import save_segment
    from workbench.projects.settings import ensure_project
    from workbench.ui.editor import minimap_data

    rec = store.list_recordings(wb.db, drafted.id)[0]
    first = store.segment_queue(wb.db, drafted.id, recording_id=rec.id)[0]
    save_segment(wb, first["id"], 1, "fixed", first["start"], first["end"])
    other = ensure_project(wb, "other")
    mini = minimap_data(wb, drafted.id, rec, [first["id"], 10**6])
    assert mini["edits"] == [[round(first["start"], 2), round(first["end"], 2), "l"]]
    from workbench.labelling.overview import changed_spans

    assert changed_spans(wb, other.id, [first["id"]]) == []  # not that project's
    with pytest.raises(NotFound):
        minimap_data(wb, other.id, rec, [])
