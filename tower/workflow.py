"""What every workflow step shares, below every app: its errors, the audit of who did it, the
check of a free text it stores, and the sentence for a database busy with another writer.

A service raises WorkflowError (the step cannot be taken; the message says why, in the user's
words) or NotAllowed (the user's role does not allow it); pages turn them into a message or a
403 (tower.web.pages.run_step), commands into a CommandError.
"""

import re

from django.contrib.auth import get_user_model
from django.db import OperationalError

from tower.ingest.limits import CONTROL_CHARACTERS

BUSY_MESSAGE = (
    "The database is busy with another import or recalculation that is still writing; "
    "nothing was changed. Try again when it has finished."
)


class WorkflowError(ValueError):
    """A workflow step that cannot be taken; the message says why, in the user's words."""


class NotAllowed(WorkflowError):
    """The user's role does not allow the step (the web app answers 403)."""


def audit_as(instance, user, reason: str = "") -> None:
    """Name the acting user and the reason on the history record the next save() writes."""
    if isinstance(user, get_user_model()):
        instance._history_user = user
    if reason:
        instance._change_reason = reason[:100]


def acting_user(user):
    """The user to record as having acted; None when the step is the system's (a command run
    without a user, the worker)."""
    return user if isinstance(user, get_user_model()) else None


def checked_text(value: str | None, what: str, *, limit: int, required: bool = True) -> str:
    """A free text as a service stores it: stripped; WorkflowError, naming `what`, when it is
    missing (and `required`), longer than `limit` characters or holds a control character."""
    value = (value or "").strip()
    if required and not value:
        raise WorkflowError(f"Write the {what}.")
    if len(value) > limit:
        raise WorkflowError(f"The {what} is too long: at most {limit:,} characters.")
    if re.search(CONTROL_CHARACTERS, value):
        raise WorkflowError(f"The {what} holds a control character; remove it.")
    return value


def is_database_busy(error: BaseException) -> bool:
    """SQLite's "database is locked" once the busy timeout has passed (or "database table is
    locked", its word for the same when connections share a cache, as the tests' in-memory
    database does)."""
    return isinstance(error, OperationalError) and (
        "database is locked" in str(error) or "database table is locked" in str(error)
    )
