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
    """A search result shown as a table of runs with status badges.

    The views are compact: the identifying columns, then at most 12 of the columns that hold a
    value in at least one of the runs shown (metrics first, then params whose values differ
    between runs, then the rest; dsmagic's own ``tags.dsmagic.*`` are left out); a line under
    the table counts the hidden ones, says why, and says how to see them. ``all_columns``
    shows every column; ``frame`` is always the full search result. ``source`` ("magic" or
    "cli") picks the command that line names.
    """

    _display_kind = "run-table"
    _limit = 200  # rows shown

    def __init__(
        self,
        frame: pd.DataFrame,
        filter: str | None = None,
        *,
        all_columns: bool = False,
        source: str = "magic",
    ) -> None:
        if source not in _HINTS:
            raise ValueError(f"source must be one of {sorted(_HINTS)}, got {source!r}")
        self.frame = frame
        self.filter = filter
        self.all_columns = all_columns
        self.source = source

    def __len__(self) -> int:
        return len(self.frame)

    def _columns(self, rows: pd.DataFrame | None = None) -> tuple[list[str], list[str], str]:
        """The columns the views show, the ones they hide and why, for ``rows`` (default:
        every run). ``parent_run_id`` (MLflow's name for ``parent_id``) is in ``frame`` only."""
        rows = self.frame if rows is None else rows
        names = [c for c in rows.columns if c != _ALIAS]
        if self.all_columns:
            return names, [], ""
        first = [c for c in _IDENTITY if c in names]
        rest = [c for c in names if c not in _IDENTITY]
        empty = [c for c in rest if not _holds_value(rows[c])]
        own = [c for c in rest if c.startswith(_OWN_TAGS) and c not in empty]
        candidates = [c for c in rest if c not in empty and c not in own]
        ranked = sorted(
            range(len(candidates)),
            key=lambda i: (_rank(candidates[i], rows[candidates[i]]), i),
        )
        kept = {candidates[i] for i in ranked[:MAX_VALUE_COLUMNS]}
        beyond = len(candidates) - len(kept)
        reasons = [
            f"{len(empty)} empty in the runs shown" if empty else "",
            f"{len(own)} of dsmagic's own tags" if own else "",
            f"{beyond} past the first {MAX_VALUE_COLUMNS} with values" if beyond else "",
        ]
        hidden = [c for c in rest if c not in kept]
        return (
            first + [c for c in candidates if c in kept],
            hidden,
            ", ".join(filter(None, reasons)),
        )

    def _hidden_note(
        self, hidden: list[str], total: int, why: str, code: Any = "`{}`".format
    ) -> str:
        """The line under a compact table: how many columns it hides, why, how to see them."""
        if not hidden:
            return ""
        command, more = _HINTS[self.source]
        note = f"{len(hidden)} of {total} columns hidden ({why}): {code(command)} shows them"
        return note + (f"; {code('.frame')} {more}" if more else "")

    def _display_data(self) -> dict[str, Any]:
        head = self.frame.head(self._limit)
        columns, hidden, _ = self._columns(head)
        shown = head[columns]
        rows = [[None if _missing(v) else v for v in row] for row in shown.itertuples(index=False)]
        return {"filter": self.filter, "total": len(self.frame), "columns": columns,
                "rows": rows, "hidden_columns": hidden}  # fmt: skip

    def _display_text(self) -> str:
        if self.frame.empty:
            return "no runs match" + (f" {self.filter!r}" if self.filter else "")
        columns, hidden, why = self._columns()
        shown = self.frame[columns].copy()
        for column in columns:
            if pd.api.types.is_datetime64_any_dtype(shown[column]):
                shown[column] = shown[column].dt.strftime(_TIME).fillna("")
            elif shown[column].dtype == object:
                shown[column] = shown[column].where(shown[column].notna(), "")
        if "run_id" in shown:
            shown["run_id"] = shown["run_id"].str[:8]  # a unique prefix, as in the HTML view
        text = f"{len(self.frame)} run(s)\n" + shown.to_string(
            index=False, max_colwidth=30, na_rep=""
        )
        note = self._hidden_note(hidden, len(columns) + len(hidden), why)
        return text + ("\n" + note if note else "")

    def _display_html(self) -> str:
        limit = self._limit
        title = f"{len(self.frame)} run(s)" + (f" matching {self.filter}" if self.filter else "")
        if self.frame.empty:
            return (
                f'<div class="dsm-muted">{esc("no runs match")}'
                f"{esc(' ' + repr(self.filter)) if self.filter else ''}</div>"
            )
        shown = self.frame.head(limit)
        columns, hidden, why = self._columns(shown)
        head = "".join(f"<th>{esc(c)}</th>" for c in columns)
        body = []
        for row in shown[columns].itertuples(index=False):
            cells = []
            for column, value in zip(columns, row):
                if _missing(value):
                    cells.append("<td></td>")
                elif column == "status":
                    cells.append(
                        f'<td><span class="dsm-badge dsm-{esc(value)}">{esc(value)}</span></td>'
                    )
                elif column == "run_id":
                    cells.append(f'<td title="{esc(value)}"><code>{esc(value[:8])}</code></td>')
                elif isinstance(value, pd.Timestamp):
                    cells.append(f"<td>{esc(value.strftime(_TIME))}</td>")
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
        note = self._hidden_note(hidden, len(columns) + len(hidden), why, _code)
        if note:
            # The hidden names on demand: a click opens them, no script needed.
            names = ", ".join(_code(name) for name in hidden)
            more += f'<details class="dsm-muted"><summary>{note}</summary>{names}</details>'
        return (
            f'<div class="dsm-title">{esc(title)}</div>'
            f'<table class="dsm-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}'
            f"</tbody></table>{more}"
        )


_ALIAS = "parent_run_id"  # the same values as parent_id: never shown twice
MAX_VALUE_COLUMNS = 12  # beside the identifying ones: a table that fits a notebook's width
_OWN_TAGS = "tags.dsmagic."  # dsmagic's bookkeeping (autolog, tuning): shown on demand
# Shown first and always: what tells one run from another.
_IDENTITY = ("run_id", "run_name", "experiment", "status", "start_time")
_TIME = "%Y-%m-%d %H:%M:%S"
_HINTS = {  # source -> (the command that shows every column, what .frame offers)
    "magic": ("%runs ... --all-columns", "is the full DataFrame"),
    "cli": ("dsmagic runs list ... --all-columns", ""),
}


def _holds_value(column: pd.Series) -> bool:
    """Whether any value is there: not None, NaN, NaT or empty text."""
    present = column.notna()
    if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column)):
        present &= column.ne("")  # text, as object or string dtype
    return bool(present.any())


def _rank(name: str, column: pd.Series) -> tuple[int, int]:
    """Which columns a compact table keeps first: metrics, then params whose values tell the
    runs apart, then run attributes, other params and tags; within each, the fullest."""
    if name.startswith("metrics."):
        group = 0
    elif name.startswith("params."):
        values = column.dropna()
        group = 1 if values.astype(str).nunique() > 1 else 3
    elif name.startswith("tags."):
        group = 4
    else:
        group = 2
    return group, -int(column.notna().sum())


def _code(text: str) -> str:
    return f"<code>{esc(text)}</code>"


def _missing(value: Any) -> bool:
    return False if isinstance(value, str) else bool(pd.isna(value))
