"""Every page driven with Streamlit's AppTest, as a person would: by widget key."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP, as_user, session_token
from tests.helpers.pages import _act, _no_errors, said
from workbench import store
from workbench.core.messages import use_language
from workbench.labelling.labeller_edits import save_segment
from workbench.ui import jobs
from workbench.ui.common import form_key


def _key(wb, project_id: int, name: str) -> str:
    return form_key(store.get_project(wb.db, project_id), name)


def test_overview_lists_projects(app, drafted):
    at = app()
    _no_errors(at)
    table = at.dataframe[0].value
    assert list(table["project"]) == ["demo"] and int(table["drafted"][0]) == 6


def test_overview_without_projects_says_what_to_do(app, wb):
    at = app()
    _no_errors(at)
    assert "No projects yet" in at.info[0].value


def test_projects_page_creates_a_project(app, wb):
    at = app("workbench/pages/projects.py")
    _no_errors(at)
    at.text_input(key="new_project_name").input("Korean calls")
    at.selectbox(key="new_project_language").select("ko")
    at.button(key="create_project").click().run()
    use_language("en")  # the page set this thread's language too: Korean, the new project's
    _no_errors(at)
    project = store.find_project(wb.db, "Korean calls")
    assert project is not None and project.language == "ko"
    assert project.conventions == "kspon"  # suggested when ko was chosen
    assert at.session_state["project_id"] == project.id
    # the owner never chose a language: the new Korean project speaks Korean to them
    assert "Korean calls에 오디오 가져오기" in [s.value for s in at.subheader]


def test_the_kspon_suggestion_for_korean_may_be_declined(app, wb):
    at = app("workbench/pages/projects.py")
    at.text_input(key="new_project_name").input("Korean, own rules")
    at.selectbox(key="new_project_language").select("ko").run()
    assert at.selectbox(key="new_project_conventions").value == "kspon"
    assert any("chosen for you" in c.value for c in at.caption)
    at.selectbox(key="new_project_conventions").select("plain").run()
    assert any("you chose plain" in c.value for c in at.caption)
    at.button(key="create_project").click().run()
    _no_errors(at)
    project = store.find_project(wb.db, "Korean, own rules")
    assert project is not None and (project.language, project.conventions) == ("ko", "plain")


def test_projects_page_lists_recordings(app, drafted):
    at = app("workbench/pages/projects.py", drafted.id)
    _no_errors(at)
    table = at.dataframe[-1].value
    assert sorted(table["name"]) == ["a.wav", "b.flac"]
    assert sorted(table["original rate (Hz)"]) == [16000, 48000]


def test_the_import_report_lists_a_file_imported_with_a_warning(app, drafted):
    from workbench.intake.audio_files import ImportItem, ImportReport

    at = app("workbench/pages/projects.py", drafted.id)
    at.session_state["import_report"] = (
        drafted.id,
        ImportReport(
            (
                ImportItem("whole.wav", "imported", "", 1, 3.0),
                ImportItem("cut.mp4", "imported", "it may be cut short: ...", 2, 3.0, warning=True),
            )
        ),
    )
    at.run()
    _no_errors(at)
    listed = "\n".join(m.value for m in at.markdown)
    assert "cut.mp4" in listed and "it may be cut short" in listed
    assert "whole.wav" not in listed


def test_drafts_page_runs_a_job_to_the_end(app, wb, tones, fake_engine):
    from workbench.intake.audio_files import import_paths
    from workbench.projects.settings import ensure_project

    project = ensure_project(wb, "d")
    import_paths(wb, project, tones)
    at = app("workbench/pages/drafts.py", project.id)
    _no_errors(at)
    store.update_project(wb.db, project.id, asr_engine="fake", asr_model="fake-1")
    at.run()
    assert at.selectbox(key=_key(wb, project.id, "asr_engine")).value == "fake"
    at.button(key="start_drafts").click().run()
    _no_errors(at)
    job = store.latest_job(wb.db, project.id, "draft")
    jobs.wait(job.id, timeout=30)
    at.run()
    _no_errors(at)
    assert store.get_job(wb.db, job.id).state == "done"
    assert any("Last draft job: **done**" in s.value for s in at.success)
    assert "**0** recording(s) without a draft" in at.markdown[0].value


def test_start_drafts_uses_the_hotwords_the_form_shows(app, wb, tones, fake_engine):
    """Hotwords typed and not saved are what the job drafts with (and are saved)."""
    from workbench.intake.audio_files import import_paths
    from workbench.projects.settings import ensure_project

    project = ensure_project(wb, "h")
    store.update_project(wb.db, project.id, asr_engine="fake", asr_model="fake-1")
    import_paths(wb, project, tones[:1])
    at = app("workbench/pages/drafts.py", project.id)
    at.text_area(key=_key(wb, project.id, "asr_prompt")).input("카카오톡, KsponSpeech")
    at.button(key="start_drafts").click().run()  # Save settings never pressed
    _no_errors(at)
    job = store.latest_job(wb.db, project.id, "draft")
    jobs.wait(job.id, timeout=30)
    assert store.get_job(wb.db, job.id).state == "done"
    assert {o.initial_prompt for o in fake_engine.asked} == {"카카오톡, KsponSpeech"}
    assert store.get_project(wb.db, project.id).prompt == "카카오톡, KsponSpeech"


def test_drafts_page_reports_a_missing_model(app, wb, tones):
    from workbench.intake.audio_files import import_paths
    from workbench.projects.settings import ensure_project

    project = ensure_project(wb, "m")
    store.update_project(wb.db, project.id, asr_model="/nowhere/model")
    import_paths(wb, project, tones[:1])
    at = app("workbench/pages/drafts.py", project.id)
    at.button(key="start_drafts").click().run()
    _no_errors(at)
    assert any("could not be loaded" in e.value for e in at.error)
    assert not any("/nowhere" in e.value for e in at.error)  # no server path reaches the browser


def test_editor_saves_and_moves_to_the_next_segment(app, wb, drafted):
    at = app("workbench/pages/editor.py", drafted.id)
    _no_errors(at)
    first = store.segment_queue(wb.db, drafted.id)[0]
    assert at.session_state["ed_current"] == first["id"]
    assert "Segment 1 of 6" in at.markdown[0].value
    _act(at, wb, "save_next", text="corrected  words", end=0.9)
    _no_errors(at)
    revs = store.list_revisions(wb.db, first["id"])
    assert (revs[-1].text, revs[-1].author, revs[-1].end) == ("corrected words", "local", 0.9)
    assert revs[-1].active_seconds == 2.5
    assert store.get_segment(wb.db, first["id"]).status.value == "labeled"
    assert "Segment 1 of 5" in at.markdown[0].value  # the saved one left the to-do filter
    assert at.session_state["ed_current"] == store.segment_queue(wb.db, drafted.id)[1]["id"]
    assert "Saved segment" in said(at, "success")


def test_editor_saves_speaker_tags_and_comment(app, wb, drafted):
    store.update_project(wb.db, drafted.id, speakers=["Kim Min-ji", "Lee"])
    at = app("workbench/pages/editor.py", drafted.id)
    # the component sends the fields beside the text with the save; choices the page did not
    # offer (a speaker or a tag not listed) are dropped
    seg_id = at.session_state["ed_current"]
    _act(at, wb, "save", text="w0 x0", speaker="Nobody", tags=["made-up"], comment="")
    _no_errors(at)
    seg = store.get_segment(wb.db, seg_id)
    assert (seg.version, seg.speaker, seg.tags, seg.comment) == (2, None, (), "")
    seg_id = at.session_state["ed_current"]  # the saved one left the to-do queue
    _act(
        at,
        wb,
        "save",
        text="w0 x0",
        speaker="Kim Min-ji",
        tags=["noise", "made-up"],
        comment="door slam at 0.4 s",
        nonce="second",
    )
    _no_errors(at)
    seg = store.get_segment(wb.db, seg_id)
    assert (seg.speaker, seg.tags, seg.comment) == ("Kim Min-ji", ("noise",), "door slam at 0.4 s")
    assert store.list_revisions(wb.db, seg_id)[-1].speaker == "Kim Min-ji"


def test_editor_previous_and_skip(app, wb, drafted):
    at = app("workbench/pages/editor.py", drafted.id)
    _act(at, wb, "next")
    assert "Segment 2 of 6" in at.markdown[0].value
    _act(at, wb, "prev")
    assert "Segment 1 of 6" in at.markdown[0].value


def test_editor_refuses_a_stale_save(app, wb, drafted):
    at = app("workbench/pages/editor.py", drafted.id, user=("olga", "owner"))
    first = store.segment_queue(wb.db, drafted.id)[0]
    seg = store.get_segment(wb.db, first["id"])
    save_segment(
        as_user(wb, "bob"), first["id"], 1, "saved in another tab", first["start"], first["end"]
    )
    at.session_state["ed_component"] = {
        "action": {
            "type": "save",
            "key": f"{seg.id}-1",
            "segment_id": seg.id,
            "version": 1,
            "text": "my edit",
            "start": seg.start,
            "end": seg.end,
            "cursor": 0,
            "nonce": "x",
        }
    }
    at.run()
    _no_errors(at)
    # refused, with the newer text, although the segment has left the to-do queue meanwhile
    assert "was saved since you opened it" in said(at, "error")
    assert any("saved in another tab" in t.value for t in at.text)  # the newer text, beside
    assert store.segment_view(wb.db, first["id"]).text == "saved in another tab"


def test_editor_stale_save_shows_the_newer_text(app, wb, drafted):
    from workbench.labelling.editor_actions import apply_action

    first = store.segment_queue(wb.db, drafted.id)[0]
    save_segment(
        as_user(wb, "bob"), first["id"], 1, "saved in another tab", first["start"], first["end"]
    )
    outcome = apply_action(
        as_user(wb, "ann"),
        {
            "type": "save",
            "segment_id": first["id"],
            "version": 1,
            "text": "mine",
            "start": first["start"],
            "end": first["end"],
        },
        shown=first["id"],
    )
    assert outcome.kind == "error" and "was saved since you opened it" in outcome.message
    assert (outcome.mine, outcome.theirs) == ("mine", "saved in another tab")  # side by side


def test_editor_split_merge_delete_undo(app, wb, drafted):
    at = app("workbench/pages/editor.py", drafted.id)
    first = at.session_state["ed_current"]
    _act(at, wb, "split", text="w0 x0", cursor=0.45)
    _no_errors(at)
    assert "Split segment" in said(at, "success")
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
    at = app("workbench/pages/editor.py", drafted.id)
    seg_id = at.session_state["ed_current"]
    at.session_state["ed_component"] = {
        "draft": {"key": f"{seg_id}-1", "text": "(70%)/(칠십 퍼센트 정도"}
    }
    at.run()
    assert any("never closed" in m.value for m in at.markdown)  # the worker's words, no rule id
    _act(at, wb, "save", text="(70%)/(칠십 퍼센트 정도")
    assert "convention error" in said(at, "warning")
    assert store.get_segment(wb.db, seg_id).version == 1
    _act(at, wb, "save", text="(70%)/(칠십 퍼센트 정도", nonce="again")
    assert store.get_segment(wb.db, seg_id).version == 2


def test_editor_lint_passes_over_the_space_a_tag_leaves_at_the_end(app, wb, drafted):
    store.update_project(wb.db, drafted.id, conventions="kspon")
    at = app("workbench/pages/editor.py", drafted.id)
    seg_id = at.session_state["ed_current"]
    at.session_state["ed_component"] = {"draft": {"key": f"{seg_id}-1", "text": "그 n/ "}}
    at.run()  # the tag button left "n/ " at the end: the save trims it, the lint says nothing
    assert not any("Space at the end" in m.value for m in at.markdown)
    at.session_state["ed_component"] = {"draft": {"key": f"{seg_id}-1", "text": " 그 n/"}}
    at.run()
    assert any("Space at the start" in m.value for m in at.markdown)


def _editor_sent(at) -> dict:
    """The data the page sent the editor component on its last run."""
    (editor,) = [e for e in at.get("bidi_component") if e.proto.component_name.endswith("editor")]
    return json.loads(editor.proto.json)


def test_editor_offers_typed_numbers_in_a_korean_project(app, wb, drafted):
    store.update_project(wb.db, drafted.id, language="ko", conventions="kspon")
    at = app("workbench/pages/editor.py", drafted.id)
    _no_errors(at)
    assert _editor_sent(at)["numerals"] == []  # the draft has no digits
    seg_id = at.session_state["ed_current"]
    at.session_state["ed_component"] = {"draft": {"key": f"{seg_id}-1", "text": "약 70% 정도"}}
    at.run()
    _no_errors(at)
    offer = {"start": 2, "end": 5, "text": "70%", "dual": "(70%)/(칠십 퍼센트)"}
    assert _editor_sent(at)["numerals"] == [offer]
    assert store.segment_view(wb.db, seg_id).text != "약 (70%)/(칠십 퍼센트) 정도"  # not applied
    store.update_project(wb.db, drafted.id, language="en", conventions="verbatim-en")
    at = app("workbench/pages/editor.py", drafted.id)
    at.session_state["ed_component"] = {"draft": {"key": f"{seg_id}-1", "text": "약 70% 정도"}}
    at.run()
    assert _editor_sent(at)["numerals"] == []  # not a Korean project


def test_editor_history_restores_a_revision(app, wb, drafted):
    first = store.segment_queue(wb.db, drafted.id)[0]
    save_segment(as_user(wb, "ann"), first["id"], 1, "second words", first["start"], first["end"])
    at = app("workbench/pages/editor.py", drafted.id, user=("olga", "owner"))
    at.multiselect(key=f"ed_status_{drafted.id}").select("labeled").run()
    at.session_state["ed_current"] = first["id"]
    at.run()
    assert any("<del" in m.value or "<ins" in m.value for m in at.markdown)
    at.button(key=f"ed_restore_{first['id']}_1").click().run()
    _no_errors(at)
    assert store.segment_view(wb.db, first["id"]).text == first["text"]


def test_editor_without_segments_explains(app, wb):
    from workbench.projects.settings import ensure_project

    project = ensure_project(wb, "empty")
    at = app("workbench/pages/editor.py", project.id)
    _no_errors(at)
    assert "No segments match" in at.info[0].value


def test_export_page_exports_and_lists(app, wb, drafted):
    for q in store.segment_queue(wb.db, drafted.id)[:2]:
        save_segment(as_user(wb, "ann"), q["id"], 1, "ok", q["start"], q["end"])
    at = app("workbench/pages/export.py", drafted.id, user=("olga", "owner"))
    _no_errors(at)
    at.button(key="export_button").click().run()
    _no_errors(at)
    assert any("Exported 2 segments" in s.value for s in at.success)
    past = store.list_exports(wb.db, drafted.id)
    assert len(past) == 1 and Path(past[0]["path"]).with_suffix(".zip").is_file()


def test_export_page_says_when_nothing_matches(app, wb, drafted):
    at = app("workbench/pages/export.py", drafted.id)
    at.selectbox(key="export_status").select("approved")
    at.button(key="export_button").click().run()
    assert any("no segments with status 'approved'" in e.value for e in at.error)


def test_drafts_page_saves_prompt_and_cutting_settings(app, wb, drafted):
    at = app("workbench/pages/drafts.py", drafted.id)
    at.text_area(key=_key(wb, drafted.id, "asr_prompt")).input("ComfyUI, KsponSpeech")
    at.number_input(key=_key(wb, drafted.id, "asr_max_segment")).set_value(15.0)
    at.number_input(key=_key(wb, drafted.id, "asr_min_segment")).set_value(1.0)
    at.checkbox(key=_key(wb, drafted.id, "asr_per_channel")).check()
    at.button(key=_key(wb, drafted.id, "save_asr_settings")).click().run()
    _no_errors(at)
    project = store.get_project(wb.db, drafted.id)
    assert (project.prompt, project.max_segment, project.min_segment, project.per_channel) == (
        "ComfyUI, KsponSpeech",
        15.0,
        1.0,
        True,
    )


def test_editor_filters_flagged_and_shows_why(app, wb, drafted):
    import sqlalchemy as sa

    first = store.segment_queue(wb.db, drafted.id)[0]
    with wb.db.begin() as conn:
        conn.execute(sa.update(store.segments).values(flags=""))
        conn.execute(
            sa.update(store.segments)
            .where(store.segments.c.id == first["id"])
            .values(flags="repetition")
        )
    at = app("workbench/pages/editor.py", drafted.id)
    at.checkbox(key=f"ed_flagged_{drafted.id}").check().run()
    _no_errors(at)
    assert "Segment 1 of 1" in at.markdown[0].value
    assert any("repeats itself" in w.value for w in at.warning)


# ---------------------------------------------------------------- state that follows the user


def test_settings_form_follows_the_chosen_project(app, wb):
    from workbench.projects.settings import ensure_project

    ko = ensure_project(wb, "Korean calls", "ko", "kspon")
    en = ensure_project(wb, "English", "en", "plain")
    store.update_project(wb.db, ko.id, guidelines="숫자는 한글로")
    at = app("workbench/pages/projects.py", en.id)
    assert at.text_area(key=_key(wb, en.id, "set_guidelines")).value == ""
    at.selectbox(key="sidebar_project").select(ko.id).run()
    _no_errors(at)
    assert at.query_params["project"] == [str(ko.id)] or at.query_params["project"] == str(ko.id)
    assert at.selectbox(key=_key(wb, ko.id, "set_conventions")).value == "kspon"
    assert at.text_area(key=_key(wb, ko.id, "set_guidelines")).value == "숫자는 한글로"
    at.text_input(key=_key(wb, ko.id, "set_speakers")).input("A, B")
    at.button(key=_key(wb, ko.id, "save_project_settings")).click().run()
    _no_errors(at)
    ko, en = store.get_project(wb.db, ko.id), store.get_project(wb.db, en.id)
    assert (ko.conventions, ko.language, ko.speakers, ko.guidelines) == (
        "kspon",
        "ko",
        ("A", "B"),
        "숫자는 한글로",
    )
    assert (en.conventions, en.speakers) == ("plain", ())


def test_drafts_form_follows_the_chosen_project(app, wb):
    from workbench.projects.settings import ensure_project

    one = ensure_project(wb, "one")
    two = ensure_project(wb, "two")
    store.update_project(wb.db, two.id, prompt="KsponSpeech", max_segment=12.0)
    at = app("workbench/pages/drafts.py", one.id)
    at.selectbox(key="sidebar_project").select(two.id).run()
    assert at.text_area(key=_key(wb, two.id, "asr_prompt")).value == "KsponSpeech"
    assert at.number_input(key=_key(wb, two.id, "asr_max_segment")).value == 12.0
    at.button(key=_key(wb, two.id, "save_asr_settings")).click().run()
    assert store.get_project(wb.db, one.id).prompt is None


def test_the_url_names_the_project_and_creating_one_switches_to_it(app, wb):
    from workbench.projects.settings import ensure_project

    ensure_project(wb, "alpha")
    beta = ensure_project(wb, "beta")
    at = app("workbench/pages/projects.py", beta.id)
    assert at.session_state["project_id"] == beta.id  # not the first by name
    at.text_input(key="new_project_name").input("gamma")
    at.button(key="create_project").click().run()
    gamma = store.find_project(wb.db, "gamma")
    assert at.session_state["project_id"] == gamma.id
    assert str(gamma.id) in str(at.query_params["project"])


def test_editor_filters_are_kept_per_user(app, wb, drafted):
    at = app("workbench/pages/editor.py", drafted.id)
    at.checkbox(key=f"ed_flagged_{drafted.id}").check().run()
    at.selectbox(key=f"ed_order_{drafted.id}").select("flags first").run()
    at.switch_page("workbench/pages/overview.py").run()
    at.switch_page("workbench/pages/editor.py").run()
    assert at.checkbox(key=f"ed_flagged_{drafted.id}").value is True
    fresh = app("workbench/pages/editor.py", drafted.id)  # a new session of the same user
    assert fresh.selectbox(key=f"ed_order_{drafted.id}").value == "flags first"


def test_the_url_names_the_editor_segment(app, wb, drafted):
    third = store.segment_queue(wb.db, drafted.id)[2]
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["project"] = str(drafted.id)
    at.query_params["segment"] = str(third["id"])
    at.run()
    at.switch_page("workbench/pages/editor.py").run()
    _no_errors(at)
    assert at.session_state["ed_current"] == third["id"]
    assert "Segment 3 of 6" in at.markdown[0].value


# ---------------------------------------------------------------- people and roles


def test_without_accounts_the_app_says_it_is_unprotected(app, wb):
    at = app()
    assert any("Unprotected" in w.value for w in at.sidebar.warning)
    at.switch_page("workbench/pages/setup.py").run()
    at.text_input(key="owner_name").input("olga")
    at.text_input(key="owner_password").input("owner-pass-1")
    at.text_input(key="owner_password_again").input("owner-pass-1")
    at.button(key="create_owner").click().run()
    _no_errors(at)
    assert store.find_user(wb.db, "olga")[0].role.value == "owner"
    assert not any("Unprotected" in w.value for w in at.sidebar.warning)


def test_once_accounts_exist_strangers_see_only_sign_in(app, wb, drafted):
    session_token(wb.settings.home, "olga")
    at = AppTest.from_file(str(APP), default_timeout=60)  # a browser without a session
    at.query_params["project"] = str(drafted.id)
    at.run()
    _no_errors(at)
    assert [t.value for t in at.title] == ["Speech workbench"]
    assert not at.dataframe  # no project table for strangers
    at.text_input(key="sign_in_name").input("olga")
    at.text_input(key="sign_in_password").input("wrong")
    at.button(key="sign_in_button").click().run()
    assert any("wrong name or password" in e.value for e in at.error)
    at.text_input(key="sign_in_password").input("owner-pass-1")
    at.button(key="sign_in_button").click().run()
    _no_errors(at)
    assert at.dataframe[0].value["project"].tolist() == ["demo"]


def test_a_labeller_gets_only_the_labelling_pages(app, wb, drafted):
    at = app("workbench/pages/editor.py", drafted.id, user=("lena", "labeler"))
    _no_errors(at)
    assert "Segment 1 of 6" in at.markdown[0].value
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("workbench/pages/export.py").run()


def test_people_page_adds_an_account_and_shows_its_password_once(app, wb, drafted):
    at = app("workbench/pages/people.py", drafted.id, user=("olga", "owner"))
    _no_errors(at)
    at.text_input(key="add_name").input("newbie")
    at.selectbox(key="add_role").select("reviewer")
    at.button(key="add_person_button").click().run()
    _no_errors(at)
    assert store.find_user(wb.db, "newbie")[0].role.value == "reviewer"
    assert len(at.code) == 1 and len(at.code[0].value) >= 8
    at.run()
    assert not at.code  # shown once


def test_user_text_is_shown_as_text(app, wb, drafted):
    import sqlalchemy as sa

    evil = "![x](http://evil.example/p.png) **bold** <b>html</b>"
    with wb.db.begin() as conn:
        conn.execute(sa.update(store.recordings).values(original_name=evil))
    first = store.segment_queue(wb.db, drafted.id)[0]
    save_segment(as_user(wb, "ann"), first["id"], 1, evil, first["start"], first["end"])
    at = app("workbench/pages/editor.py", drafted.id, user=("olga", "owner"))
    at.multiselect(key=f"ed_status_{drafted.id}").select("labeled").run()
    at.session_state["ed_current"] = first["id"]
    at.run()
    _no_errors(at)
    shown = "\n".join(m.value for m in at.markdown)
    assert "![x](http" not in shown and "**bold**" not in shown and "<b>html" not in shown
    assert r"\!\[x\]" in shown


def test_a_deactivated_labeller_cannot_save_from_an_open_editor(app, wb, drafted):
    from workbench.projects import people

    at = app("workbench/pages/editor.py", drafted.id, user=("lena", "labeler"))
    seg_id = at.session_state["ed_current"]
    olga = wb.as_user(store.find_user(wb.db, "olga")[0])
    people.set_active(olga, store.find_user(wb.db, "lena")[0].id, False)
    _act(at, wb, "save", text="saved after deactivation")
    assert store.get_segment(wb.db, seg_id).version == 1  # refused: the session has ended
    # a full rerun shows the sign-in page; a rerun of the editor alone says the session ended
    assert at.button(key="sign_in_button") or any(
        "session has ended" in w.value for w in at.warning
    )


def test_every_table_shows_a_missing_value_as_a_dash_not_none():
    """st.dataframe shows a missing value as 'None' unless told otherwise: every table of
    every page is given the placeholder."""
    import ast

    from workbench.ui.common import MISSING

    assert MISSING == "–"
    pages = Path(__file__).resolve().parents[2] / "workbench" / "pages"
    tables = 0
    for page in sorted(pages.glob("*.py")):
        for node in ast.walk(ast.parse(page.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("dataframe", "data_editor")
            ):
                tables += 1
                given = {k.arg: k.value for k in node.keywords}
                assert "placeholder" in given, f"{page.name}:{node.lineno}"
                assert ast.unparse(given["placeholder"]) == "MISSING", f"{page.name}:{node.lineno}"
    assert tables >= 20
