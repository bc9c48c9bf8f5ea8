"""A run comparison as the sidebar's compare view draws it: plain JSON."""

from __future__ import annotations

import math
from typing import Any

from dsmagic.tracking._compare import best_point
from dsmagic.tracking._direction import lower_is_better

MAX_RUNS = 12
MAX_POINTS = 1000  # per curve; longer curves are thinned evenly, the last point kept


def _number(value: Any) -> float | str | None:
    if value is None:
        return None
    value = float(value)
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _thin(points: list[tuple]) -> list[list[float | str | None]]:
    step = max(1, math.ceil(len(points) / MAX_POINTS))
    kept = points[::step]
    if points and kept[-1] is not points[-1]:
        kept.append(points[-1])
    return [[int(p[0]), _number(p[1])] for p in kept]


def comparison_json(comparison: Any) -> dict[str, Any]:
    runs = comparison.runs
    differing = set(comparison.differing_params)
    params = [
        {"key": key, "values": [run.params.get(key) for run in runs], "differs": key in differing}
        for key in comparison.params.index
    ]
    metrics = []
    for key in comparison.metrics.index:
        lower = lower_is_better(key)
        latest = [run.metrics.get(key) for run in runs]
        finite = [(i, v) for i, v in enumerate(latest) if v is not None and math.isfinite(v)]
        leader = (min if lower else max)(finite, key=lambda item: item[1])[0] if finite else None
        curves = []
        for index, run in enumerate(runs):
            points = comparison.histories.get(run.id, {}).get(key, [])
            if points:
                curves.append(
                    {"run": index, "points": _thin(points), "best": best_point(points, lower)}
                )
        metrics.append(
            {
                "key": key,
                "lower_is_better": lower,
                "values": [_number(v) for v in latest],
                "leader": leader,
                "curves": curves,
            }
        )
    labels = comparison._labels()
    return {
        "runs": [
            {"id": run.id, "name": run.name, "label": label, "status": run.status,
             "experiment": run.experiment}
            for run, label in zip(runs, labels)
        ],
        "params": params,
        "metrics": metrics,
    }  # fmt: skip
