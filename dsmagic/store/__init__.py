"""The store: one SQL database (SQLite by default, PostgreSQL for teams) and a
folder of artifacts. Everything dsmagic remembers goes through here."""

from __future__ import annotations

import threading

from dsmagic.config import current_settings
from dsmagic.store._database import Database, known_revisions
from dsmagic.store._tracking_store import TrackingStore

__all__ = ["Database", "TrackingStore", "get_database", "known_revisions", "reset"]

_databases: dict[str, Database] = {}
_lock = threading.Lock()


def get_database(uri: str | None = None) -> Database:
    """The shared :class:`Database` for ``uri`` (default: from the environment)."""
    uri = uri or current_settings().uri
    with _lock:
        database = _databases.get(uri)
        if database is None:
            database = _databases[uri] = Database(uri)
        return database


def reset() -> None:
    """Forget open databases (after the environment changed, and in tests)."""
    with _lock:
        for database in _databases.values():
            database.dispose()
        _databases.clear()
