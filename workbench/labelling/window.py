"""The editor's window: the segments after the one shown, as the editor would open them, so the
browser can show the next one at once (save & next, next) while the server catches up.

In a project handing out claims, opening a segment of the window claims it for the acting
labeller (a few ahead, `WINDOW` at most). By segment, a segment someone else holds is passed
over for the next free one, claimed (colleagues' claims interleave with one's own, and a window
that stopped there would empty every few keys); by recording the window stops there. The browser
never moves on to a segment the labeller cannot save.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from workbench import store
from workbench.core.records import QueueFilter
from workbench.core.workbench import Workbench
from workbench.crowd import claims as crowd_claims
from workbench.labelling.queue import EditorState, handing_out, open_segment

__all__ = ["WINDOW", "unchanged", "window_after"]

WINDOW = 3  # segments after the one shown that the browser holds


def window_after(
    wb: Workbench,
    project_id: int,
    state: EditorState,
    queue: QueueFilter,
    size: int = WINDOW,
    held: Sequence[EditorState] = (),
    kept: Mapping[int, EditorState] | None = None,
) -> list[EditorState]:
    """The next `size` segments of the queue after `state` that the acting user may label
    (fewer at the queue's end, at a claims cap, or where the next one has left the queue).
    `held`: the window found for this queue a moment ago; a segment of it at the same version,
    which no one else has claimed since, is taken as it was instead of being opened again (the
    window moves on by one segment a key: it costs one segment opened, not `size`). `kept`:
    `unchanged(wb, held)`, when the caller found it already."""
    found: list[EditorState] = []
    seen = {state.view.segment.id}
    following = state.following
    kept = unchanged(wb, held) if kept is None else kept
    project = handing_out(wb, project_id)
    while following is not None and following not in seen and len(found) < size:
        theirs = project is not None and following not in kept
        if theirs and crowd_claims.blocking_claim(wb, following, project) is not None:
            # someone else's (colleagues' windows interleave): the next free one, claimed,
            # without opening theirs
            following = crowd_claims.claim_ahead(wb, project_id, queue, after=following)
            if following is None or following in seen:
                break
        step = kept.get(following) or open_segment(wb, project_id, following, queue, counted=False)
        if step is None or step.view.segment.id != following or step.claim is not None:
            break
        found.append(step)
        seen.add(following)
        following = step.following
    return found


def unchanged(wb: Workbench, held: Sequence[EditorState]) -> dict[int, EditorState]:
    """The segments of `held` still at their version and free of anyone else's claim."""
    if not held:
        return {}
    versions = store.free_versions(wb.db, [s.view.segment.id for s in held], wb.actor.name)
    return {
        s.view.segment.id: s
        for s in held
        if versions.get(s.view.segment.id) == s.view.segment.version
    }
