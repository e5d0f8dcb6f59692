"""Who may do what: the role rules (pure) and the check every use case makes (`require`).

Pages never decide who may do what; they call use cases, and each use case calls `require`
with the acting user in `wb.actor`. A refusal is `Forbidden`, whose message is safe to show.
"""

from __future__ import annotations

from enum import StrEnum

from workbench import store
from workbench.core.errors import Kind, WorkbenchError
from workbench.core.records import Role, User
from workbench.core.workbench import Workbench


class Forbidden(WorkbenchError, PermissionError):
    """The acting user may not do this. The message names the action, never a secret."""

    kind = Kind.FORBIDDEN


class Action(StrEnum):
    """Everything a role grants, named by what a person does."""

    VIEW = "see this project"
    LABEL = "label segments"
    REVIEW = "review segments"
    IMPORT = "import audio"
    DRAFT = "start drafts"
    EXPORT = "export corpora"
    SETTINGS = "change project settings"
    ASSIGN = "assign work and cap a person's share"
    CREATE_PROJECT = "create projects"
    MANAGE_PEOPLE = "manage accounts and membership"
    BACKUP = "back up or restore the workbench"
    MOVE_DATABASE = "move the workbench's database to another"


GRANTS: dict[Role, frozenset[Action]] = {
    Role.LABELLER: frozenset({Action.VIEW, Action.LABEL}),
    Role.REVIEWER: frozenset({Action.VIEW, Action.LABEL, Action.REVIEW}),
    Role.OWNER: frozenset(Action),
}


def allowed(user: User, action: Action) -> bool:
    """Whether `user`'s role grants `action` (membership aside)."""
    return user.active and action in GRANTS[user.role]


def require(wb: Workbench, action: Action, project_id: int | None = None) -> User:
    """The acting user, if they may do `action` (on `project_id`); else Forbidden.

    Owners reach every project; labellers and reviewers only those they are members of, and a
    project they are not a member of is refused as if it did not exist to them.
    """
    user = wb.actor
    if not allowed(user, action):
        raise Forbidden(f"your role ({user.role.value}) may not {action.value}")
    if project_id is not None and user.role is not Role.OWNER and not _member(wb, project_id):
        raise Forbidden("you are not a member of this project")
    return user


def _member(wb: Workbench, project_id: int) -> bool:
    user = wb.actor
    if user.id is None:
        return False
    if wb.member_of is not None:  # read for this page run (`Workbench.with_memberships`)
        return project_id in wb.member_of
    return store.is_member(wb.db, user.id, project_id)


def visible_project_ids(wb: Workbench) -> set[int] | None:
    """The projects the acting user may see; None means all of them (owners)."""
    user = wb.actor
    if user.role is Role.OWNER and user.active:
        return None
    if user.id is None or not user.active:
        return set()
    if wb.member_of is not None:  # read for this page run
        return set(wb.member_of)
    return set(store.member_project_ids(wb.db, user.id))
