"""Read-only facts about an MLflow database, checked before MLflow's own client opens it
(MLflow would create a missing database, or refuse an unknown schema with a long trace)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from dsmagic.errors import DsmagicError

__all__ = ["mlflow_schema_revision"]


def mlflow_schema_revision(uri: str) -> str | None:
    """The Alembic revision of the MLflow database at ``uri`` (``None`` if it has none);
    a one-line error if there is no such database or it is not MLflow's."""
    url = make_url(uri)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if not path.is_file() or path.stat().st_size == 0:
            raise DsmagicError(f"no MLflow store at {uri!r}: {str(path)!r} is not a database file")
        # Read-only: nothing is ever written to the user's MLflow store.
        engine = create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")
    else:
        engine = create_engine(uri)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            if "runs" not in tables or "experiments" not in tables:
                raise DsmagicError(f"{uri!r} is not an MLflow store: it has no runs table")
            if "alembic_version" not in tables:
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DsmagicError(f"cannot read the MLflow store {uri!r}: {first}") from None
    finally:
        engine.dispose()
