"""The editor's operations on segments: save, split, merge, delete and undo, restore, diff.

Every operation appends revisions (never overwrites), names the version it started from, and
is refused with StaleEdit when someone saved the segment in between.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, replace

from workbench import assignment, qualifying, store
from workbench.access import Action, allowed, require
from workbench.context import Workbench
from workbench.corpus import (
    Edit,
    InvalidEdit,
    Project,
    Revision,
    Segment,
    SegmentView,
    StaleEdit,
    Status,
    Word,
    check_bounds,
    clean_text,
)
from workbench.flags import after_human_edit
from workbench.sampling import status_after_labelling
from workbench.text import has_errors, lint
from workbench.text.clean import strip_controls

MIN_PART = 0.05  # seconds: neither side of a split may be shorter


def name(segment_id: int) -> str:
    """How the editor names a segment, in its header and every message: "#12"."""
    return f"#{segment_id}"


def _labelled(wb: Workbench, segment_id: int) -> tuple[SegmentView, str, Project]:
    """The segment, if the acting user may label in its project and nobody else holds it (see
    `assignment`) and their queue is open (`qualifying`); their name (the author); and the
    project (read once per edit)."""
    view = store.segment_view(wb.db, segment_id)
    user = require(wb, Action.LABEL, view.recording.project_id)
    project = store.get_project(wb.db, view.recording.project_id)
    assignment.check_free(wb, view, project)
    qualifying.check_open(wb, project, user, segment_id)  # test passed, no pause, not gold
    return view, user.name, project


def live_segment(wb: Workbench, segment_id: int) -> tuple[SegmentView, str, Project]:
    """As `_labelled`, for an edit of a segment that is not deleted: editing a deleted one
    would bring it back without the checks of `undo_delete`."""
    view, author, project = _labelled(wb, segment_id)
    if view.segment.status is Status.DELETED:
        raise InvalidEdit(f"segment {name(segment_id)} is deleted: undo the delete to edit it")
    return view, author, project


def save(wb: Workbench, segment_id: int, version: int, edit: Edit) -> Revision:
    """Save the acting user's edit (text NFC-normalised, bounds checked) as a new revision.

    A labeller's save never approves or rejects (only a review does, see `reviewing`); saving
    a rejected or approved segment makes it 'labeled', to be reviewed again. Under review
    sampling a save may instead leave it 'passed' (see `sampling`). The draft's flags are
    re-evaluated against the saved text (`flags.after_human_edit`).
    """
    view, author, project = live_segment(wb, segment_id)
    if edit.status in REVIEWED:
        raise InvalidEdit(f"only a review may make a segment {edit.status.value}")
    start, end = check_bounds(edit.start, edit.end, view.recording.duration)
    edit = tidy(edit, start, end)
    flags = after_human_edit(view.segment.flags, view.draft.text if view.draft else None,
                             edit.text)
    status = edit.status
    if status is Status.LABELED:
        status = _to_review_or_passed(wb, view, project, flags, author)
    revision = store.apply_edit(wb.db, segment_id, version,
                                replace(edit, status=status, flags=flags), author)
    assignment.after_save(wb, view, project, TODO)  # the claim on it is released
    qualifying.draw_double(wb, project, segment_id)  # a second label may be wanted
    return revision


def tidy(edit: Edit, start: float, end: float) -> Edit:
    """An edit as stored, with checked bounds: text and speaker cleaned (`clean_text`: no
    control characters or bidi overrides, one line), tags sorted, the comment without control
    characters (its lines kept) and at most 2000 characters."""
    comment = strip_controls(edit.comment, keep_newlines=True).strip()[:2000]
    return replace(edit, text=clean_text(edit.text), start=start, end=end,
                   speaker=clean_text(edit.speaker or "") or None,
                   tags=tuple(sorted(set(edit.tags))), comment=comment)


def _to_review_or_passed(wb: Workbench, view: SegmentView, project: Project,
                         flags: tuple[str, ...], author: str) -> Status:
    """'labeled' (to review) or 'passed', as the project's review sampling draws the save."""
    if project.review_share >= 1.0:  # no sampling: skip the query on the editor's hot path
        return Status.LABELED
    reviews, rejections = store.verdicts_on(wb.db, project.id, author)
    return status_after_labelling(project, view.segment.id, view.segment.status, flags,
                                  reviews, rejections)


REVIEWED = (Status.APPROVED, Status.REJECTED)  # statuses only a review sets


def after_labelling(status: Status) -> Status:
    """The status a labeller's change leaves: a reviewed segment is 'labeled' again."""
    return Status.LABELED if status in REVIEWED else status


TODO = (Status.NEW.value, Status.DRAFTED.value, Status.REJECTED.value)  # the labeller's queue


@dataclass(frozen=True)
class QueueFilter:
    """Which segments the editor steps through, and in what order."""

    recording_id: int | None = None
    statuses: tuple[str, ...] = TODO
    flagged_only: bool = False
    order: str = "time"  # 'time' | 'flags first' | 'uncertain' (least confident draft first)


@dataclass(frozen=True)
class EditorState:
    """What the editor shows: the segment, its place in the queue, its neighbours in time."""

    view: SegmentView
    index: int
    total: int
    previous: int | None
    following: int | None
    before: dict | None  # the segment just before in its recording: id, start, end, text...
    after: dict | None
    claim: assignment.Claim | None = None  # someone else holds it: shown, not editable
    pinned: bool = False  # shown although it has left the filter (just saved, restored...)


def open_segment(wb: Workbench, project_id: int, shown: int | None,
                 queue: QueueFilter, pinned: int | None = None) -> EditorState | None:
    """The segment to show: `shown` if it still matches the filter, else the next that does.

    `pinned` (the segment just saved, restored or refused as stale) is shown when it is
    `shown` even if it has left the filter, between the queue's segments around its place,
    so a typo can be fixed after Ctrl+Enter and the queue's end does not walk backwards.
    None when no segment matches (and none is pinned). Checks that the acting user may see the project. Where the
    project hands out claims (see `assignment`), the segment is one the user holds or has just
    claimed, or one someone else holds (then `claim` says who; it is not editable); None when
    nothing can be handed out (`assignment.why_idle` says why). A labeller's queue leaves gold
    segments out, and a gold neighbour's text is not shown: it is the answer (`qualifying`).
    """
    user = require(wb, Action.VIEW, project_id)
    gold = store.gold_ids(wb.db, project_id) if qualifying.crowd_rules_apply(user) else set()
    hide = bool(gold)  # the filter costs a lookup a row: only where there is gold
    if shown in gold:  # a link, or the test's last item: never open to a labeller
        shown = None
    if pinned in gold:
        pinned = None
    if pinned is not None and store.project_of_segment(wb.db, pinned) != project_id:
        pinned = None  # a link to another project's segment opens this project's queue
    claim = None
    if allowed(user, Action.LABEL) and store.get_project(wb.db, project_id).assignment != "off":
        shown, claim = assignment.take(wb, project_id, shown, queue)
        if shown is None:
            return None
        nav = _position(wb, project_id, shown, queue, hide)
        if nav["current"] != shown:  # someone else's, outside this queue
            nav = dict(nav, current=shown, previous=None, next=None)
    else:
        nav = _rejected_first(wb, project_id, shown, queue, user.name, hide)
        if nav is None:
            nav = _position(wb, project_id, shown, queue, hide)
    held = pinned is not None and pinned == shown and nav["current"] != shown and claim is None
    if held:
        nav = _around(nav, pinned)
    if nav["current"] is None:
        return None
    view = store.segment_view(wb.db, nav["current"])
    before, after = store.adjacent(wb.db, view.segment)
    if hide and (before or after):
        before, after = (None if side and side["id"] in gold else side for side in (before, after))
    return EditorState(view, nav["index"], nav["total"], nav["previous"], nav["next"],
                       before, after, claim, pinned=held)


def _around(nav: dict, pinned: int) -> dict:
    """The queue step for a segment outside the filter, from the step the queue gave for its
    place (the first segment at or after it, or the last one when it is past the end)."""
    if nav["current"] is None:  # the filter is empty now
        return {"current": pinned, "previous": None, "next": None, "index": 0, "total": 0}
    if nav.get("past_end"):
        return {"current": pinned, "previous": nav["current"], "next": None,
                "index": nav["total"], "total": nav["total"]}
    return {"current": pinned, "previous": nav["previous"], "next": nav["current"],
            "index": nav["index"], "total": nav["total"]}


def _position(wb: Workbench, project_id: int, shown: int | None, queue: QueueFilter,
              without_gold: bool = False) -> dict:
    return store.queue_position(wb.db, project_id, shown, queue.recording_id,
                                list(queue.statuses), flagged_only=queue.flagged_only,
                                order=queue.order, without_gold=without_gold)


def _rejected_first(wb: Workbench, project_id: int, shown: int | None, queue: QueueFilter,
                    name: str, without_gold: bool = False) -> dict | None:
    """The queue step when segments a reviewer gave back to `name` come first, else None.

    They come first when the editor opens (nothing shown yet) and while one of them is shown;
    the last one's "next" is the first other segment of the queue.
    """
    if Status.REJECTED.value not in queue.statuses or queue.flagged_only:
        return None
    mine = store.rejected_for(wb.db, project_id, name, queue.recording_id)
    if not mine or (shown is not None and shown not in mine):
        return None
    i = mine.index(shown) if shown in mine else 0
    rest = _position(wb, project_id, None, queue, without_gold)
    if i + 1 < len(mine):
        following = mine[i + 1]
    else:  # the first segment of the queue not given back
        following = rest["current"]
        while following is not None and following in mine:
            following = _position(wb, project_id, following, queue, without_gold)["next"]
    return {"current": mine[i], "previous": mine[i - 1] if i else None, "next": following,
            "index": i, "total": rest["total"]}


def history(wb: Workbench, segment_id: int) -> list[Revision]:
    """Every revision of a segment, oldest first, for whoever may see its project."""
    view = store.segment_view(wb.db, segment_id)
    require(wb, Action.VIEW, view.recording.project_id)
    return store.list_revisions(wb.db, segment_id)


def split_text(text: str, words: list[Word], start: float, end: float, at: float) -> tuple[str, str]:
    """Split `text` at time `at`, at the word boundary nearest to it.

    With word timings whose words make up the text, the words whose middle lies before `at` go
    left. When the text was edited since (its words differ), the same share of its words goes
    left; without timings, the share of time.
    """
    tokens = text.split()
    if words:
        left_count = sum(1 for w in words if (w.start + w.end) / 2 < at)
        if [w.word.strip() for w in words] == tokens:
            k = left_count
        else:
            k = round(len(tokens) * left_count / len(words))
    else:
        k = round(len(tokens) * (at - start) / max(end - start, 1e-9))
    k = max(0, min(len(tokens), k))
    return " ".join(tokens[:k]), " ".join(tokens[k:])


def split_at(wb: Workbench, segment_id: int, version: int, at: float, text: str) -> int:
    """Split a segment at `at` seconds; returns the new (right-hand) segment's id."""
    view, author, _ = live_segment(wb, segment_id)
    seg = view.segment
    at = round(at, 3)
    if not (seg.start + MIN_PART <= at <= seg.end - MIN_PART):
        raise InvalidEdit(
            f"put the cursor inside the segment ({seg.start:.2f}–{seg.end:.2f} s) to split it"
        )
    words = view.draft.words if view.draft else []
    left_text, right_text = split_text(clean_text(text), words, seg.start, seg.end, at)
    base = draft_of(store.list_revisions(wb.db, segment_id))
    left_draft, right_draft = (split_text(base, words, seg.start, seg.end, at)
                               if base is not None else (None, None))
    # both halves keep the status: a split draft is still a draft to correct
    common = dict(status=after_labelling(seg.status), speaker=seg.speaker, tags=seg.tags, op="split")
    return store.split(
        wb.db, segment_id, version,
        Edit(left_text, seg.start, at, comment=seg.comment, draft=left_draft, **common),
        Edit(right_text, at, seg.end, draft=right_draft, **common),
        author,
    )


def drafts_of(revisions: list[Revision]) -> list[str | None]:
    """For each revision (oldest first), the draft text it is compared with: the ASR draft,
    or after a split or merge the part of the draft that the segment holds since (kept on
    that revision as asr_meta['draft_text']); None before any draft."""
    out, current = [], None
    for rev in revisions:
        if rev.source == "asr":
            current = rev.text
        elif rev.asr_meta and rev.asr_meta.get("draft_text") is not None:
            current = rev.asr_meta["draft_text"]
        out.append(current)
    return out


def draft_of(revisions: list[Revision]) -> str | None:
    """The draft text a segment's latest revision is compared with (see `drafts_of`)."""
    bases = drafts_of(revisions)
    return bases[-1] if bases else None


def merge_next(wb: Workbench, segment_id: int, version: int, text: str) -> int:
    """Merge a segment with the next one in its recording; returns the next one's id."""
    view, author, _ = live_segment(wb, segment_id)
    _, after = store.adjacent(wb.db, view.segment)
    if after is None:
        raise InvalidEdit("this is the last segment of the recording: nothing to merge with")
    seg = view.segment
    drafts = [draft_of(store.list_revisions(wb.db, i)) for i in (segment_id, after["id"])]
    draft = (clean_text(" ".join(d or "" for d in drafts))
             if any(d is not None for d in drafts) else None)
    merged = Edit(
        clean_text(f"{text} {after['text'] or ''}"), seg.start, max(seg.end, after["end"]),
        after_labelling(seg.status), seg.speaker, seg.tags, seg.comment, op="merge", draft=draft,
    )
    store.merge(wb.db, (segment_id, version), (after["id"], after["version"]), merged, author)
    return after["id"]


def delete(wb: Workbench, segment_id: int, version: int) -> Revision:
    """Mark a segment deleted (kept in history; `undo_delete` brings it back). Refused for a
    segment deleted already: a second delete would hide how it went (a merge, which undo
    must not reverse)."""
    seg, author, project = _labelled(wb, segment_id)
    if seg.segment.status is Status.DELETED:
        raise InvalidEdit(f"segment {name(segment_id)} is deleted already")
    edit = _edit_of(seg.latest, seg.segment, status=Status.DELETED, op="delete")
    revision = store.apply_edit(wb.db, segment_id, version, edit, author)
    assignment.after_save(wb, seg, project, TODO)
    return revision


def undo_delete(wb: Workbench, segment_id: int, version: int) -> Revision:
    """Bring a deleted segment back with the status it had before.

    Refused (InvalidEdit) when that would put the same audio in two live segments: the segment
    was merged into its neighbour (the neighbour holds its text and time now), or a live
    segment has grown over its time since it was deleted. Refusing keeps every second of audio,
    and so every word, in at most one segment, which a silent repair could not promise.
    """
    view, author, _ = _labelled(wb, segment_id)
    seg = view.segment
    if seg.status is not Status.DELETED:
        raise InvalidEdit(f"segment {name(segment_id)} is not deleted")
    _refuse_overlaps(wb, seg, seg.start, seg.end, since=view.latest)
    history = store.list_revisions(wb.db, segment_id)
    before = next((r for r in reversed(history[:-1]) if r.status != Status.DELETED.value), None)
    status = after_labelling(Status(before.status)) if before and before.status else Status.DRAFTED
    edit = _edit_of(view.latest, view.segment, status=status, op="undelete")
    return store.apply_edit(wb.db, segment_id, version, edit, author)


def undo_delete_now(wb: Workbench, segment_id: int) -> Revision:
    """Undo the delete of a segment at whatever version it is now (the editor's Undo button)."""
    return undo_delete(wb, segment_id, store.get_segment(wb.db, segment_id).version)


def restore(wb: Workbench, segment_id: int, version: int, n: int) -> Revision:
    """Make revision `n`'s text, bounds, speaker and tags current again, as a new revision.

    Refused, as `undo_delete` is, when its bounds would overlap a live segment anew.
    """
    _, author, _ = _labelled(wb, segment_id)
    history = {r.n: r for r in store.list_revisions(wb.db, segment_id)}
    if n not in history:
        raise InvalidEdit(f"segment {name(segment_id)} has no revision {n}")
    old = history[n]
    seg = store.get_segment(wb.db, segment_id)
    deleted = seg.status is Status.DELETED
    _refuse_overlaps(wb, seg, old.start, old.end,
                     since=history[max(history)] if deleted else None)
    edit = Edit(old.text, old.start, old.end, Status.LABELED,
                old.speaker if old.op else seg.speaker, old.tags if old.op else seg.tags,
                old.comment if old.op else seg.comment, op="restore")
    return store.apply_edit(wb.db, segment_id, version, edit, author)


def _refuse_overlaps(wb: Workbench, seg: Segment, start: float, end: float,
                     since: Revision | None) -> None:
    """InvalidEdit when `seg` at [start, end) would overlap a live segment it does not overlap
    now (a live `seg`), or did not overlap when it was deleted by `since` (a deleted one); or
    when `since` merged it into its neighbour, which holds its text and time since.

    Overlaps that were there already (two speakers talking at once, two channels) stay allowed.
    """
    if since is not None and since.op == "merged":
        raise InvalidEdit(f"segment {name(seg.id)} was merged into the segment before it, which "
                          "holds its text and time now: split that one to bring it back")
    before = since.id if since is not None else None
    # a deleted segment brought back: only what overlapped it (its bounds when deleted) then
    clashes = store.live_overlaps(wb.db, seg.recording_id, start, end, seg.id, before,
                                  then=(seg.start, seg.end))
    if since is None and seg.status is not Status.DELETED:
        already = {c["id"] for c in store.live_overlaps(wb.db, seg.recording_id, seg.start,
                                                         seg.end, seg.id)}
        clashes = [c for c in clashes if c["id"] not in already]
    if clashes:
        other = clashes[0]
        raise InvalidEdit(
            f"segment {name(seg.id)} ({start:.2f}–{end:.2f} s) would overlap segment "
            f"{name(other['id'])} "
            f"({other['start']:.2f}–{other['end']:.2f} s), which covers that audio now: "
            "shorten or delete that one first"
        )


def _edit_of(rev: Revision | None, seg, status: Status, op: str) -> Edit:
    return Edit(rev.text if rev else "", seg.start, seg.end, status, seg.speaker, seg.tags,
                seg.comment, op=op)


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Word-level diff: a list of (op, words) with op in 'same', 'del', 'add'."""
    return _diff(before.split(), after.split(), " ")


UNSPACED_LANGUAGES = frozenset({"ko", "ja", "zh", "yue", "th", "lo", "my", "km"})
_UNSPACED = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf"
                       r"\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff]")


def char_level(language: str | None, *texts: str) -> bool:
    """Whether texts are compared by character: the project's language is Korean, Japanese,
    Chinese... or (language 'auto'/unknown) a text holds Hangul, kana or CJK ideographs.

    In those scripts a word (an eojeol in Korean) is long, so one wrong particle would mark
    the whole word; a character diff shows the particle.
    """
    if language and language.split("-")[0].lower() in UNSPACED_LANGUAGES:
        return True
    return any(_UNSPACED.search(t or "") for t in texts)


def text_diff(before: str, after: str, language: str | None = None) -> tuple[list[tuple[str, str]], str]:
    """A diff at the right level for the language: (parts, joiner).

    parts are (op, text) with op 'same' | 'del' | 'add'; joining the texts of the parts with
    `joiner` (" " for words, "" for characters) rebuilds the texts.
    """
    if char_level(language, before, after):
        return _diff(list(before), list(after), ""), ""
    return word_diff(before, after), " "


def _diff(a: list[str], b: list[str], joiner: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("same", joiner.join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("del", joiner.join(a[i1:i2])))
        if j2 > j1:
            out.append(("add", joiner.join(b[j1:j2])))
    return out


SEGMENT_TAGS = ("noise", "music", "overlap", "unintelligible", "foreign language")


@dataclass(frozen=True)
class Outcome:
    """What an editor action did: a message for the labeller and where to go next.

    go_to: the segment to show next (None: stay); pin: show it even if it has left the filter
    (the segment just saved or restored). confirm: set when a save was held back (convention
    errors, a new overlap); saving the same text and bounds again goes through. mine/theirs:
    a save refused as stale, the labeller's text and the newer one, to merge by hand.
    """

    kind: str  # 'success' | 'error' | 'warning' | 'none'
    message: str = ""
    go_to: int | None = None
    confirm: str | None = None
    pin: bool = False
    mine: str | None = None
    theirs: str | None = None


def text_token(text: str) -> str:
    """A short fingerprint of a text, to recognise 'save the same text anyway'."""
    return hashlib.sha1(clean_text(text).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Beside:
    """The fields beside the text box as the page shows them, for the segment on screen."""

    speaker: str | None = None
    tags: tuple[str, ...] = ()
    comment: str = ""


def apply_action(
    wb: Workbench,
    action: dict,
    *,
    shown: int,
    beside: Beside = Beside(),
    previous: int | None = None,
    following: int | None = None,
    profile=None,
    lint_blocks: bool = False,
    confirmed: str | None = None,
    queue: QueueFilter | None = None,
    last_deleted: int | None = None,
) -> Outcome:
    """Carry out one action from the editor component, as the acting user.

    `action` holds type, segment_id, version, text, start, end, cursor, active_seconds.
    `shown` is the segment on screen now, `beside` its speaker/tags/comment fields, and
    `previous`/`following` its neighbours in the labeller's queue (the page passes the segment
    just saved as `previous`, so Ctrl+↑ reaches it after it left the filter). When the action
    names another segment (the browser acted on one that has since left the queue, e.g. saved
    from a second tab), that segment keeps its own speaker, tags and comment, and "next" comes
    back to the one on screen. With `queue` (the editor's filter) in a project handing out
    claims, "next" (a skip) and "save & next" release the segment and claim the next
    (`assignment`). "undelete" of a live segment undoes the delete of `last_deleted` (Alt+Z
    right after Alt+Delete, when the editor shows the next segment); "add" makes a new
    segment over [start, end) in the recording of the segment named.
    """
    kind, seg_id, version = action["type"], int(action["segment_id"]), int(action["version"])
    if kind == "undelete":
        return _undelete(wb, seg_id, version, last_deleted)
    if kind == "add":
        return _add(wb, seg_id, action)
    if seg_id != shown:
        own = store.get_segment(wb.db, seg_id)
        beside = Beside(own.speaker, own.tags, own.comment)
        previous, following = None, shown
    claims_in = _claims_in(wb, seg_id) if queue is not None and seg_id == shown else None
    text = action.get("text", "")
    try:
        if kind == "prev":
            return Outcome("none", go_to=previous, pin=True)
        if kind == "next" and claims_in is not None:
            handed = assignment.skip(wb, claims_in, seg_id, queue)
            if handed.segment_id == seg_id:
                return Outcome("warning", "No other segment is free for you now.", go_to=seg_id)
            return Outcome("none" if handed.segment_id else "warning", handed.reason,
                           go_to=handed.segment_id)
        if kind == "next":
            return Outcome("none", go_to=following)
        if kind in ("save", "save_next"):
            return _save(wb, action, kind, seg_id, version, beside, following, claims_in, queue,
                         held=lambda start, end: _hold(wb, seg_id, text, start, end, profile,
                                                       lint_blocks, confirmed))
        if kind == "split":
            new_id = split_at(wb, seg_id, version, float(action["cursor"]), text)
            return Outcome("success", f"Split segment {name(seg_id)}; the second half is "
                                      f"{name(new_id)}.", go_to=seg_id)
        if kind == "merge":
            other = merge_next(wb, seg_id, version, text)
            return Outcome("success", f"Merged segment {name(other)} into {name(seg_id)}.",
                           go_to=seg_id)
        if kind == "delete":
            delete(wb, seg_id, version)
            return Outcome("success", f"Deleted segment {name(seg_id)}. Alt+Z (or Undo delete) "
                                      "brings it back.", go_to=following)
    except StaleEdit as exc:
        return Outcome("error", f"Not saved: {exc}")
    except (InvalidEdit, ValueError, PermissionError) as exc:
        return Outcome("error", f"Not saved: {exc}")
    return Outcome("error", f"unknown editor action {kind!r}")


def _save(wb: Workbench, action: dict, kind: str, seg_id: int, version: int, beside: Beside,
          following: int | None, claims_in: int | None, queue: QueueFilter | None,
          held) -> Outcome:
    """Save (and for 'save_next' move on); a stale save stays on its segment with both texts."""
    text = action.get("text", "")
    start, end = float(action["start"]), float(action["end"])
    current = store.get_segment(wb.db, seg_id).version == version
    hold = held(start, end) if current else None  # a stale save is refused as such first
    if hold is not None:
        return hold
    edit = Edit(text, start, end, Status.LABELED, beside.speaker, tuple(beside.tags),
                beside.comment, active_seconds=float(action.get("active_seconds") or 0.0))
    try:
        rev = save(wb, seg_id, version, edit)
    except StaleEdit as exc:
        return Outcome("error", f"Not saved: segment {name(seg_id)} was saved since you opened "
                                f"it (another tab or person; your version {version}, now "
                                f"{exc.current_version}). Your text is in the box and the newer "
                                "text beside it: merge them by hand and save again.",
                       go_to=seg_id, pin=True, mine=text, theirs=exc.current_text)
    message = f"Saved segment {name(seg_id)} (revision {rev.n})."
    if kind == "save_next" and claims_in is not None:
        handed = assignment.claim_next(wb, claims_in, queue, after=seg_id)
        why = f" {handed.reason[:1].upper()}{handed.reason[1:]}." if handed.reason else ""
        return Outcome("success", message + why, go_to=handed.segment_id or seg_id)
    if kind == "save_next" and following is not None:
        return Outcome("success", message, go_to=following)
    if kind == "save_next":  # the queue's end: stay, never walk back to an earlier one
        return Outcome("success", message + " That was the last segment of this filter.",
                       go_to=seg_id, pin=True)
    return Outcome("success", message, go_to=seg_id, pin=True)


def _undelete(wb: Workbench, seg_id: int, version: int, last_deleted: int | None) -> Outcome:
    """Undo a delete: of the segment named if it is deleted, else of `last_deleted`."""
    try:
        if store.get_segment(wb.db, seg_id).status is not Status.DELETED:
            if last_deleted is None:
                return Outcome("error", f"Segment {name(seg_id)} is not deleted: nothing to undo.")
            seg_id, version = last_deleted, store.get_segment(wb.db, last_deleted).version
        undo_delete(wb, seg_id, version)
    except StaleEdit as exc:
        return Outcome("error", f"Not restored: {exc}")
    except (InvalidEdit, ValueError, PermissionError) as exc:
        return Outcome("error", f"Not restored: {exc}")
    return Outcome("success", f"Segment {name(seg_id)} is back.", go_to=seg_id, pin=True)


def _add(wb: Workbench, seg_id: int, action: dict) -> Outcome:
    """A new segment over the action's [start, end) in the recording of segment `seg_id`."""
    try:
        recording_id = store.get_segment(wb.db, seg_id).recording_id
        new_id = add_segment(wb, recording_id, float(action["start"]), float(action["end"]))
    except (InvalidEdit, ValueError, PermissionError, KeyError, TypeError) as exc:
        return Outcome("error", f"Not added: {exc}")
    return Outcome("success", f"Added segment {name(new_id)} "
                              f"({float(action['start']):.2f}–{float(action['end']):.2f} s): "
                              "type what is said, or draft it with Whisper.", go_to=new_id,
                   pin=True)


MIN_ADDED = 0.1  # seconds: a segment added in a gap is at least this long


def add_segment(wb: Workbench, recording_id: int, start: float, end: float) -> int:
    """Add an empty segment (status 'new', op 'add') over [start, end) of a recording, where
    speech no segment covers was found; returns its id. Refused (InvalidEdit) outside the
    recording, under MIN_ADDED seconds, or over a live segment."""
    recording = store.get_recording(wb.db, recording_id)
    user = require(wb, Action.LABEL, recording.project_id)
    qualifying.check_open(wb, store.get_project(wb.db, recording.project_id), user)
    start, end = check_bounds(start, end, recording.duration)
    if end - start < MIN_ADDED:
        raise InvalidEdit(f"a new segment is at least {MIN_ADDED:.1f} s long")
    clashes = store.live_overlaps(wb.db, recording_id, start, end, exclude_id=-1)
    if clashes:
        other = clashes[0]
        raise InvalidEdit(f"{start:.2f}–{end:.2f} s overlaps segment {name(other['id'])} "
                          f"({other['start']:.2f}–{other['end']:.2f} s): pick a gap")
    return store.add_segment(wb.db, recording_id, Edit("", start, end, Status.NEW, op="add"),
                             user.name)


def _claims_in(wb: Workbench, segment_id: int) -> int | None:
    """The project of a segment if it hands out claims, else None."""
    project_id = store.get_recording(wb.db, store.get_segment(wb.db, segment_id).recording_id
                                     ).project_id
    return project_id if store.get_project(wb.db, project_id).assignment != "off" else None


def save_token(text: str, start: float, end: float) -> str:
    """A fingerprint of a save (text and bounds), to recognise 'save the same again'."""
    return text_token(f"{clean_text(text)}|{round(start, 3)}|{round(end, 3)}")


def _hold(wb: Workbench, seg_id: int, text: str, start: float, end: float, profile,
          lint_blocks: bool, confirmed: str | None) -> Outcome | None:
    """An outcome that holds a save back (convention errors; a boundary over a neighbour it
    did not overlap before), or None to go on. Held saves go through when saved again with
    the same text and bounds (`confirmed` is then their `save_token`)."""
    notes = []
    findings = lint(clean_text(text), profile) if profile is not None else []
    if has_errors(findings):
        errors = sum(f.level == "error" for f in findings)
        if lint_blocks:
            return Outcome("error", f"Not saved: {errors} convention error(s) to fix first (this "
                                    "project does not allow saving them).")
        notes.append(f"{errors} convention error(s), listed below: save again to save anyway, "
                     "or fix them first.")
    notes += new_overlaps(wb, seg_id, start, end)
    if not notes:
        return None
    token = save_token(text, start, end)
    if confirmed == token:
        return None
    return Outcome("warning", " ".join(notes), confirm=token)


def new_overlaps(wb: Workbench, seg_id: int, start: float, end: float) -> list[str]:
    """A warning per live neighbour that [start, end) overlaps and the segment's current
    bounds do not (overlaps there already, e.g. two speakers, are not repeated)."""
    seg = store.get_segment(wb.db, seg_id)
    start, end = round(start, 3), round(end, 3)
    if (start, end) == (round(seg.start, 3), round(seg.end, 3)):
        return []  # bounds unchanged: no new overlap (the hot path costs one lookup)
    clashes = store.live_overlaps(wb.db, seg.recording_id, start, end, seg_id)
    if clashes:
        before = {c["id"] for c in store.live_overlaps(wb.db, seg.recording_id, seg.start,
                                                       seg.end, seg_id)}
        clashes = [c for c in clashes if c["id"] not in before]
    return [f"Segment {name(seg_id)} would overlap segment {name(c['id'])} "
            f"({c['start']:.2f}–{c['end']:.2f} s) by "
            f"{min(end, c['end']) - max(start, c['start']):.2f} s: save again to keep the "
            "overlap (two speakers), or move the boundary." for c in clashes]
