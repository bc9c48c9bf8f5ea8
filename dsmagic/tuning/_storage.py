"""Optuna's RDB storage on dsmagic's own database, safe for several processes.

Optuna's tables (``studies``, ``trials``, ..., and its ``alembic_version``) sit beside
dsmagic's, whose version table is ``dsmagic_alembic_version``. On SQLite Optuna's
engine gets the settings dsmagic uses itself: WAL, a long busy timeout and writes that
take the lock at BEGIN (``BEGIN IMMEDIATE``), so workers queue instead of failing with
"database is locked" when a read transaction would have to be upgraded.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from dsmagic.errors import DsmagicError
from dsmagic.store import Database, get_database

_BUSY_TIMEOUT_MS = 60_000
_storages: dict[tuple[int, str], Any] = {}
_lock = threading.Lock()
_ADVISORY_KEY = 7314159266  # one more than the schema lock of dsmagic.store


@contextmanager
def interprocess_lock(database: Database) -> Iterator[None]:
    """Serialise set-up work (tables, a study and its parent run) across processes."""
    if database.dialect == "sqlite":
        path = make_url(database.uri).database or ""
        if not path or path == ":memory:" or path.startswith("file:"):
            yield
            return
        try:
            import fcntl
        except ImportError:  # Windows: Optuna's own retries have to do
            yield
            return
        with open(Path(path).with_name(Path(path).name + ".tune-lock"), "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    elif database.dialect == "postgresql":
        with database.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _ADVISORY_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY})
                connection.commit()
    else:
        yield


def _configure_sqlite(engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def optuna_storage(uri: str | None = None):
    """The Optuna storage for dsmagic's database (one per process and URL)."""
    import optuna

    database = get_database(uri)
    database.ensure_schema()
    key = (os.getpid(), database.uri)
    with _lock:
        storage = _storages.get(key)
        if storage is not None:
            return storage
        sqlite = database.dialect == "sqlite"
        kwargs: dict[str, Any] = (
            {"connect_args": {"timeout": _BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}}
            if sqlite
            else {"pool_pre_ping": True}
        )
        last_error: Exception | None = None
        for attempt in range(5):
            try:
                with interprocess_lock(database):
                    storage = optuna.storages.RDBStorage(database.uri, engine_kwargs=kwargs)
                break
            except Exception as exc:  # another process creating the same tables
                last_error = exc
                time.sleep(0.2 * (attempt + 1))
        else:
            raise DsmagicError(
                f"cannot open Optuna's tables in {database.safe_uri}: {last_error}"
            ) from last_error
        if sqlite:
            _configure_sqlite(storage.engine)
            # Connections made while Optuna set up its tables lack the settings above.
            storage.engine.dispose()
        _storages[key] = storage
        return storage


def reset() -> None:
    with _lock:
        for storage in _storages.values():
            try:
                storage.engine.dispose()
            except Exception:
                pass
        _storages.clear()
