"""Telling a lost race for a unique value from other database errors.

Two requests that create the same thing at the same moment both pass the form's or serializer's uniqueness
check; the database refuses the second. That is the person's "someone saved this a moment ago", answered
409 (and never with the database's detail, which names the value: an ID number, a credit code). Every other
integrity error is a programming error and stays a 500.
"""

from django.db import IntegrityError

# PostgreSQL's SQLSTATE for unique_violation; SQLite has no codes, only its message.
UNIQUE_VIOLATION = "23505"


def is_unique_violation(exc: BaseException) -> bool:
    if not isinstance(exc, IntegrityError):
        return False
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate is not None:
        return sqlstate == UNIQUE_VIOLATION
    return str(exc).startswith("UNIQUE constraint failed")
