"""The tables (`metadata`) and the column type of the comma-joined lists.

New databases are created from these definitions; existing ones reach them through the Alembic
revisions in `migrations/versions`, so a change here goes with a new revision (see `migrations`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa


class CommaList(sa.types.TypeDecorator):
    """A tuple of strings stored as one comma-joined string: ("a", "b") as "a,b", () as "".

    A plain str is stored as given, so queries compare the column with literals
    (`flags != ""`, `flags.like("%x%")`) in the same SQL as a String column's.
    """

    impl = sa.String
    cache_ok = True

    def process_bind_param(self, value: Iterable[str] | str | None, dialect: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return ",".join(value)

    def process_result_value(self, value: str | None, dialect: Any) -> tuple[str, ...]:
        return tuple(v for v in (value or "").split(",") if v)


metadata = sa.MetaData()

projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("language", sa.String(16), nullable=False, default="auto"),
    sa.Column("conventions", sa.String(2000), nullable=False, default="plain"),
    sa.Column("asr_engine", sa.String(32), nullable=False, default="faster-whisper"),
    sa.Column("asr_model", sa.String(500), nullable=False, default="base"),
    sa.Column("created_at", sa.DateTime, nullable=False),
    # 0002
    sa.Column("prompt", sa.Text),
    sa.Column("max_segment", sa.Float, nullable=False, default=20.0, server_default="20.0"),
    sa.Column("min_segment", sa.Float, nullable=False, default=0.5, server_default="0.5"),
    sa.Column("per_channel", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    # 0003
    sa.Column("speakers", sa.JSON),  # the names labellers pick from
    sa.Column("guidelines", sa.Text),  # Markdown the owner writes; default: the profile's
    sa.Column("lint_blocks", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    # 0006
    sa.Column(
        "review_required", sa.Boolean, nullable=False, default=False, server_default=sa.false()
    ),
    sa.Column("review_reasons", sa.JSON),  # the reasons a reviewer picks from; NULL: default
    # 0007: review sampling
    sa.Column("review_share", sa.Float, nullable=False, default=1.0, server_default="1.0"),
    sa.Column("review_raise_above", sa.Float, nullable=False, default=0.2, server_default="0.2"),
    # 0009: who works on what (see workbench.assignment)
    sa.Column(
        "assignment", sa.String(16), nullable=False, default="off", server_default="off"
    ),  # 'off' | 'segment' | 'recording'
    sa.Column(
        "claim_minutes", sa.Integer, nullable=False, default=30, server_default="30"
    ),  # minutes: a claim nobody saves is free again after
    # 0010: qualification, gold, double labelling, defect rules, pay (see workbench.quality)
    sa.Column(
        "qualify_required", sa.Boolean, nullable=False, default=False, server_default=sa.false()
    ),  # labellers pass the test before their queue opens
    sa.Column("qualify_max_error", sa.Float, nullable=False, default=0.1, server_default="0.1"),
    sa.Column(
        "qualify_items", sa.Integer, nullable=False, default=0, server_default="0"
    ),  # items an attempt draws from the test's gold; 0: all
    sa.Column("gold_share", sa.Float, nullable=False, default=0.0, server_default="0.0"),
    sa.Column("double_share", sa.Float, nullable=False, default=0.0, server_default="0.0"),
    sa.Column("agree_max_error", sa.Float, nullable=False, default=0.1, server_default="0.1"),
    sa.Column("warn_reject", sa.Float, nullable=False, default=0.1, server_default="0.1"),
    sa.Column("pause_reject", sa.Float, nullable=False, default=0.3, server_default="0.3"),
    sa.Column("warn_gold", sa.Float, nullable=False, default=0.15, server_default="0.15"),
    sa.Column("pause_gold", sa.Float, nullable=False, default=0.3, server_default="0.3"),
    sa.Column("rules_min", sa.Integer, nullable=False, default=10, server_default="10"),
    sa.Column("rules_days", sa.Integer, nullable=False, default=7, server_default="7"),
    sa.Column(
        "pay_unit", sa.String(16), nullable=False, default="minute", server_default="minute"
    ),  # 'item' | 'minute' (of audio)
    sa.Column("pay_rate", sa.Float, nullable=False, default=0.0, server_default="0.0"),
    sa.Column(
        "pay_weighted", sa.Boolean, nullable=False, default=False, server_default=sa.false()
    ),  # weight pay by the edit effort
    # 0011: drafts that learn
    sa.Column(
        "holdout_share", sa.Float, nullable=False, default=0.1, server_default="0.1"
    ),  # approved segments kept out of training, to measure on
    sa.Column(
        "queue_order", sa.String(16), nullable=False, default="time", server_default="time"
    ),  # labellers' default order: 'time' | 'uncertain'
    sa.Column(
        "use_terms", sa.Boolean, nullable=False, default=False, server_default=sa.false()
    ),  # prompt the next drafts with the enabled terms
    # 0013
    sa.Column(
        "pay_answers", sa.Boolean, nullable=False, default=False, server_default=sa.false()
    ),  # pay blind answers (second labels, hidden gold, test items) too
    # 0015
    sa.Column("time_zone", sa.String(64)),  # IANA name (days of pay, times shown); NULL: server's
    # 0016: the interface language of members who never chose one; NULL: by the language
    sa.Column("interface_language", sa.String(8)),
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
    # 0002: for 2..8-channel sources, a 16 kHz copy that keeps the channels (per-channel drafts)
    sa.Column("channels_path", sa.String(2000)),
    sa.UniqueConstraint("project_id", "sha256", name="uq_recording_hash"),
    sa.Column("draft_job", sa.Integer),  # 0011: the job that drafted it (its batch)
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
    # 0002: what a person must look at (see workbench.flags)
    sa.Column("flags", CommaList(500), nullable=False, default="", server_default=""),
    # 0003
    sa.Column("tags", CommaList(500), nullable=False, default="", server_default=""),
    sa.Column("comment", sa.Text, nullable=False, default="", server_default=""),
    sa.Index("ix_segments_recording_start", "recording_id", "start"),
    sa.Column("confidence", sa.Float),  # 0011: the draft's mean word probability
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
    # 0003: the whole state after the revision, so history, undo and restore need nothing else
    sa.Column("op", sa.String(16)),
    sa.Column("status", sa.String(16)),
    sa.Column("speaker", sa.String(200)),
    sa.Column("tags", CommaList(500)),
    sa.Column("comment", sa.Text),
    sa.Column("active_seconds", sa.Float),
    sa.UniqueConstraint("segment_id", "n", name="uq_revision_n"),
    sa.Index("ix_revisions_author", "author"),  # 0010: a labeller's work (quality, rules)
)

# 0012: a revision's words timed against its audio (forced alignment, after a save); words
# NULL with an error when it could not be aligned. A later save is a new revision: its own row.
word_timings = sa.Table(
    "word_timings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("revision_id", sa.ForeignKey("revisions.id"), nullable=False, unique=True),
    sa.Column("words", sa.JSON),  # [{word, start, end, probability}], seconds in the recording
    sa.Column("model", sa.String(500), nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
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
    sa.Column("updated_at", sa.DateTime, nullable=False),  # the heartbeat of a running job
    sa.Column("worker_pid", sa.Integer),  # the process running the job
    sa.Column("worker_host", sa.String(255)),  # its host (see workbench.workers.host_id)
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


# ---------------------------------------------------------------- people (revision 0004)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200), nullable=False, default=""),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False, default=""),
)

memberships = sa.Table(
    "memberships",
    metadata,
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("added_at", sa.DateTime, nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # sha256 of the browser's token
    sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)

prefs = sa.Table(
    "prefs",
    metadata,
    sa.Column("user_name", sa.String(100), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.JSON),
)

events = sa.Table(  # the audit log: append-only
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("project_id", sa.Integer, index=True),
    sa.Column("detail", sa.JSON, nullable=False),
)


# ---------------------------------------------------------------- review (revision 0006)

reviews = sa.Table(  # append-only: one row per approve / fix & approve / reject
    "reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("segment_id", sa.ForeignKey("segments.id"), nullable=False, index=True),
    sa.Column("revision_id", sa.ForeignKey("revisions.id"), nullable=False),  # the one reviewed
    sa.Column("reviewer", sa.String(100), nullable=False),
    sa.Column("verdict", sa.String(16), nullable=False),  # 'approve' | 'reject'
    sa.Column("reason", sa.String(200)),
    sa.Column("comment", sa.Text, nullable=False, default="", server_default=""),
    sa.Column("created_at", sa.DateTime, nullable=False),
)


# ---------------------------------------------------------------- audit (revision 0007)

opinions = sa.Table(  # a second ASR opinion on a labelled segment; its text is never the label
    "opinions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("segment_id", sa.ForeignKey("segments.id"), nullable=False, unique=True),
    sa.Column("revision_id", sa.ForeignKey("revisions.id"), nullable=False),  # the label compared
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("model", sa.String(200), nullable=False),
    sa.Column("language", sa.String(16)),
    sa.Column("avg_logprob", sa.Float),
    sa.Column("wer", sa.Float, nullable=False),
    sa.Column("cer", sa.Float, nullable=False),
    sa.Column("disagreement", sa.Float, nullable=False, index=True),  # the language's headline rate
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# ---------------------------------------------------------------- assignment (revision 0009)

claims = sa.Table(  # who works on an item now: one row per item, free again after expires_at
    "claims",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False, index=True),
    # exactly one of the two: the item claimed (a segment, or a whole recording)
    sa.Column("segment_id", sa.ForeignKey("segments.id"), unique=True),
    sa.Column("recording_id", sa.ForeignKey("recordings.id"), unique=True),
    sa.Column("user_name", sa.String(100), nullable=False),
    sa.Column("claimed_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)

caps = sa.Table(  # the most segments a person may label in a project
    "caps",
    metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("user_name", sa.String(100), primary_key=True),
    sa.Column("cap", sa.Integer, nullable=False),
)


# ---------------------------------------------------------------- quality (revision 0010)

gold = sa.Table(  # a segment with its reference transcript, owner-set; the label is untouched
    "gold",
    metadata,
    sa.Column("segment_id", sa.ForeignKey("segments.id"), primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column(
        "in_test", sa.Boolean, nullable=False, default=False, server_default=sa.false()
    ),  # part of the qualification test
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

answers = sa.Table(  # a labeller's blind text of a segment, scored; never a revision
    "answers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False, index=True),
    sa.Column("segment_id", sa.ForeignKey("segments.id"), nullable=False, index=True),
    sa.Column("user_name", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # 'test' | 'gold' | 'second'
    sa.Column("attempt", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("reference", sa.Text, nullable=False),  # the gold text, or the first label
    sa.Column("other", sa.String(100)),  # 'second': the first labeller
    sa.Column("wer", sa.Float, nullable=False),
    sa.Column("cer", sa.Float, nullable=False),
    sa.Column("error", sa.Float, nullable=False),  # the language's headline rate
    sa.Column("audio_seconds", sa.Float, nullable=False, default=0.0, server_default="0"),
    sa.Column("active_seconds", sa.Float, nullable=False, default=0.0, server_default="0"),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("segment_id", "user_name", "kind", "attempt", name="uq_answer"),
)

doubles = sa.Table(  # segments drawn for double labelling (see quality.drawn_twice)
    "doubles",
    metadata,
    sa.Column("segment_id", sa.ForeignKey("segments.id"), primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False, index=True),
)

standings = sa.Table(  # a labeller in a project: test attempt, pass, a pause lifted
    "standings",
    metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("user_name", sa.String(100), primary_key=True),
    sa.Column("attempt", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Column("passed_at", sa.DateTime),
    sa.Column("lifted_at", sa.DateTime),  # defect rules count only what came after
)


# ---------------------------------------------------------------- adaptation (revision 0011)

# the project's vocabulary for drafts: learned from approved fixes, or the owner's
terms = sa.Table(
    "terms",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False, index=True),
    sa.Column("term", sa.String(200), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),  # 'learned' | 'owner'
    sa.Column("segments", sa.Integer, nullable=False, default=0, server_default="0"),  # evidence
    sa.Column("people", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Column("enabled", sa.Boolean, nullable=False, default=True, server_default=sa.true()),
    sa.Column("updated_by", sa.String(100), nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("project_id", "term", name="uq_term"),
)

rewrites = sa.Table(  # a recurring fix (draft span -> final span), suggested; applied once accepted
    "rewrites",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False, index=True),
    sa.Column("before", sa.String(500), nullable=False),
    sa.Column("after", sa.String(500), nullable=False),
    sa.Column("segments", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Column("people", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Column("state", sa.String(16), nullable=False),  # 'suggested' | 'accepted' | 'dismissed'
    sa.Column("decided_by", sa.String(100)),
    sa.Column("decided_at", sa.DateTime),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("project_id", "before", "after", name="uq_rewrite"),
)

models = sa.Table(  # a project's fine-tuned drafting model versions; none replaces another silently
    "models",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False, index=True),
    sa.Column("n", sa.Integer, nullable=False),  # version 1, 2, ... within the project
    sa.Column("engine", sa.String(32), nullable=False),
    sa.Column("path", sa.String(2000), nullable=False),  # relative to the workbench home
    sa.Column("base", sa.String(500), nullable=False),  # the model it was trained from
    sa.Column("method", sa.String(16), nullable=False),  # 'lora' | 'decoder' | 'full'
    sa.Column("params", sa.JSON, nullable=False),  # steps, learning rate, seed...
    # 'training' | 'ready' | 'failed' | 'cancelled'
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("job_id", sa.Integer),
    sa.Column("train_segments", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Column("heldout_segments", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Column("metric", sa.String(8)),  # 'cer' | 'wer'
    sa.Column("error_before", sa.Float),  # on the held-out set: the model it replaces
    sa.Column("error_after", sa.Float),  # this model
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("promoted_at", sa.DateTime),  # made the project's drafting model
    sa.UniqueConstraint("project_id", "n", name="uq_model_n"),
)

measures = sa.Table(  # draft error on held-out approved segments, one row per adaptation step
    "measures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False, index=True),
    sa.Column("step", sa.String(100), nullable=False),  # 'baseline', 'vocabulary', 'model 2'...
    sa.Column("metric", sa.String(8), nullable=False),
    sa.Column("error", sa.Float, nullable=False),
    sa.Column("segments", sa.Integer, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),  # of held-out audio
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# ---------------------------------------------------------------- speakers (revision 0014)

speakers = sa.Table(  # a project's speaker registry: what deliverables say of each speaker
    "speakers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id"), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),  # as recordings and segments name them
    sa.Column("gender", sa.String(16), nullable=False, default="", server_default=""),
    sa.Column("age", sa.String(16), nullable=False, default="", server_default=""),
    sa.Column("region", sa.String(100), nullable=False, default="", server_default=""),
    sa.Column("role", sa.String(100), nullable=False, default="", server_default=""),
    sa.Column("notes", sa.Text, nullable=False, default="", server_default=""),
    sa.Column("position", sa.Integer, nullable=False),  # the registry's order (editor keys)
    sa.Column("updated_by", sa.String(100), nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("project_id", "name", name="uq_speaker_name"),
)
