"""Drift between two data sets: per-column tests, effect sizes and one verdict.

A column drifts when its change is both *real* and *large enough to matter*: the
corrected p-value is below ``alpha`` **and** the effect size reaches its threshold.
The p-value alone would flag every column at a million rows (any difference is
significant); the effect size alone would flag noise at a hundred rows.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from dsmagic.data._drift_settings import (
    CORRECTIONS,
    DEFAULT_THRESHOLDS,
    METHODS,
    PARALLEL_CELLS,
)
from dsmagic.data._drift_types import ColumnDrift, DriftReport
from dsmagic.errors import DsmagicError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEFAULT_THRESHOLDS", "METHODS", "ColumnDrift", "DriftReport", "drift"]


def _resolve(side: Any, what: str) -> tuple[pd.DataFrame, str]:
    import pandas as pd

    if isinstance(side, pd.DataFrame):
        return side, f"{what} frame"
    if isinstance(side, pd.Series):
        return side.to_frame(), f"{what} series"
    if isinstance(side, str):
        from dsmagic.data._versions import load_data, resolve_version

        version = resolve_version(side)
        return load_data(version), version.ref
    ref = getattr(side, "ref", None)
    if isinstance(ref, str) and hasattr(side, "fingerprint"):
        from dsmagic.data._versions import load_data

        return load_data(side), ref
    raise DsmagicError(
        f"{what} must be a DataFrame or a dataset reference like 'customers@2', "
        f"got {type(side).__name__}"
    )


def _check_option(value: Any, allowed, what: str) -> None:
    if value not in allowed:
        raise DsmagicError(f"{what} must be one of {', '.join(map(str, allowed))}, got {value!r}")


def _column_methods(method: Any, columns: list[str]) -> dict[str, str]:
    if isinstance(method, dict):
        unknown = [c for c in method if c not in columns]
        if unknown:
            raise DsmagicError(
                f"method= names columns not compared: {', '.join(map(str, unknown))}"
            )
        for value in method.values():
            _check_option(value, METHODS, "method")
        return {c: method.get(c, "auto") for c in columns}
    _check_option(method, METHODS, "method")
    return dict.fromkeys(columns, method)


def _pick_columns(
    reference: pd.DataFrame, current: pd.DataFrame, columns: Any
) -> tuple[list[str], list[str], list[str]]:
    for frame, what in ((reference, "reference"), (current, "current")):
        if frame.columns.has_duplicates:
            dups = frame.columns[frame.columns.duplicated()].unique().tolist()
            raise DsmagicError(
                f"the {what} frame has duplicate column names {dups}: rename them first"
            )
    ref_cols, cur_cols = list(reference.columns), list(current.columns)
    only_ref = [c for c in ref_cols if c not in set(cur_cols)]
    only_cur = [c for c in cur_cols if c not in set(ref_cols)]
    if columns is None:
        shared = [c for c in ref_cols if c in set(cur_cols)]
        if not shared:
            raise DsmagicError(
                "the two frames share no column names: drift compares columns by name"
            )
        return shared, only_ref, only_cur
    if isinstance(columns, str):
        columns = [columns]
    columns = list(columns)
    if not columns:
        raise DsmagicError("columns= is empty: give column names, or None for all shared columns")
    missing = [c for c in columns if c not in set(ref_cols) or c not in set(cur_cols)]
    if missing:
        raise DsmagicError(
            f"column(s) {', '.join(map(repr, missing))} are not in both frames; "
            f"shared columns: {', '.join(str(c) for c in ref_cols if c in set(cur_cols))}"
        )
    return columns, only_ref, only_cur


def drift(
    reference: Any,
    current: Any,
    columns: list[str] | str | None = None,
    method: str | dict[str, str] = "auto",
    *,
    alpha: float = 0.05,
    correction: str = "bh",
    share: float = 0.5,
    bins: int = 10,
    thresholds: dict[str, float] | None = None,
) -> DriftReport:
    """Compare ``current`` with ``reference`` column by column.

    Either side is a DataFrame or a dataset reference (``"customers@2"``,
    ``"customers@latest"``, ``"customers@3fa9c1"``). ``columns=None`` compares the
    columns both have (the others are listed in the report). ``method`` is one of
    ``auto, ks, chi2, wasserstein, psi, kl, js`` or a dict column -> method.
    """
    _check_option(correction, tuple(CORRECTIONS), "correction")
    if not (isinstance(alpha, int | float) and 0 < alpha < 1):
        raise DsmagicError(f"alpha must be a number between 0 and 1, got {alpha!r}")
    if not (isinstance(share, int | float) and 0 < share <= 1):
        raise DsmagicError(f"share must be a number in (0, 1], got {share!r}")
    if isinstance(bins, bool) or not isinstance(bins, int) or not 2 <= bins <= 1000:
        raise DsmagicError(f"bins must be a whole number from 2 to 1000, got {bins!r}")
    limits = dict(DEFAULT_THRESHOLDS)
    for key, value in (thresholds or {}).items():
        _check_option(key, tuple(DEFAULT_THRESHOLDS), "thresholds key")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise DsmagicError(f"threshold {key!r} must be a number >= 0, got {value!r}")
        limits[key] = float(value)

    ref_frame, ref_label = _resolve(reference, "reference")
    cur_frame, cur_label = _resolve(current, "current")
    if len(ref_frame) == 0 or len(cur_frame) == 0:
        empty = "reference" if len(ref_frame) == 0 else "current"
        raise DsmagicError(f"the {empty} data has no rows: drift needs rows on both sides")
    chosen, only_ref, only_cur = _pick_columns(ref_frame, cur_frame, columns)
    methods = _column_methods(method, chosen)

    from dsmagic.data._drift_columns import compare_column, finish

    def one(name: Any) -> dict[str, Any]:
        return compare_column(
            ref_frame[name], cur_frame[name], str(name), methods[name], bins, limits
        )

    cells = (len(ref_frame) + len(cur_frame)) * len(chosen)
    workers = min(len(chosen), os.cpu_count() or 1, 8)
    if cells >= PARALLEL_CELLS and workers > 1:
        # Sorting and binary search release the GIL: columns compare in parallel.
        with ThreadPoolExecutor(workers) as pool:
            partial = list(pool.map(one, chosen))
    else:
        partial = [one(name) for name in chosen]
    rows = finish(partial, alpha, correction)
    tested = [r for r in rows if r.kind != "skipped"]
    drifted_share = sum(r.drifted for r in tested) / len(tested) if tested else 0.0
    return DriftReport(
        columns=rows,
        drifted=bool(tested) and drifted_share >= share,
        share=float(share),
        alpha=float(alpha),
        correction=correction,
        method=method if isinstance(method, str) else "per column",
        reference_label=ref_label,
        current_label=cur_label,
        reference_rows=len(ref_frame),
        current_rows=len(cur_frame),
        only_in_reference=[str(c) for c in only_ref],
        only_in_current=[str(c) for c in only_cur],
        thresholds=limits,
    )
