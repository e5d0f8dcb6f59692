"""SQLAlchemy tables and queries: the only module that speaks SQL.

Every function takes an `Engine` (see `open_store`) and returns records from `corpus`. Writes
that belong together (a recording's drafted segments, a save and its version bump) happen in one
transaction, so a crash leaves either all of them or none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workbench.flags import SERIOUS_FLAGS
from workbench.corpus import (
    Edit,
    Job,
    Project,
    Recording,
    Revision,
    Segment,
    SegmentView,
    StaleEdit,
    Status,
)

SCHEMA_VERSION = 3  # bump with a new entry in MIGRATIONS

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("language", sa.String(16), nullable=False, default="auto"),
    sa.Column("conventions", sa.String(64), nullable=False, default="plain"),
    sa.Column("asr_engine", sa.String(32), nullable=False, default="faster-whisper"),
    sa.Column("asr_model", sa.String(500), nullable=False, default="base"),
    sa.Column("created_at", sa.DateTime, nullable=False),
    # v2
    sa.Column("prompt", sa.Text),
    sa.Column("max_segment", sa.Float, nullable=False, default=20.0, server_default="20.0"),
    sa.Column("min_segment", sa.Float, nullable=False, default=0.5, server_default="0.5"),
    sa.Column("per_channel", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    # v3
    sa.Column("speakers", sa.JSON),  # the names labellers pick from
    sa.Column("guidelines", sa.Text),  # Markdown the owner writes; default: the profile's
    sa.Column("lint_blocks", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
)

recordings = sa.Table(
    "recordings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False, index=True),
    sa.Column("original_name", sa.String(1000), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("source_path", sa.String(2000), nullable=False),
    sa.Column("working_path", sa.String(2000), nullable=False),
    sa.Column("peaks_path", sa.String(2000), nullable=False),
    sa.Column("sample_rate", sa.Integer, nullable=False),
    sa.Column("channels", sa.Integer, nullable=False),
    sa.Column("num_samples", sa.BigInteger, nullable=False),
    sa.Column("duration", sa.Float, nullable=False),
    sa.Column("speaker", sa.String(200)),
    sa.Column("language", sa.String(16)),
    sa.Column("meta", sa.JSON, nullable=False, default=dict),
    sa.Column("drafted_at", sa.DateTime),
    sa.Column("created_at", sa.DateTime, nullable=False),
    # v2: for 2..8-channel sources, a 16 kHz copy that keeps the channels (per-channel drafts)
    sa.Column("channels_path", sa.String(2000)),
    sa.UniqueConstraint("project_id", "sha256", name="uq_recording_hash"),
)

segments = sa.Table(
    "segments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("recording_id", sa.ForeignKey("recordings.id"), nullable=False),
    sa.Column("start", sa.Float, nullable=False),
    sa.Column("end", sa.Float, nullable=False),
    sa.Column("speaker", sa.String(200)),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("assignee", sa.String(200)),
    sa.Column("version", sa.Integer, nullable=False, default=1),
    sa.Column("latest_revision_id", sa.Integer),
    # v2: what a person must look at, comma-separated (see workbench.flags)
    sa.Column("flags", sa.String(500), nullable=False, default="", server_default=""),
    # v3
    sa.Column("tags", sa.String(500), nullable=False, default="", server_default=""),
    sa.Column("comment", sa.Text, nullable=False, default="", server_default=""),
    sa.Index("ix_segments_recording_start", "recording_id", "start"),
)

revisions = sa.Table(
    "revisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("segment_id", sa.ForeignKey("segments.id"), nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("start", sa.Float, nullable=False),
    sa.Column("end", sa.Float, nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("asr_meta", sa.JSON),
    # v3: the whole state after the revision, so history, undo and restore need nothing else
    sa.Column("op", sa.String(16)),
    sa.Column("status", sa.String(16)),
    sa.Column("speaker", sa.String(200)),
    sa.Column("tags", sa.String(500)),
    sa.Column("comment", sa.Text),
    sa.Column("active_seconds", sa.Float),
    sa.UniqueConstraint("segment_id", "n", name="uq_revision_n"),
)

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("params", sa.JSON, nullable=False, default=dict),
    sa.Column("total", sa.Float, nullable=False, default=0.0),
    sa.Column("done", sa.Float, nullable=False, default=0.0),
    sa.Column("message", sa.Text, nullable=False, default=""),
    sa.Column("error", sa.Text),
    sa.Column("cancel_requested", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

exports = sa.Table(
    "exports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False),
    sa.Column("format", sa.String(32), nullable=False),
    sa.Column("path", sa.String(2000), nullable=False),
    sa.Column("filters", sa.JSON, nullable=False),
    sa.Column("counts", sa.JSON, nullable=False),
    sa.Column("hours", sa.Float, nullable=False),
    sa.Column("checksum", sa.String(64), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)


def _add_columns(conn: Connection, table: sa.Table, names: Sequence[str]) -> None:
    """ALTER TABLE ... ADD COLUMN for columns of `table` that a database lacks."""
    present = {c["name"] for c in sa.inspect(conn).get_columns(table.name)}
    for name in names:
        if name in present:
            continue
        column = table.c[name]
        ddl = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {ddl}")


def _migrate_to_2(conn: Connection) -> None:
    _add_columns(conn, projects, ["prompt", "max_segment", "min_segment", "per_channel"])
    _add_columns(conn, recordings, ["channels_path"])
    _add_columns(conn, segments, ["flags"])


def _migrate_to_3(conn: Connection) -> None:
    _add_columns(conn, projects, ["speakers", "guidelines", "lint_blocks"])
    _add_columns(conn, segments, ["tags", "comment"])
    _add_columns(conn, revisions, ["op", "status", "speaker", "tags", "comment", "active_seconds"])


# version -> function that upgrades a database from version-1 to version, in one transaction;
# an empty database is created at SCHEMA_VERSION directly
MIGRATIONS = {2: _migrate_to_2, 3: _migrate_to_3}


def now() -> datetime:
    """Naive UTC, as every timestamp is stored."""
    return datetime.now(UTC).replace(tzinfo=None)


def open_store(url: str) -> Engine:
    """Connect to `url`, creating or upgrading the schema; SQLite files run in WAL mode."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = sa.create_engine(url, pool_pre_ping=True)
    migrate(engine)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def current_version(conn: Connection) -> int:
    """The schema version of a database; 0 when it is empty."""
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    return conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0


def migrate(engine: Engine) -> int:
    """Bring the schema up to SCHEMA_VERSION without touching existing rows; returns it."""
    with engine.begin() as conn:
        version = current_version(conn)
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"the database is at schema version {version}, newer than this workbench "
                f"({SCHEMA_VERSION}); upgrade the workbench"
            )
        if version == 0:
            metadata.create_all(conn)
        else:
            for target in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[target](conn)
        if version != SCHEMA_VERSION:
            conn.execute(sa.delete(schema_version))
            conn.execute(sa.insert(schema_version).values(version=SCHEMA_VERSION))
    return SCHEMA_VERSION


# ---------------------------------------------------------------- rows to records


def _project(row: Any) -> Project:
    return Project(
        id=row.id,
        name=row.name,
        language=row.language,
        conventions=row.conventions,
        asr_engine=row.asr_engine,
        asr_model=row.asr_model,
        created_at=row.created_at,
        prompt=row.prompt,
        max_segment=row.max_segment,
        min_segment=row.min_segment,
        per_channel=bool(row.per_channel),
        speakers=tuple(row.speakers or ()),
        guidelines=row.guidelines,
        lint_blocks=bool(row.lint_blocks),
    )


def _recording(row: Any) -> Recording:
    return Recording(
        id=row.id,
        project_id=row.project_id,
        original_name=row.original_name,
        sha256=row.sha256,
        source_path=row.source_path,
        working_path=row.working_path,
        peaks_path=row.peaks_path,
        sample_rate=row.sample_rate,
        channels=row.channels,
        num_samples=row.num_samples,
        duration=row.duration,
        speaker=row.speaker,
        language=row.language,
        metadata=row.meta or {},
        channels_path=row.channels_path,
    )


def _segment(row: Any) -> Segment:
    return Segment(
        id=row.id,
        recording_id=row.recording_id,
        start=row.start,
        end=row.end,
        speaker=row.speaker,
        status=Status(row.status),
        assignee=row.assignee,
        version=row.version,
        flags=_split_list(row.flags),
        tags=_split_list(row.tags),
        comment=row.comment or "",
    )


def _revision(row: Any) -> Revision:
    return Revision(
        id=row.id,
        segment_id=row.segment_id,
        n=row.n,
        text=row.text,
        start=row.start,
        end=row.end,
        source=row.source,
        author=row.author,
        created_at=row.created_at,
        asr_meta=row.asr_meta,
        op=row.op,
        status=row.status,
        speaker=row.speaker,
        tags=_split_list(row.tags),
        comment=row.comment or "",
        active_seconds=row.active_seconds or 0.0,
    )


def _split_list(value: str | None) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split(",") if v)


def _job(row: Any) -> Job:
    return Job(
        id=row.id,
        project_id=row.project_id,
        kind=row.kind,
        state=row.state,
        params=row.params or {},
        total=row.total,
        done=row.done,
        message=row.message,
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


# ---------------------------------------------------------------- projects


def create_project(engine: Engine, name: str, language: str = "auto", **settings: str) -> Project:
    """Insert a project; `settings` may set conventions, asr_engine and asr_model."""
    with engine.begin() as conn:
        new_id = conn.execute(
            sa.insert(projects).values(name=name, language=language, created_at=now(), **settings)
        ).inserted_primary_key[0]
        return _project(conn.execute(sa.select(projects).where(projects.c.id == new_id)).one())


def find_project(engine: Engine, name: str) -> Project | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(projects).where(projects.c.name == name)).first()
    return _project(row) if row else None


def get_project(engine: Engine, project_id: int) -> Project:
    with engine.connect() as conn:
        return _project(conn.execute(sa.select(projects).where(projects.c.id == project_id)).one())


def list_projects(engine: Engine) -> list[Project]:
    with engine.connect() as conn:
        return [_project(r) for r in conn.execute(sa.select(projects).order_by(projects.c.name))]


def update_project(engine: Engine, project_id: int, **values: Any) -> Project:
    with engine.begin() as conn:
        conn.execute(sa.update(projects).where(projects.c.id == project_id).values(**values))
    return get_project(engine, project_id)


# ---------------------------------------------------------------- recordings


def add_recording(engine: Engine, **values: Any) -> Recording:
    values = {**values, "meta": values.pop("metadata", {}) or {}, "created_at": now()}
    with engine.begin() as conn:
        new_id = conn.execute(sa.insert(recordings).values(**values)).inserted_primary_key[0]
        return _recording(conn.execute(sa.select(recordings).where(recordings.c.id == new_id)).one())


def find_recording_by_hash(engine: Engine, project_id: int, sha256: str) -> Recording | None:
    query = sa.select(recordings).where(
        recordings.c.project_id == project_id, recordings.c.sha256 == sha256
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return _recording(row) if row else None


def get_recording(engine: Engine, recording_id: int) -> Recording:
    with engine.connect() as conn:
        return _recording(
            conn.execute(sa.select(recordings).where(recordings.c.id == recording_id)).one()
        )


def list_recordings(engine: Engine, project_id: int) -> list[Recording]:
    query = (
        sa.select(recordings)
        .where(recordings.c.project_id == project_id)
        .order_by(recordings.c.original_name, recordings.c.id)
    )
    with engine.connect() as conn:
        return [_recording(r) for r in conn.execute(query)]


def undrafted_recordings(engine: Engine, project_id: int) -> list[Recording]:
    """Recordings of a project that no drafting run has finished yet."""
    query = (
        sa.select(recordings)
        .where(recordings.c.project_id == project_id, recordings.c.drafted_at.is_(None))
        .order_by(recordings.c.id)
    )
    with engine.connect() as conn:
        return [_recording(r) for r in conn.execute(query)]


# ---------------------------------------------------------------- segments and revisions


def add_drafted_segments(
    engine: Engine,
    recording_id: int,
    drafts: Iterable[dict[str, Any]],
    author: str,
    language: str | None = None,
) -> int:
    """Insert a recording's drafted segments, each with revision 1, and mark it drafted.

    All in one transaction. Each draft is a dict with start, end, text, speaker (optional) and
    asr_meta. Returns how many segments were written. Refuses (returns 0) when the recording
    was drafted already, so a second drafting run never duplicates.
    """
    created = now()
    count = 0
    with engine.begin() as conn:
        claimed = conn.execute(
            sa.update(recordings)
            .where(recordings.c.id == recording_id, recordings.c.drafted_at.is_(None))
            .values(drafted_at=created)
        )
        if claimed.rowcount != 1:
            return 0
        for draft in drafts:
            seg_id = conn.execute(
                sa.insert(segments).values(
                    recording_id=recording_id,
                    start=draft["start"],
                    end=draft["end"],
                    speaker=draft.get("speaker"),
                    status=Status.DRAFTED.value,
                    version=1,
                    flags=",".join(draft.get("flags", ())),
                )
            ).inserted_primary_key[0]
            rev_id = conn.execute(
                sa.insert(revisions).values(
                    segment_id=seg_id,
                    n=1,
                    text=draft["text"],
                    start=draft["start"],
                    end=draft["end"],
                    source=draft.get("source", "asr"),
                    author=author,
                    created_at=created,
                    asr_meta=draft.get("asr_meta"),
                )
            ).inserted_primary_key[0]
            conn.execute(
                sa.update(segments).where(segments.c.id == seg_id).values(latest_revision_id=rev_id)
            )
            count += 1
        if language:
            conn.execute(
                sa.update(recordings)
                .where(recordings.c.id == recording_id)
                .values(language=language)
            )
    return count


def get_segment(engine: Engine, segment_id: int) -> Segment:
    with engine.connect() as conn:
        return _segment(conn.execute(sa.select(segments).where(segments.c.id == segment_id)).one())


def segment_queue(
    engine: Engine,
    project_id: int,
    recording_id: int | None = None,
    statuses: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """The editor's queue: one light dict per segment (id, recording, times, status, text)."""
    query = (
        sa.select(
            segments.c.id,
            segments.c.recording_id,
            recordings.c.original_name.label("recording"),
            segments.c.start,
            segments.c.end,
            segments.c.status,
            segments.c.flags,
            revisions.c.text,
        )
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .outerjoin(revisions, revisions.c.id == segments.c.latest_revision_id)
        .where(recordings.c.project_id == project_id)
        .order_by(recordings.c.original_name, recordings.c.id, segments.c.start, segments.c.id)
    )
    if recording_id is not None:
        query = query.where(segments.c.recording_id == recording_id)
    if statuses:
        query = query.where(segments.c.status.in_(list(statuses)))
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        row["flags"] = _split_list(row["flags"])
    return rows


def segment_view(engine: Engine, segment_id: int) -> SegmentView:
    """A segment with its recording, latest revision and first ASR draft."""
    with engine.connect() as conn:
        seg_row = conn.execute(sa.select(segments).where(segments.c.id == segment_id)).one()
        rec_row = conn.execute(
            sa.select(recordings).where(recordings.c.id == seg_row.recording_id)
        ).one()
        latest = None
        if seg_row.latest_revision_id is not None:
            latest = conn.execute(
                sa.select(revisions).where(revisions.c.id == seg_row.latest_revision_id)
            ).one()
        draft = conn.execute(
            sa.select(revisions)
            .where(revisions.c.segment_id == segment_id, revisions.c.source == "asr")
            .order_by(revisions.c.n)
            .limit(1)
        ).first()
    return SegmentView(
        segment=_segment(seg_row),
        recording=_recording(rec_row),
        latest=_revision(latest) if latest else None,
        draft=_revision(draft) if draft else None,
    )


def list_revisions(engine: Engine, segment_id: int) -> list[Revision]:
    query = sa.select(revisions).where(revisions.c.segment_id == segment_id).order_by(revisions.c.n)
    with engine.connect() as conn:
        return [_revision(r) for r in conn.execute(query)]


def _bump(conn: Connection, segment_id: int, expected_version: int, **values: Any) -> None:
    """Move a segment to new values if it is still at `expected_version`, else StaleEdit.

    The version check and the bump are one conditional UPDATE, so of two racing saves exactly
    one wins; the other gets StaleEdit with the winner's text.
    """
    bumped = conn.execute(
        sa.update(segments)
        .where(segments.c.id == segment_id, segments.c.version == expected_version)
        .values(version=segments.c.version + 1, **values)
    )
    if bumped.rowcount != 1:
        row = conn.execute(
            sa.select(segments.c.version, revisions.c.text)
            .outerjoin(revisions, revisions.c.id == segments.c.latest_revision_id)
            .where(segments.c.id == segment_id)
        ).one()
        raise StaleEdit(segment_id, expected_version, row.version, row.text or "")


def _revise(conn: Connection, segment_id: int, edit: Edit, author: str, source: str) -> int:
    """Insert the next revision of a segment holding `edit`, and point the segment at it."""
    n = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(revisions.c.n), 0)).where(
            revisions.c.segment_id == segment_id
        )
    ).scalar_one()
    rev_id = conn.execute(
        sa.insert(revisions).values(
            segment_id=segment_id, n=n + 1, text=edit.text, start=edit.start, end=edit.end,
            source=source, author=author, created_at=now(), op=edit.op,
            status=edit.status.value, speaker=edit.speaker, tags=",".join(edit.tags),
            comment=edit.comment, active_seconds=round(edit.active_seconds, 1),
        )
    ).inserted_primary_key[0]
    conn.execute(
        sa.update(segments).where(segments.c.id == segment_id).values(latest_revision_id=rev_id)
    )
    return rev_id


def _state(edit: Edit) -> dict[str, Any]:
    return {
        "start": edit.start, "end": edit.end, "status": edit.status.value,
        "speaker": edit.speaker, "tags": ",".join(edit.tags), "comment": edit.comment,
    }


def apply_edit(
    engine: Engine, segment_id: int, expected_version: int, edit: Edit, author: str,
    source: str = "human",
) -> Revision:
    """Append a revision holding `edit` if nobody saved the segment since `expected_version`."""
    with engine.begin() as conn:
        _bump(conn, segment_id, expected_version, **_state(edit))
        rev_id = _revise(conn, segment_id, edit, author, source)
        return _revision(conn.execute(sa.select(revisions).where(revisions.c.id == rev_id)).one())


def split(
    engine: Engine, segment_id: int, expected_version: int, left: Edit, right: Edit, author: str
) -> int:
    """Shorten a segment to `left` and create a new segment holding `right`; returns its id.

    Both get a revision with op 'split', in one transaction.
    """
    with engine.begin() as conn:
        recording_id = conn.execute(
            sa.select(segments.c.recording_id).where(segments.c.id == segment_id)
        ).scalar_one()
        _bump(conn, segment_id, expected_version, **_state(left))
        _revise(conn, segment_id, left, author, "human")
        new_id = conn.execute(
            sa.insert(segments).values(recording_id=recording_id, version=1, flags="",
                                       **_state(right))
        ).inserted_primary_key[0]
        _revise(conn, new_id, right, author, "human")
    return new_id


def merge(
    engine: Engine, first: tuple[int, int], second: tuple[int, int], merged: Edit, author: str
) -> None:
    """Make the first segment (id, version) cover both and delete the second, in one transaction."""
    with engine.begin() as conn:
        _bump(conn, first[0], first[1], **_state(merged))
        _revise(conn, first[0], merged, author, "human")
        row = conn.execute(sa.select(segments).where(segments.c.id == second[0])).one()
        gone = Edit(merged.text, row.start, row.end, Status.DELETED, row.speaker,
                    _split_list(row.tags), row.comment, op="merged")
        _bump(conn, second[0], second[1], **_state(gone))
        _revise(conn, second[0], gone, author, "human")


def adjacent(engine: Engine, segment: Segment) -> tuple[dict | None, dict | None]:
    """The segments just before and after `segment` in time in its recording (not deleted)."""
    base = (
        sa.select(segments.c.id, segments.c.start, segments.c.end, segments.c.version,
                  segments.c.speaker, revisions.c.text)
        .outerjoin(revisions, revisions.c.id == segments.c.latest_revision_id)
        .where(segments.c.recording_id == segment.recording_id,
               segments.c.status != Status.DELETED.value, segments.c.id != segment.id)
    )
    key = sa.tuple_(segments.c.start, segments.c.id)
    here = sa.tuple_(sa.literal(segment.start), sa.literal(segment.id))
    with engine.connect() as conn:
        before = conn.execute(
            base.where(key < here).order_by(segments.c.start.desc(), segments.c.id.desc()).limit(1)
        ).first()
        after = conn.execute(
            base.where(key > here).order_by(segments.c.start, segments.c.id).limit(1)
        ).first()
    return (dict(before._mapping) if before else None, dict(after._mapping) if after else None)


def _queue_query(
    project_id: int, recording_id: int | None, statuses: Sequence[str] | None, flagged_only: bool
):
    query = (
        sa.select(segments.c.id)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .where(recordings.c.project_id == project_id)
    )
    if recording_id is not None:
        query = query.where(segments.c.recording_id == recording_id)
    if statuses:
        query = query.where(segments.c.status.in_(list(statuses)))
    if flagged_only:
        query = query.where(segments.c.flags != "")
    return query


def _queue_order(order: str) -> tuple:
    """The queue's sort key: time order, or the most serious flags first then time."""
    by_time = (recordings.c.original_name, recordings.c.id, segments.c.start, segments.c.id)
    if order == "time":
        return by_time
    serious = sa.or_(*[segments.c.flags.like(f"%{flag}%") for flag in SERIOUS_FLAGS])
    rank = sa.case((serious, 0), (segments.c.flags != "", 1), else_=2)
    return (rank, *by_time)


def queue_position(
    engine: Engine,
    project_id: int,
    current: int | None,
    recording_id: int | None = None,
    statuses: Sequence[str] | None = None,
    flagged_only: bool = False,
    order: str = "time",
) -> dict[str, Any]:
    """Where `current` stands in the labeller's queue, by keyset queries (no full listing).

    Returns {current, previous, next, index, total}; `current` falls back to the first segment
    at or after the given one's place when it no longer matches the filters (e.g. just saved),
    so the cost of a step does not grow with the number of segments.
    """
    if order == "time":
        return _position_by_recording(engine, project_id, current, recording_id, statuses,
                                      flagged_only)
    base = _queue_query(project_id, recording_id, statuses, flagged_only)
    columns = _queue_order(order)
    key = sa.tuple_(*columns)
    descending = [c.desc() for c in columns]

    def place(conn: Connection, segment_id: int):
        row = conn.execute(
            sa.select(*columns)
            .join(recordings, recordings.c.id == segments.c.recording_id)
            .where(segments.c.id == segment_id)
        ).first()
        return sa.tuple_(*[sa.literal(v) for v in row]) if row else None

    with engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar_one()
        if total == 0:
            return {"current": None, "previous": None, "next": None, "index": 0, "total": 0}
        here = place(conn, current) if current is not None else None
        first = base.order_by(*columns).limit(1)
        found = conn.execute(first.where(key >= here) if here is not None else first).scalar()
        if found is None:  # past the end: the last one
            found = conn.execute(base.order_by(*descending).limit(1)).scalar()
        here = place(conn, found)
        previous = conn.execute(base.where(key < here).order_by(*descending).limit(1)).scalar()
        following = conn.execute(base.where(key > here).order_by(*columns).limit(1)).scalar()
        index = conn.execute(
            sa.select(sa.func.count()).select_from(base.where(key < here).subquery())
        ).scalar_one()
    return {"current": found, "previous": previous, "next": following, "index": index,
            "total": total}


def _position_by_recording(
    engine: Engine,
    project_id: int,
    current: int | None,
    recording_id: int | None,
    statuses: Sequence[str] | None,
    flagged_only: bool,
) -> dict[str, Any]:
    """queue_position in time order, using the (recording_id, start) index at every step.

    Recordings are ordered by name in Python (they are few); within a recording, previous and
    next are index range scans, so a step costs the same in a 10-hour recording as in a short one.
    """
    def matching(query):
        if statuses:
            query = query.where(segments.c.status.in_(list(statuses)))
        if flagged_only:
            query = query.where(segments.c.flags != "")
        return query

    empty = {"current": None, "previous": None, "next": None, "index": 0, "total": 0}
    with engine.connect() as conn:
        every = [
            r.id for r in conn.execute(
                sa.select(recordings.c.id).where(recordings.c.project_id == project_id)
                .order_by(recordings.c.original_name, recordings.c.id)
            )
        ]
        if recording_id is not None:
            every = [r for r in every if r == recording_id]
        counts = dict(conn.execute(matching(
            sa.select(segments.c.recording_id, sa.func.count())
            .where(segments.c.recording_id.in_(every)).group_by(segments.c.recording_id)
        )).all()) if every else {}
        order = [r for r in every if counts.get(r)]
        if not order:
            return empty

        def edge(rec: int, last: bool = False, after=None, before=None):
            """First (or last) matching segment of a recording, optionally past a key."""
            key = sa.tuple_(segments.c.start, segments.c.id)
            query = matching(sa.select(segments.c.id, segments.c.start)
                             .where(segments.c.recording_id == rec))
            if after is not None:
                query = query.where(key >= sa.tuple_(*map(sa.literal, after)))
            if before is not None:
                query = query.where(key < sa.tuple_(*map(sa.literal, before)))
            if last:
                query = query.order_by(segments.c.start.desc(), segments.c.id.desc())
            else:
                query = query.order_by(segments.c.start, segments.c.id)
            return conn.execute(query.limit(1)).first()

        found = None
        row = None
        if current is not None:
            row = conn.execute(sa.select(segments.c.recording_id, segments.c.start)
                               .where(segments.c.id == current)).first()
        if row is not None and row.recording_id in every:
            at = every.index(row.recording_id)
            for k, rec in enumerate(every[at:]):
                if not counts.get(rec):
                    continue
                hit = edge(rec, after=(row.start, current) if k == 0 else None)
                if hit is not None:
                    found = (rec, hit.start, hit.id)
                    break
            if found is None:  # past the end: the last one
                hit = edge(order[-1], last=True)
                found = (order[-1], hit.start, hit.id)
        else:
            hit = edge(order[0])
            found = (order[0], hit.start, hit.id)
        rec, start, seg_id = found
        here = (start, seg_id)
        at = order.index(rec)
        previous = edge(rec, last=True, before=here)
        if previous is None and at > 0:
            previous = edge(order[at - 1], last=True)
        following = conn.execute(matching(
            sa.select(segments.c.id).where(
                segments.c.recording_id == rec,
                sa.tuple_(segments.c.start, segments.c.id) > sa.tuple_(*map(sa.literal, here)),
            )
        ).order_by(segments.c.start, segments.c.id).limit(1)).scalar()
        if following is None and at + 1 < len(order):
            following = edge(order[at + 1]).id
        within = conn.execute(matching(
            sa.select(sa.func.count()).where(
                segments.c.recording_id == rec,
                sa.tuple_(segments.c.start, segments.c.id) < sa.tuple_(*map(sa.literal, here)),
            )
        )).scalar_one()
    return {
        "current": seg_id,
        "previous": previous.id if previous is not None else None,
        "next": following,
        "index": sum(counts[r] for r in order[:at]) + within,
        "total": sum(counts[r] for r in order),
    }


def export_rows(
    engine: Engine, project_id: int, statuses: Sequence[str] | None
) -> list[dict[str, Any]]:
    """Segments to export with their recording and latest revision, in recording then time order.

    Deleted segments are never exported, whatever the statuses asked for. `speaker` is the
    segment's, else the recording's.
    """
    query = (
        sa.select(
            segments.c.id.label("segment_id"),
            recordings.c.id.label("recording_id"),
            recordings.c.original_name.label("recording"),
            recordings.c.working_path,
            recordings.c.source_path,
            recordings.c.duration.label("recording_duration"),
            recordings.c.language,
            segments.c.start,
            segments.c.end,
            sa.func.coalesce(segments.c.speaker, recordings.c.speaker).label("speaker"),
            segments.c.status,
            revisions.c.text,
            revisions.c.author,
            revisions.c.created_at.label("revised_at"),
            revisions.c.asr_meta,
            segments.c.tags,
        )
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .join(revisions, revisions.c.id == segments.c.latest_revision_id)
        .where(recordings.c.project_id == project_id,
               segments.c.status != Status.DELETED.value)
        .order_by(recordings.c.id, segments.c.start, segments.c.id)
    )
    if statuses:
        query = query.where(segments.c.status.in_(list(statuses)))
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        row["tags"] = _split_list(row["tags"])
    return rows


def speakers_and_labellers(engine: Engine, project_id: int) -> tuple[list[str], list[str]]:
    """The speakers (segment's or recording's) and the latest revisions' authors of a project."""
    speaker = sa.func.coalesce(segments.c.speaker, recordings.c.speaker)
    base = sa.select().select_from(
        segments.join(recordings, recordings.c.id == segments.c.recording_id)
    ).where(recordings.c.project_id == project_id)
    with engine.connect() as conn:
        speakers = conn.execute(
            base.add_columns(speaker).distinct().where(speaker.is_not(None)).order_by(speaker)
        ).scalars().all()
        labellers = conn.execute(
            base.add_columns(revisions.c.author)
            .join(revisions, revisions.c.id == segments.c.latest_revision_id)
            .distinct().order_by(revisions.c.author)
        ).scalars().all()
    return list(speakers), list(labellers)


def status_counts(engine: Engine, project_id: int) -> dict[str, Any]:
    """Segments per status, hours of audio, hours of segments per status."""
    with engine.connect() as conn:
        audio_seconds, n_recordings = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(recordings.c.duration), 0.0), sa.func.count())
            .where(recordings.c.project_id == project_id)
        ).one()
        rows = conn.execute(
            sa.select(
                segments.c.status,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(segments.c.end - segments.c.start), 0.0),
            )
            .join(recordings, recordings.c.id == segments.c.recording_id)
            .where(recordings.c.project_id == project_id)
            .group_by(segments.c.status)
        ).all()
    return {
        "recordings": n_recordings,
        "audio_hours": audio_seconds / 3600,
        "segments": {status: count for status, count, _ in rows},
        "segment_hours": {status: seconds / 3600 for status, _, seconds in rows},
    }


def draft_final_pairs(engine: Engine, project_id: int) -> list[tuple[str, str]]:
    """(ASR draft text, latest text) of every labelled or approved segment that was drafted."""
    draft = revisions.alias("draft")
    latest = revisions.alias("latest")
    query = (
        sa.select(draft.c.text, latest.c.text)
        .select_from(segments)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .join(latest, latest.c.id == segments.c.latest_revision_id)
        .join(draft, sa.and_(draft.c.segment_id == segments.c.id, draft.c.n == 1,
                             draft.c.source == "asr"))
        .where(recordings.c.project_id == project_id,
               segments.c.status.in_([Status.LABELED.value, Status.APPROVED.value]))
    )
    with engine.connect() as conn:
        return [(a, b) for a, b in conn.execute(query)]


def labeller_stats(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    """Per author of human revisions: saves, segments, seconds of audio, active seconds."""
    query = (
        sa.select(
            revisions.c.author,
            sa.func.count().label("saves"),
            sa.func.count(sa.distinct(revisions.c.segment_id)).label("segments"),
            sa.func.coalesce(sa.func.sum(revisions.c.active_seconds), 0.0).label("active"),
        )
        .join(segments, segments.c.id == revisions.c.segment_id)
        .join(recordings, recordings.c.id == segments.c.recording_id)
        .where(recordings.c.project_id == project_id, revisions.c.source == "human")
        .group_by(revisions.c.author)
        .order_by(revisions.c.author)
    )
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
        pairs = conn.execute(
            sa.select(revisions.c.author, revisions.c.segment_id, segments.c.start, segments.c.end)
            .join(segments, segments.c.id == revisions.c.segment_id)
            .join(recordings, recordings.c.id == segments.c.recording_id)
            .where(recordings.c.project_id == project_id, revisions.c.source == "human")
            .distinct()
        ).all()
    seconds: dict[str, float] = {}
    for author, _, start, end in pairs:
        seconds[author] = seconds.get(author, 0.0) + (end - start)
    for row in rows:
        row["audio_seconds"] = seconds.get(row["author"], 0.0)
    return rows


# ---------------------------------------------------------------- jobs


def running_job(engine: Engine, project_id: int, kind: str) -> Job | None:
    query = (
        sa.select(jobs)
        .where(jobs.c.project_id == project_id, jobs.c.kind == kind, jobs.c.state == "running")
        .order_by(jobs.c.id.desc())
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return _job(row) if row else None


def latest_job(engine: Engine, project_id: int, kind: str) -> Job | None:
    query = (
        sa.select(jobs)
        .where(jobs.c.project_id == project_id, jobs.c.kind == kind)
        .order_by(jobs.c.id.desc())
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return _job(row) if row else None


def get_job(engine: Engine, job_id: int) -> Job:
    with engine.connect() as conn:
        return _job(conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).one())


def start_job(
    engine: Engine, project_id: int, kind: str, params: dict[str, Any], total: float
) -> Job:
    stamp = now()
    with engine.begin() as conn:
        new_id = conn.execute(
            sa.insert(jobs).values(
                project_id=project_id,
                kind=kind,
                state="running",
                params=params,
                total=total,
                done=0.0,
                message="",
                cancel_requested=False,
                created_at=stamp,
                updated_at=stamp,
            )
        ).inserted_primary_key[0]
        return _job(conn.execute(sa.select(jobs).where(jobs.c.id == new_id)).one())


def update_job(engine: Engine, job_id: int, **values: Any) -> None:
    """Set job fields (done, total, message, state, error) and touch its heartbeat."""
    with engine.begin() as conn:
        conn.execute(sa.update(jobs).where(jobs.c.id == job_id).values(updated_at=now(), **values))


def request_cancel(engine: Engine, job_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(jobs).where(jobs.c.id == job_id).values(cancel_requested=True))


def cancel_requested(engine: Engine, job_id: int) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.execute(sa.select(jobs.c.cancel_requested).where(jobs.c.id == job_id)).scalar()
        )


# ---------------------------------------------------------------- exports


def record_export(engine: Engine, **values: Any) -> int:
    with engine.begin() as conn:
        return conn.execute(
            sa.insert(exports).values(created_at=now(), **values)
        ).inserted_primary_key[0]


def list_exports(engine: Engine, project_id: int) -> list[dict[str, Any]]:
    query = sa.select(exports).where(exports.c.project_id == project_id).order_by(exports.c.id.desc())
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
