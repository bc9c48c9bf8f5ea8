"""Search results as pandas DataFrames, and their notebook display."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from dsmagic._display import RichDisplay
from dsmagic._html import esc, format_value
from dsmagic.store import _summaries

_BASE = [
    "run_id", "run_name", "experiment", "status", "start_time", "end_time", "parent_id",
    "parent_run_id",  # MLflow's name for the same column
]  # fmt: skip


def runs_frame(rows: Sequence[Sequence[Any]], summaries: Sequence[str]) -> pd.DataFrame:
    """One row a run: attributes, then ``metrics.*``, ``params.*``, ``tags.*`` columns.

    ``rows`` are search rows (``SEARCH_COLUMNS``); ``summaries`` each run's packed values
    (``dsmagic.store._summaries``), whose names are the column names.
    """
    count = len(rows)
    # Built column by column: a dict per row through from_records costs several times more.
    transposed = list(zip(*rows)) if rows else [()] * 7
    run_id, name, experiment, status, start, end, parent = transposed[:7]
    times = _times(start + end)  # one conversion for both columns
    columns: dict[str, Any] = {
        "run_id": _objects(run_id),
        "run_name": _objects(name),
        "experiment": _objects(experiment),
        "status": _objects(status),
        "start_time": times[:count],
        "end_time": times[count:],
        "parent_id": _objects(parent),
    }
    columns["parent_run_id"] = columns["parent_id"]
    by_name = _summaries.columns(summaries)
    # Sorted names put metrics.*, params.*, tags.* in that order, each sorted by key.
    for column_name in sorted(by_name):
        data = by_name[column_name]
        # A missing metric is NaN (numpy reads None as NaN), a missing param or tag None.
        columns[column_name] = (
            np.asarray(data, dtype="float64")
            if column_name.startswith("metrics.")
            else _objects(data)
        )
    # Every column is a fresh array: pandas need not copy them.
    return pd.DataFrame(columns, index=pd.RangeIndex(count), copy=False)


def _objects(values: Sequence[Any]) -> Any:
    """Text (or None) as an object array: pandas takes it as is instead of inspecting a
    list, the same dtype (a list stays a list when empty: pandas reads [] as float64)."""
    return np.array(values, dtype=object) if values else list(values)


def _times(seconds: Sequence[float | None]) -> Any:
    as_float = np.asarray([math.nan if s is None else s for s in seconds], dtype="float64")
    return pd.to_datetime(as_float, unit="s")


class RunTable(RichDisplay):
    """A search result shown as a table of runs with status badges."""

    _display_kind = "run-table"
    _limit = 200  # rows shown

    def __init__(self, frame: pd.DataFrame, filter: str | None = None) -> None:
        self.frame = frame
        self.filter = filter

    def __len__(self) -> int:
        return len(self.frame)

    def _display_data(self) -> dict[str, Any]:
        shown = self.frame.head(self._limit).drop(columns=["parent_run_id"])
        rows = [[None if _missing(v) else v for v in row] for row in shown.itertuples(index=False)]
        return {"filter": self.filter, "total": len(self.frame), "columns": list(shown.columns),
                "rows": rows}  # fmt: skip

    def _display_text(self) -> str:
        if self.frame.empty:
            return "no runs match" + (f" {self.filter!r}" if self.filter else "")
        return f"{len(self.frame)} run(s)\n" + self.frame.drop(
            columns=["parent_id", "parent_run_id", "end_time"]
        ).to_string(index=False, max_colwidth=30)

    def _display_html(self) -> str:
        limit = self._limit
        title = f"{len(self.frame)} run(s)" + (f" matching {self.filter}" if self.filter else "")
        if self.frame.empty:
            return (
                f'<div class="dsm-muted">{esc("no runs match")}'
                f"{esc(' ' + repr(self.filter)) if self.filter else ''}</div>"
            )
        shown = self.frame.head(limit)
        columns = [c for c in shown.columns if c not in ("parent_id", "parent_run_id", "end_time")]
        head = "".join(f"<th>{esc(c)}</th>" for c in columns)
        body = []
        for row in shown.itertuples(index=False):
            values = dict(zip(shown.columns, row))
            cells = []
            for column in columns:
                value = values[column]
                if column == "status":
                    cells.append(
                        f'<td><span class="dsm-badge dsm-{esc(value)}">{esc(value)}</span></td>'
                    )
                elif column == "run_id":
                    cells.append(f'<td title="{esc(value)}"><code>{esc(value[:8])}</code></td>')
                elif column == "start_time":
                    cells.append(f"<td>{esc(value.strftime('%Y-%m-%d %H:%M:%S'))}</td>")
                elif _missing(value):
                    cells.append("<td></td>")
                else:
                    number = column.startswith("metrics.")
                    css = ' class="dsm-num"' if number else ""
                    cells.append(f"<td{css}>{esc(format_value(value))}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        more = (
            f'<div class="dsm-muted">showing {limit} of {len(self.frame)}</div>'
            if len(self.frame) > limit
            else ""
        )
        return (
            f'<div class="dsm-title">{esc(title)}</div>'
            f'<table class="dsm-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}'
            f"</tbody></table>{more}"
        )


def _missing(value: Any) -> bool:
    return False if isinstance(value, str) else bool(pd.isna(value))
