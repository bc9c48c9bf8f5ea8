"""Stateless reads and writes of runs, experiments and their logged values."""

from __future__ import annotations

import math
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    Table,
    and_,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from dsmagic.config import search_timeout
from dsmagic.store import _summaries
from dsmagic.store._database import Database
from dsmagic.store._models import (
    Artifact,
    Cell,
    Experiment,
    LatestMetric,
    Metric,
    Param,
    Run,
    RunEnvironment,
    Tag,
    is_negative_zero,
    signed,
)

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_METRIC_COLUMNS = "run_id, key, step, value, timestamp"
# A batch with a -0.0 among its points also fills negative_zero (see _models.signed);
# the others leave it NULL, so the common case binds nothing more.
_SIGNED_COLUMNS = _METRIC_COLUMNS + ", negative_zero"
_INSERT_METRICS = "INSERT INTO metrics ({columns}) VALUES "
_COPY_METRICS = "COPY metrics ({columns}) FROM STDIN"
# SQLite gets many rows per INSERT: pysqlite releases the GIL around every statement,
# so one row per statement makes a background writer wait on the logging thread for
# each row (seconds per 100k points), and statement overhead dominates.
# 1000 rows of 6 fit the 32,766 parameters of SQLite 3.32 on; older builds take 999.
_SQLITE_PARAMETERS = 32_766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999
_SQLITE_ROWS = min(1000, _SQLITE_PARAMETERS // 5)
_SQLITE_SIGNED_ROWS = min(1000, _SQLITE_PARAMETERS // 6)
_CHUNK = 500  # ids per IN (...) list, well under every backend's parameter limit

runs_t: Table = Run.__table__  # type: ignore[assignment]
params_t: Table = Param.__table__  # type: ignore[assignment]
tags_t: Table = Tag.__table__  # type: ignore[assignment]
metrics_t: Table = Metric.__table__  # type: ignore[assignment]
latest_t: Table = LatestMetric.__table__  # type: ignore[assignment]
artifacts_t: Table = Artifact.__table__  # type: ignore[assignment]
cells_t: Table = Cell.__table__  # type: ignore[assignment]
env_t: Table = RunEnvironment.__table__  # type: ignore[assignment]
experiments_t: Table = Experiment.__table__  # type: ignore[assignment]


# What a search selects, in this order; the summary comes last.
SEARCH_COLUMNS = (
    runs_t.c.id,
    runs_t.c.name,
    experiments_t.c.name.label("experiment"),
    runs_t.c.status,
    runs_t.c.start_time,
    runs_t.c.end_time,
    runs_t.c.parent_id,
    runs_t.c.notebook_path,
    runs_t.c.summary,
)


def _quoted(table: Table, prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{column.name}"' for column in table.columns)


# load_runs runs on every search, so it talks to the driver directly: SQLAlchemy's
# per-row Result machinery and the per-call rendering of `IN (...)` cost more than the
# queries themselves. Only fixed column names and placeholders are put in the SQL text.
_RUN_COLUMNS = [column.name for column in runs_t.columns] + ["experiment"]
_LOAD_SQL = {
    "runs": f"SELECT {_quoted(runs_t, 'r.')}, e.name FROM runs r "  # noqa: S608
    "JOIN experiments e ON e.id = r.experiment_id WHERE r.id IN ({marks})",
    "artifacts": f"SELECT {_quoted(artifacts_t)} FROM artifacts "  # noqa: S608
    "WHERE run_id IN ({marks}) "
    "ORDER BY created_at",
}
_ARTIFACT_COLUMNS = [column.name for column in artifacts_t.columns]
_RUNNING_COLUMNS = ("id", "host", "pid", "process_started", "heartbeat")
_RUNNING_SQL = f"SELECT {', '.join(_RUNNING_COLUMNS)} FROM runs WHERE status = 'running'"  # noqa: S608


def numeric_value(value: str) -> float | None:
    """The number a parameter string spells, if it spells one."""
    text = value.strip()
    if _NUMBER.match(text):
        number = float(text)
        return number if math.isfinite(number) else None
    return None


def _copy_text(value: float) -> str:
    # COPY's text form of a float8: repr round-trips exactly; NaN is stored as NULL.
    if value != value:
        return "\\N"
    return repr(value) if math.isfinite(value) else ("Infinity" if value > 0 else "-Infinity")


def _has_negative_zero(points) -> bool:
    """Whether a -0.0 is among the points' values: one cheap test a point (about 20 ns),
    the sign looked at for zeros only."""
    zeros = [point[3] for point in points if not point[3]]
    return any(is_negative_zero(value) for value in zeros)


def _with_signs(points) -> list[tuple]:
    """The points with their negative_zero column: true for -0.0, else NULL."""
    return [(*point, is_negative_zero(point[3]) or None) for point in points]


_COPY_SIGN = {True: "t", False: "\\N"}  # negative_zero in COPY's text form


def _copy_metrics(connection: Connection, points) -> None:
    """Points into PostgreSQL with one COPY: several times faster than INSERTs, and one
    call, so a writer thread does not queue for the GIL once per row or statement.
    Keys are validated (no tab, newline or backslash), run ids are hex."""
    if _has_negative_zero(points):
        columns, sign = _SIGNED_COLUMNS, _COPY_SIGN
        text = "".join(
            [
                f"{r}\t{k}\t{s}\t{_copy_text(v)}\t{t!r}\t{sign[is_negative_zero(v)]}\n"
                for r, k, s, v, t in points
            ]
        )
    else:
        columns = _METRIC_COLUMNS
        text = "".join([f"{r}\t{k}\t{s}\t{_copy_text(v)}\t{t!r}\n" for r, k, s, v, t in points])
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    statement = _COPY_METRICS.format(columns=columns)
    with dbapi.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[attr-defined]
        copy.write(text)


def _latest_points(points) -> dict[tuple[str, str], tuple[str, str, int, float, float]]:
    """The latest point of each (run, key): highest step, then timestamp; ties go to the last."""
    latest: dict[tuple[str, str], tuple[str, str, int, float, float]] = {}
    get = latest.get
    for point in points:
        where = point[:2]
        current = get(where)
        if (
            current is None
            or point[2] > current[2]
            or (point[2] == current[2] and point[4] >= current[4])
        ):
            latest[where] = point
    return latest


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class TrackingStore:
    """Runs, params, tags, metrics, artifacts, captured cells and environments."""

    def __init__(self, database: Database) -> None:
        self.db = database

    # -- dialect helpers -------------------------------------------------------------
    def _insert(self, table):
        module = postgresql if self.db.dialect == "postgresql" else sqlite
        return module.insert(table)

    def _upsert(self, connection: Connection, table, rows: list[dict], keys: list[str], where=None):
        if not rows:
            return
        statement = self._insert(table)
        columns = [c for c in rows[0] if c not in keys]
        statement = statement.on_conflict_do_update(
            index_elements=keys,
            set_={c: statement.excluded[c] for c in columns},
            where=where(statement.excluded) if where is not None else None,
        )
        connection.execute(statement, rows)

    # -- experiments -----------------------------------------------------------------
    def experiment_id(self, name: str) -> int:
        """The id of the experiment called ``name``, creating it if needed."""
        with self.db.read() as connection:
            found = connection.execute(
                select(experiments_t.c.id).where(experiments_t.c.name == name)
            ).scalar()
        if found is not None:
            return int(found)

        def create(connection: Connection) -> int:
            statement = self._insert(experiments_t).values(name=name, created_at=time.time())
            connection.execute(statement.on_conflict_do_nothing(index_elements=["name"]))
            return int(
                connection.execute(
                    select(experiments_t.c.id).where(experiments_t.c.name == name)
                ).scalar_one()
            )

        return self.db.run_with_retry(create)

    def list_experiments(self) -> list[dict[str, Any]]:
        counts = (
            select(runs_t.c.experiment_id, func.count().label("runs"))
            .group_by(runs_t.c.experiment_id)
            .subquery()
        )
        query = (
            select(
                experiments_t.c.id,
                experiments_t.c.name,
                experiments_t.c.created_at,
                func.coalesce(counts.c.runs, 0).label("runs"),
            )
            .outerjoin(counts, counts.c.experiment_id == experiments_t.c.id)
            .order_by(experiments_t.c.id)
        )
        with self.db.read() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    # -- runs --------------------------------------------------------------------------
    def create_run(self, row: dict[str, Any], params: dict[str, str], tags: dict[str, str]) -> None:
        def work(connection: Connection) -> None:
            connection.execute(runs_t.insert().values(**row))
            self._write_params(connection, row["id"], params)
            self._write_tags(connection, row["id"], tags)
            # A new run holds exactly these values; no need to read them back.
            _summaries.write(connection, {row["id"]: _summaries.flat(params, tags, {})})

        self.db.run_with_retry(work)

    def set_status(self, run_id: str, status: str, end_time: float | None) -> None:
        self.db.run_with_retry(
            lambda c: c.execute(
                update(runs_t)
                .where(runs_t.c.id == run_id)
                .values(status=status, end_time=end_time, heartbeat=time.time())
            )
        )

    def mark_crashed(self, runs: list[tuple[str, float]]) -> None:
        """Mark runs whose process is gone as crashed, ended at their last sign of life:
        the last heartbeat, or the newest value stored after it."""

        def work(connection: Connection) -> None:
            for run_id, last_seen in runs:
                newest = connection.execute(
                    select(func.max(metrics_t.c.timestamp)).where(metrics_t.c.run_id == run_id)
                ).scalar()
                connection.execute(
                    update(runs_t)
                    .where(runs_t.c.id == run_id, runs_t.c.status == "running")
                    .values(status="crashed", end_time=max(last_seen, newest or last_seen))
                )

        self.db.run_with_retry(work)

    def mark_failed(self, run_id: str, message: str) -> None:
        """A run some of whose values could not be stored: failed, with the reason in the
        tag ``dsmagic.error``. Its process may still end it later (as failed)."""

        def work(connection: Connection) -> None:
            _summaries.lock(connection, [run_id])
            self._write_tags(connection, run_id, {"dsmagic.error": message})
            _summaries.refresh(connection, [run_id])
            connection.execute(
                update(runs_t)
                .where(runs_t.c.id == run_id, runs_t.c.status == "running")
                .values(status="failed")
            )

        self.db.run_with_retry(work)

    def running_runs(self) -> list[dict[str, Any]]:
        # Runs before every search: a fixed statement skips building and compiling a query.
        with self.db.read() as connection:
            return [
                dict(zip(_RUNNING_COLUMNS, row)) for row in connection.exec_driver_sql(_RUNNING_SQL)
            ]

    # -- writes of logged values -----------------------------------------------------
    def _write_params(self, connection: Connection, run_id: str, params: dict[str, str]) -> None:
        rows = [
            {"run_id": run_id, "key": k, "value": v, "value_num": numeric_value(v)}
            for k, v in params.items()
        ]
        self._upsert(connection, params_t, rows, ["run_id", "key"])

    def _write_tags(self, connection: Connection, run_id: str, tags: dict[str, str]) -> None:
        rows = [{"run_id": run_id, "key": k, "value": v} for k, v in tags.items()]
        self._upsert(connection, tags_t, rows, ["run_id", "key"])

    def write_batch(
        self,
        metrics: list[tuple[str, str, int, float, float]] = (),  # type: ignore[assignment]
        params: dict[str, dict[str, str]] | None = None,
        tags: dict[str, dict[str, str]] | None = None,
        cells: list[dict[str, Any]] = (),  # type: ignore[assignment]
        heartbeats: dict[str, float] | None = None,
    ) -> None:
        """Write a batch of buffered values in one transaction."""

        valued = {*(params or {}), *(tags or {}), *(point[0] for point in metrics)}

        def work(connection: Connection) -> None:
            _summaries.lock(connection, [*valued, *(heartbeats or {})])
            for run_id, values in (params or {}).items():
                self._write_params(connection, run_id, values)
            for run_id, values in (tags or {}).items():
                self._write_tags(connection, run_id, values)
            if metrics:
                self._write_metrics(connection, metrics)
            _summaries.refresh(connection, valued)
            if cells:
                connection.execute(cells_t.insert(), list(cells))
            for run_id, beat in (heartbeats or {}).items():
                connection.execute(
                    update(runs_t)
                    .where(runs_t.c.id == run_id, runs_t.c.status == "running")
                    .values(heartbeat=beat)
                )

        self.db.run_with_retry(work)

    def _write_metrics(self, connection: Connection, points) -> None:
        # Raw DBAPI: the fastest path. NaN must be stored as NULL: SQLite does that
        # itself when binding a NaN double; PostgreSQL would keep NaN, so map it here.
        if self.db.dialect == "sqlite":
            self._insert_sqlite_metrics(connection, points)
        else:
            _copy_metrics(connection, points)
        self._upsert(
            connection,
            latest_t,
            [
                {
                    "run_id": p[0],
                    "key": p[1],
                    "value": p[3],
                    "step": p[2],
                    "timestamp": p[4],
                    "negative_zero": is_negative_zero(p[3]) or None,
                }
                for p in _latest_points(points).values()
            ],
            ["run_id", "key"],
            where=lambda new: or_(
                new.step > latest_t.c.step,
                and_(new.step == latest_t.c.step, new.timestamp >= latest_t.c.timestamp),
            ),
        )

    @staticmethod
    def _insert_sqlite_metrics(connection: Connection, points) -> None:
        if _has_negative_zero(points):
            points = _with_signs(points)
            size, columns, row = _SQLITE_SIGNED_ROWS, _SIGNED_COLUMNS, "(?,?,?,?,?,?)"
        else:
            size, columns, row = _SQLITE_ROWS, _METRIC_COLUMNS, "(?,?,?,?,?)"
        insert = _INSERT_METRICS.format(columns=columns)
        full = len(points) - len(points) % size
        if full:
            connection.exec_driver_sql(
                insert + ",".join([row] * size),
                [tuple(chain.from_iterable(points[i : i + size])) for i in range(0, full, size)],
            )
        if full < len(points):
            rest = points[full:]
            connection.exec_driver_sql(
                insert + ",".join([row] * len(rest)), tuple(chain.from_iterable(rest))
            )

    def add_artifact(self, row: dict[str, Any]) -> None:
        self.db.run_with_retry(lambda c: self._upsert(c, artifacts_t, [row], ["run_id", "name"]))

    def set_environment(self, run_id: str, data: str) -> None:
        self.db.run_with_retry(
            lambda c: self._upsert(c, env_t, [{"run_id": run_id, "data": data}], ["run_id"])
        )

    # -- reads -------------------------------------------------------------------------
    def load_runs(self, connection: Connection, run_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Full records of the given runs, in the given order."""
        rows: list[Sequence[Any]] = []
        with self._cursor(connection) as fetch:
            for chunk in _chunks(list(run_ids)):
                rows.extend(fetch("runs", chunk))
        records = self._attach(connection, rows)
        by_id = {record["id"]: record for record in records}
        return [by_id[run_id] for run_id in run_ids if run_id in by_id]

    @contextmanager
    def _cursor(self, connection: Connection) -> Iterator[Callable[[str, Sequence[str]], Any]]:
        """A DBAPI cursor running the fixed ``_LOAD_SQL`` statements for a chunk of ids.

        Reading through the driver skips SQLAlchemy's per-row work, which costs more
        than the queries themselves here; the SQL text is constant, values are bound.
        """
        dbapi = connection.connection.dbapi_connection
        assert dbapi is not None
        marker = "?" if self.db.dialect == "sqlite" else "%s"
        cursor = dbapi.cursor()

        def fetch(what: str, chunk: Sequence[str]) -> Any:
            marks = ", ".join([marker] * len(chunk))
            cursor.execute(_LOAD_SQL[what].format(marks=marks), tuple(chunk))
            return cursor.fetchall()

        try:
            yield fetch
        finally:
            cursor.close()

    def _attach(
        self, connection: Connection, rows: Sequence[Sequence[Any]]
    ) -> list[dict[str, Any]]:
        """Records from run rows (runs columns + experiment name), with their values."""
        records: dict[str, dict[str, Any]] = {}
        for row in rows:
            record = dict(zip(_RUN_COLUMNS, row))
            record["artifacts"] = []
            records[record["id"]] = record
        summaries = [record.pop("summary") for record in records.values()]
        for record, text in zip(
            records.values(), _summaries.texts_of(connection, list(records), summaries)
        ):
            record.update(_summaries.split(_summaries.decode(text)))
        with self._cursor(connection) as fetch:
            for chunk in _chunks(list(records)):
                for row in fetch("artifacts", chunk):
                    artifact = dict(zip(_ARTIFACT_COLUMNS, row))
                    records[artifact.pop("run_id")]["artifacts"].append(artifact)
        return list(records.values())

    def get_runs(self, run_ids: Sequence[str]) -> list[dict[str, Any]]:
        with self.db.read() as connection:
            return self.load_runs(connection, run_ids)

    def find_run_ids(self, prefix: str) -> list[str]:
        """Run ids equal to, or starting with, ``prefix`` (at most two, to spot ambiguity)."""
        query = select(runs_t.c.id).where(runs_t.c.id.startswith(prefix, autoescape=True))
        with self.db.read() as connection:
            return list(connection.execute(query.limit(2)).scalars())

    def search(self, query: Select) -> tuple[Sequence[Sequence[Any]], list[str]]:
        """Rows of ``query`` (which selects ``SEARCH_COLUMNS``) and each run's summary of
        params, tags and latest metrics (see ``_summaries``)."""
        with self.db.read(timeout=search_timeout()) as connection:
            rows = connection.execute(query).all()
            texts = _summaries.texts_of(
                connection, [row[0] for row in rows], [row[-1] for row in rows]
            )
        return rows, texts

    def metric_history(self, run_id: str, key: str) -> list[tuple[int, float, float]]:
        query = (
            select(
                metrics_t.c.step,
                metrics_t.c.value,
                metrics_t.c.timestamp,
                metrics_t.c.negative_zero,
            )
            .where(metrics_t.c.run_id == run_id, metrics_t.c.key == key)
            .order_by(metrics_t.c.step, metrics_t.c.timestamp, metrics_t.c.id)
        )
        with self.db.read() as connection:
            return [
                (step, signed(value, negative_zero), ts)
                for step, value, ts, negative_zero in connection.execute(query)
            ]

    def metric_keys(self, run_ids: Sequence[str]) -> dict[str, list[str]]:
        keys: dict[str, list[str]] = {}
        with self.db.read() as connection:
            for chunk in _chunks(list(run_ids)):
                for run_id, key in connection.execute(
                    select(latest_t.c.run_id, latest_t.c.key).where(latest_t.c.run_id.in_(chunk))
                ):
                    keys.setdefault(run_id, []).append(key)
        return keys

    def cells(self, run_id: str) -> list[dict[str, Any]]:
        query = select(cells_t).where(cells_t.c.run_id == run_id).order_by(cells_t.c.id)
        with self.db.read() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def environment(self, run_id: str) -> str | None:
        query = select(env_t.c.data).where(env_t.c.run_id == run_id)
        with self.db.read() as connection:
            return connection.execute(query).scalar()

    def children(self, run_id: str) -> list[str]:
        query = (
            select(runs_t.c.id).where(runs_t.c.parent_id == run_id).order_by(runs_t.c.start_time)
        )
        with self.db.read() as connection:
            return list(connection.execute(query).scalars())

    def delete_run(self, run_id: str) -> None:
        def work(connection: Connection) -> None:
            for table in (params_t, tags_t, metrics_t, latest_t, artifacts_t, cells_t, env_t):
                connection.execute(delete(table).where(table.c.run_id == run_id))
            connection.execute(
                update(runs_t).where(runs_t.c.parent_id == run_id).values(parent_id=None)
            )
            connection.execute(delete(runs_t).where(runs_t.c.id == run_id))

        self.db.run_with_retry(work)
