"""``dm.eda`` and the :class:`EDAReport` it returns."""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Any

from dsmagic._display import RichDisplay
from dsmagic._files import write_atomic
from dsmagic.eda import _prepare, _render
from dsmagic.eda._alerts import Alert
from dsmagic.errors import DsmagicError

__all__ = ["EDAReport", "eda"]


class EDAReport(RichDisplay):
    """Exploratory analysis of one frame (optionally compared with another).

    ``columns[name]`` is a plain dict of statistics; ``alerts`` a list of
    :class:`Alert`; ``dataset`` and ``relations`` the frame-level sections.
    Shows itself in a notebook; ``to_html(path)`` writes a self-contained page.
    """

    _display_kind = "eda-report"

    def __init__(self, data: dict[str, Any], compare: EDAReport | None = None, drift=None):
        self._data = data
        self._figures: dict[str, str | None] = {}
        self.compare = compare
        self.drift = drift
        self.drift_error: str | None = None

    # -- the statistics ---------------------------------------------------------------
    @property
    def columns(self) -> dict[str, dict[str, Any]]:
        return self._data["columns"]

    @property
    def alerts(self) -> list[Alert]:
        return list(self._data.get("alerts") or [])

    @property
    def dataset(self) -> dict[str, Any]:
        return self._data["dataset"]

    @property
    def relations(self) -> dict[str, Any]:
        return self._data.get("relations") or {}

    @property
    def target(self) -> dict[str, Any] | None:
        return self.relations.get("target")

    @property
    def sample(self) -> dict[str, Any] | None:
        """``{"rows": used, "of": total, "reason": ...}`` when computed on a sample."""
        return self._data.get("sample")

    @property
    def notes(self) -> list[str]:
        return list(self._data.get("notes", []))

    @property
    def title(self) -> str:
        return self._data.get("title") or "frame"

    def correlation(self, method: str = "pearson"):
        """A matrix of the relations section as a DataFrame (pearson, spearman,
        cramers_v, eta)."""
        import pandas as pd

        relations = self.relations
        if method not in ("pearson", "spearman", "cramers_v", "eta"):
            raise DsmagicError(
                f"unknown correlation {method!r}: use pearson, spearman, cramers_v or eta"
            )
        matrix = relations.get(method)
        rows = relations.get("categorical" if method in ("cramers_v", "eta") else "numeric", [])
        cols = relations.get("numeric" if method in ("pearson", "spearman", "eta") else
                             "categorical", [])  # fmt: skip
        if matrix is None:
            return pd.DataFrame(index=rows if method == "eta" else cols, columns=cols, dtype=float)
        return pd.DataFrame(matrix, index=rows if method == "eta" else cols, columns=cols)

    # -- output -----------------------------------------------------------------------
    def _extra(self) -> str:
        if self.compare is None:
            return ""
        from dsmagic.eda._compare import compare_html

        return compare_html(self, self.compare, self.drift, self.drift_error, self._figures)

    def _display_html(self) -> str:
        # Still carries the chart library: the Lab renderer that would draw the charts
        # from the mime data instead is not built yet.
        return _render.notebook(self._data, self._figures, self._extra())

    def _display_css(self) -> str:
        return _render.CSS

    def _display_data(self) -> dict[str, Any]:
        return self.to_dict()

    def _display_text(self) -> str:
        return repr(self)

    def to_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """The report as one self-contained HTML page (charts drawn by the inlined chart
        library: no CDN, works offline).

        With ``path``, the page is written there (atomically) and the path returned."""
        page = _render.page(self._data, self._figures, self._extra())
        if path is None:
            return page
        target = Path(path)
        _write_atomically(target, page)
        return str(target)

    def to_dict(self) -> dict[str, Any]:
        data = {
            "title": self.title,
            "sample": self.sample,
            "notes": self.notes,
            "dataset": self.dataset,
            "columns": self.columns,
            "relations": _matrices_as_lists(self.relations),
            "alerts": [a.to_dict() for a in self.alerts],
            "thresholds": self._data["thresholds"],
            "elapsed": self._data.get("elapsed"),
        }
        if self.compare is not None:
            data["compare"] = self.compare.to_dict()
            if self.drift is not None:
                data["drift"] = self.drift.to_dict()
        return data

    def to_json(self, path: str | os.PathLike[str] | None = None, indent: int | None = 1) -> str:
        """Every statistic as JSON (NaN as null, dates as ISO 8601)."""
        text = json.dumps(_jsonable(self.to_dict()), indent=indent, allow_nan=False)
        if path is not None:
            _write_atomically(Path(path), text)
        return text

    def __repr__(self) -> str:
        d = self._data.get("dataset", {})
        size = f"{d.get('rows', 0):,} rows \u00d7 {d.get('columns', 0)} columns"
        lines = [f"EDAReport {self.title!r}: {size}, {len(self.alerts)} alerts"]
        if self.sample:
            lines.append(f"  computed on {self.sample['rows']:,} of {self.sample['of']:,} rows")
        lines += [f"  {alert}" for alert in self.alerts[:15]]
        if len(self.alerts) > 15:
            lines.append(f"  … and {len(self.alerts) - 15} more")
        return "\n".join(lines)


def _write_atomically(target: Path, text: str) -> None:
    """Refuse a folder or a missing folder, then write atomically (``dsmagic._files``)."""
    if target.is_dir():
        raise DsmagicError(f"{str(target)!r} is a folder: give a file name like report.html")
    if not target.parent.exists():
        raise DsmagicError(f"folder {str(target.parent)!r} does not exist: create it first")
    write_atomic(target, text)


def _matrices_as_lists(relations: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in relations.items():
        out[key] = value.tolist() if hasattr(value, "tolist") else value
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return _jsonable(value.item())
    if hasattr(value, "tolist"):
        return _jsonable(value.tolist())
    return str(value)


def eda(
    df: Any,
    target: str | None = None,
    compare: Any = None,
    sample: int | float | None = None,
    time_budget: float | None = None,
    *,
    title: str | None = None,
    progress: bool = True,
    on_section=None,
) -> EDAReport:
    """Profile ``df``: per-column statistics, dataset checks, relations, alerts.

    ``target``: a column to predict (class balance or distribution, and every
    feature's association with it, ranked). ``compare``: a second frame (e.g. test)
    shown side by side with drift per column. ``sample``: rows (int) or share (float)
    to analyse. ``time_budget``: seconds (default 60); a report that would take longer
    is computed on a stated random sample. Inside an active run, the HTML report is
    logged to it as an artifact.
    """
    from dsmagic.eda._build import build

    frame, notes = _prepare.as_frame(df)
    name = _prepare.check_target(frame, target)
    rows = _prepare.check_sample(sample, len(frame))
    budget = _prepare.check_budget(time_budget)
    if compare is not None:
        other_frame, other_notes = _prepare.as_frame(compare, "compare")
        name_other = None if name is not None and name not in other_frame.columns else name
        other_rows = _prepare.check_sample(sample, len(other_frame))
    live: list[EDAReport] = []

    def emit(data: dict[str, Any]) -> None:
        # one report object for every refresh, so charts already drawn are reused
        if not live:
            live.append(EDAReport(data))
        on_section(live[0])

    data = build(frame, target=name, sample=rows, budget=budget, title=title or "frame",
                 notes=notes, progress=progress,
                 on_section=emit if on_section is not None else None)  # fmt: skip
    report = live[0] if live else EDAReport(data)
    if compare is not None:
        other_data = build(other_frame, target=name_other, sample=other_rows, budget=budget,
                           title=f"{title or 'frame'} (compared)", notes=other_notes,
                           progress=progress)  # fmt: skip
        report.compare = EDAReport(other_data)
        report.drift, report.drift_error = _drift(frame, other_frame)
    _log_to_active_run(report)
    return report


def _naive_utc(frame):
    """Time-zone-aware columns as UTC instants without a zone (what drift compares)."""
    from pandas.api import types

    aware = [c for c in frame.columns if types.is_datetime64_any_dtype(frame[c].dtype)
             and getattr(frame[c].dtype, "tz", None) is not None]  # fmt: skip
    if not aware:
        return frame
    return frame.assign(**{c: frame[c].dt.tz_convert(None) for c in aware})


def _drift(reference, current):
    """Drift per column from dsmagic.data; a failure there costs the drift table only."""
    from dsmagic.data import drift

    try:
        return drift(_naive_utc(reference), _naive_utc(current)), None
    except DsmagicError as exc:
        return None, str(exc)
    except Exception as exc:  # the report says what it could not compute
        return None, f"{type(exc).__name__}: {exc}"


def _log_to_active_run(report: EDAReport) -> None:
    """Log the HTML report to the active run, if there is one.

    A run lives in ``dsmagic.tracking._fluent``: when that module was never imported, no
    run can be active, and importing it (SQLAlchemy, the store) only to learn so would
    cost a fresh kernel's first report most of its time."""
    fluent = sys.modules.get("dsmagic.tracking._fluent")
    run = fluent.active_run() if fluent is not None else None
    if run is None:
        return
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in report.title)[:80] or "frame"
    run.client.log_text(run.id, report.to_html(), f"eda/{safe}.html")
