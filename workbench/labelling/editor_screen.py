"""What the editor shows the acting user, decided in one place (`open_editor`), in this order:

1. a labeller's queue closed (the qualification test not passed, a pause under the defect
   rules): the reason, and nothing else;
2. a blind item before the queue (`crowd.qualification.next_step`): an item of the test, a
   second label, or hidden gold, which is placed as if it were a segment of their queue;
3. else their queue's segment (`queue.open_segment`) with what is shown around it: a
   rejection's reason, speech no segment covers nearby, the segments around it, its history;
   or, when nothing is left to show, why (claims handed out to others, the queue's end).

The page renders this; it decides nothing of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from workbench.core.records import QueueFilter, Recording, Revision, Role, SegmentView, Status
from workbench.core.workbench import Workbench
from workbench.crowd.claims import why_idle
from workbench.crowd.qualification import Step, Task, TestReport, next_step, task_view
from workbench.labelling.gaps import Gap, empty_drafts, segments_in, speech_gaps
from workbench.labelling.history import drafts_of, history
from workbench.labelling.queue import EditorState, open_segment
from workbench.labelling.queue_end import describe, queue_end
from workbench.review.verdicts import rejection

__all__ = ["NEARBY", "BlindItem", "EditorScreen", "open_editor", "queue_step"]

NEARBY = 600.0  # seconds either side of the segment where uncovered speech is looked for


@dataclass(frozen=True)
class BlindItem:
    """A blind item (a test item, hidden gold, a second label) as the labeller sees it."""

    task: Task
    view: SegmentView  # the draft, shown as a drafted segment (`qualification.task_view`)
    place: tuple[int, int] | None = None  # hidden gold: (n, of) as if a segment of the queue


@dataclass(frozen=True)
class EditorScreen:
    """Everything the editor shows for one run, besides the component's own data."""

    report: TestReport | None = None  # the labeller's qualification result, when there is one
    gate: str | None = None  # their queue is closed: why (safe to show as text)
    warning: str | None = None  # a defect rule warns
    blind: BlindItem | None = None  # shown instead of the queue
    empty_drafts: tuple[Recording, ...] = ()  # drafted without any segment (owners only)
    segment: EditorState | None = None  # the queue's segment; None: nothing to show
    idle: str = ""  # nothing handed out to them (a project handing out claims): why
    done: tuple[str, tuple[str, ...]] | None = None  # the queue's end: headline, what is next
    rejection: dict | None = None  # why a rejected segment came back
    gaps: tuple[Gap, ...] = ()  # speech no segment covers within NEARBY seconds
    nearby: tuple[tuple[float, float], ...] = ()  # live segments within NEARBY seconds
    history: tuple[Revision, ...] = ()
    drafts: tuple[str | None, ...] = ()  # per revision: the part of the draft it holds


def open_editor(
    wb: Workbench,
    project_id: int,
    queue: QueueFilter,
    *,
    shown: int | None,
    pinned: int | None = None,
    earlier: Step | None = None,
    window: Mapping[int, EditorState] | None = None,
) -> EditorScreen:
    """What the acting user's editor shows (see the module). `shown` is the segment the
    browser showed, `pinned` one shown even if it has left the filter (see `open_segment`);
    `earlier`: `queue_step`'s of this run, before the user's edits of their queue applied;
    `window`: the segments of the editor's window still as it opened them (`window.unchanged`),
    one of which the browser may have moved to."""
    # a labeller's test, pause, or blind item comes first
    step = next_step(wb, project_id, earlier)
    if step.gate:
        return EditorScreen(report=step.report, gate=step.gate)
    if step.task is not None:
        return EditorScreen(
            report=step.report,
            warning=step.warning,
            blind=_blind(wb, project_id, step.task, queue, shown),
        )
    # an owner's to-do (they redraft on Projects): not a labeller's banner
    empty = tuple(empty_drafts(wb, project_id)) if wb.actor.role is Role.OWNER else ()
    known = window.get(shown) if window and shown is not None else None
    state = open_segment(wb, project_id, shown, queue, pinned=pinned, known=known)
    if state is None:
        idle = why_idle(wb, project_id, queue)  # a project handing out claims says why
        return EditorScreen(
            report=step.report,
            warning=step.warning,
            empty_drafts=empty,
            idle=idle,
            done=None if idle else _done(wb, project_id, queue),
        )
    view, seg = state.view, state.view.segment
    revisions = history(wb, seg.id)
    return EditorScreen(
        report=step.report,
        warning=step.warning,
        empty_drafts=empty,
        segment=state,
        done=_done(wb, project_id, queue) if state.pinned and state.total == 0 else None,
        rejection=rejection(wb, seg.id) if seg.status is Status.REJECTED else None,
        gaps=tuple(speech_gaps(wb, view.recording, (seg.start - NEARBY, seg.end + NEARBY))),
        nearby=tuple(segments_in(wb, view.recording, seg.start - NEARBY, seg.end + NEARBY)),
        history=tuple(revisions),
        drafts=tuple(drafts_of(revisions)),
    )


def queue_step(wb: Workbench, project_id: int) -> Step | None:
    """The acting user's step (`next_step`) when their editor opens their queue: no
    qualification item, blind item or closed queue comes first (`open_editor`'s 1 and 2), so
    an edit of the queue may apply; else None."""
    step = next_step(wb, project_id)
    return step if not step.gate and step.task is None else None


def _blind(
    wb: Workbench, project_id: int, task: Task, queue: QueueFilter, shown: int | None
) -> BlindItem:
    """The blind item; hidden gold is placed where the labeller is in their queue."""
    view = task_view(wb, project_id, task)
    if task.heading():
        return BlindItem(task, view)
    here = open_segment(wb, project_id, shown, queue)
    return BlindItem(task, view, (here.index + 1, here.total + 1) if here else (1, 1))


def _done(wb: Workbench, project_id: int, queue: QueueFilter) -> tuple[str, tuple[str, ...]]:
    """The queue's end: the headline, and what is next (plain text)."""
    head, nexts = describe(queue_end(wb, project_id, queue), queue)
    return head, tuple(nexts)
