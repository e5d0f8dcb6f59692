"""Review sampling: which labelled segments go to a reviewer, and which pass without one.

A labeller's save draws the segment for review when any of these holds (else it is 'passed'):
- the project reviews everything (share 1, the default);
- the segment was rejected before, or is awaiting review already (a fix is always checked,
  and saving again cannot dodge a review);
- it still carries flags after the labeller's edit (see `flags.after_human_edit`);
- the labeller's rejection rate is over the project's threshold, after MIN_REVIEWS reviews:
  their share is raised to everything;
- the draw: a stable hash of the segment id under the share. The same segment draws the same
  way on every save (saving again cannot re-roll it), and over many segments the share holds.
"""

from __future__ import annotations

import hashlib

from workbench.core.records import Project, Status

MIN_REVIEWS = 5  # reviews of a labeller's work before their rejection rate raises their share


def share_for(project: Project, reviews: int, rejections: int) -> float:
    """The share of a labeller's work drawn for review, given the verdicts on it so far."""
    if reviews >= MIN_REVIEWS and rejections / reviews > project.review_raise_above:
        return 1.0
    return project.review_share


def drawn(segment_id: int, share: float, what: str = "review") -> bool:
    """Whether the draw at `share` takes the segment (stable per segment id); `what` names
    the draw ('review', 'double'), so that the draws are independent of each other."""
    if share >= 1.0:
        return True
    if share <= 0.0:
        return False
    digest = hashlib.sha256(f"{what}-draw:{segment_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def status_after_labelling(
    project: Project,
    segment_id: int,
    current: Status,
    flags: tuple[str, ...],
    reviews: int,
    rejections: int,
) -> Status:
    """'labeled' (to be reviewed) or 'passed' for a labeller's save of a segment now `current`."""
    if project.review_share >= 1.0 or current in (Status.REJECTED, Status.LABELLED) or flags:
        return Status.LABELLED
    share = share_for(project, reviews, rejections)
    return Status.LABELLED if drawn(segment_id, share) else Status.PASSED
