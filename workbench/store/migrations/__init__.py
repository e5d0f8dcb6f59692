"""The schema's Alembic revisions (versions/) and `migrate`, which brings a database to the head.

`migrate` creates an empty database from `schema.metadata` and stamps it at the head; it takes
over a database made before Alembic (a `schema_version` table at 1, 2 or 3) by stamping revision
0001, 0002 or 0003 and dropping that table; then it upgrades to the head. No alembic.ini: `config`
builds the configuration, and env.py runs on the connection `migrate` holds, in its transaction.

Adding a revision, e.g. 0004 (users, sessions...):

1. change `schema.py` in the same commit: new databases are made from it, old ones upgraded by
   the revisions, and tests/store/test_store.py checks that both give the same tables and columns;
2. add `versions/0004_<what>.py`, by hand or from script.py.mako with
   `alembic.command.revision(workbench.store.migrations.config(), "<what>", rev_id="0004")`:
   `down_revision = "0003"`, and an `upgrade()` making the change with `op`, tables and columns
   written out in full (never import `schema`: it moves on, a revision must not). New tables and
   added columns work everywhere; SQLite alters little else in place (`op.batch_alter_table`
   copies the table, which foreign keys pointing at it make hard), so prefer those;
3. export new tables from `workbench/store/__init__.py` if callers need them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from workbench.core.errors import Kind, WorkbenchError
from workbench.store.schema import metadata

# the version table before Alembic, and the revision of each version it held: migrate stamps a
# database carrying it with that revision, then drops it
_schema_version = sa.Table("schema_version", sa.MetaData(), sa.Column("version", sa.Integer))
_BEFORE_ALEMBIC = {1: "0001", 2: "0002", 3: "0003"}
_PG_LOCK = 0x776273746F7265  # pg_advisory_xact_lock key: one migrate at a time per database


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for these revisions, running on `connection` if given."""
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent).replace("%", "%%"))
    cfg.attributes["connection"] = connection
    return cfg


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


@cache
def _revisions() -> frozenset[str]:
    return frozenset(script.revision for script in _scripts().walk_revisions())


# the head revision: what migrate reaches (exactly one: the revisions form a line)
(SCHEMA_VERSION,) = _scripts().get_heads()


def is_known_version(revision: str) -> bool:
    """Whether `revision` is one of these revisions (a database at it can be upgraded)."""
    return revision in _revisions()


def current_version(conn: Connection) -> str | None:
    """The revision a database is at (its pre-Alembic schema_version as one); None when empty."""
    tables = sa.inspect(conn).get_table_names()
    if "alembic_version" in tables:
        return MigrationContext.configure(conn).get_current_revision()
    if "schema_version" in tables:
        version = conn.execute(sa.select(sa.func.max(_schema_version.c.version))).scalar()
        return _BEFORE_ALEMBIC.get(version, str(version)) if version else None
    return None


def migrate(engine: Engine) -> str:
    """Bring the schema up to SCHEMA_VERSION without touching existing rows; returns it.

    An empty database (or one with no version) is created from `schema.metadata` and stamped;
    one made before Alembic is stamped with its revision; then the revisions since run. A
    revision this code does not know is refused (a WorkbenchError). All in one transaction that
    holds the database's write lock (SQLite) or an advisory lock (PostgreSQL) from the start,
    so of two processes opening a fresh database one creates it and the other finds it made.
    """
    with engine.begin() as conn:
        lock_schema(conn)
        tables = set(sa.inspect(conn).get_table_names())
        version = current_version(conn)
        if version is None or not tables & set(metadata.tables):
            create_schema(conn)
        else:
            if version not in _revisions():
                raise WorkbenchError(
                    f"the database is at schema version {version}, newer than this workbench "
                    f"({SCHEMA_VERSION}); upgrade the workbench",
                    kind=Kind.UNAVAILABLE,
                )
            if "alembic_version" not in tables:
                command.stamp(config(conn), version)
            if version != SCHEMA_VERSION:
                command.upgrade(config(conn), "head")
        if "schema_version" in tables:
            _schema_version.drop(conn)
    return SCHEMA_VERSION


def create_schema(conn: Connection) -> None:
    """Create every table in the empty database of `conn` and stamp it at the head, in the
    transaction `conn` holds (begun with `lock_schema`)."""
    metadata.create_all(conn)
    command.stamp(config(conn), "head", purge=True)


def lock_schema(conn: Connection) -> None:
    """Take the lock `migrate` holds, as the first statement of `conn`'s transaction: SQLite's
    write lock (which also makes DDL transactional under pysqlite), or PostgreSQL's advisory
    lock (one schema change at a time per database)."""
    if conn.dialect.name == "sqlite":  # also makes the DDL transactional under pysqlite
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK)))
