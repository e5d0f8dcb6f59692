"""A person's edits of segments as use cases: who may make each, the revision it writes
(`segment_edits`), and everything a save sets off beyond it, in order, in one place.

Before anything is written, the gates (`cleared`): the acting user may label in the project,
nobody else holds the segment (`crowd.claims`), and their queue is open: the qualification test
passed, no pause under the crowd's defect rules, not a gold segment (`crowd.qualification`).
A save then goes to review or passes (`review.sampling`), writes its revision, releases the
claim on the segment (`crowd.claims`) and may draw it for a blind second label
(`crowd.double_labelling`): see `save`. The editor, the pages, the CLI, the tests and the
benchmarks edit through here, never through `segment_edits` alone.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from workbench import store
from workbench.core.access import Action, require
from workbench.core.records import TODO, Edit, Revision, Role, Status
from workbench.core.workbench import Workbench
from workbench.crowd import claims as crowd_claims
from workbench.crowd import double_labelling, qualification
from workbench.labelling import segment_edits
from workbench.labelling.segment_edits import Target
from workbench.review.sampling import status_after_labelling

log = logging.getLogger(__name__)

__all__ = [
    "add_segment",
    "claims_project",
    "cleared",
    "delete",
    "live_segment",
    "merge_next",
    "restore",
    "save",
    "save_segment",
    "split_at",
    "undo_delete",
    "undo_delete_now",
]


def cleared(wb: Workbench, segment_id: int) -> Target:
    """The segment, if the acting user may edit it now (the gates of every edit, see the
    module); their name is the revision's author. Forbidden, Claimed or Closed otherwise."""
    view = store.segment_view(wb.db, segment_id)
    user = require(wb, Action.LABEL, view.recording.project_id)
    project = store.get_project(wb.db, view.recording.project_id)
    crowd_claims.check_free(wb, view, project)  # nobody else holds it
    # the test passed, no pause under the defect rules, not a gold segment
    qualification.check_open(wb, project, user, segment_id)
    return Target(view, user.name, project)


def live_segment(wb: Workbench, segment_id: int) -> Target:
    """As `cleared`, for a segment that is not deleted (InvalidEdit when it is)."""
    return segment_edits.live(cleared(wb, segment_id))


def save(wb: Workbench, segment_id: int, version: int, edit: Edit) -> Revision:
    """Save the acting user's edit (text NFC-normalised, bounds checked) as a new revision,
    with everything a save sets off, in this order:

    1. the gates (`cleared`); the segment is live, the edit well formed (`segment_edits.checked`:
       a save never approves or rejects, only a review does; the draft's flags re-evaluated);
    2. review sampling: a 'labeled' save stays 'labeled' (to review) or is 'passed', as the
       project's sampling draws it (a rejected or flagged segment is always reviewed);
    3. the revision written (StaleEdit when someone saved since `version`);
    4. the acting user's claim on it released (by recording: when none of it is left to do);
    5. the draw for double labelling: the segment may be wanted for a blind second label.

    While another process holds the database past the wait, store.DatabaseLocked says so and
    nothing is saved; once the revision is written, a lock on 4 and 5 is logged (the claim
    expires on its own), and the save stands.
    """
    with store.refused_while_locked():
        target = cleared(wb, segment_id)  # 1. the gates
        edit = segment_edits.checked(target, edit)
        if edit.status is Status.LABELLED:  # 2. to review, or passed
            edit = replace(edit, status=_to_review_or_passed(wb, target, edit.flags or ()))
        revision = segment_edits.revise(wb, target, version, edit)  # 3. the revision
    try:
        with store.refused_while_locked():
            crowd_claims.after_save(wb, target.view, target.project, TODO)  # 4. claim released
            double_labelling.draw_double(wb, target.project, segment_id)  # 5. a second label?
    except store.DatabaseLocked:
        log.warning(
            "segment %d saved as revision %d, but the database was locked for its claim "
            "and the double-labelling draw",
            segment_id,
            revision.n,
            exc_info=True,
        )
    return revision


def _to_review_or_passed(wb: Workbench, target: Target, flags: tuple[str, ...]) -> Status:
    """'labeled' (to review) or 'passed', as the project's review sampling draws the save."""
    project, seg = target.project, target.view.segment
    if project.review_share >= 1.0:  # no sampling: skip the query on the editor's hot path
        return Status.LABELLED
    reviews, rejections = store.verdicts_on(wb.db, project.id, target.author)
    return status_after_labelling(project, seg.id, seg.status, flags, reviews, rejections)


def save_segment(
    wb: Workbench, segment_id: int, expected_version: int, text: str, start: float, end: float
) -> Revision:
    """Save the acting user's text and boundaries as a new revision; the segment is `labeled`.

    Speaker, tags and comment stay as they are (see `save` for the full edit). Raises
    InvalidEdit for bad boundaries and StaleEdit when someone saved since `expected_version`
    (the newer text is in the exception).
    """
    seg = store.get_segment(wb.db, segment_id)
    edit = Edit(text, start, end, Status.LABELLED, seg.speaker, seg.tags, seg.comment)
    return save(wb, segment_id, expected_version, edit)


def split_at(wb: Workbench, segment_id: int, version: int, at: float, text: str) -> int:
    """Split a segment at `at` seconds; returns the new (right-hand) segment's id."""
    return segment_edits.split_at(wb, cleared(wb, segment_id), version, at, text)


def merge_next(wb: Workbench, segment_id: int, version: int, text: str) -> int:
    """Merge a segment with the next one in its recording; returns the next one's id."""
    return segment_edits.merge_next(wb, cleared(wb, segment_id), version, text)


def delete(wb: Workbench, segment_id: int, version: int) -> Revision:
    """Mark a segment deleted (see `segment_edits.delete`); the acting user's claim on it is
    released as after a save."""
    target = cleared(wb, segment_id)
    revision = segment_edits.delete(wb, target, version)
    crowd_claims.after_save(wb, target.view, target.project, TODO)
    return revision


def undo_delete(wb: Workbench, segment_id: int, version: int) -> Revision:
    """Bring a deleted segment back with the status it had before (see
    `segment_edits.undo_delete` for when that is refused)."""
    return segment_edits.undo_delete(wb, cleared(wb, segment_id), version)


def undo_delete_now(wb: Workbench, segment_id: int) -> Revision:
    """Undo the delete of a segment at whatever version it is now (the editor's Undo button)."""
    return undo_delete(wb, segment_id, store.get_segment(wb.db, segment_id).version)


def restore(wb: Workbench, segment_id: int, version: int, n: int) -> Revision:
    """Make revision `n`'s text, bounds, speaker and tags current again, as a new revision
    (see `segment_edits.restore`)."""
    return segment_edits.restore(wb, cleared(wb, segment_id), version, n)


def add_segment(wb: Workbench, recording_id: int, start: float, end: float) -> int:
    """Add an empty segment over [start, end) of a recording, where speech no segment covers
    was found (see `segment_edits.add_segment`); returns its id. For whoever may label in the
    project while their queue is open."""
    recording = store.get_recording(wb.db, recording_id)
    user = require(wb, Action.LABEL, recording.project_id)
    qualification.check_open(wb, store.get_project(wb.db, recording.project_id), user)
    return segment_edits.add_segment(wb, recording, user.name, start, end)


def claims_project(wb: Workbench, segment_id: int) -> int | None:
    """The project of a segment if it hands out claims (`crowd.claims`) to the acting user (a
    labeller: owners and reviewers move through the queue without taking any), else None."""
    if wb.actor.role is not Role.LABELLER:
        return None
    project_id = store.get_recording(
        wb.db, store.get_segment(wb.db, segment_id).recording_id
    ).project_id
    return project_id if store.get_project(wb.db, project_id).assignment != "off" else None
