"""Computing a report: sampling under the time budget, columns (cached), relations, alerts."""

from __future__ import annotations

import functools
import os
import pickle
import threading
import time
from collections.abc import Callable
from typing import Any

from dsmagic.eda import _cache, _column_stats, _dataset, _relations
from dsmagic.eda import _thresholds as T
from dsmagic.eda._alerts import find_alerts
from dsmagic.eda._dataset import sample_rows
from dsmagic.eda._progress import ProgressBar
from dsmagic.eda._schedule import Jobs

_STATS_VERSION = 2  # bumped when the statistics of a column change
_PILOT_ROWS = (2_000, 8_000)
_CELLS_PER_SECOND = 1_000_000  # far below any real machine: only bigger frames need a pilot


def column_stats(series, name: str, use_cache: bool = True) -> dict[str, Any]:
    key = None
    if use_cache:
        digest = _cache.fingerprint(series)
        if digest is not None:
            key = (digest, name, _STATS_VERSION)
            cached = _cache.get(key)
            if cached is not None:
                return _copy(cached)
        else:
            _cache.get(("uncacheable", name, id(series)))  # counts the computation as a miss
    try:
        stats = _column_stats.compute(series, name)
    except Exception as exc:  # an exotic dtype costs its own statistics, not the report
        stats = _fallback_stats(series, exc)
        key = None
    if key is not None:
        _cache.put(key, _copy(stats))
    return stats


def _fallback_stats(series, exc: Exception) -> dict[str, Any]:
    rows = len(series)
    missing = int(series.isna().sum())
    try:
        distinct = int(series.dropna().astype(str).nunique())
    except Exception:
        distinct = 0
    return {
        "dtype": str(series.dtype), "kind": "text", "rows": rows, "count": rows - missing,
        "missing": missing, "missing_share": missing / rows if rows else 0.0,
        "distinct": distinct, "distinct_share": distinct / (rows - missing) if rows > missing
        else 0.0, "memory": int(series.memory_usage(index=False)), "top": [],
        "notes": [f"statistics could not be computed for dtype {series.dtype}: "
                  f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"],
    }  # fmt: skip


def _copy(stats: dict[str, Any]) -> dict[str, Any]:
    """A deep copy, so a caller editing its dict never changes the cache (pickle is
    several times faster than copy.deepcopy on these nested lists)."""
    return pickle.loads(pickle.dumps(stats, protocol=pickle.HIGHEST_PROTOCOL))


def _core_seconds(frame, target: str | None) -> float:
    started = time.perf_counter()
    hashable = _dataset.hashable_frame(frame)
    columns = {name: column_stats(frame[name], name, use_cache=False) for name in frame.columns}
    _dataset.duplicate_rows(hashable, {})
    _relations.compute(hashable, columns, target)
    return time.perf_counter() - started


def plan_rows(frame, target: str | None, budget: float) -> int | None:
    """Rows to sample so the report fits the time budget (None: use every row).

    Two small pilot runs give the fixed and the per-row cost; the report's cost is
    assumed linear in rows (sorting is n log n, so this errs on the slow side)."""
    rows, width = frame.shape
    if budget == float("inf") or rows * max(width, 1) < budget * _CELLS_PER_SECOND:
        return None
    small, large = (sample_rows(frame, n) for n in _PILOT_ROWS)
    t_small, t_large = _core_seconds(small, target), _core_seconds(large, target)
    per_row = max(t_large - t_small, 1e-9) / (_PILOT_ROWS[1] - _PILOT_ROWS[0])
    fixed = max(t_small - per_row * _PILOT_ROWS[0], 0.0)
    # rendering and plots take about as long again as the fixed part; keep a margin
    expected = 2 * fixed + per_row * rows
    if expected <= budget:
        return None
    affordable = (budget - 2 * fixed) / per_row * 0.8
    affordable = max(T.MIN_SAMPLE_ROWS, int(affordable))
    return None if affordable >= rows else _round_down(affordable)


def _round_down(rows: int) -> int:
    magnitude = 10 ** max(len(str(rows)) - 2, 0)
    return max(rows // magnitude * magnitude, 1)


def build(
    frame,
    *,
    target: str | None,
    sample: int | None,
    budget: float,
    title: str,
    notes: list[str],
    progress: bool = True,
    on_section: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    started = time.perf_counter()
    rows, width = frame.shape
    report: dict[str, Any] = {
        "title": title,
        "target": target,
        "notes": list(notes),
        "sample": None,
        "thresholds": dict(T.ALERT_RULES),
        "columns": {},
        "relations": None,
        "alerts": None,
        "pending": ["columns", "relations", "alerts"],
    }
    used = frame
    if sample is not None and sample < rows:
        used = sample_rows(frame, sample)
        report["sample"] = {"rows": sample, "of": rows, "reason": "requested"}
    elif sample is None:
        planned = plan_rows(frame, target, budget)
        if planned is not None:
            used = sample_rows(frame, planned)
            report["sample"] = {"rows": planned, "of": rows, "reason": f"time budget {budget:g} s"}
    hashable = _dataset.hashable_frame(used)
    used_rows = len(used)
    report["dataset"] = {
        "rows": rows,
        "columns": width,
        "memory": None,
        "rows_analysed": used_rows,
        "duplicates": None,
        "duplicates_share": None,
        "missing": None,
        "head": _dataset.head_rows(used, T.SAMPLE_ROWS_SHOWN),
        "head_columns": [str(c) for c in used.columns],
    }
    if rows == 0:
        report["notes"].append("the frame has no rows: only column types can be shown")
    if width == 0:
        report["notes"].append("the frame has no columns: there is nothing to profile")
    _emit(on_section, report)

    bar = ProgressBar(width + 1, progress)  # the relations add their steps
    try:
        _run(report, frame, used, hashable, target, bar, on_section)
        report["alerts"] = find_alerts(report)
        report["pending"].remove("alerts")
    finally:
        bar.close()
    report["elapsed"] = time.perf_counter() - started
    return report


def _run(report: dict[str, Any], frame, used, hashable, target: str | None, bar,
         on_section) -> None:  # fmt: skip
    """Columns, the dataset's totals and the relations, as jobs on a few threads.

    numpy releases the GIL while sorting and reducing, so columns run side by side.
    The correlations of numeric pairs start as soon as every column that can turn out
    numeric is done (ahead of the columns still queued), so they overlap with the rest
    instead of waiting for the last column; the categorical pairs and the target need
    every column."""
    names = list(used.columns)
    positions = _relations.relation_rows(len(used))
    encoded: dict[str, dict[str, Any]] = {}
    done: dict[str, dict[str, Any]] = {}
    parts: dict[str, Any] = {}
    numeric_open = {name for name in names if _column_stats.can_be_numeric(used[name].dtype)}

    lock = threading.Lock()
    steps = [bar.total]

    def column(name: str) -> dict[str, Any]:
        stats = column_stats(used[name], name)
        # what the relations need of this column, while its thread is at it
        encoded[name] = _relations.encode(hashable[name], stats, positions)
        # the work this column completes is queued from its own thread: a thread that
        # is free does not wait for the main thread (and the GIL) to hand it over
        with lock:
            done[name] = stats
            if name in numeric_open:
                numeric_open.discard(name)
                if not numeric_open:
                    add_relations(_relations.numeric_jobs(in_order(), encoded))
            if len(done) == len(names):
                add_after_columns()
        return stats

    def in_order() -> dict[str, dict[str, Any]]:
        return {n: done[n] for n in names if n in done}

    def add_relations(relation_jobs: dict[str, Callable[[], Any]]) -> None:
        steps[0] += len(relation_jobs)  # the bar itself is only touched by the main thread
        for part, job in relation_jobs.items():
            jobs.add(("relation", part), job, priority=0)  # ahead of the queued columns

    def add_after_columns() -> None:
        every = in_order()
        jobs.add(("dataset", None), lambda: _finish_dataset(report, every, frame, used, hashable),
                 priority=0)  # fmt: skip
        add_relations(_relations.other_jobs(hashable, every, target, encoded))

    last_emit = time.perf_counter()
    with Jobs(_workers(used)) as jobs:
        for name in _costly_first(used, names):
            jobs.add(("column", name), functools.partial(column, name))
        if not names:
            add_after_columns()
        for (what, name), result in jobs.finished():
            bar.total = steps[0]
            bar.update()
            if what == "relation":
                parts[name] = result
            elif what == "dataset":
                report["columns"] = in_order()
                report["pending"].remove("columns")
                _emit(on_section, report)
            else:
                report["columns"] = in_order()
                if on_section is not None and time.perf_counter() - last_emit > 1.0:
                    _emit(on_section, report)
                    last_emit = time.perf_counter()
    report["columns"] = in_order()
    report["relations"] = _relations.assemble(len(hashable), report["columns"], parts)
    report["pending"].remove("relations")


def _finish_dataset(report: dict[str, Any], columns: dict[str, dict[str, Any]], frame, used,
                    hashable) -> None:  # fmt: skip
    """Duplicates, memory and missing patterns, re-using the column statistics."""
    dataset = report["dataset"]
    distinct = {name: stats["distinct"] if stats["missing"] == 0 else 0
                for name, stats in columns.items()}  # fmt: skip
    duplicates = _dataset.duplicate_rows(hashable, distinct)
    dataset["duplicates"] = duplicates
    dataset["duplicates_share"] = duplicates / len(used) if len(used) else 0.0
    if used is frame:
        dataset["memory"] = sum(stats["memory"] for stats in columns.values())
    else:
        dataset["memory"] = int(frame.memory_usage(deep=True, index=False).sum())
    with_missing = [name for name, stats in columns.items() if stats["missing"]]
    cells = sum(stats["missing"] for stats in columns.values())
    dataset["missing"] = _dataset.missing_patterns(used, with_missing, cells)


def _costly_first(frame, names: list[str]) -> list[str]:
    """Columns that can be numeric first (so the numeric pairs can start early), floats
    (which need a sort) before the rest of them; then text before the cheap rest, so no
    thread is left with a long column at the end while the other waits."""
    cost = {"f": 0, "O": 1, "i": 2, "u": 2}

    def rank(name: str) -> tuple[bool, int]:
        dtype = frame[name].dtype
        return not _column_stats.can_be_numeric(dtype), cost.get(dtype.kind, 1)

    return sorted(names, key=rank)


def _workers(frame) -> int:
    if len(frame) < 50_000:
        return 1  # threads cost more than they save on small columns
    return max(1, min(4, os.cpu_count() or 1))


def _emit(callback, report: dict[str, Any]) -> None:
    if callback is not None:
        callback(report)
