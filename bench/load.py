"""Load: N simulated labellers claim, edit and save at once for a bounded time.

Each labeller is a thread acting as its own account through the real use cases: claim the next
segment (`crowd_claims.claim_next`), now and then skip it (`crowd_claims.skip`), else change its
text and save it (`labeller_edits.save`, which releases the claim). Prints saves per second, the
p50/p95 latency of a save and of a claim, and then checks that nothing went wrong: no segment
held by two labellers at once (the claims as each labeller saw them, with times), every save
stored as exactly one revision with its text (nothing lost), and every segment's revisions
numbered 1..n with the segment at version n pointing at revision n (nothing overwritten).

    .venv/bin/python bench/load.py [--labellers 20] [--seconds 20] [--db sqlite|URL]
                                   [--unit segment|recording] [--segments 20000] [--skip 0.1]

--db: 'sqlite' (a new file in a temporary folder) or a PostgreSQL URL of a scratch database
(postgresql+psycopg://user:password@host/db): its workbench tables are dropped first.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from workbench import store
from workbench.core.records import Edit, QueueFilter, Role, StaleEdit, Status
from workbench.crowd import claims as crowd_claims
from workbench.labelling.labeller_edits import save
from workbench.projects.settings import ensure_project, open_workbench, update_settings

PER_RECORDING = 500  # segments in each generated recording
QUEUE = QueueFilter()


@dataclass
class Labeller:
    """What one simulated labeller did, as it saw it."""

    name: str
    saves: list[tuple[int, str]] = field(default_factory=list)  # (segment, text saved)
    held: list[tuple[int, float, float]] = field(default_factory=list)  # (segment, from, to)
    save_seconds: list[float] = field(default_factory=list)
    claim_seconds: list[float] = field(default_factory=list)
    skips: int = 0
    errors: list[str] = field(default_factory=list)
    idle: str = ""  # why the queue handed nothing at the end, if it did not
    release_seconds: float = 0.0  # giving up the last claim at the end


def build(wb, segments: int, unit: str, labellers: int):
    """A project of generated recordings (no audio: nothing plays them) and its labellers."""
    project = ensure_project(wb, "load", "en")
    for r in range(0, segments, PER_RECORDING):
        count = min(PER_RECORDING, segments - r)
        rec = store.add_recording(
            wb.db,
            project_id=project.id,
            original_name=f"rec{r // PER_RECORDING:04d}.wav",
            sha256=hashlib.sha256(f"load/{r}".encode()).hexdigest(),
            source_path="-",
            working_path="-",
            peaks_path="-",
            sample_rate=16000,
            channels=1,
            num_samples=16000 * 2 * count,
            duration=2.0 * count,
        )
        store.add_drafted_segments(
            wb.db,
            rec.id,
            [
                {"start": 2.0 * i, "end": 2.0 * i + 1.5, "text": f"draft {r + i}"}
                for i in range(count)
            ],
            author="asr",
        )
    project = update_settings(wb, project.id, assignment=unit)
    people = []
    for k in range(labellers):
        user = store.create_user(wb.db, f"labeller{k:02d}", Role.LABELLER, "!")
        store.add_member(wb.db, user.id, project.id)
        people.append(wb.as_user(user))
    return project, people


def work(
    wb,
    project_id: int,
    me: Labeller,
    deadline: float,
    skip: float,
    seed: int,
    start: threading.Barrier,
) -> None:
    """Claim, edit and save (or skip) until the deadline, as the editor does; then give up
    the last claim (what expiry does for a labeller who leaves)."""
    rng = random.Random(seed)
    start.wait()
    handed, last = None, None
    while time.monotonic() < deadline:
        if handed is None:
            t = time.perf_counter()
            handed = crowd_claims.claim_next(wb, project_id, QUEUE)
            me.claim_seconds.append(time.perf_counter() - t)
        if handed.segment_id is None:
            me.idle = handed.reason
            break
        seg_id = last = handed.segment_id
        since = time.monotonic()
        seg = store.get_segment(wb.db, seg_id)  # what the editor shows: its version
        if rng.random() < skip:
            me.held.append((seg_id, since, time.monotonic()))
            t = time.perf_counter()
            handed = crowd_claims.skip(wb, project_id, seg_id, QUEUE)
            me.claim_seconds.append(time.perf_counter() - t)
            me.skips += 1
            continue
        handed = None
        text = f"{me.name} save {len(me.saves)} of segment {seg_id}"
        me.held.append((seg_id, since, time.monotonic()))  # held at least until the save
        t = time.perf_counter()
        try:
            save(wb, seg_id, seg.version, Edit(text, seg.start, seg.end, Status.LABELLED))
        except (StaleEdit, ValueError, PermissionError) as exc:
            me.errors.append(f"segment {seg_id}: {exc}")
            continue
        me.save_seconds.append(time.perf_counter() - t)
        me.saves.append((seg_id, text))
    t = time.perf_counter()
    for seg_id in {last, handed and handed.segment_id} - {None}:
        crowd_claims.release(wb, seg_id)
    me.release_seconds = time.perf_counter() - t


def overlaps(crew: list[Labeller]) -> list[str]:
    """Segments two labellers held at once, by the times each of them saw."""
    spans = defaultdict(list)
    for me in crew:
        for seg_id, since, until in me.held:
            spans[seg_id].append((since, until, me.name))
    found = []
    for seg_id, held in spans.items():
        held.sort()
        for (_, end_a, a), (start_b, _, b) in pairwise(held):
            if start_b < end_a:
                found.append(f"segment {seg_id}: {a} and {b}")
    return found


def check_store(wb, project_id: int, crew: list[Labeller]) -> list[str]:
    """Every save stored once with its text; every segment's revisions 1..n, at version n."""
    problems = []
    with wb.db.connect() as conn:
        human = conn.execute(
            sa.select(
                store.revisions.c.segment_id, store.revisions.c.text, store.revisions.c.author
            )
            .join(store.segments, store.segments.c.id == store.revisions.c.segment_id)
            .join(store.recordings, store.recordings.c.id == store.segments.c.recording_id)
            .where(store.recordings.c.project_id == project_id, store.revisions.c.source == "human")
        ).all()
        chains = conn.execute(
            sa.select(
                store.segments.c.id,
                store.segments.c.version,
                store.segments.c.latest_revision_id,
                sa.func.count(store.revisions.c.id),
                sa.func.max(store.revisions.c.n),
                sa.func.max(store.revisions.c.id),
            )
            .join(store.revisions, store.revisions.c.segment_id == store.segments.c.id)
            .join(store.recordings, store.recordings.c.id == store.segments.c.recording_id)
            .where(store.recordings.c.project_id == project_id)
            .group_by(
                store.segments.c.id, store.segments.c.version, store.segments.c.latest_revision_id
            )
        ).all()
    stored = defaultdict(int)
    for seg_id, text, author in human:
        stored[(seg_id, text, author)] += 1
    expected = {(seg_id, text, me.name) for me in crew for seg_id, text in me.saves}
    if len(human) != len(expected):
        problems.append(f"{len(expected)} saves made, {len(human)} labeller revisions stored")
    problems += [f"save lost: segment {s} by {a}" for s, _, a in expected if not stored[(s, _, a)]]
    problems += [f"stored {n} times: segment {s}" for (s, _, _), n in stored.items() if n > 1]
    for seg_id, version, latest, count, top, last_id in chains:
        if not (count == top == version and latest == last_id):
            problems.append(
                f"segment {seg_id}: version {version}, {count} revisions, "
                f"last n {top}, latest revision {latest} (newest {last_id})"
            )
    saved_twice = [s for s, n in _counts(s for s, _, _ in human).items() if n > 1]
    problems += [f"segment {s} saved by two labellers" for s in saved_twice]
    return problems


def _counts(items) -> dict:
    out: dict = defaultdict(int)
    for item in items:
        out[item] += 1
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))] * 1000 if ordered else float("nan")


def open_bench(db: str, home: Path):
    """The workbench to load: a new SQLite file in `home`, or the scratch PostgreSQL emptied."""
    if db == "sqlite":
        return open_workbench(home, f"sqlite:///{home / 'load.db'}")
    wb = open_workbench(home, db)
    with wb.db.begin() as conn:
        store.metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    store.migrate(wb.db)
    return wb


def run_crew(people, project_id: int, seconds: float, skip: float) -> tuple[list[Labeller], float]:
    """Every labeller at work in a thread of their own for `seconds`; the crew and the time
    taken."""
    crew = [Labeller(p.actor.name) for p in people]
    start = threading.Barrier(len(people))
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=work, args=(p, project_id, me, deadline, skip, k, start))
        for k, (p, me) in enumerate(zip(people, crew, strict=True))
    ]
    began = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - began
    return crew, elapsed


def find_problems(wb, project_id: int, crew: list[Labeller]) -> list[str]:
    """What went wrong: the labellers' errors, overlapping claims, the store's checks and
    claims left held."""
    problems = [e for me in crew for e in me.errors]
    problems += overlaps(crew) + check_store(wb, project_id, crew)
    left = store.workload(wb.db, project_id, ["drafted"])
    live = sum(r["claims"] for r in left)
    if live:
        problems.append(f"{live} claims still held after every labeller stopped")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labellers", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--db", default="sqlite", help="'sqlite' or a scratch PostgreSQL URL")
    ap.add_argument("--unit", default="segment", choices=["segment", "recording"])
    ap.add_argument("--segments", type=int, default=20000)
    ap.add_argument("--skip", type=float, default=0.1, help="share of claims skipped")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wb = open_bench(args.db, Path(tmp))
        t = time.perf_counter()
        project, people = build(wb, args.segments, args.unit, args.labellers)
        print(
            f"{wb.db.dialect.name}: {args.segments} segments by {args.unit}, "
            f"{args.labellers} labellers, {args.seconds:.0f} s "
            f"(set-up {time.perf_counter() - t:.0f} s)"
        )
        crew, elapsed = run_crew(people, project.id, args.seconds, args.skip)
        saves = [s for me in crew for s in me.save_seconds]
        claims = [s for me in crew for s in me.claim_seconds]
        print(
            f"saves {len(saves)} in {elapsed:.1f} s: {len(saves) / elapsed:.1f} saves/s; "
            f"skips {sum(me.skips for me in crew)}"
        )
        for label, values in (("save ", saves), ("claim", claims)):
            print(
                f"{label} latency p50 {pct(values, 0.5):7.1f} ms  p95 {pct(values, 0.95):7.1f}"
                f" ms  max {pct(values, 1.0):7.1f} ms"
            )
        idle = {me.idle for me in crew if me.idle}
        if idle:
            print(f"queue ran dry: {'; '.join(sorted(idle))}")
        problems = find_problems(wb, project.id, crew)
        for line in problems[:20]:
            print(f"  PROBLEM {line}")
        print(
            "checks: "
            + (
                "FAILED, " + f"{len(problems)} problems"
                if problems
                else "no segment held twice at once, no save lost, no revision "
                "overwritten, no claim left"
            )
        )
        wb.db.dispose()
        return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
