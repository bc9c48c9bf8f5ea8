"""One database connection per URL, the session helper, and the schema check."""

from __future__ import annotations

import importlib.util
import random
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from dsmagic.config import SEARCH_TIMEOUT_VARIABLE
from dsmagic.errors import (
    DsmagicError,
    SchemaError,
    StatementTimeoutError,
    StoreUnavailableError,
)
from dsmagic.store._errors import home_unavailable, store_unavailable

MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")
# Our own name, so Optuna's RDB storage (which keeps its own "alembic_version") can share
# the database with the runs.
VERSION_TABLE = "dsmagic_alembic_version"
_READ_VERSION = "SELECT version_num FROM dsmagic_alembic_version"
_BUSY_TIMEOUT_MS = 60_000
# SQLite's default page cache (2 MB) holds less than the indexes and run rows a search of
# 10,000 runs touches, so every search re-read pages from the OS: a third of its query
# time. Pages are cached as they are read, so a small store never uses all of it.
_CACHE_KIB = 16_000
_COUNT_RUNS = "SELECT count(*) FROM runs"
_RUNS_STAT = "SELECT stat FROM sqlite_stat1 WHERE tbl = 'runs' LIMIT 1"
_ANALYZE_MIN_RUNS = 200
_ANALYZE_LIMIT = 1000  # rows sampled per index: approximate statistics in milliseconds
_LOCK_RETRIES = 8
_REVISION_FORMAT = re.compile(r"^\d{4}$")
# SQLite creates a database file empty and writes its header on the first statement; an
# empty file that stays empty longer than that is what a failed copy leaves behind.
_EMPTY_FILE_GRACE_S = 2.0


def known_revisions() -> list[str]:
    """Revisions shipped with this package, oldest first (they form one line)."""
    names = (p.name for p in (MIGRATIONS / "versions").iterdir())
    return sorted(m.group(1) for m in map(_REVISION_FILE.match, names) if m)


def _normalise_uri(uri: str) -> str:
    try:
        url = make_url(uri)
    except ArgumentError as exc:
        raise DsmagicError(
            f"DSMAGIC_URI {uri!r} is not a database URL: use e.g. sqlite:///path/to/dsmagic.db "
            "or postgresql+psycopg://user@host/db"
        ) from exc
    # Plain postgresql:// means psycopg2 to SQLAlchemy; we ship psycopg 3.
    if url.drivername == "postgresql" and importlib.util.find_spec("psycopg2") is None:
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


# PostgreSQL aborts one of two transactions that wait on each other (deadlock_detected) or
# that cannot be serialised; the documented remedy is to run the transaction again.
_RETRY_SQLSTATES = {"40P01", "40001"}
_QUERY_CANCELED = "57014"
_PROGRESS_OPCODES = 10_000  # SQLite checks the deadline this often (about every 0.1 ms)


def _is_cancelled(exc: BaseException) -> bool:
    original = getattr(exc, "orig", exc)
    if getattr(original, "sqlstate", None) == _QUERY_CANCELED:
        return True
    return str(original).strip().lower() == "interrupted"


def _is_lock_error(exc: BaseException) -> bool:
    original = getattr(exc, "orig", exc)
    if getattr(original, "sqlstate", None) in _RETRY_SQLSTATES:
        return True
    message = str(original).lower()
    return "database is locked" in message or "database is busy" in message


class Database:
    """A SQLAlchemy engine with dsmagic's connection settings and schema check.

    Every write goes through :meth:`transaction`, which commits or rolls back and
    retries when SQLite reports a lock held by another process.
    """

    def __init__(self, uri: str) -> None:
        self.uri = _normalise_uri(uri)
        url = make_url(self.uri)
        self.dialect = url.get_backend_name()
        kwargs: dict[str, Any] = {}
        self._url = url
        if self.dialect == "sqlite":
            database = url.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                _prepare_sqlite_file(Path(database))
            kwargs["connect_args"] = {
                "timeout": _BUSY_TIMEOUT_MS / 1000,
                "check_same_thread": False,
            }
        else:
            kwargs["pool_pre_ping"] = True
        try:
            self.engine: Engine = create_engine(self.uri, **kwargs)
        except Exception as exc:  # missing driver, bad options
            raise DsmagicError(f"cannot open database {url!r}: {exc}") from exc
        if self.dialect == "sqlite":
            self._configure_sqlite(self.engine)
        self._writer = self.engine.execution_options(dsmagic_write=True)
        self._schema_checked = False
        self._schema_lock = threading.Lock()

    @staticmethod
    def _configure_sqlite(engine: Engine) -> None:
        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            # Take transaction control away from pysqlite so writes can BEGIN IMMEDIATE.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
            cursor.execute("PRAGMA foreign_keys=ON")
            # LIKE is case-sensitive on PostgreSQL (and in MLflow); make SQLite agree.
            cursor.execute("PRAGMA case_sensitive_like=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection):
            # A write takes the lock at BEGIN, so it waits on busy_timeout instead of
            # failing at once when a read transaction would need upgrading.
            immediate = connection.get_execution_options().get("dsmagic_write")
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    # -- sessions -------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """The one way to write: commit on success, roll back on any error."""
        self.ensure_schema()
        with self._begin(self._writer) as connection:
            yield connection

    @contextmanager
    def read(self, timeout: float | None = None) -> Iterator[Connection]:
        """A connection for reading; with ``timeout`` (seconds), every statement run on it
        is cancelled by the database once that long has passed since the read began."""
        self.ensure_schema()
        with self._connect(self.engine) as connection:
            try:
                with self._deadline(connection, timeout):
                    yield connection
            except DBAPIError as exc:
                if timeout is not None and _is_cancelled(exc):
                    raise StatementTimeoutError(
                        f"the search ran for more than {timeout:g} s and was stopped: narrow "
                        f"the filter, or allow longer with {SEARCH_TIMEOUT_VARIABLE}=<seconds>"
                    ) from None
                error = self._unavailable(exc, opening=False)
                if error is None:
                    raise
                raise error from exc

    @contextmanager
    def _deadline(self, connection: Connection, timeout: float | None) -> Iterator[None]:
        if timeout is None:
            yield
            return
        if self.dialect == "postgresql":
            # SET LOCAL lasts until the read's transaction ends; the server itself cancels
            # the statement, so a client that is killed mid-search leaves nothing running.
            milliseconds = max(1, round(timeout * 1000))
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds:d}")
            yield
            return
        if self.dialect != "sqlite":
            yield
            return
        raw: Any = connection.connection.driver_connection
        deadline = time.monotonic() + timeout
        # SQLite has no statement timeout: a progress handler that returns non-zero makes
        # the running statement fail with "interrupted".
        raw.set_progress_handler(lambda: time.monotonic() > deadline, _PROGRESS_OPCODES)
        try:
            yield
        finally:
            raw.set_progress_handler(None, 0)

    def _unavailable(self, exc: BaseException, *, opening: bool) -> StoreUnavailableError | None:
        return store_unavailable(exc, self._url, opening=opening)

    def _connect(self, engine: Engine) -> Connection:
        try:
            return engine.connect()
        except DBAPIError as exc:
            if _is_lock_error(exc):
                raise
            error = self._unavailable(exc, opening=True)
            if error is None:
                raise
            raise error from exc

    @contextmanager
    def _begin(self, engine: Engine) -> Iterator[Connection]:
        for attempt in range(_LOCK_RETRIES):
            try:
                connection = self._connect(engine)
                transaction = connection.begin()
            except OperationalError as exc:
                if _is_lock_error(exc) and attempt < _LOCK_RETRIES - 1:
                    time.sleep(0.05 * 2**attempt * (1 + random.random()))
                    continue
                error = self._unavailable(exc, opening=True)
                if error is None:
                    raise
                raise error from exc
            break
        try:
            yield connection
            transaction.commit()
        except BaseException as exc:
            transaction.rollback()
            # Lock errors go back to run_with_retry, which tries the whole transaction again.
            if isinstance(exc, DBAPIError) and not _is_lock_error(exc):
                error = self._unavailable(exc, opening=False)
                if error is None:
                    raise
                raise error from exc
            raise
        finally:
            connection.close()

    def run_with_retry(self, work, *args, **kwargs):
        """Run ``work(connection, ...)`` in a write transaction, retrying on lock errors."""
        for attempt in range(_LOCK_RETRIES):
            try:
                with self.transaction() as connection:
                    return work(connection, *args, **kwargs)
            except OperationalError as exc:
                if not _is_lock_error(exc):
                    raise
                if attempt == _LOCK_RETRIES - 1:
                    error = self._unavailable(exc, opening=False)
                    if error is None:
                        raise
                    raise error from exc
                time.sleep(0.05 * 2**attempt * (1 + random.random()))
        raise AssertionError("unreachable")

    # -- schema ---------------------------------------------------------------------
    def current_revision(self) -> str | None:
        with self._connect(self.engine) as connection:
            try:
                return self._read_revision(connection)
            except DBAPIError as exc:
                error = self._unavailable(exc, opening=True)
                if error is None:
                    raise
                raise error from exc

    def describe_revision(self, current: str | None) -> str:
        """How ``current`` relates to this package's revisions, with what to do."""
        revisions = known_revisions()
        if current is None:
            return "empty (created on first use)"
        if current == revisions[-1]:
            return "up to date"
        if current in revisions:
            return "older: run `dsmagic db upgrade`"
        if _REVISION_FORMAT.match(current) and current > revisions[-1]:
            return "newer than this dsmagic: run `pip install -U dsmagic`"
        return (
            f"unknown revision {current!r}, not one dsmagic ever wrote: the table "
            f"{VERSION_TABLE} was changed by something else; restore the store from a backup"
        )

    def _check_revision(self, current: str | None) -> None:
        revisions = known_revisions()
        if current is None or current in revisions:
            return
        if _REVISION_FORMAT.match(current) and current > revisions[-1]:
            raise SchemaError(
                f"the database at {self.safe_uri} has schema revision {current}, newer than "
                f"this dsmagic knows (up to {revisions[-1]}): run `pip install -U dsmagic`"
            )
        raise SchemaError(
            f"the database at {self.safe_uri} has schema revision {current!r}, which no "
            f"dsmagic wrote: {VERSION_TABLE} was changed by something else; restore the "
            "store from a backup"
        )

    @staticmethod
    def _read_revision(connection: Connection) -> str | None:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        row = connection.execute(text(_READ_VERSION)).first()
        return row[0] if row else None

    def ensure_schema(self) -> None:
        """Create or upgrade the schema once per process; refuse a newer one."""
        if self._schema_checked:
            return
        with self._schema_lock:
            if self._schema_checked:
                return
            revisions = known_revisions()
            current = self.current_revision()
            self._check_revision(current)
            if current != revisions[-1]:
                self.upgrade()
            if self.dialect == "sqlite":
                self._refresh_statistics()
            self._schema_checked = True

    def _refresh_statistics(self) -> None:
        """Keep SQLite's planner statistics roughly current (PostgreSQL's autovacuum does).

        Without them SQLite drives a search from the experiment and checks every run of it;
        with them it starts from the matching metric or param, which is many times faster.
        """
        try:
            with self.engine.connect() as connection:
                runs = connection.exec_driver_sql(_COUNT_RUNS).scalar() or 0
                if runs < _ANALYZE_MIN_RUNS:
                    return
                known = None
                if inspect(connection).has_table("sqlite_stat1"):
                    stat = connection.exec_driver_sql(_RUNS_STAT).scalar()
                    known = int(stat.split()[0]) if stat else None
            if known is None or runs > 2 * known:
                with self._begin(self._writer) as connection:
                    connection.exec_driver_sql(f"PRAGMA analysis_limit={_ANALYZE_LIMIT}")
                    connection.exec_driver_sql("ANALYZE")
        except OperationalError:
            pass  # statistics only speed up searches; a busy database can skip them

    def upgrade(self) -> tuple[str | None, str]:
        """Bring the schema to the newest revision; return (before, after)."""
        from alembic import command
        from alembic.config import Config

        with self._begin(self._writer) as connection:
            if self.dialect == "postgresql":
                # Serialise concurrent first connections on a server.
                connection.execute(text("SELECT pg_advisory_xact_lock(7314159265)"))
            before = self._read_revision(connection)
            self._check_revision(before)
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            after = self._read_revision(connection)
        assert after is not None
        return before, after

    @property
    def safe_uri(self) -> str:
        return make_url(self.uri).render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def _prepare_sqlite_file(path: Path) -> None:
    """Create the store's folder; refuse a database file that is empty."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise home_unavailable(exc, str(path.parent)) from exc
    deadline = time.monotonic() + _EMPTY_FILE_GRACE_S
    while path.is_file() and path.stat().st_size == 0:
        if time.monotonic() > deadline:
            raise StoreUnavailableError(
                f"the store {path} is an empty file (0 bytes), as a failed copy leaves: "
                "restore it from a backup, or delete it to start a new, empty store"
            )
        time.sleep(0.05)
