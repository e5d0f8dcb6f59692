"""People: accounts and roles, sign-in sessions, project membership, preferences, audit log.

Passwords are hashed with argon2id (argon2-cffi). A browser session is a random token the
browser keeps in a cookie; the database keeps only its SHA-256, so a stolen database does not
sign anyone in. Sessions end at sign-out, after IDLE_HOURS without use, or MAX_DAYS after
sign-in. Deactivating an account ends its sessions; its work stays attributed to it.

A session is bound to the browser that signed in (`binding`: its User-Agent and the network
prefix of its address): the database keeps the SHA-256 of the token with that binding, so a
copy of the cookie sent from another browser or another network resumes nothing.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, TextIO

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError

from workbench import store
from workbench.core.access import Action, Forbidden, require
from workbench.core.clock import iso
from workbench.core.errors import Kind, NotFound, WorkbenchError
from workbench.core.messages import t
from workbench.core.records import Role, User
from workbench.core.workbench import LOCAL, Workbench
from workbench.text.cells import write_rows

IDLE_HOURS = 12  # a session unused this long ends
MAX_DAYS = 7  # and none lasts longer than this after sign-in
MIN_PASSWORD = 8  # characters
LOCKOUT_FAILURES = 5  # failed sign-ins for one name within LOCKOUT_MINUTES lock it that long
LOCKOUT_MINUTES = 15
NAME_RULE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")  # sign-in names: plain, lower case

_hasher = PasswordHasher()
_WRONG_PASSWORD = ("sign-in failed", "current password wrong")  # audit actions the lockout counts


class SignInError(WorkbenchError):
    """Sign-in refused. The message never says whether the name or the password was wrong."""


@dataclass(frozen=True)
class Session:
    """A signed-in browser: the token to keep in its cookie, and who it is."""

    token: str
    user: User
    expires_at: datetime


def accounts_exist(wb: Workbench) -> bool:
    """Whether any account exists; until one does, the workbench is unprotected."""
    return store.count_users(wb.db) > 0


def check_name(name: str) -> str:
    """A sign-in name, normalised, or WorkbenchError saying what is wrong with it."""
    name = name.strip().lower()
    if not NAME_RULE.match(name):
        raise WorkbenchError(
            "a name is 2–40 characters: lower-case letters, digits, '.', '_' or "
            "'-', starting with a letter or digit"
        )
    if name == LOCAL.name:
        raise WorkbenchError(f"'{LOCAL.name}' is reserved for the server's own operator")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise WorkbenchError(t("a password needs at least {n} characters", n=MIN_PASSWORD))
    if len(password) > 1024:
        raise WorkbenchError("a password may have at most 1024 characters")
    return password


def _token_hash(token: str, bound: str = "") -> str:
    """What the database keeps of a session token: its SHA-256, with the browser's binding."""
    return hashlib.sha256((f"{token}\n{bound}" if bound else token).encode()).hexdigest()


def binding(user_agent: str | None, address: str | None) -> str:
    """What a session is bound to: the browser's User-Agent and the network its address is in
    (the /24 of an IPv4 address, the /48 of an IPv6 one; nothing for a local connection), so
    a move within one network keeps the session; '' when nothing is known (no request)."""
    network = ""
    if address:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            network = address
        else:
            prefix = 24 if ip.version == 4 else 48
            network = str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
    agent = (user_agent or "")[:500]
    return f"{agent}|{network}" if agent or network else ""


def create_first_owner(wb: Workbench, name: str, password: str, bound: str = "") -> Session:
    """The first-run step: make the first account, an owner, and sign it in.

    Refused once any account exists, so a stranger cannot use the first-run page later.
    """
    name, password = check_name(name), check_password(password)
    user = store.create_first_owner(wb.db, name, _hasher.hash(password))
    if user is None:
        raise Forbidden("the first owner exists already: sign in instead")
    store.log_event(wb.db, name, "first owner")
    return _open_session(wb, user, bound)


def sign_in(wb: Workbench, name: str, password: str, bound: str = "") -> Session:
    """A session for `name` if the password is right and the account active; else SignInError.
    `bound`: the signing-in browser's `binding`, which every use of the session must match."""
    name = name.strip().lower()
    _refuse_while_locked(wb, name)
    found = store.find_user(wb.db, name)
    ok = False
    if found is not None:
        try:
            ok = _hasher.verify(found[1], password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher.hash(password)  # spend the same time, so timing does not reveal the name
    if not ok or found is None or not found[0].active:
        store.log_event(wb.db, name[:100], "sign-in failed")
        raise SignInError(t("wrong name or password, or the account is deactivated"))
    user, stored = found
    if _hasher.check_needs_rehash(stored):
        store.update_user(wb.db, user.account_id, password_hash=_hasher.hash(password))
    store.log_event(wb.db, user.name, "sign-in")
    return _open_session(wb, user, bound)


def _refuse_while_locked(wb: Workbench, name: str) -> None:
    """SignInError while `name` has LOCKOUT_FAILURES wrong passwords within LOCKOUT_MINUTES
    (at sign-in, or as the current password on Account: one count for both)."""
    since = store.now() - timedelta(minutes=LOCKOUT_MINUTES)
    failures = sum(store.count_events(wb.db, action, name, since) for action in _WRONG_PASSWORD)
    if failures >= LOCKOUT_FAILURES:
        raise SignInError(
            t("too many failed attempts: try again in {minutes} minutes", minutes=LOCKOUT_MINUTES)
        )


def _open_session(wb: Workbench, user: User, bound: str) -> Session:
    token = secrets.token_urlsafe(32)
    expires = store.now() + timedelta(hours=IDLE_HOURS)
    store.delete_sessions(wb.db, expired=True)
    store.create_session(wb.db, _token_hash(token, bound), user.account_id, expires)
    return Session(token, user, expires)


def resume(wb: Workbench, token: str | None, bound: str = "") -> User | None:
    """The user of a live session token, extending its idle expiry; None when it has ended or
    `bound` is not the binding it was opened with (a copy used elsewhere)."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    digest = _token_hash(token, bound)
    found = store.session_user(wb.db, digest)
    if found is None:
        return None
    user, created, expires = found
    stamp = store.now()
    if not user.active or expires < stamp or stamp - created > timedelta(days=MAX_DAYS):
        store.delete_sessions(wb.db, token_hash=digest)
        return None
    if expires - stamp < timedelta(hours=IDLE_HOURS, minutes=-5):  # extend at most every 5 min
        store.touch_session(
            wb.db,
            digest,
            min(stamp + timedelta(hours=IDLE_HOURS), created + timedelta(days=MAX_DAYS)),
        )
    return user


def sign_out(wb: Workbench, token: str | None, bound: str = "") -> None:
    """End a session (the cookie holding it is useless afterwards)."""
    if token:
        store.delete_sessions(wb.db, token_hash=_token_hash(token, bound))
        store.log_event(wb.db, wb.actor.name, "sign-out")


def change_password(
    wb: Workbench, current: str, new: str, keep: str | None = None, bound: str = ""
) -> None:
    """The acting user changes their own password; every session of theirs ends but `keep`
    (the token of the browser that changed it, with its `bound`). Wrong current passwords
    count towards the sign-in lockout, so a borrowed session cannot guess without limit."""
    user = wb.actor
    found = store.find_user(wb.db, user.name) if user.id is not None else None
    if found is None:
        raise Forbidden("only an account has a password to change")
    _refuse_while_locked(wb, user.name)
    try:
        _hasher.verify(found[1], current)
    except (VerificationError, InvalidHashError):
        store.log_event(wb.db, user.name, "current password wrong")
        raise SignInError(t("the current password is wrong")) from None
    store.update_user(wb.db, user.account_id, password_hash=_hasher.hash(check_password(new)))
    ended = store.delete_sessions(
        wb.db, user_id=user.account_id, but=_token_hash(keep, bound) if keep else None
    )
    store.log_event(wb.db, user.name, "password changed", detail={"sessions ended": ended})


# ---------------------------------------------------------------- owners manage people


def new_password() -> str:
    """A temporary password for a new or reset account, to hand over once."""
    return secrets.token_urlsafe(9)


def create_user(
    wb: Workbench, name: str, role: Role | str, password: str | None = None, display_name: str = ""
) -> tuple[User, str]:
    """An owner creates an account; returns it and its (temporary) password, shown once."""
    owner = require(wb, Action.MANAGE_PEOPLE)
    name, role = check_name(name), Role(role)
    if role is not Role.OWNER and not accounts_exist(wb):
        raise WorkbenchError(
            "the first account must be an owner: once an account exists everyone "
            "signs in, and without an owner nobody could manage the workbench"
        )
    password = check_password(password) if password else new_password()
    try:
        user = store.create_user(
            wb.db,
            name,
            role,
            _hasher.hash(password),
            display_name=display_name.strip()[:200],
            created_by=owner.name,
        )
    except IntegrityError:
        raise WorkbenchError(f"the name {name!r} is taken", kind=Kind.CONFLICT) from None
    store.log_event(wb.db, owner.name, "user created", detail={"user": name, "role": role.value})
    return user, password


def list_users(wb: Workbench) -> list[User]:
    require(wb, Action.MANAGE_PEOPLE)
    return store.list_users(wb.db)


def _target(wb: Workbench, user_id: int) -> User:
    user = store.get_user(wb.db, user_id)
    if user is None:
        raise NotFound(f"no account with id {user_id}")
    return user


def _keep_an_owner(wb: Workbench, target: User, role: Role, active: bool) -> None:
    if (
        target.role is Role.OWNER
        and target.active
        and (role is not Role.OWNER or not active)
        and store.count_active_owners(wb.db) <= 1
    ):
        raise WorkbenchError("the workbench needs at least one active owner")


def set_role(wb: Workbench, user_id: int, role: Role | str) -> User:
    """An owner changes someone's role (never leaving the workbench without an active owner)."""
    owner = require(wb, Action.MANAGE_PEOPLE)
    target, role = _target(wb, user_id), Role(role)
    _keep_an_owner(wb, target, role, target.active)
    store.update_user(wb.db, user_id, role=role)
    store.log_event(
        wb.db,
        owner.name,
        "role changed",
        detail={"user": target.name, "from": target.role.value, "to": role.value},
    )
    return _target(wb, user_id)


def set_active(wb: Workbench, user_id: int, active: bool) -> User:
    """Deactivate (sessions end, sign-in refused, work stays attributed) or reactivate."""
    owner = require(wb, Action.MANAGE_PEOPLE)
    target = _target(wb, user_id)
    _keep_an_owner(wb, target, target.role, active)
    store.update_user(wb.db, user_id, active=active)
    if not active:
        store.delete_sessions(wb.db, user_id=user_id)
    store.log_event(
        wb.db,
        owner.name,
        "user activated" if active else "user deactivated",
        detail={"user": target.name},
    )
    return _target(wb, user_id)


def reset_password(wb: Workbench, user_id: int) -> str:
    """An owner gives someone a new temporary password (returned, shown once); sessions end."""
    owner = require(wb, Action.MANAGE_PEOPLE)
    target = _target(wb, user_id)
    password = new_password()
    store.update_user(wb.db, user_id, password_hash=_hasher.hash(password))
    store.delete_sessions(wb.db, user_id=user_id)
    store.log_event(wb.db, owner.name, "password reset", detail={"user": target.name})
    return password


def members(wb: Workbench, project_id: int) -> list[User]:
    require(wb, Action.MANAGE_PEOPLE, project_id)
    return store.project_members(wb.db, project_id)


def set_members(wb: Workbench, project_id: int, user_ids: list[int]) -> None:
    """An owner decides who works on a project (owners see every project anyway)."""
    owner = require(wb, Action.MANAGE_PEOPLE, project_id)
    known = {u.id: u.name for u in store.list_users(wb.db)}
    unknown = [u for u in user_ids if u not in known]
    if unknown:
        raise NotFound(f"no account with id {unknown[0]}")
    store.set_members(wb.db, project_id, user_ids)
    store.log_event(
        wb.db,
        owner.name,
        "members set",
        project_id,
        {"members": sorted(known[u] for u in user_ids)},
    )


def resolve_cli_user(wb: Workbench, name: str | None) -> Workbench:
    """The workbench acting as `--user NAME` (an active account), or as the local operator."""
    if not name:
        return wb.as_user(LOCAL)
    found = store.find_user(wb.db, name.strip().lower())
    if found is None or not found[0].active:
        raise NotFound(f"no active account named {name!r}")
    return wb.as_user(found[0])


# ---------------------------------------------------------------- preferences and audit


def prefs(wb: Workbench) -> dict[str, Any]:
    """The acting user's saved preferences (editor filters...)."""
    return store.get_prefs(wb.db, wb.actor.name)


def set_pref(wb: Workbench, key: str, value: Any) -> None:
    store.set_pref(wb.db, wb.actor.name, key, value)


def audit_log(wb: Workbench, project_id: int | None = None, limit: int = 500) -> list[dict]:
    """The audit log, newest first, at most `limit` lines: owners only. It holds the events
    (sign-ins, imports, drafts, exports, settings, roles...) and every labeller's save and
    reviewer's verdict (`store.work_log`)."""
    require(wb, Action.MANAGE_PEOPLE)
    lines = store.list_events(wb.db, project_id=project_id, limit=limit)
    lines += store.work_log(wb.db, project_id=project_id, limit=limit)
    return sorted(lines, key=lambda line: line["at"], reverse=True)[:limit]


AUDIT_COLUMNS = ("at", "actor", "action", "project_id", "detail")


def write_audit_csv(lines: list[dict], f: TextIO, where: tzinfo = UTC) -> int:
    """Lines of `audit_log` as CSV into `f` (a name that a spreadsheet would run as a formula
    defused: anyone can fail a sign-in with any name), times in ISO 8601 with the offset of
    the zone `where`; returns how many."""
    rows = (
        (
            iso(line["at"], where),
            line["actor"],
            line["action"],
            line["project_id"] or "",
            json.dumps(line["detail"], ensure_ascii=False),
        )
        for line in lines
    )
    return write_rows(f, AUDIT_COLUMNS, rows)
