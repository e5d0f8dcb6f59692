"""The workbench's one error type: `WorkbenchError`, with a kind that says what went wrong.

Pages show an error by its kind (a warning for a refusal, an error for a fault); the CLI maps
the kind to its exit code. A use case raises the subclass that names the case (`StaleEdit`,
`Forbidden`, `JobRunning`...) and every subclass has its kind; its message is written for the
person who reads it and names the file, field or item and the reason.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """What kind of trouble an error is, for whoever shows it."""

    FORBIDDEN = "forbidden"  # the acting user may not do this
    NOT_FOUND = "not found"  # the thing named does not exist (or is not visible to the user)
    INVALID = "invalid"  # the input is wrong: a field, a file, a value
    CONFLICT = "conflict"  # someone else changed it first, or holds it
    BUSY = "busy"  # the same work is already running; try later
    UNAVAILABLE = "unavailable"  # the machine cannot do it now: a model, a tool, disk, database


class WorkbenchError(Exception):
    """An error a person can act on: the message says what and why; `kind` says what sort
    (invalid unless the class or the raise says otherwise)."""

    kind: Kind = Kind.INVALID

    def __init__(self, message: str = "", *, kind: Kind | None = None) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class NotFound(WorkbenchError, LookupError):
    """A named thing (project, recording, account, term...) does not exist, or not for the
    acting user. Also a LookupError: the editor page's go-to still catches that."""

    kind = Kind.NOT_FOUND


class Cancelled(WorkbenchError):
    """Someone stopped the work (a job, an export) before it finished; nothing half-done stays."""

    kind = Kind.CONFLICT  # another hand changed what was under way
