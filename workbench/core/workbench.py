"""The `Workbench` every use case works on: settings, the database, and who is acting.

Kept apart from the use-case modules so that they can all import it without importing each
other (`editing` and `service` used to import one another through it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path, PurePosixPath

from sqlalchemy.engine import Engine

from workbench import store
from workbench.core.config import Settings, load_settings
from workbench.core.errors import Kind, WorkbenchError
from workbench.core.records import Role, User

# The operator of a workbench that has no accounts yet, and of the command line run on the
# server by someone who can read the database file anyway. Never a signed-in browser user once
# an account exists (see workbench.people.browser_actor).
LOCAL = User(id=None, name="local", role=Role.OWNER, display_name="local operator")

# A browser that has not signed in: inactive, so every role check refuses it. It may only sign
# in, or create the first owner while no account exists (workbench.people).
NOBODY = User(id=None, name="anonymous", role=Role.LABELLER, active=False)


def inside_home(home: Path, relative: str) -> Path:
    """`home / relative` for a path the database keeps relative to the home (working copies,
    peaks, model versions); WorkbenchError (forbidden) for one that leads out of it, absolute
    or through '..': only a forged or damaged database holds such a path, and reading it would
    hand a server file to whoever opens the segment."""
    path = PurePosixPath(relative)
    if not relative or path.is_absolute() or ".." in path.parts or "\\" in relative:
        raise WorkbenchError(
            f"the database names a file outside the workbench's home: {relative!r}",
            kind=Kind.FORBIDDEN,
        )
    return home / relative


@dataclass(frozen=True)
class Workbench:
    """The settings, the database engine, and the acting user every use case checks."""

    settings: Settings
    db: Engine
    actor: User = LOCAL
    # the projects the actor is a member of, read once for one page run (`with_memberships`);
    # None: `access.require` looks each one up
    member_of: frozenset[int] | None = None

    def path(self, relative: str) -> Path:
        """A path stored relative to the home, made absolute (see `inside_home`)."""
        return inside_home(self.settings.home, relative)

    def as_user(self, user: User) -> Workbench:
        """The same workbench, acting as `user`."""
        return replace(self, actor=user, member_of=None)

    def with_memberships(self, project_ids: set[int] | None) -> Workbench:
        """The same workbench, knowing the actor's projects (None: looked up each time); for
        one page run, where the actor's session was checked: a membership ended meanwhile
        counts from the next run."""
        return replace(self, member_of=None if project_ids is None else frozenset(project_ids))

    def with_ray(self, address: str | None) -> Workbench:
        """The same workbench, its long jobs heard on the Ray cluster at `address` (None:
        in this process)."""
        return replace(self, settings=replace(self.settings, ray_address=address))


def open_workbench(home: str | Path | None = None, db_url: str | None = None) -> Workbench:
    """Open (and create or upgrade) the workbench at `home` with the database at `db_url`.

    It acts as the local operator until `as_user` names someone else.
    """
    settings = load_settings(home, db_url)
    settings.home.mkdir(parents=True, exist_ok=True)
    return Workbench(settings, _engine(settings.db_url))


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    return store.open_store(url)
