"""Side-by-side comparison of runs: the parameters that differ, each metric at its last
and at its best step, a pivot by one parameter, and (for two runs) what else differs."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from dsmagic._display import RichDisplay
from dsmagic._html import esc, figure_svg, table
from dsmagic.errors import DsmagicError
from dsmagic.tracking._direction import lower_is_better
from dsmagic.tracking._entities import Run
from dsmagic.tracking._panels import metric_panels

if TYPE_CHECKING:
    from dsmagic.tracking._differences import RunDifferences

__all__ = ["RunComparison", "best_point"]


def best_point(points: list[tuple], lower: bool) -> dict[str, Any] | None:
    """``{"step", "value"}`` of the best finite point of a metric's history."""
    finite = [p for p in points if p[1] is not None and math.isfinite(p[1])]
    if not finite:
        return None
    best = (min if lower else max)(finite, key=lambda p: p[1])
    return {"step": int(best[0]), "value": float(best[1])}


def _sort_key(text: str) -> tuple[int, float, str]:
    """Numbers in numeric order (2 before 10), then text."""
    try:
        return 0, float(text), ""
    except ValueError:
        return 1, 0.0, text


class RunComparison(RichDisplay):
    """Params and metrics of several runs.

    ``params`` has every param (``differing_params`` names those that differ; the views show
    only those), ``metrics`` the latest values, ``best`` and ``best_step`` each metric at its
    best step (the lowest for losses and errors, else the highest). ``pivot("params.lr")``
    lays the latest metrics out by one param's values; ``differences`` (two runs only) says
    what else changed: interpreter, platform, packages, git state, cells.
    """

    _display_kind = "comparison"

    def __init__(
        self,
        runs: list[Run],
        histories: dict[str, dict[str, list[tuple]]],
        *,
        differences: RunDifferences | None = None,
        pivot: str | None = None,
    ) -> None:
        self.runs = runs
        self.histories = histories
        self.differences = differences
        labels = self._labels()
        param_keys = sorted({k for run in runs for k in run.params})
        metric_keys = sorted({k for run in runs for k in run.metrics})
        self.params = pd.DataFrame(
            [[run.params.get(k) for run in runs] for k in param_keys],
            index=pd.Index(param_keys, name="param"),
            columns=labels,
        )
        self.metrics = pd.DataFrame(
            [[run.metrics.get(k, math.nan) for run in runs] for k in metric_keys],
            index=pd.Index(metric_keys, name="metric"),
            columns=labels,
            dtype="float64",
        )
        bests = [
            [best_point(histories.get(run.id, {}).get(k, []), lower_is_better(k)) for run in runs]
            for k in metric_keys
        ]
        self.best = pd.DataFrame(
            [[math.nan if b is None else b["value"] for b in row] for row in bests],
            index=self.metrics.index, columns=labels, dtype="float64",
        )  # fmt: skip
        self.best_step = pd.DataFrame(
            [[None if b is None else b["step"] for b in row] for row in bests],
            index=self.metrics.index, columns=labels, dtype="Int64",
        )  # fmt: skip
        self.pivot_by = None if pivot is None else self._pivot_key(pivot)

    def _labels(self) -> list[str]:
        names = [run.name for run in self.runs]
        return [
            f"{run.name} ({run.id[:6]})" if names.count(run.name) > 1 else run.name
            for run in self.runs
        ]

    @property
    def differing_params(self) -> list[str]:
        """Params whose value is not the same in every run (missing counts as different)."""
        return [
            key
            for key, row in self.params.iterrows()
            if len({None if v is None or v != v else v for v in row.tolist()}) > 1
        ]

    def _pivot_key(self, param: str) -> str:
        key = param.removeprefix("params.")
        if key not in self.params.index:
            known = ", ".join(f"params.{k}" for k in self.params.index) or "none"
            raise DsmagicError(
                f"cannot pivot by {param!r}: no run compared has it (params: {known})"
            )
        return key

    def pivot(self, param: str) -> pd.DataFrame:
        """The latest metrics by the values of one param: a row per value (runs sharing a
        value are averaged; ``runs`` counts them), a column per metric."""
        key = self._pivot_key(param)
        values = self.params.loc[key]
        frame = self.metrics.T.copy()
        frame.insert(0, f"params.{key}", ["" if v is None else str(v) for v in values])
        grouped = frame.groupby(f"params.{key}", sort=False)
        result = grouped.mean(numeric_only=True)
        result.insert(0, "runs", grouped.size())
        result.columns.name = None
        return result.iloc[sorted(range(len(result)), key=lambda i: _sort_key(result.index[i]))]

    def __repr__(self) -> str:
        return self._display_text()

    def _metric_rows(self) -> list[list[Any]]:
        rows = []
        for key in self.metrics.index:
            rows.append([f"{key} (last)", *self.metrics.loc[key]])
            steps = self.best_step.loc[key]
            best = [
                math.nan if s is pd.NA else f"{v:.6g} @ {s}"
                for v, s in zip(self.best.loc[key], steps)
            ]
            which = "lowest" if lower_is_better(key) else "highest"
            rows.append([f"{key} (best, {which} @ step)", *best])
        return rows

    def _same_note(self) -> str:
        same = len(self.params.index) - len(self.differing_params)
        return f"{same} param(s) the same in every run: .params has all" if same else ""

    def _display_text(self) -> str:
        labels = self._labels()
        lines = [f"Comparison of {len(self.runs)} run(s): " + ", ".join(labels)]
        differing = self.differing_params
        if differing:
            lines.append("params that differ:")
            lines.append(self.params.loc[differing].fillna("—").to_string())
        elif not self.params.empty:
            lines.append("params: the same in every run")
        if note := self._same_note():
            lines.append(f"({note})")
        if not self.metrics.empty:
            lines.append("metrics:")
            frame = pd.DataFrame(self._metric_rows(), columns=["metric", *labels])
            lines.append(frame.fillna("").to_string(index=False))
        if self.pivot_by is not None:
            lines.append(f"latest metrics by params.{self.pivot_by}:")
            lines.append(self.pivot(self.pivot_by).to_string())
        if self.differences is not None:
            changed = self.differences.lines()
            lines.append("environment and code:" if changed else "environment and code: same")
            lines += changed
        return "\n".join(lines)

    def _display_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "runs": [
                {"id": run.id, "label": label} for run, label in zip(self.runs, self._labels())
            ],
            "params": {k: row.tolist() for k, row in self.params.iterrows()},
            "metrics": {k: row.tolist() for k, row in self.metrics.iterrows()},
            "best": {
                k: [
                    None if s is pd.NA else {"step": int(s), "value": float(v)}
                    for v, s in zip(self.best.loc[k], self.best_step.loc[k])
                ]
                for k in self.metrics.index
            },
            "differing_params": self.differing_params,
        }
        if self.pivot_by is not None:
            pivot = self.pivot(self.pivot_by)
            data["pivot"] = {"param": f"params.{self.pivot_by}",
                             "rows": pivot.reset_index().to_dict("records")}  # fmt: skip
        if self.differences is not None:
            data["differences"] = self.differences.lines()
        return data

    def plot(self) -> Any:
        """A matplotlib figure with one panel per metric, a line per run."""
        keys = list(self.metrics.index)
        if not keys:
            return None
        figure, axes = metric_panels(len(keys))
        for axis, key in zip(axes, keys):
            for run, label in zip(self.runs, self._labels()):
                points = self.histories.get(run.id, {}).get(key, [])
                if len(points) == 1:
                    axis.scatter([points[0][0]], [points[0][1]], label=label)
                elif points:
                    axis.plot([p[0] for p in points], [p[1] for p in points], label=label)
            axis.set_title(key)
        axes[0].legend(fontsize="small")
        figure.tight_layout()
        return figure

    def _display_html(self) -> str:
        labels = self._labels()
        parts = [f'<div class="dsm-title">Comparing {len(self.runs)} run(s)</div>']
        differing = self.differing_params
        if differing:
            rows = [[k, *("—" if v is None else v for v in self.params.loc[k])] for k in differing]
            parts.append('<div class="dsm-muted">parameters that differ</div>')
            parts.append(table(["param", *labels], rows))
        if note := self._same_note():
            parts.append(f'<div class="dsm-muted">{esc(note)}</div>')
        if not self.metrics.empty:
            parts.append('<div class="dsm-muted">metrics at their last and best step</div>')
            parts.append(
                table(["metric", *labels], self._metric_rows(), numeric=range(1, len(labels) + 1))
            )
            figure = self.plot()
            if figure is not None:
                parts.append(f'<div class="dsm-plot">{figure_svg(figure)}</div>')
        if self.pivot_by is not None:
            pivot = self.pivot(self.pivot_by).reset_index()
            parts.append(
                f'<div class="dsm-muted">{esc(f"latest metrics by params.{self.pivot_by}")}</div>'
            )
            parts.append(
                table(list(pivot.columns), pivot.itertuples(index=False),
                      numeric=range(1, len(pivot.columns)))
            )  # fmt: skip
        if self.differences is not None:
            changed = self.differences.lines()
            title = "environment and code" + ("" if changed else ": the same")
            parts.append(f'<div class="dsm-muted">{esc(title)}</div>')
            if changed:
                parts.append(f"<pre>{esc(chr(10).join(changed))}</pre>")
        if len(parts) == 1:
            parts.append(f'<div class="dsm-muted">{esc("these runs logged nothing")}</div>')
        return "".join(parts)
