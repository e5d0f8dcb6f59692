"""Accounts, project membership, sign-in sessions, per-user preferences and the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.core.records import Role, User
from workbench.store.engine import now, reading, write_lock
from workbench.store.records import inserted_id, to_record
from workbench.store.schema import events, memberships, prefs, sessions, users

_FIRST_OWNER_LOCK = 0x776266697273  # pg_advisory_xact_lock key: one first-owner check at a time


def _user(row: Any) -> User:
    return to_record(User, row)


def count_users(engine: Engine) -> int:
    """How many accounts exist, active or not."""
    with reading(engine) as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one()


def create_user(
    engine: Engine,
    name: str,
    role: Role,
    password_hash: str,
    display_name: str = "",
    created_by: str = "",
) -> User:
    """Insert an account; the unique name is enforced by the database."""
    with engine.begin() as conn:
        new_id = inserted_id(
            conn.execute(
                sa.insert(users).values(
                    name=name,
                    role=role.value,
                    password_hash=password_hash,
                    display_name=display_name,
                    active=True,
                    created_at=now(),
                    created_by=created_by,
                )
            )
        )
        return _user(conn.execute(sa.select(users).where(users.c.id == new_id)).one())


def create_first_owner(engine: Engine, name: str, password_hash: str) -> User | None:
    """Create the first account as owner, unless an account exists already (then None).

    The check and the insert are one transaction under the database's write lock (an advisory
    lock on PostgreSQL), so of first-run pages racing exactly one makes an owner.
    """
    with engine.begin() as conn:
        write_lock(conn, _FIRST_OWNER_LOCK)
        if conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one():
            return None
        new_id = inserted_id(
            conn.execute(
                sa.insert(users).values(
                    name=name,
                    role=Role.OWNER.value,
                    password_hash=password_hash,
                    display_name="",
                    active=True,
                    created_at=now(),
                    created_by="first run",
                )
            )
        )
        return _user(conn.execute(sa.select(users).where(users.c.id == new_id)).one())


def find_user(engine: Engine, name: str) -> tuple[User, str] | None:
    """The account called `name` and its password hash, or None."""
    with reading(engine) as conn:
        row = conn.execute(sa.select(users).where(users.c.name == name)).first()
    return (_user(row), row.password_hash) if row else None


def get_user(engine: Engine, user_id: int) -> User | None:
    with reading(engine) as conn:
        row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    return _user(row) if row else None


def list_users(engine: Engine) -> list[User]:
    with reading(engine) as conn:
        return [_user(r) for r in conn.execute(sa.select(users).order_by(users.c.name))]


def update_user(engine: Engine, user_id: int, **values: Any) -> None:
    """Set role, display_name, active or password_hash of an account."""
    if "role" in values:
        values["role"] = Role(values["role"]).value
    with engine.begin() as conn:
        conn.execute(sa.update(users).where(users.c.id == user_id).values(**values))


def count_active_owners(engine: Engine) -> int:
    with reading(engine) as conn:
        return conn.execute(
            sa.select(sa.func.count())
            .select_from(users)
            .where(users.c.role == Role.OWNER.value, users.c.active.is_(True))
        ).scalar_one()


# ---------------------------------------------------------------- membership


def is_member(engine: Engine, user_id: int, project_id: int) -> bool:
    with reading(engine) as conn:
        return (
            conn.execute(
                sa.select(memberships.c.user_id).where(
                    memberships.c.user_id == user_id, memberships.c.project_id == project_id
                )
            ).first()
            is not None
        )


def member_project_ids(engine: Engine, user_id: int) -> list[int]:
    with reading(engine) as conn:
        return list(
            conn.execute(
                sa.select(memberships.c.project_id).where(memberships.c.user_id == user_id)
            ).scalars()
        )


def project_members(engine: Engine, project_id: int) -> list[User]:
    query = (
        sa.select(users)
        .join(memberships, memberships.c.user_id == users.c.id)
        .where(memberships.c.project_id == project_id)
        .order_by(users.c.name)
    )
    with reading(engine) as conn:
        return [_user(r) for r in conn.execute(query)]


def set_members(engine: Engine, project_id: int, user_ids: Sequence[int]) -> None:
    """Make exactly `user_ids` the members of a project, in one transaction."""
    with engine.begin() as conn:
        conn.execute(sa.delete(memberships).where(memberships.c.project_id == project_id))
        if user_ids:
            conn.execute(
                sa.insert(memberships),
                [
                    {"user_id": u, "project_id": project_id, "added_at": now()}
                    for u in dict.fromkeys(user_ids)
                ],
            )


# ---------------------------------------------------------------- sessions


def create_session(engine: Engine, token_hash: str, user_id: int, expires_at: datetime) -> None:
    stamp = now()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(sessions).values(
                token_hash=token_hash,
                user_id=user_id,
                created_at=stamp,
                last_seen_at=stamp,
                expires_at=expires_at,
            )
        )


def session_user(engine: Engine, token_hash: str) -> tuple[User, datetime, datetime] | None:
    """(user, created_at, expires_at) of a session, or None when there is no such session."""
    query = (
        sa.select(users, sessions.c.created_at.label("session_created"), sessions.c.expires_at)
        .join(users, users.c.id == sessions.c.user_id)
        .where(sessions.c.token_hash == token_hash)
    )
    with reading(engine) as conn:
        row = conn.execute(query).first()
    return (_user(row), row.session_created, row.expires_at) if row else None


def touch_session(engine: Engine, token_hash: str, expires_at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.update(sessions)
            .where(sessions.c.token_hash == token_hash)
            .values(last_seen_at=now(), expires_at=expires_at)
        )


def delete_sessions(
    engine: Engine,
    token_hash: str | None = None,
    user_id: int | None = None,
    expired: bool = False,
    but: str | None = None,
) -> int:
    """Delete one session, all of a user's (`but` the one of that token hash), or the expired
    ones; returns how many."""
    query = sa.delete(sessions)
    if but is not None:
        query = query.where(sessions.c.token_hash != but)
    if token_hash is not None:
        query = query.where(sessions.c.token_hash == token_hash)
    if user_id is not None:
        query = query.where(sessions.c.user_id == user_id)
    if expired:
        query = query.where(sessions.c.expires_at < now())
    with engine.begin() as conn:
        return conn.execute(query).rowcount


# ---------------------------------------------------------------- preferences


def get_prefs(engine: Engine, user_name: str) -> dict[str, Any]:
    with reading(engine) as conn:
        return dict(
            conn.execute(
                sa.select(prefs.c.key, prefs.c.value).where(prefs.c.user_name == user_name)
            ).all()
        )


def set_pref(engine: Engine, user_name: str, key: str, value: Any) -> None:
    """Upsert one preference (delete and insert in one transaction: portable)."""
    with engine.begin() as conn:
        conn.execute(sa.delete(prefs).where(prefs.c.user_name == user_name, prefs.c.key == key))
        conn.execute(sa.insert(prefs).values(user_name=user_name, key=key, value=value))


# ---------------------------------------------------------------- audit log


def log_event(
    engine: Engine,
    actor: str,
    action: str,
    project_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one line to the audit log (never updated or deleted)."""
    with engine.begin() as conn:
        conn.execute(
            sa.insert(events).values(
                at=now(), actor=actor, action=action, project_id=project_id, detail=detail or {}
            )
        )


def list_events(
    engine: Engine,
    project_id: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Audit log lines, newest first."""
    query = sa.select(events).order_by(events.c.id.desc()).limit(limit)
    if project_id is not None:
        query = query.where(events.c.project_id == project_id)
    if actor is not None:
        query = query.where(events.c.actor == actor)
    if action is not None:
        query = query.where(events.c.action == action)
    if since is not None:
        query = query.where(events.c.at >= since)
    with reading(engine) as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def count_events(engine: Engine, action: str, actor: str, since: datetime) -> int:
    with reading(engine) as conn:
        return conn.execute(
            sa.select(sa.func.count())
            .select_from(events)
            .where(events.c.action == action, events.c.actor == actor, events.c.at >= since)
        ).scalar_one()


def add_member(engine: Engine, user_id: int, project_id: int) -> None:
    """Make a user a member of a project (nothing happens when they are one already)."""
    with engine.begin() as conn:
        present = conn.execute(
            sa.select(memberships.c.user_id).where(
                memberships.c.user_id == user_id, memberships.c.project_id == project_id
            )
        ).first()
        if present is None:
            conn.execute(
                sa.insert(memberships).values(
                    user_id=user_id, project_id=project_id, added_at=now()
                )
            )
