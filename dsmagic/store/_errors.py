"""Turn a database driver's failure into the one line a person can act on.

Only failures of the store itself are translated (cannot open, corrupt, read-only, full,
unreachable, locked too long); constraint violations stay driver errors, because callers
handle them (a version number taken by another process, say).
"""

from __future__ import annotations

from sqlalchemy.engine import URL

from dsmagic.errors import StoreUnavailableError

# (text in the driver's message, what to say); ``{where}`` names the store.
_SQLITE_MESSAGES = [
    (
        "file is not a database",
        "{where} is not a dsmagic store (not an SQLite database, or damaged): restore it "
        "from a backup, or set DSMAGIC_HOME to another folder",
    ),
    (
        "malformed",
        "{where} is damaged (database disk image is malformed): restore it from a backup "
        "(`sqlite3 {path} .recover` can save what is readable)",
    ),
    (
        "readonly database",
        "{where} is read-only: make it and its folder writable, or set DSMAGIC_HOME to a "
        "writable folder (reading needs write access too, for SQLite's lock files)",
    ),
    (
        "unable to open database file",
        "cannot open {where}: make sure its folder exists and is readable and writable, "
        "or set DSMAGIC_HOME to a folder you can write",
    ),
    (
        "disk is full",
        "no room to write {where} (disk full or file-size limit reached): free space and "
        "retry; nothing of the failed write was stored",
    ),
    (
        "disk i/o error",
        "the disk failed while using {where} (disk I/O error): check the disk and retry",
    ),
    (
        "database is locked",
        "{where} stayed locked by another process for over a minute: finish or stop the "
        "other dsmagic session and retry",
    ),
]

_POSTGRES_MESSAGES = [
    (
        "does not exist",
        "{detail} on the PostgreSQL server {server}: create it (e.g. `createdb {database}`) "
        "or fix DSMAGIC_URI",
    ),
    (
        "password authentication failed",
        "the PostgreSQL server {server} refused the password of user {user!r}: fix DSMAGIC_URI",
    ),
    (
        "connection refused",
        "cannot reach the PostgreSQL server {server} (connection refused): is it running? "
        "check the host and port in DSMAGIC_URI",
    ),
    (
        "timeout",
        "the PostgreSQL server {server} did not answer in time: check the host in DSMAGIC_URI "
        "and the network",
    ),
    (
        "could not translate host name",
        "unknown host in DSMAGIC_URI ({server}): check the host name",
    ),
    (
        "server closed the connection",
        "lost the connection to the PostgreSQL server {server}: retry; check the server's log "
        "if it happens again",
    ),
    (
        "the database system is",
        "the PostgreSQL server {server} is starting up or shutting down: retry in a moment",
    ),
]


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def store_unavailable(
    exc: BaseException, url: URL, *, opening: bool = True
) -> StoreUnavailableError | None:
    """A one-line error for ``exc`` if it is a failure of the store at ``url``, else None.

    While ``opening`` a connection any driver failure is the store's; during a statement
    only the failures listed above are, so a query's own errors keep their type.
    """
    from sqlalchemy.exc import DatabaseError, IntegrityError

    if isinstance(exc, IntegrityError) or not isinstance(exc, DatabaseError):
        return None
    message = _first_line(exc)
    lowered = message.lower()
    if url.get_backend_name() == "sqlite":
        path = url.database or ":memory:"
        for needle, text in _SQLITE_MESSAGES:
            if needle in lowered:
                return StoreUnavailableError(text.format(where=f"the store {path}", path=path))
        if opening:
            return StoreUnavailableError(f"cannot open the store {path}: {message}")
        return None
    server = f"{url.host or 'localhost'}:{url.port or 5432}"
    detail = message.split("FATAL:")[-1].strip().rstrip(".") if "FATAL:" in message else message
    fields = {"server": server, "database": url.database, "user": url.username, "detail": detail}
    for needle, text in _POSTGRES_MESSAGES:
        if needle in lowered:
            return StoreUnavailableError(text.format(**fields))
    if opening:
        return StoreUnavailableError(f"cannot open the PostgreSQL store at {server}: {message}")
    return None


def home_unavailable(exc: OSError, folder: str) -> StoreUnavailableError:
    reason = exc.strerror or str(exc)
    return StoreUnavailableError(
        f"cannot create the store's folder {folder} ({reason}): set DSMAGIC_HOME to a folder "
        "you can write"
    )
