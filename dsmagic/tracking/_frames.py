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

    The views are compact: the identifying columns, then only the columns that hold a value
    in at least one of the runs shown; a line under the table counts the hidden ones and says
    how to see them. ``all_columns`` shows every column; ``frame`` is always the full search
    result. ``source`` ("magic" or "cli") picks the command that line names.
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

    def _columns(self, rows: pd.DataFrame | None = None) -> tuple[list[str], list[str]]:
        """The columns the views show and the ones they hide, for ``rows`` (default: every
        run). ``parent_run_id`` (MLflow's name for ``parent_id``) is in ``frame`` only."""
        rows = self.frame if rows is None else rows
        names = [c for c in rows.columns if c != _ALIAS]
        if self.all_columns:
            return names, []
        first = [c for c in _IDENTITY if c in names]
        rest = [c for c in names if c not in _IDENTITY]
        shown = first + [c for c in rest if _holds_value(rows[c])]
        kept = set(shown)
        return shown, [c for c in rest if c not in kept]

    def _hidden_note(self, hidden: list[str], total: int, code: Any = "`{}`".format) -> str:
        """The line under a compact table: how many columns it hides, how to see them."""
        if not hidden:
            return ""
        command, more = _HINTS[self.source]
        note = f"{len(hidden)} of {total} columns hidden, empty in the runs shown: "
        note += f"{code(command)} shows them"
        return note + (f"; {code('.frame')} {more}" if more else "")

    def _display_data(self) -> dict[str, Any]:
        head = self.frame.head(self._limit)
        columns, hidden = self._columns(head)
        shown = head[columns]
        rows = [[None if _missing(v) else v for v in row] for row in shown.itertuples(index=False)]
        return {"filter": self.filter, "total": len(self.frame), "columns": columns,
                "rows": rows, "hidden_columns": hidden}  # fmt: skip

    def _display_text(self) -> str:
        if self.frame.empty:
            return "no runs match" + (f" {self.filter!r}" if self.filter else "")
        columns, hidden = self._columns()
        shown = self.frame[columns].copy()
        for column in columns:
            if pd.api.types.is_datetime64_any_dtype(shown[column]):
                shown[column] = shown[column].dt.strftime(_TIME).fillna("")
        text = f"{len(self.frame)} run(s)\n" + shown.to_string(index=False, max_colwidth=30)
        note = self._hidden_note(hidden, len(columns) + len(hidden))
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
        columns, hidden = self._columns(shown)
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
        note = self._hidden_note(hidden, len(columns) + len(hidden), _code)
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


def _code(text: str) -> str:
    return f"<code>{esc(text)}</code>"


def _missing(value: Any) -> bool:
    return False if isinstance(value, str) else bool(pd.isna(value))
