"""Per-version statistics kept in the store for display and comparison."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

QUANTILES = {"p05": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}
TOP = 10


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _column(series: pd.Series, name: str) -> dict[str, Any]:
    info: dict[str, Any] = {
        "name": name,
        "dtype": str(series.dtype),
        "missing": int(series.isna().sum()),
    }
    dtype = series.dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    if numeric and not isinstance(dtype, pd.CategoricalDtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        values = values[np.isfinite(values)]
        info["infinite"] = int(series.notna().sum()) - int(values.size)
        if values.size:
            quantiles = np.quantile(values, list(QUANTILES.values()))
            info.update(
                mean=float(values.mean()),
                std=float(values.std(ddof=1)) if values.size > 1 else 0.0,
                min=float(values.min()),
                max=float(values.max()),
                **{k: float(q) for k, q in zip(QUANTILES, quantiles)},
            )
        return info
    if pd.api.types.is_datetime64_any_dtype(dtype):
        present = series.dropna()
        if len(present):
            info.update(min=str(present.min()), max=str(present.max()))
        return info
    try:
        counts = series.value_counts(dropna=True)
        dict.fromkeys(counts.index)
    except (TypeError, NotImplementedError):  # unhashable cells, Arrow lists and structs
        counts = series.dropna().map(repr).value_counts()
    info["distinct"] = len(counts)
    info["top"] = [
        {"value": str(value)[:200], "count": int(count)}
        for value, count in counts.head(TOP).items()
    ]
    return info


def compute_stats(frame: pd.DataFrame) -> dict[str, Any]:
    """Rows, columns, dtypes, missing counts, numeric quantiles/mean/std, top categories."""
    return {
        "rows": len(frame),
        "memory": int(frame.memory_usage(index=True, deep=False).sum()),
        "index": {
            "type": type(frame.index).__name__,
            "names": [None if n is None else str(n) for n in frame.index.names],
        },
        "columns": [
            _column(frame.iloc[:, i], str(frame.columns[i])) for i in range(frame.shape[1])
        ],
    }
