"""Checking and normalising what the user passed before any statistic is computed."""

from __future__ import annotations

import math
from typing import Any

from dsmagic.errors import DsmagicError


def as_frame(data: Any, what: str = "dm.eda"):
    """A DataFrame with unique string column names, plus notes on what was changed."""
    import pandas as pd

    if isinstance(data, pd.Series):
        data = data.to_frame(name=data.name if data.name is not None else "value")
    if not isinstance(data, pd.DataFrame):
        to_pandas = getattr(data, "to_pandas", None)  # polars, pyarrow tables
        if callable(to_pandas) and not isinstance(data, type):
            data = to_pandas()
        if not isinstance(data, pd.DataFrame):
            raise DsmagicError(
                f"{what} needs a pandas DataFrame, got {type(data).__name__}: "
                "wrap it first, e.g. pd.DataFrame(data)"
            )
    notes: list[str] = []
    names = [_name(c) for c in data.columns]
    seen: dict[str, int] = {}
    renamed = []
    unique_names = []
    for name in names:
        if name in seen:
            seen[name] += 1
            new = f"{name}.{seen[name]}"
            while new in names or new in seen:
                seen[name] += 1
                new = f"{name}.{seen[name]}"
            renamed.append(f"{name!r} → {new!r}")
            seen[new] = 0
            unique_names.append(new)
        else:
            seen[name] = 0
            unique_names.append(name)
    if renamed:
        notes.append("duplicate column names were renamed in this report: " + ", ".join(renamed))
    if unique_names != list(data.columns):
        # a relabelled view: copy-on-write means the user's data is not copied
        data = data.set_axis(unique_names, axis=1)
    return data, notes


def _name(column: Any) -> str:
    if isinstance(column, tuple):
        return " / ".join(str(part) for part in column)
    return str(column)


def check_target(frame, target: Any) -> str | None:
    if target is None:
        return None
    name = _name(target)
    if name not in frame.columns:
        import difflib  # only for a misspelt name

        close = difflib.get_close_matches(name, [str(c) for c in frame.columns], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        shown = ", ".join(map(repr, list(frame.columns)[:8]))
        more = ", …" if frame.shape[1] > 8 else ""
        raise DsmagicError(f"target {name!r} is not a column of the frame ({shown}{more}){hint}")
    return name


def check_sample(sample: Any, rows: int) -> int | None:
    """``sample`` as a number of rows: an int (rows) or a float in (0, 1] (a share)."""
    if sample is None:
        return None
    if isinstance(sample, bool) or not isinstance(sample, int | float):
        raise DsmagicError(
            f"sample must be a number of rows (e.g. 100000) or a share (e.g. 0.1), got {sample!r}"
        )
    if isinstance(sample, float) and (0 < sample <= 1 or not sample.is_integer()):
        if not 0 < sample <= 1:
            raise DsmagicError(
                f"sample share must be in (0, 1] (or a whole number of rows), got {sample!r}"
            )
        return max(1, round(rows * sample))
    if sample < 1 or not math.isfinite(sample):
        raise DsmagicError(f"sample must be at least 1 row, got {sample!r}")
    return int(sample)


def check_budget(time_budget: Any) -> float:
    from dsmagic.eda._thresholds import DEFAULT_TIME_BUDGET

    if time_budget is None:
        return DEFAULT_TIME_BUDGET
    if isinstance(time_budget, bool) or not isinstance(time_budget, int | float):
        raise DsmagicError(f"time_budget must be seconds (e.g. 30), got {time_budget!r}")
    if not time_budget > 0:
        raise DsmagicError(
            f"time_budget must be positive seconds, got {time_budget!r} "
            "(use float('inf') for no budget)"
        )
    return float(time_budget)
