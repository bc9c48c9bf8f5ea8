"""Whole-frame statistics: size, memory, duplicate rows, missing-value patterns."""

from __future__ import annotations

from typing import Any

_MAX_PATTERNS = 10


def sample_rows(frame, rows: int):
    """A reproducible random sample of ``rows`` rows (seed 0), kept in the frame's order."""
    import numpy as np

    if rows >= len(frame):
        return frame
    chosen = np.sort(np.random.default_rng(0).choice(len(frame), size=rows, replace=False))
    return frame.iloc[chosen]


def hashable_frame(frame):
    """The frame with cells that cannot be hashed (lists, dicts) replaced by their text."""
    import pandas as pd

    replaced = {}
    for position, (_, column) in enumerate(frame.items()):
        if column.dtype == object:
            try:
                pd.util.hash_pandas_object(column.head(1000), index=False)
                column.head(1000).nunique()
            except TypeError:
                replaced[position] = column.map(lambda v: v if v is None else repr(v))
    if not replaced:
        return frame
    frame = frame.copy(deep=False)
    for position, column in replaced.items():
        frame.isetitem(position, column)
    return frame


def duplicate_rows(frame) -> int:
    """Exact count of rows equal to an earlier row (pandas' ``duplicated().sum()``).

    Rows are first grouped by a 64-bit hash; only rows whose hash repeats are
    compared exactly, so the count is exact and the common case is one hash pass.
    """
    import numpy as np
    import pandas as pd

    if len(frame) < 2 or frame.shape[1] == 0:
        return 0
    hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    order = np.argsort(hashes, kind="stable")
    ordered = hashes[order]
    repeated = np.zeros(len(ordered), dtype=bool)
    same = ordered[1:] == ordered[:-1]
    repeated[1:] |= same
    repeated[:-1] |= same
    if not repeated.any():
        return 0
    candidates = np.sort(order[repeated])
    return int(frame.iloc[candidates].duplicated(keep="first").sum())


def missing_patterns(frame) -> dict[str, Any]:
    """Missing cells per column and the most common combinations of missing columns."""
    import numpy as np

    mask = frame.isna().to_numpy(dtype=bool)
    names = [str(c) for c in frame.columns]
    per_column = mask.sum(axis=0) if mask.size else np.zeros(len(names), dtype=int)
    with_missing = [i for i, n in enumerate(per_column) if n]
    cells = int(per_column.sum())
    rows_with_missing = int(mask.any(axis=1).sum()) if with_missing else 0
    patterns: list[dict[str, Any]] = []
    if with_missing:
        sub = np.ascontiguousarray(mask[:, with_missing])
        packed = np.packbits(sub, axis=1)
        keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
        unique, first, counts = np.unique(keys, return_index=True, return_counts=True)
        for at in np.argsort(-counts, kind="stable")[:_MAX_PATTERNS]:
            row = sub[first[at]]
            patterns.append(
                {
                    "columns": [names[with_missing[i]] for i in np.flatnonzero(row)],
                    "rows": int(counts[at]),
                }
            )
    return {
        "cells": cells,
        "share": cells / mask.size if mask.size else 0.0,
        "rows_with_missing": rows_with_missing,
        "patterns": patterns,
        "distinct_patterns": len(unique) if with_missing else 0,
    }


def head_rows(frame, n: int) -> list[list[str]]:
    """The first ``n`` rows as short text cells (the only raw data the report embeds)."""
    rows = []
    for values in frame.head(n).itertuples(index=False, name=None):
        rows.append([_short(v) for v in values])
    return rows


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
