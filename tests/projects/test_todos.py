"""What needs the owner: the to-dos of a project (speech no segment covers, recordings not
drafted or drafted into nothing, labellers stopped), the gold bucket of the status counts, and
the Overview that lists them."""

from __future__ import annotations

import pytest

from tests.conftest import as_user, tone
from workbench import store
from workbench.core.access import Forbidden
from workbench.crowd.gold import mark_gold
from workbench.intake.audio_files import import_paths
from workbench.labelling.labeller_edits import delete
from workbench.projects.settings import project_status
from workbench.projects.todos import owner_todos


@pytest.fixture
def neglected(wb, drafted, tmp_path):
    """'demo' with: a.wav's second segment deleted (the tone under it now uncovered), b.wav's
    first segment gold, and c.wav imported but not drafted."""
    a, b = store.list_recordings(wb.db, drafted.id)
    queue = store.segment_queue(wb.db, drafted.id)
    second = [q for q in queue if q["recording_id"] == a.id][1]
    delete(wb, second["id"], store.get_segment(wb.db, second["id"]).version)
    gold = next(q for q in queue if q["recording_id"] == b.id)
    mark_gold(wb, gold["id"], "the gold text")
    import_paths(wb, drafted, [tone(tmp_path / "more" / "c.wav", 2.0)])
    return drafted


def test_gold_segments_are_counted_apart_from_the_drafted(wb, neglected):
    counts = project_status(wb, neglected)["segments"]
    assert (counts["drafted"], counts["gold"], counts["deleted"]) == (4, 1, 1)
    assert list(counts)[:3] == ["new", "drafted", "gold"]


def test_the_owner_is_told_what_needs_them(wb, neglected):
    todos = {t.page: t for t in owner_todos(wb, neglected)}
    assert set(todos) == {"Drafts", "Editor"}
    assert todos["Drafts"].count == 1 and "not drafted yet" in todos["Drafts"].what
    assert todos["Editor"].count == 1  # the deleted segment's tone
    assert "a.wav" in todos["Editor"].what and "b.flac" not in todos["Editor"].what
    for name, role in (("lena", "labeler"), ("rita", "reviewer")):
        with pytest.raises(Forbidden):
            owner_todos(as_user(wb, name, role), neglected)


def test_a_drafted_project_fully_covered_needs_nothing(wb, drafted):
    assert owner_todos(wb, drafted) == []


def test_a_labeller_who_failed_the_qualification_test_is_a_to_do(wb, drafted):
    from workbench.crowd import qualification
    from workbench.projects.settings import update_settings

    update_settings(wb, drafted.id, qualify_required=True, qualify_max_error=0.05)
    ids = [q["id"] for q in store.segment_queue(wb.db, drafted.id)]
    mark_gold(wb, ids[0], "w0 x0", in_test=True)
    ann = as_user(wb, "ann")
    task = qualification.next_step(ann, drafted.id).task
    qualification.answer(ann, drafted.id, task.segment_id, "all wrong words")
    project = store.get_project(wb.db, drafted.id)
    (todo,) = [t for t in owner_todos(wb, project) if t.page == "Team"]
    assert "ann" in todo.what and todo.count == 1


def test_the_overview_lists_the_to_dos_for_owners_only(home, wb, neglected):
    from tests.conftest import open_page

    at = open_page(home, "workbench/pages/overview.py", neglected.id, ("olga", "owner"))
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert table["gold"][0] == 1 and table["drafted"][0] == 4
    shown = "\n".join(m.value for m in at.markdown)
    assert "Needs you" in [h.value for h in at.subheader]
    assert "not drafted yet" in shown and "no segment" in shown and "a.wav" in shown
    at = open_page(home, "workbench/pages/overview.py", neglected.id, ("lena", "labeler"))
    assert "Needs you" not in [h.value for h in at.subheader]
