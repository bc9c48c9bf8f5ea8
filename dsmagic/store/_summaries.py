"""Each run's params, tags and latest metrics packed in one column, so a search reads one
row per run instead of every key-value row of every matching run.

``runs.summary`` holds the run's values named like the columns of a search result
("metrics.acc", "params.model", "tags.owner"): a JSON list of the sorted names, a newline,
and a JSON list of the values, written by Python (``repr`` floats, so every value
round-trips exactly, NaN and infinities included). Runs of one experiment mostly share
their names, so a search parses each distinct name list once and the values of all runs
in one go, straight into columns. The summary is rewritten in the transaction that wrote
the values. Triggers (migration 0006) set it to NULL whenever any writer changes params,
tags or latest_metrics, so a writer that does not refresh it (raw SQL, an older dsmagic)
leaves NULL, never a stale summary; a NULL summary is read from the tables.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection

Values = dict[str, Any]  # "params.<key>", "tags.<key>", "metrics.<key>" -> value

FIELDS = ("params", "tags", "metrics")
_CHUNK = 500  # ids per IN (...) list, well under every backend's parameter limit
_SELECT = {
    "params": 'SELECT run_id, "key", "value" FROM params WHERE run_id IN ({marks})',
    "tags": 'SELECT run_id, "key", "value" FROM tags WHERE run_id IN ({marks})',
    "metrics": 'SELECT run_id, "key", "value", negative_zero FROM latest_metrics '
    "WHERE run_id IN ({marks})",
}
# Before revision 0007 (its back-fill in migration 0006) there is no negative_zero column.
_SELECT_UNSIGNED = (
    'SELECT run_id, "key", "value", NULL FROM latest_metrics WHERE run_id IN ({marks})'
)

_UPDATE = "UPDATE runs SET summary = {mark} WHERE id = {mark}"
# The lock the triggers' UPDATE takes too; it leaves foreign-key checks of new child rows
# (trial runs of a parent) unblocked.
_LOCK_PG = "SELECT id FROM runs WHERE id IN ({marks}) ORDER BY id FOR NO KEY UPDATE"
_dumps = json.JSONEncoder(separators=(",", ":")).encode


def flat(params: dict[str, str], tags: dict[str, str], metrics: dict[str, float]) -> Values:
    return {
        **{f"params.{k}": v for k, v in params.items()},
        **{f"tags.{k}": v for k, v in tags.items()},
        **{f"metrics.{k}": v for k, v in metrics.items()},
    }


def split(values: Values) -> dict[str, dict[str, Any]]:
    """``{"params": {...}, "tags": {...}, "metrics": {...}}`` from flat values."""
    fields: dict[str, dict[str, Any]] = {field: {} for field in FIELDS}
    for name, value in values.items():
        field, _, key = name.partition(".")
        fields[field][key] = value
    return fields


def encode(values: Values) -> str:
    names = sorted(values)
    return _dumps(names) + "\n" + _dumps([values[name] for name in names])


def decode(text: str) -> Values:
    names, _, values = text.partition("\n")
    return dict(zip(json.loads(names), json.loads(values)))


def columns(texts: Sequence[str]) -> dict[str, Sequence[Any]]:
    """Each name's values over many runs, in order (None where a run lacks the name)."""
    count = len(texts)
    groups: dict[str, tuple[list[int], list[str]]] = {}
    for index, text in enumerate(texts):
        names, _, values = text.partition("\n")
        group = groups.get(names)
        if group is None:
            group = groups[names] = ([], [])
        group[0].append(index)
        group[1].append(values)
    found: dict[str, Any] = {}
    for names, (indexes, texts_of_group) in groups.items():
        rows = json.loads("[" + ",".join(texts_of_group) + "]")
        by_name = zip(json.loads(names), zip(*rows))
        if len(indexes) == count:  # the runs share their names: the columns as parsed
            found.update(by_name)
            continue
        for name, column in by_name:
            into = found.get(name)
            if into is None:
                into = found[name] = [None] * count
            for index, value in zip(indexes, column):
                into[index] = value
    return found


def texts_of(
    connection: Connection, run_ids: Sequence[str], texts: Sequence[str | None]
) -> list[str]:
    """Each run's summary, made from the tables where the stored one is NULL."""
    missing = [run_id for run_id, text in zip(run_ids, texts) if text is None]
    if not missing:
        return list(texts)  # type: ignore[arg-type]
    loaded = load(connection, missing)
    return [
        encode(loaded[run_id]) if text is None else text for run_id, text in zip(run_ids, texts)
    ]


def _marker(connection: Connection) -> str:
    return "?" if connection.dialect.name == "sqlite" else "%s"


def load(
    connection: Connection, run_ids: Sequence[str], *, signed: bool = True
) -> dict[str, Values]:
    """Params, tags and latest metrics of the given runs, read from their tables
    (``signed=False``: from a schema older than revision 0007)."""
    found: dict[str, Values] = {run_id: {} for run_id in run_ids}
    mark = _marker(connection)
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        for start in range(0, len(run_ids), _CHUNK):
            chunk = tuple(run_ids[start : start + _CHUNK])
            marks = ", ".join([mark] * len(chunk))
            for field in FIELDS:
                select = _SELECT[field] if signed or field != "metrics" else _SELECT_UNSIGNED
                cursor.execute(select.format(marks=marks), chunk)
                prefix = field + "."
                if field == "metrics":
                    # NULL is how NaN is stored (see NanFloat), the sign of -0.0 is kept
                    # apart (see _models.signed).
                    for run_id, key, value, negative_zero in cursor.fetchall():
                        found[run_id][prefix + key] = (
                            -0.0 if negative_zero else math.nan if value is None else value
                        )
                else:
                    for run_id, key, value in cursor.fetchall():
                        found[run_id][prefix + key] = value
    finally:
        cursor.close()
    return found


def lock(connection: Connection, run_ids: Iterable[str]) -> None:
    """Before writing values of these runs: on PostgreSQL, where writers run side by side,
    lock their rows, in id order. The summaries written at the end then read everything
    committed by writers that held the rows before (the triggers lock them too), so they
    are never older than the tables; and writers touching the same runs queue in one order
    instead of deadlocking. SQLite writers already queue at BEGIN IMMEDIATE."""
    if connection.dialect.name != "postgresql":
        return
    ids = sorted(set(run_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = tuple(ids[start : start + _CHUNK])
        connection.exec_driver_sql(_LOCK_PG.format(marks=", ".join(["%s"] * len(chunk))), chunk)


def refresh(connection: Connection, run_ids: Iterable[str]) -> None:
    """Rewrite the summaries of these runs from their tables, in the caller's transaction,
    which has called :func:`lock` for them before writing."""
    ids = sorted(set(run_ids))
    if ids:
        values = load(connection, ids)
        write(connection, {run_id: values[run_id] for run_id in ids})


def write(connection: Connection, values: dict[str, Values]) -> None:
    """Store summaries known to match the tables (the caller holds the runs' rows)."""
    if not values:
        return
    mark = _marker(connection)
    connection.exec_driver_sql(
        _UPDATE.format(mark=mark), [(encode(v), run_id) for run_id, v in values.items()]
    )
