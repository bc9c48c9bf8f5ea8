"""Side-by-side comparison of runs: parameters, latest metrics and metric curves."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from dsmagic._display import RichDisplay
from dsmagic._html import esc, figure_svg, table
from dsmagic.tracking._entities import Run


class RunComparison(RichDisplay):
    """Params and metrics of several runs, with the differing params marked."""

    _display_kind = "comparison"

    def __init__(self, runs: list[Run], histories: dict[str, dict[str, list[tuple]]]) -> None:
        self.runs = runs
        self.histories = histories
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

    def __repr__(self) -> str:
        return self._display_text()

    def _display_text(self) -> str:
        lines = [f"Comparison of {len(self.runs)} run(s): " + ", ".join(self._labels())]
        if not self.params.empty:
            lines.append("params (* differs):")
            differing = set(self.differing_params)
            frame = self.params.copy()
            frame.index = [("* " if k in differing else "  ") + k for k in frame.index]
            lines.append(frame.fillna("—").to_string())
        if not self.metrics.empty:
            lines.append("metrics (latest):")
            lines.append(self.metrics.to_string())
        return "\n".join(lines)

    def _display_data(self) -> dict[str, Any]:
        return {
            "runs": [
                {"id": run.id, "label": label} for run, label in zip(self.runs, self._labels())
            ],
            "params": {k: row.tolist() for k, row in self.params.iterrows()},
            "metrics": {k: row.tolist() for k, row in self.metrics.iterrows()},
            "differing_params": self.differing_params,
        }

    def plot(self) -> Any:
        """A matplotlib figure with one panel per metric, a line per run."""
        from matplotlib.figure import Figure

        keys = list(self.metrics.index)
        if not keys:
            return None
        columns = min(3, len(keys))
        rows = math.ceil(len(keys) / columns)
        figure = Figure(figsize=(4 * columns, 2.8 * rows))
        axes = figure.subplots(rows, columns, squeeze=False)
        for index, key in enumerate(keys):
            axis = axes[index // columns][index % columns]
            for run, label in zip(self.runs, self._labels()):
                points = self.histories.get(run.id, {}).get(key, [])
                if len(points) == 1:
                    axis.scatter([points[0][0]], [points[0][1]], label=label)
                elif points:
                    axis.plot([p[0] for p in points], [p[1] for p in points], label=label)
            axis.set_title(key)
            axis.set_xlabel("step")
        for index in range(len(keys), rows * columns):
            axes[index // columns][index % columns].set_visible(False)
        axes[0][0].legend(fontsize="small")
        figure.tight_layout()
        return figure

    def _display_html(self) -> str:
        labels = self._labels()
        parts = [f'<div class="dsm-title">Comparing {len(self.runs)} run(s)</div>']
        if not self.params.empty:
            differing = set(self.differing_params)
            rows = [[k, *("—" if v is None else v for v in row)] for k, row in
                    zip(self.params.index, self.params.itertuples(index=False))]  # fmt: skip
            marked = [i for i, k in enumerate(self.params.index) if k in differing]
            parts.append('<div class="dsm-muted">parameters (highlighted: differ)</div>')
            parts.append(table(["param", *labels], rows, highlight=marked))
        if not self.metrics.empty:
            rows = [[k, *row] for k, row in zip(self.metrics.index,
                                                 self.metrics.itertuples(index=False))]  # fmt: skip
            parts.append('<div class="dsm-muted">latest metric values</div>')
            parts.append(table(["metric", *labels], rows, numeric=range(1, len(labels) + 1)))
            figure = self.plot()
            if figure is not None:
                parts.append(f'<div class="dsm-plot">{figure_svg(figure)}</div>')
        if len(parts) == 1:
            parts.append(f'<div class="dsm-muted">{esc("these runs logged nothing")}</div>')
        return "".join(parts)
