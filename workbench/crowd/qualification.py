"""Running a crowd's quality: gold segments, the qualification test, hidden gold, double
labelling and the defect rules (see `quality` for the pure rules).

A labeller's editor asks `next_step` before it opens their queue. The step is one of:
- a gate that keeps the queue closed, with the reason: the qualification test failed (until
  an owner allows another attempt), or a pause under the defect rules (until an owner lifts
  it, or the window moves past it);
- a blind task: an item of the qualification test, a hidden gold segment (unannounced: it
  looks like any other segment), or a second label of a segment drawn for double labelling
  (without the first label). The labeller's text is kept as an *answer*, scored against the
  reference, and never becomes a revision;
- nothing: their normal queue, with a warning when a defect rule warns.

These apply to the labeller role; reviewers and owners label without them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy.exc import NoResultFound

from workbench import store
from workbench.core.access import Action, require
from workbench.core.errors import Kind, NotFound
from workbench.core.records import InvalidEdit, Project, Role, SegmentView, Status, User, clean_text
from workbench.core.workbench import Workbench
from workbench.crowd.rules import Standing, TestResult, gold_due, score_test, standing
from workbench.labelling.history import part_draft
from workbench.text import load_profile
from workbench.text.metrics import cer, headline_metric, wer

KINDS = ("test", "gold", "second")


class Closed(InvalidEdit):
    """A labeller's save refused because their queue is closed (test or pause)."""

    kind = Kind.FORBIDDEN


@dataclass(frozen=True)
class Task:
    """A blind item for the acting labeller: their text becomes an answer, not a revision."""

    kind: str  # 'test' | 'gold' | 'second'
    segment_id: int
    index: int = 0  # the test: which item (0-based) of `total`
    total: int = 0

    def heading(self) -> str:
        """What the editor says about the item (nothing for hidden gold)."""
        if self.kind == "test":
            return (
                f"Qualification test: item {self.index + 1} of {self.total}. Transcribe "
                "it as the guidelines say; your score is shown at the end."
            )
        if self.kind == "second":
            return (
                "Second label: this segment is labelled twice, independently. Transcribe "
                "it from the audio; the first label is not shown."
            )
        return ""


@dataclass(frozen=True)
class TestReport:
    """A labeller's latest qualification attempt: each item with their text and the gold."""

    attempt: int
    items: tuple[dict, ...]  # segment_id, text, reference, error
    total: int  # items in the test
    result: TestResult | None  # None until every item is answered
    metric: str


@dataclass(frozen=True)
class Step:
    """What the editor does for the acting user: a gate, a task, or their queue."""

    gate: str | None = None  # why the queue is closed (safe to show as text)
    task: Task | None = None
    warning: str | None = None  # a defect rule warns
    report: TestReport | None = None  # the test's result, when there is one to show


@dataclass(frozen=True)
class Answered:
    """What saving an answer did: a message, and whether the pair went to review."""

    message: str
    to_review: bool = False
    kind: str = "success"  # how the editor shows the message: 'success' | 'warning'


def crowd_rules_apply(user: User) -> bool:
    """Whether the crowd rules (test, gold, double labelling, pauses) apply to `user`."""
    return user.role is Role.LABELLER


def scores(project: Project, reference: str, text: str) -> dict[str, float]:
    """WER, CER and the language's headline error of `text` against `reference`, in the
    spelling form of the project's conventions (tags and marks aside)."""
    profile = load_profile(project.conventions)
    rates = {
        "wer": _rate(wer, reference, text, profile),
        "cer": _rate(cer, reference, text, profile),
    }
    return rates | {"error": rates[headline_metric(_language(project)).lower()]}


def _rate(metric, reference: str, text: str, profile) -> float:
    """A rate, capped at 1 (an empty reference against any text counts as all wrong)."""
    try:
        return min(1.0, metric(reference, text, profile=profile))
    except ValueError:  # nothing left of the reference once normalised
        return 0.0 if not text.strip() else 1.0


def _language(project: Project) -> str:
    if project.language != "auto":
        return project.language
    return load_profile(project.conventions).language or "en"


def standing_of(
    wb: Workbench, project: Project, user_name: str, row: dict | None = None
) -> Standing:
    """A labeller's standing under the project's defect rules over its window (since an
    owner last lifted a pause, if later); `row`: their `store.get_standing` row when the
    caller has read it already."""
    since = store.now() - timedelta(days=project.rules_days)
    lifted = (row or store.get_standing(wb.db, project.id, user_name))["lifted_at"]
    if lifted is not None and lifted > since:
        since = lifted
    reviews, rejections = store.verdicts_since(wb.db, project.id, user_name, since)
    golds = [
        a["error"]
        for a in store.list_answers(wb.db, project.id, user=user_name, kind="gold", since=since)
    ]
    return standing(project, reviews, rejections, golds)


def attempt_items(wb: Workbench, project: Project, user_name: str, attempt: int) -> list[int]:
    """The items of a labeller's attempt: the test's gold segments, or (the project's
    `qualify_items`) that many drawn from them, those the labeller has not met in an earlier
    attempt first, so that a retake is not the same test with its answers shown."""
    pool = store.test_items(wb.db, project.id)
    size = project.qualify_items
    if size <= 0 or size >= len(pool):
        return pool
    met = {
        a["segment_id"]
        for a in store.list_answers(wb.db, project.id, user=user_name, kind="test")
        if a["attempt"] < attempt
    }

    def draw(segment_id: int) -> tuple[bool, bytes]:
        return segment_id in met, hashlib.sha256(
            f"test:{user_name}:{attempt}:{segment_id}".encode()
        ).digest()

    return sorted(sorted(pool, key=draw)[:size])


def test_report(wb: Workbench, project: Project, user_name: str) -> TestReport | None:
    """A labeller's latest qualification attempt (None before they answered any item)."""
    row = store.get_standing(wb.db, project.id, user_name)
    found = store.list_answers(
        wb.db, project.id, user=user_name, kind="test", attempt=row["attempt"]
    )
    if not found:
        return None
    total = len(attempt_items(wb, project, user_name, row["attempt"]))
    items = tuple(
        {
            "segment_id": a["segment_id"],
            "text": a["text"],
            "reference": a["reference"],
            "error": a["error"],
        }
        for a in found
    )
    done = len(found) >= total
    result = score_test([a["error"] for a in found], project.qualify_max_error) if done else None
    return TestReport(row["attempt"], items, total, result, headline_metric(_language(project)))


def next_step(wb: Workbench, project_id: int, earlier: Step | None = None) -> Step:
    """What the acting user's editor opens (see the module). `earlier`: their step of a
    moment ago (the same page run), with their queue open, before they saved segments of
    it: what those saves cannot change (the test, the defect rules, which reviews and gold
    answers decide) is kept, and only the blind item that may now be due is looked for."""
    user = require(wb, Action.LABEL, project_id)
    if not crowd_rules_apply(user):
        return Step()
    project = store.get_project(wb.db, project_id)
    if earlier is not None and earlier.gate is None and earlier.task is None:
        return replace(earlier, task=_blind_task(wb, project, user.name))
    row = store.get_standing(wb.db, project_id, user.name)
    report = None
    if project.qualify_required and row["passed_at"] is None:
        items = attempt_items(wb, project, user.name, row["attempt"])
        if not items:
            return Step(
                gate="this project asks for a qualification test, and its test has "
                "no items yet: ask the project's owner"
            )
        done = {
            a["segment_id"]
            for a in store.list_answers(
                wb.db, project_id, user=user.name, kind="test", attempt=row["attempt"]
            )
        }
        todo = [i for i in items if i not in done]
        if todo:
            return Step(task=Task("test", todo[0], len(items) - len(todo), len(items)))
        report = test_report(wb, project, user.name)
        assert report is not None and report.result is not None  # every item is answered
        return Step(
            gate=f"you did not pass the qualification test ({report.metric} "
            f"{report.result.error:.1%}, the pass mark is "
            f"{project.qualify_max_error:.0%}); the owner can allow another "
            "attempt",
            report=report,
        )
    if project.qualify_required:
        report = test_report(wb, project, user.name)
    rules = standing_of(wb, project, user.name, row)
    if rules.paused:
        return Step(
            gate=f"your work in this project is paused: {rules.describe()}; the owner "
            "can lift the pause",
            report=report,
        )
    warning = rules.describe() if rules.level == "warn" else None
    task = _blind_task(wb, project, user.name)
    return Step(task=task, warning=warning, report=report)


def _blind_task(wb: Workbench, project: Project, user: str) -> Task | None:
    """A second label waiting for `user`, else hidden gold when it is due, else None."""
    if project.double_share > 0:
        for row in store.second_candidates(wb.db, project.id, user, limit=1):
            return Task("second", row["id"])
    if project.gold_share > 0:
        answered = len(store.list_answers(wb.db, project.id, user=user, kind="gold"))
        if gold_due(
            store.labelled_count(wb.db, project.id, user), answered, project.gold_share, user
        ):
            todo = store.hidden_gold_todo(wb.db, project.id, user)
            if todo:
                return Task("gold", todo[0])
    return None


def task_view(wb: Workbench, project_id: int, task: Task) -> SegmentView:
    """The segment of the acting labeller's blind task as they see it: the draft it holds now
    (not the label, nor the gold text; a split part's own part of the draft), shown as a
    drafted segment without flags, tags or comment."""
    require(wb, Action.LABEL, project_id)
    view = store.segment_view(wb.db, task.segment_id)
    if view.recording.project_id != project_id:
        raise InvalidEdit(f"segment {task.segment_id} is not in this project")
    seg = replace(view.segment, status=Status.DRAFTED, flags=(), tags=(), comment="", speaker=None)
    draft = part_draft(store.list_revisions(wb.db, task.segment_id))  # a split part's own
    return replace(view, segment=seg, latest=draft, draft=draft)


def check_open(wb: Workbench, project: Project, user: User, segment_id: int | None = None) -> None:
    """Refuse (Closed) a labeller's normal edit while their queue is closed (the test not
    passed, or a pause), of a gold segment (its text is the answer; it is never theirs to
    label) or of a segment they labelled blind as a second label (the first label is kept).
    Called by every labeller edit (`labelling.labeller_edits`)."""
    if not crowd_rules_apply(user):
        return
    if segment_id is not None and store.gold_of(wb.db, segment_id) is not None:
        raise Closed(f"segment #{segment_id} is not open to you")
    if segment_id is not None and store.list_answers(
        wb.db, project.id, user=user.name, kind="second", segment_id=segment_id
    ):
        # their blind second label is kept as an answer: a save would write over the first
        raise Closed(
            f"segment #{segment_id} was yours to label blind, as a second label: the "
            "first label stays as it is"
        )
    row = store.get_standing(wb.db, project.id, user.name)
    if project.qualify_required and row["passed_at"] is None:
        raise Closed("pass the qualification test first")
    rules = standing_of(wb, project, user.name, row)
    if rules.paused:
        raise Closed(f"your work in this project is paused: {rules.describe()}")


def answer(
    wb: Workbench, project_id: int, segment_id: int, text: str, active_seconds: float = 0.0
) -> Answered:
    """Keep the acting labeller's text for the blind task they are on.

    Refused (InvalidEdit) unless `segment_id` is that task: nobody answers a gold segment
    they were not handed. A test's last item scores the attempt; a second label further from
    the first than the project allows sends the segment to review.
    """
    user = require(wb, Action.LABEL, project_id)
    step = next_step(wb, project_id)
    task = step.task
    if task is None or task.segment_id != segment_id:
        raise InvalidEdit(f"segment {segment_id} is not the item you were given: reload")
    project = store.get_project(wb.db, project_id)
    view = store.segment_view(wb.db, segment_id)
    text = clean_text(text)
    if task.kind == "second":
        reference, other = view.text, store.labeller_of(wb.db, segment_id)
    else:
        gold = store.gold_of(wb.db, segment_id)
        assert gold is not None  # the task is a gold segment
        reference, other = gold["text"], None
    attempt = store.get_standing(wb.db, project_id, user.name)["attempt"]
    rates = scores(project, reference, text)
    kept = store.add_answer(
        wb.db,
        project_id=project_id,
        segment_id=segment_id,
        user_name=user.name,
        kind=task.kind,
        attempt=attempt if task.kind == "test" else 0,
        text=text,
        reference=reference,
        other=other,
        audio_seconds=view.segment.duration,
        active_seconds=max(0.0, float(active_seconds or 0.0)),
        **rates,
    )
    if kept is None:
        return Answered(f"Segment #{segment_id} was answered already.")
    if task.kind == "test":
        return _after_test_item(wb, project, user, task)
    if task.kind == "second":
        return _after_second_label(wb, project, user, segment_id, (other, rates["error"]))
    return Answered(f"Saved segment #{segment_id}.")  # as editing.name names it


def _after_second_label(
    wb: Workbench, project: Project, user: User, segment_id: int, first: tuple[str | None, float]
) -> Answered:
    """A second label kept: the segment goes to review when it is further from the first
    label (`first`: its labeller and the error between them) than the project allows."""
    other, error = first
    to_review = error > project.agree_max_error
    if to_review:
        store.send_to_review(wb.db, segment_id)
    store.log_event(
        wb.db,
        user.name,
        "second label",
        project.id,
        {
            "segment_id": segment_id,
            "first": other,
            "error": round(error, 4),
            "to_review": to_review,
        },
    )
    return Answered(f"Saved your label of segment #{segment_id}.", to_review)


def _after_test_item(wb: Workbench, project: Project, user: User, task: Task) -> Answered:
    if task.index + 1 < task.total:
        return Answered(f"Saved test item {task.index + 1} of {task.total}.")
    report = test_report(wb, project, user.name)
    assert report is not None and report.result is not None  # the last item is answered
    result = report.result
    if result.passed:
        store.set_standing(wb.db, project.id, user.name, passed_at=store.now())
    store.log_event(
        wb.db,
        user.name,
        "qualification " + ("passed" if result.passed else "failed"),
        project.id,
        {"attempt": report.attempt + 1, "error": round(result.error, 4), "items": result.items},
    )
    verdict = "passed" if result.passed else "did not pass"
    return Answered(
        f"Test finished: you {verdict} ({report.metric} {result.error:.1%}, "
        f"the pass mark is {project.qualify_max_error:.0%}).",
        kind="success" if result.passed else "warning",
    )


def _segment(wb: Workbench, segment_id: int, project_id: int | None) -> SegmentView:
    """The segment; NotFound when it does not exist or is not in `project_id` (if given)."""
    try:
        view = store.segment_view(wb.db, segment_id)
    except NoResultFound:
        raise NotFound(f"segment {segment_id}: there is no such segment") from None
    if project_id not in (None, view.recording.project_id):
        raise NotFound(f"segment {segment_id} is not in this project")
    return view


def allow_retake(wb: Workbench, project_id: int, user_name: str) -> int:
    """An owner lets a labeller take the qualification test again; returns the attempt."""
    owner = require(wb, Action.ASSIGN, project_id)
    row = store.get_standing(wb.db, project_id, user_name)
    attempt = row["attempt"] + 1
    store.set_standing(wb.db, project_id, user_name, attempt=attempt, passed_at=None)
    store.log_event(
        wb.db,
        owner.name,
        "qualification retake allowed",
        project_id,
        {"user": user_name, "attempt": attempt + 1},
    )  # counted from 1, as shown
    return attempt


def lift_pause(wb: Workbench, project_id: int, user_name: str) -> None:
    """An owner lifts a labeller's pause: the defect rules count only what comes after."""
    owner = require(wb, Action.ASSIGN, project_id)
    store.set_standing(wb.db, project_id, user_name, lifted_at=store.now())
    store.log_event(wb.db, owner.name, "pause lifted", project_id, {"user": user_name})


@dataclass(frozen=True)
class Labeller:
    """A labeller of a project as the owner's team page shows them."""

    name: str
    qualification: str  # 'not taken' | 'in progress' | 'passed' | 'failed'
    score: float | None  # the latest attempt's mean error, once every item is answered
    answered: int  # items of the latest attempt answered
    items: int  # items in their attempt now
    attempt: int  # 0 for the first attempt; each retake an owner allows adds one
    standing: Standing


def labellers(wb: Workbench, project_id: int) -> list[Labeller]:
    """The project's member labellers (active ones) with their qualification and their
    standing under the defect rules, by name (owners)."""
    require(wb, Action.ASSIGN, project_id)
    project = store.get_project(wb.db, project_id)
    out = []
    for user in store.project_members(wb.db, project_id):
        if not (user.active and crowd_rules_apply(user)):
            continue
        row = store.get_standing(wb.db, project_id, user.name)
        report = test_report(wb, project, user.name)
        result = report.result if report is not None else None
        if row["passed_at"] is not None:
            state = "passed"
        elif report is None:
            state = "not taken"
        elif result is None:
            state = "in progress"
        else:
            state = "passed" if result.passed else "failed"
        items = len(attempt_items(wb, project, user.name, row["attempt"]))
        out.append(
            Labeller(
                user.name,
                state,
                result.error if result else None,
                len(report.items) if report else 0,
                items,
                row["attempt"],
                standing_of(wb, project, user.name),
            )
        )
    return out
