"""Whole-frame statistics: size, memory, duplicate rows, missing-value patterns."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

_MAX_PATTERNS = 10


@lru_cache(maxsize=8)
def sample_positions(total: int, rows: int):
    """Positions of a reproducible random sample of ``rows`` of ``total`` rows (seed 0),
    ascending; None when every row is kept. Cached: the report and its relations ask
    for the same sample (callers never modify it)."""
    import numpy as np

    if rows >= total:
        return None
    return np.sort(np.random.default_rng(0).choice(total, size=rows, replace=False))


def sample_rows(frame, rows: int):
    """A reproducible random sample of ``rows`` rows (seed 0), kept in the frame's order."""
    chosen = sample_positions(len(frame), rows)
    return frame if chosen is None else frame.iloc[chosen]


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


def _repeats(key):
    import numpy as np

    order = np.argsort(key, kind="stable")
    ordered = key[order]
    return order, ordered[1:] == ordered[:-1]


def duplicate_rows(frame, distinct: dict[str, int]) -> int:
    """Exact count of rows equal to an earlier row (pandas' ``duplicated().sum()``).

    Columns are folded into a 64-bit row key, most distinct first (``distinct``: the
    distinct count of columns without missing values). Rows can only repeat if their
    keys do, so a column whose values are all distinct ends the search at once, and a
    key without repeats after a few columns ends it early. Rows whose keys repeat are
    compared exactly, so the count is exact.
    """
    import numpy as np
    import pandas as pd

    rows, width = frame.shape
    if rows < 2 or width == 0:
        return 0
    names = sorted(frame.columns, key=lambda name: -distinct.get(name, 0))
    if distinct.get(names[0], 0) >= rows:
        return 0  # one column has no missing and no repeated value: no row repeats
    key = np.zeros(rows, dtype=np.uint64)
    prime = np.uint64(1099511628211)
    for folded, name in enumerate(names, start=1):
        codes, _ = pd.factorize(frame[name], use_na_sentinel=True)
        key *= prime
        key ^= codes.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        if folded in (1, 2, 4) and folded < width and not _repeats(key)[1].any():
            return 0
    order, same = _repeats(key)
    if not same.any():
        return 0
    repeated = np.zeros(rows, dtype=bool)
    repeated[1:] |= same
    repeated[:-1] |= same
    candidates = np.sort(order[repeated])
    return int(frame.iloc[candidates].duplicated(keep="first").sum())


def missing_patterns(frame, columns: list[str], cells: int) -> dict[str, Any]:
    """The most common combinations of missing columns (``columns``: those with any)."""
    import numpy as np

    size = frame.shape[0] * frame.shape[1]
    patterns: list[dict[str, Any]] = []
    distinct = rows_with_missing = 0
    if columns and len(frame):
        masks = [frame[name].isna().to_numpy(dtype=bool) for name in columns]
        keys, counts = _pattern_counts(masks)
        rows_with_missing = int(np.logical_or.reduce(masks).sum())
        distinct = len(counts)
        for at in np.argsort(-counts, kind="stable")[:_MAX_PATTERNS]:
            row = _pattern_columns(keys[at], len(columns))
            patterns.append({"columns": [columns[i] for i in row],
                             "rows": int(counts[at])})  # fmt: skip
    return {
        "cells": cells,
        "share": cells / size if size else 0.0,
        "rows_with_missing": rows_with_missing,
        "patterns": patterns,
        "distinct_patterns": distinct,
    }


def _pattern_counts(masks):
    """Each distinct missing pattern (as a key) and its number of rows, in key order.

    Up to 63 columns a pattern is one integer (bit i: column i missing), counted by
    sorting integers; wider frames compare the packed rows as bytes."""
    import numpy as np

    if len(masks) <= 63:
        keys = np.zeros(len(masks[0]), dtype=np.int64)
        for bit, mask in enumerate(masks):
            keys |= mask.astype(np.int64) << bit
        if len(masks) <= 20:  # at most a million possible patterns: count them directly
            counts = np.bincount(keys)
            present = np.flatnonzero(counts)
            return present, counts[present]
        return np.unique(keys, return_counts=True)
    packed = np.packbits(np.column_stack(masks), axis=1)
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    return np.unique(keys, return_counts=True)


def _pattern_columns(key, width: int) -> list[int]:
    """The positions of the missing columns in a pattern key."""
    import numpy as np

    if isinstance(key, np.void):
        row = np.unpackbits(np.frombuffer(key.tobytes(), dtype=np.uint8))[:width]
        return [int(i) for i in np.flatnonzero(row)]
    return [i for i in range(width) if int(key) >> i & 1]


def head_rows(frame, n: int) -> list[list[str]]:
    """The first ``n`` rows as short text cells (the only raw data the report embeds)."""
    rows = []
    for values in frame.head(n).itertuples(index=False, name=None):
        rows.append([_short(v) for v in values])
    return rows


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
