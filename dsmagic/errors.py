"""Errors and warnings that dsmagic shows to people.

Every error raised on bad input is a :class:`DsmagicError` whose message is one
line: what was wrong and how to fix it. Magics and the CLI print that line and
nothing else.
"""

from __future__ import annotations

__all__ = [
    "DsmagicError",
    "DsmagicWarning",
    "FilterError",
    "NotFoundError",
    "SchemaError",
    "StatementTimeoutError",
    "StoreUnavailableError",
]


class DsmagicError(ValueError):
    """Bad input or an impossible request, explained in one line."""


class NotFoundError(DsmagicError, LookupError):
    """A run, experiment, dataset or version that does not exist."""


class FilterError(DsmagicError):
    """A run filter or order_by that cannot be understood, or asks too much."""


class SchemaError(DsmagicError):
    """The database schema does not match this version of dsmagic."""


class StoreUnavailableError(DsmagicError):
    """The store cannot be opened, read or written (missing, corrupt, read-only, unreachable)."""


class StatementTimeoutError(DsmagicError):
    """A query ran longer than its time limit and the database stopped it."""


class DsmagicWarning(UserWarning):
    """Something worked, but not quite as asked."""
