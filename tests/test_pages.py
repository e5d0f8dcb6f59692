"""Every page driven with Streamlit's AppTest, as a person would: by widget key."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from workbench import store
from workbench.service import save_segment
from workbench.ui import jobs

PAGES = Path(__file__).resolve().parents[1] / "workbench"


@pytest.fixture
def app(home, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    monkeypatch.delenv("WORKBENCH_DB_URL", raising=False)

    def _open(page: str, project_id: int | None = None) -> AppTest:
        at = AppTest.from_file(str(PAGES / page), default_timeout=60)
        if project_id is not None:
            at.session_state["project_id"] = project_id
        at.session_state["author"] = "ann"
        return at.run()

    return _open


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_overview_lists_projects(app, drafted):
    at = app("app.py")
    _no_errors(at)
    table = at.dataframe[0].value
    assert list(table["project"]) == ["demo"] and int(table["drafted"][0]) == 6


def test_overview_without_projects_says_what_to_do(app, wb):
    at = app("app.py")
    _no_errors(at)
    assert "No projects yet" in at.info[0].value


def test_projects_page_creates_a_project(app, wb):
    at = app("pages/projects.py")
    _no_errors(at)
    at.text_input(key="new_project_name").input("Korean calls")
    at.selectbox(key="new_project_language").select("ko")
    at.button(key="create_project").click().run()
    _no_errors(at)
    project = store.find_project(wb.db, "Korean calls")
    assert project is not None and project.language == "ko"
    assert at.session_state["project_id"] == project.id
    assert "Import audio into Korean calls" in [s.value for s in at.subheader]


def test_projects_page_lists_recordings(app, drafted):
    at = app("pages/projects.py", drafted.id)
    _no_errors(at)
    table = at.dataframe[-1].value
    assert sorted(table["name"]) == ["a.wav", "b.flac"]
    assert sorted(table["original rate (Hz)"]) == [16000, 48000]


def test_drafts_page_runs_a_job_to_the_end(app, wb, tones, fake_engine):
    from workbench.importing import import_paths
    from workbench.service import ensure_project

    project = ensure_project(wb, "d")
    import_paths(wb, project, tones)
    at = app("pages/drafts.py", project.id)
    _no_errors(at)
    at.selectbox(key="asr_engine").select("fake")
    at.text_input(key="asr_model").input("fake-1")
    at.button(key="save_asr_settings").click().run()
    assert store.get_project(wb.db, project.id).asr_engine == "fake"
    at.button(key="start_drafts").click().run()
    _no_errors(at)
    job = store.latest_job(wb.db, project.id, "draft")
    jobs.wait(job.id, timeout=30)
    at.run()
    _no_errors(at)
    assert store.get_job(wb.db, job.id).state == "done"
    assert any("Last draft job: **done**" in s.value for s in at.success)
    assert "**0** recording(s) without a draft" in at.markdown[0].value


def test_drafts_page_reports_a_missing_model(app, wb, tones):
    from workbench.importing import import_paths
    from workbench.service import ensure_project

    project = ensure_project(wb, "m")
    store.update_project(wb.db, project.id, asr_model="/nowhere/model")
    import_paths(wb, project, tones[:1])
    at = app("pages/drafts.py", project.id)
    at.button(key="start_drafts").click().run()
    _no_errors(at)
    assert any("/nowhere/model" in e.value for e in at.error)


def _act(at: AppTest, wb, kind: str, **fields) -> AppTest:
    """Do what the editor component does in the browser: send one action trigger."""
    seg = store.get_segment(wb.db, at.session_state["ed_current"])
    action = {"type": kind, "key": f"{seg.id}-{seg.version}", "segment_id": seg.id,
              "version": seg.version, "text": "", "start": seg.start, "end": seg.end,
              "cursor": seg.start, "active_seconds": 2.5, "nonce": f"{kind}-{seg.version}"}
    at.session_state["ed_component"] = {"action": {**action, **fields}}
    return at.run()


def test_editor_saves_and_moves_to_the_next_segment(app, wb, drafted):
    at = app("pages/editor.py", drafted.id)
    _no_errors(at)
    first = store.segment_queue(wb.db, drafted.id)[0]
    assert at.session_state["ed_current"] == first["id"]
    assert "Segment 1 of 6" in at.markdown[0].value
    _act(at, wb, "save_next", text="corrected  words", end=0.9)
    _no_errors(at)
    revs = store.list_revisions(wb.db, first["id"])
    assert (revs[-1].text, revs[-1].author, revs[-1].end) == ("corrected words", "ann", 0.9)
    assert revs[-1].active_seconds == 2.5
    assert store.get_segment(wb.db, first["id"]).status.value == "labeled"
    assert "Segment 1 of 5" in at.markdown[0].value  # the saved one left the to-do filter
    assert at.session_state["ed_current"] == store.segment_queue(wb.db, drafted.id)[1]["id"]
    assert any("Saved segment" in s.value for s in at.success)


def test_editor_saves_speaker_tags_and_comment(app, wb, drafted):
    store.update_project(wb.db, drafted.id, speakers=["Kim Min-ji", "Lee"])
    at = app("pages/editor.py", drafted.id)
    seg_id = at.session_state["ed_current"]
    at.selectbox(key=f"ed_speaker_{seg_id}_1").select("Kim Min-ji")
    at.multiselect(key=f"ed_tags_{seg_id}_1").select("noise")
    at.text_input(key=f"ed_comment_{seg_id}_1").input("door slam at 0.4 s")
    at.run()
    _act(at, wb, "save", text="w0 x0")
    _no_errors(at)
    seg = store.get_segment(wb.db, seg_id)
    assert (seg.speaker, seg.tags, seg.comment) == ("Kim Min-ji", ("noise",), "door slam at 0.4 s")
    assert store.list_revisions(wb.db, seg_id)[-1].speaker == "Kim Min-ji"


def test_editor_previous_and_skip(app, wb, drafted):
    at = app("pages/editor.py", drafted.id)
    _act(at, wb, "next")
    assert "Segment 2 of 6" in at.markdown[0].value
    _act(at, wb, "prev")
    assert "Segment 1 of 6" in at.markdown[0].value


def test_editor_refuses_a_stale_save(app, wb, drafted):
    at = app("pages/editor.py", drafted.id)
    first = store.segment_queue(wb.db, drafted.id)[0]
    seg = store.get_segment(wb.db, first["id"])
    save_segment(wb, first["id"], 1, "saved in another tab", first["start"], first["end"], "bob")
    at.session_state["ed_component"] = {"action": {
        "type": "save", "key": f"{seg.id}-1", "segment_id": seg.id, "version": 1,
        "text": "my edit", "start": seg.start, "end": seg.end, "cursor": 0, "nonce": "x"}}
    at.run()
    _no_errors(at)
    # refused, with the newer text, although the segment has left the to-do queue meanwhile
    assert any("saved in another tab" in e.value and "saved by someone else" in e.value
               for e in at.error)
    assert store.segment_view(wb.db, first["id"]).text == "saved in another tab"


def test_editor_stale_save_shows_the_newer_text(app, wb, drafted):
    from workbench.editing import apply_action

    first = store.segment_queue(wb.db, drafted.id)[0]
    save_segment(wb, first["id"], 1, "saved in another tab", first["start"], first["end"], "bob")
    outcome = apply_action(wb, {"type": "save", "segment_id": first["id"], "version": 1,
                                "text": "mine", "start": 0.0, "end": 1.0}, "ann")
    assert outcome.kind == "error" and "saved in another tab" in outcome.message


def test_editor_split_merge_delete_undo(app, wb, drafted):
    at = app("pages/editor.py", drafted.id)
    first = at.session_state["ed_current"]
    _act(at, wb, "split", text="w0 x0", cursor=0.45)
    _no_errors(at)
    assert any("Split segment" in s.value for s in at.success)
    assert "of 7" in at.markdown[0].value
    _act(at, wb, "merge", text="w0")
    _no_errors(at)
    assert store.segment_view(wb.db, first).text == "w0 x0"
    _act(at, wb, "delete")
    _no_errors(at)
    assert store.get_segment(wb.db, first).status.value == "deleted"
    at.button(key="ed_undo_delete").click().run()
    _no_errors(at)
    assert store.get_segment(wb.db, first).status.value == "drafted"  # as before the delete


def test_editor_lint_warns_then_saves_on_confirm(app, wb, drafted):
    store.update_project(wb.db, drafted.id, conventions="kspon")
    at = app("pages/editor.py", drafted.id)
    seg_id = at.session_state["ed_current"]
    at.session_state["ed_component"] = {"draft": {"key": f"{seg_id}-1", "text": "(70%)/(칠십 퍼센트 정도"}}
    at.run()
    assert any("dual-transcription" in m.value for m in at.markdown)
    _act(at, wb, "save", text="(70%)/(칠십 퍼센트 정도")
    assert any("convention error" in w.value for w in at.warning)
    assert store.get_segment(wb.db, seg_id).version == 1
    _act(at, wb, "save", text="(70%)/(칠십 퍼센트 정도", nonce="again")
    assert store.get_segment(wb.db, seg_id).version == 2


def test_editor_history_restores_a_revision(app, wb, drafted):
    first = store.segment_queue(wb.db, drafted.id)[0]
    save_segment(wb, first["id"], 1, "second words", first["start"], first["end"], "ann")
    at = app("pages/editor.py", drafted.id)
    at.multiselect(key="ed_status").select("labeled").run()
    at.session_state["ed_current"] = first["id"]
    at.run()
    assert any("<del" in m.value or "<ins" in m.value for m in at.markdown)
    at.button(key=f"ed_restore_{first['id']}_1").click().run()
    _no_errors(at)
    assert store.segment_view(wb.db, first["id"]).text == first["text"]


def test_editor_without_segments_explains(app, wb):
    from workbench.service import ensure_project

    project = ensure_project(wb, "empty")
    at = app("pages/editor.py", project.id)
    _no_errors(at)
    assert "No segments match" in at.info[0].value


def test_export_page_exports_and_lists(app, wb, drafted):
    for q in store.segment_queue(wb.db, drafted.id)[:2]:
        save_segment(wb, q["id"], 1, "ok", q["start"], q["end"], "ann")
    at = app("pages/export.py", drafted.id)
    _no_errors(at)
    at.button(key="export_button").click().run()
    _no_errors(at)
    assert any("Exported 2 segments" in s.value for s in at.success)
    past = store.list_exports(wb.db, drafted.id)
    assert len(past) == 1 and Path(past[0]["path"]).with_suffix(".zip").is_file()


def test_export_page_says_when_nothing_matches(app, wb, drafted):
    at = app("pages/export.py", drafted.id)
    at.selectbox(key="export_status").select("approved")
    at.button(key="export_button").click().run()
    assert any("no segments with status 'approved'" in e.value for e in at.error)


def test_drafts_page_saves_prompt_and_cutting_settings(app, wb, drafted):
    at = app("pages/drafts.py", drafted.id)
    at.text_area(key="asr_prompt").input("ComfyUI, KsponSpeech")
    at.number_input(key="asr_max_segment").set_value(15.0)
    at.number_input(key="asr_min_segment").set_value(1.0)
    at.checkbox(key="asr_per_channel").check()
    at.button(key="save_asr_settings").click().run()
    _no_errors(at)
    project = store.get_project(wb.db, drafted.id)
    assert (project.prompt, project.max_segment, project.min_segment, project.per_channel) == (
        "ComfyUI, KsponSpeech", 15.0, 1.0, True)


def test_editor_filters_flagged_and_shows_why(app, wb, drafted):
    import sqlalchemy as sa

    first = store.segment_queue(wb.db, drafted.id)[0]
    with wb.db.begin() as conn:
        conn.execute(sa.update(store.segments).values(flags=""))
        conn.execute(sa.update(store.segments).where(store.segments.c.id == first["id"])
                     .values(flags="repetition"))
    at = app("pages/editor.py", drafted.id)
    at.checkbox(key="ed_flagged").check().run()
    _no_errors(at)
    assert "Segment 1 of 1" in at.markdown[0].value
    assert any("repeats itself" in w.value for w in at.warning)
