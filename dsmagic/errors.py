"""Errors and warnings that dsmagic shows to people.

Every error raised on bad input is a :class:`DsmagicError` whose message is one
line: what was wrong and how to fix it. Magics and the CLI print that line and
nothing else.
"""

from __future__ import annotations

__all__ = [
    "DsmagicError",
    "DsmagicWarning",
    "NotFoundError",
    "SchemaError",
    "StoreUnavailableError",
]


class DsmagicError(ValueError):
    """Bad input or an impossible request, explained in one line."""


class NotFoundError(DsmagicError, LookupError):
    """A run, experiment, dataset or version that does not exist."""


class SchemaError(DsmagicError):
    """The database schema does not match this version of dsmagic."""


class StoreUnavailableError(DsmagicError):
    """The store cannot be opened, read or written (missing, corrupt, read-only, unreachable)."""


class DsmagicWarning(UserWarning):
    """Something worked, but not quite as asked."""
