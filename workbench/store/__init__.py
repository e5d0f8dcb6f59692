"""SQLAlchemy tables and queries: the only package that speaks SQL.

Every function takes an `Engine` (see `open_store`) and returns records from `corpus`. Writes
that belong together (a recording's drafted segments, a save and its version bump) happen in one
transaction, so a crash leaves either all of them or none.

Modules: `schema` (tables), `records` (rows to records), `engine` (open_store, now),
`migrations` (Alembic), `snapshots` (backups), and the queries by subject: `projects`,
`recordings`, `segments` (revisions and edits), `queue`, `claims`, `reviews`, `opinions`,
`reports`, `jobs`, `exports`. Callers use this package's names (`store.list_projects`,
`store.segments` the table...), not the modules'.
"""

from workbench.store.claims import (
    assign,
    claim_item,
    claim_next,
    get_cap,
    holder,
    release,
    renew,
    segments_of,
    set_cap,
    todo_left,
    why_none,
    workload,
)
from workbench.store.engine import now, open_store
from workbench.store.errors import database_trouble
from workbench.store.exports import list_exports, record_export
from workbench.store.jobs import (
    cancel_requested,
    claim_job,
    get_job,
    latest_job,
    request_cancel,
    running_job,
    start_job,
    stop_job,
    touch_job,
    update_job,
)
from workbench.store.migrations import SCHEMA_VERSION, current_version, migrate
from workbench.store.people import (
    add_member,
    count_active_owners,
    count_events,
    count_users,
    create_first_owner,
    create_session,
    create_user,
    delete_sessions,
    find_user,
    get_prefs,
    get_user,
    is_member,
    list_events,
    list_users,
    log_event,
    member_project_ids,
    project_members,
    session_user,
    set_members,
    set_pref,
    touch_session,
    update_user,
)
from workbench.store.projects import (
    create_project,
    find_project,
    get_project,
    list_projects,
    update_project,
)
from workbench.store.queue import queue_position, segment_queue
from workbench.store.recordings import (
    add_recording,
    find_recording_by_hash,
    get_recording,
    list_recordings,
    undrafted_recordings,
)
from workbench.store.opinions import audit_rows, audit_todo, opinion_of, save_opinion
from workbench.store.reports import (
    draft_final_pairs,
    export_rows,
    labeller_stats,
    speakers_and_labellers,
    status_counts,
)
from workbench.store.reviews import (
    labeller_of,
    last_review,
    record_review,
    rejected_for,
    review_stats,
    verdicts_on,
)
from workbench.store.snapshots import (
    DumpToolMissing,
    Snapshot,
    describe_store,
    dump_postgres,
    has_rows,
    known_schema,
    load_postgres,
    load_sqlite,
    move_profiles,
    snapshot_sqlite,
    sqlite_file,
)
from workbench.store.segments import (
    add_drafted_segments,
    adjacent,
    apply_edit,
    get_segment,
    list_revisions,
    merge,
    segment_view,
    live_overlaps,
    split,
)

# Last: the tables take the names of the modules `projects`, `recordings`, `segments`, `jobs`
# and `exports` in this namespace, so `store.segments` is the table (import the query modules
# with `from workbench.store.segments import ...`).
from workbench.store.schema import (  # noqa: E402
    caps,
    claims,
    events,
    exports,
    jobs,
    memberships,
    metadata,
    prefs,
    projects,
    recordings,
    opinions,
    reviews,
    revisions,
    segments,
    sessions,
    users,
)

__all__ = [
    # backups (snapshots)
    "DumpToolMissing",
    "Snapshot",
    "describe_store",
    "dump_postgres",
    "has_rows",
    "known_schema",
    "load_postgres",
    "load_sqlite",
    "move_profiles",
    "snapshot_sqlite",
    "sqlite_file",
    # engine and schema
    "open_store",
    "now",
    "database_trouble",
    "migrate",
    "current_version",
    "SCHEMA_VERSION",
    "metadata",
    "projects",
    "recordings",
    "segments",
    "revisions",
    "jobs",
    "exports",
    "users",
    "memberships",
    "sessions",
    "prefs",
    "events",
    "reviews",
    "opinions",
    "claims",
    "caps",
    # people
    "count_users",
    "create_user",
    "create_first_owner",
    "find_user",
    "get_user",
    "list_users",
    "update_user",
    "count_active_owners",
    "is_member",
    "member_project_ids",
    "project_members",
    "set_members",
    "add_member",
    "create_session",
    "session_user",
    "touch_session",
    "delete_sessions",
    "get_prefs",
    "set_pref",
    "log_event",
    "list_events",
    "count_events",
    # projects
    "create_project",
    "find_project",
    "get_project",
    "list_projects",
    "update_project",
    # recordings
    "add_recording",
    "find_recording_by_hash",
    "get_recording",
    "list_recordings",
    "undrafted_recordings",
    # segments, revisions, edits
    "add_drafted_segments",
    "get_segment",
    "segment_view",
    "live_overlaps",
    "list_revisions",
    "apply_edit",
    "split",
    "merge",
    "adjacent",
    # queue
    "segment_queue",
    "queue_position",
    # reports
    "status_counts",
    "draft_final_pairs",
    "labeller_stats",
    "speakers_and_labellers",
    "export_rows",
    # reviews
    "record_review",
    "last_review",
    "rejected_for",
    "labeller_of",
    "review_stats",
    "verdicts_on",
    # second opinions (audit)
    "audit_rows",
    "audit_todo",
    "opinion_of",
    "save_opinion",
    # claims and assignment
    "claim_next",
    "claim_item",
    "release",
    "renew",
    "holder",
    "todo_left",
    "why_none",
    "assign",
    "segments_of",
    "get_cap",
    "set_cap",
    "workload",
    # jobs
    "running_job",
    "latest_job",
    "get_job",
    "start_job",
    "update_job",
    "touch_job",
    "claim_job",
    "stop_job",
    "request_cancel",
    "cancel_requested",
    # exports
    "record_export",
    "list_exports",
]
