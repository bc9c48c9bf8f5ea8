"""Rows of datasets, versions and lineage; stateless, one transaction per write."""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Table, func, select, update
from sqlalchemy.exc import IntegrityError

from dsmagic.store import Database, get_database
from dsmagic.store._models_data import Dataset, DatasetVersion, Lineage

datasets_t: Table = Dataset.__table__  # type: ignore[assignment]
versions_t: Table = DatasetVersion.__table__  # type: ignore[assignment]
lineage_t: Table = Lineage.__table__  # type: ignore[assignment]

_CONFLICT_RETRIES = 6

VERSION_COLUMNS = [
    versions_t.c.id,
    datasets_t.c.name,
    versions_t.c.version,
    versions_t.c.fingerprint,
    versions_t.c.rows,
    versions_t.c.columns,
    versions_t.c.stats,
    versions_t.c.path,
    versions_t.c.size,
    versions_t.c.created_at,
    versions_t.c.run_id,
    versions_t.c.source,
]


def database() -> Database:
    return get_database()


def _versions_query():
    return select(*VERSION_COLUMNS).join(datasets_t, datasets_t.c.id == versions_t.c.dataset_id)


def _rows(connection: Connection, statement) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in connection.execute(statement)]


# -- reads ----------------------------------------------------------------------------------
def find_version(name: str, fingerprint: str) -> dict[str, Any] | None:
    with database().read() as connection:
        rows = _rows(
            connection,
            _versions_query().where(
                datasets_t.c.name == name, versions_t.c.fingerprint == fingerprint
            ),
        )
    return rows[0] if rows else None


def version_by_number(name: str, number: int | None) -> dict[str, Any] | None:
    query = _versions_query().where(datasets_t.c.name == name)
    if number is None:
        query = query.order_by(versions_t.c.version.desc()).limit(1)
    else:
        query = query.where(versions_t.c.version == number)
    with database().read() as connection:
        rows = _rows(connection, query)
    return rows[0] if rows else None


def versions_by_prefix(prefix: str, name: str | None = None) -> list[dict[str, Any]]:
    query = _versions_query().where(versions_t.c.fingerprint.startswith(prefix, autoescape=True))
    if name is not None:
        query = query.where(datasets_t.c.name == name)
    with database().read() as connection:
        return _rows(connection, query.limit(20))


def versions_by_ids(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    ids = list(ids)
    if not ids:
        return {}
    with database().read() as connection:
        rows = _rows(connection, _versions_query().where(versions_t.c.id.in_(ids)))
    return {row["id"]: row for row in rows}


def dataset_names() -> list[str]:
    with database().read() as connection:
        return [r[0] for r in connection.execute(select(datasets_t.c.name).order_by("name"))]


def dataset_version_numbers(name: str) -> list[int]:
    query = (
        select(versions_t.c.version)
        .join(datasets_t, datasets_t.c.id == versions_t.c.dataset_id)
        .where(datasets_t.c.name == name)
        .order_by(versions_t.c.version)
    )
    with database().read() as connection:
        return [r[0] for r in connection.execute(query)]


def all_versions(name: str | None = None, run_id: str | None = None) -> list[dict[str, Any]]:
    query = _versions_query()
    if name is not None:
        query = query.where(datasets_t.c.name == name)
    if run_id is not None:
        query = query.where(versions_t.c.run_id == run_id)
    query = query.order_by(datasets_t.c.name, versions_t.c.version)
    with database().read() as connection:
        return _rows(connection, query)


def edges(ids: Iterable[int], direction: str) -> list[dict[str, Any]]:
    """Lineage edges whose child (``up``) or parent (``down``) is in ``ids``."""
    ids = list(ids)
    if not ids:
        return []
    key = lineage_t.c.child_id if direction == "up" else lineage_t.c.parent_id
    with database().read() as connection:
        return _rows(connection, select(lineage_t).where(key.in_(ids)))


# -- the one write ----------------------------------------------------------------------------
def record_version(
    name: str,
    values: dict[str, Any],
    parents: list[tuple[int, str, str | None]],
) -> tuple[int, bool]:
    """Create (or find) the version of ``name`` with ``values["fingerprint"]``; add edges.

    Returns (version id, created). Two processes recording the same content at once
    end with one version: the loser of the race hits a unique constraint, and the
    retry finds the winner's row.
    """
    db = database()
    for attempt in range(_CONFLICT_RETRIES):
        try:
            return db.run_with_retry(_record, name, values, parents)
        except IntegrityError:
            if attempt == _CONFLICT_RETRIES - 1:
                raise
            time.sleep(0.02 * (attempt + 1) * (1 + random.random()))
    raise AssertionError("unreachable")


def _record(
    connection: Connection,
    name: str,
    values: dict[str, Any],
    parents: list[tuple[int, str, str | None]],
) -> tuple[int, bool]:
    now = time.time()
    dataset_id = connection.execute(
        select(datasets_t.c.id).where(datasets_t.c.name == name)
    ).scalar()
    if dataset_id is None:
        dataset_id = connection.execute(
            datasets_t.insert().values(name=name, created_at=now).returning(datasets_t.c.id)
        ).scalar_one()
    existing = connection.execute(
        select(versions_t.c.id, versions_t.c.run_id).where(
            versions_t.c.dataset_id == dataset_id,
            versions_t.c.fingerprint == values["fingerprint"],
        )
    ).first()
    created = existing is None
    if existing is None:
        latest = connection.execute(
            select(func.max(versions_t.c.version)).where(versions_t.c.dataset_id == dataset_id)
        ).scalar()
        version_id = connection.execute(
            versions_t.insert()
            .values(dataset_id=dataset_id, version=(latest or 0) + 1, created_at=now, **values)
            .returning(versions_t.c.id)
        ).scalar_one()
    else:
        version_id = existing.id
        if existing.run_id is None and values.get("run_id"):
            connection.execute(
                update(versions_t)
                .where(versions_t.c.id == version_id)
                .values(run_id=values["run_id"])
            )
    known = {
        row[0]
        for row in connection.execute(
            select(lineage_t.c.parent_id).where(lineage_t.c.child_id == version_id)
        )
    }
    for parent_id, kind, transformation in parents:
        if parent_id == version_id or parent_id in known:
            continue
        known.add(parent_id)
        connection.execute(
            lineage_t.insert().values(
                child_id=version_id, parent_id=parent_id, kind=kind, transformation=transformation
            )
        )
    return version_id, created
