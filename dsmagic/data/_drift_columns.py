"""One column of a drift comparison: pick the kind and method, compute, then judge."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd

from dsmagic.data import _drift_stats as st
from dsmagic.data._drift_settings import (
    DISCRETE_MAX,
    ID_MIN_DISTINCT,
    ID_SHARE,
    NUMERIC_ONLY,
    SMALL_SAMPLE,
)
from dsmagic.data._drift_types import ColumnDrift

NAN = math.nan
_TOP = 8  # categories drawn in an overlay; the rest are pooled as "other"


def _kind(series: pd.Series) -> str:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "categorical"
    if pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        return "numeric"
    return "categorical"


def _numbers(series: pd.Series) -> tuple[np.ndarray, int]:
    """Finite values as float64, and how many were missing or not finite."""
    dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        present = series.dropna().array
        if hasattr(present, "as_unit"):  # both sides in nanoseconds, whatever their unit
            present = present.as_unit("ns")
        values = np.asarray(present.asi8, dtype=np.float64)
    else:
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    finite = values[np.isfinite(values)]
    return finite, len(series) - finite.size


def _value_counts(series: pd.Series) -> pd.Series:
    try:
        counts = series.value_counts(dropna=True, sort=True)
        dict.fromkeys(counts.index)  # cells must be hashable to be categories
        return counts
    except TypeError:  # unhashable cells (lists, dicts): compare their text
        return series.dropna().map(repr).value_counts(sort=True)


def _row(column: str, **values: Any) -> dict[str, Any]:
    base = {
        "column": column,
        "kind": "skipped",
        "method": "none",
        "statistic": NAN,
        "p_value": NAN,
        "effect_size": NAN,
        "threshold": NAN,
        "psi": NAN,
        "js_distance": NAN,
        "n_reference": 0,
        "n_current": 0,
        "missing_reference": 0.0,
        "missing_current": 0.0,
        "reason": "",
        "labels": (),
        "reference_shares": (),
        "current_shares": (),
        "summary": "",
        "needs_p": False,
        "forced": None,  # a verdict decided before any test (schema change, all missing)
        "missing_limit": NAN,
    }
    base.update(values)
    return base


def _fmt(value: float) -> str:
    if value != value:
        return "nan"
    if 1e3 <= abs(value) < 1e9:
        return f"{value:,.0f}"
    if value == 0 or 1e-3 <= abs(value) < 1e3:
        return f"{value:.4g}"
    return f"{value:.3g}"


def compare_column(
    reference: pd.Series,
    current: pd.Series,
    column: str,
    method: str,
    bins: int,
    limits: dict[str, float],
) -> dict[str, Any]:
    ref_kind, cur_kind = _kind(reference), _kind(current)
    n_ref, n_cur = len(reference), len(current)
    if ref_kind != cur_kind:
        return _row(
            column,
            kind="schema",
            method="schema",
            forced=True,
            reason=f"type changed from {reference.dtype} to {current.dtype}",
            summary=f"type {reference.dtype} → {current.dtype}",
        )
    if ref_kind == "numeric":
        ref_values, ref_missing = _numbers(reference)
        cur_values, cur_missing = _numbers(current)
    else:
        ref_missing = int(reference.isna().sum())
        cur_missing = int(current.isna().sum())
    common = {
        "n_reference": n_ref - ref_missing,
        "n_current": n_cur - cur_missing,
        "missing_reference": ref_missing / n_ref,
        "missing_current": cur_missing / n_cur,
        "missing_limit": limits["missing"],
    }
    if common["n_reference"] == 0 or common["n_current"] == 0:
        if common["n_reference"] == common["n_current"]:
            return _row(column, reason="all values are missing on both sides", **common)
        side = "reference" if common["n_reference"] == 0 else "current"
        return _row(
            column,
            kind=ref_kind,
            method="missing",
            forced=True,
            reason=f"all values are missing in the {side} data",
            summary=f"all missing in {side}",
            **common,
        )
    small = min(common["n_reference"], common["n_current"]) <= SMALL_SAMPLE
    if ref_kind == "numeric":
        ref_sorted, cur_sorted = np.sort(ref_values), np.sort(cur_values)
        distinct = np.union1d(_distinct(ref_sorted), _distinct(cur_sorted))
        if method == "auto" and distinct.size <= DISCRETE_MAX:
            counts_ref = pd.Series(ref_sorted).value_counts()
            counts_cur = pd.Series(cur_sorted).value_counts()
            return _categorical(
                column, counts_ref, counts_cur, method, small, limits, common, discrete=True
            )
        row = _numeric(column, ref_sorted, cur_sorted, method, small, bins, limits, common)
        return _time_summary(row, reference.dtype, ref_sorted, cur_sorted)
    counts_ref, counts_cur = _value_counts(reference), _value_counts(current)
    distinct_ref = len(counts_ref)
    if distinct_ref > ID_MIN_DISTINCT and distinct_ref > ID_SHARE * common["n_reference"]:
        return _row(
            column,
            reason=(
                f"looks like an identifier ({distinct_ref:,} distinct values in "
                f"{common['n_reference']:,} rows): not compared"
            ),
            **common,
        )
    return _categorical(column, counts_ref, counts_cur, method, small, limits, common)


def _time_summary(row: dict[str, Any], dtype: Any, ref: np.ndarray, cur: np.ndarray):
    """Dates and durations are summarised as such, not as nanosecond counts."""
    if pd.api.types.is_datetime64_any_dtype(dtype):
        tz = getattr(dtype, "tz", None)

        def show(v: float) -> str:
            return str(pd.Timestamp(int(v), tz="UTC").tz_convert(tz).floor("s"))

    elif pd.api.types.is_timedelta64_dtype(dtype):

        def show(v: float) -> str:
            return str(pd.Timedelta(int(v)).floor("s"))

    else:
        return row
    row["summary"] = f"mean {show(ref.mean())} → {show(cur.mean())}"
    # Bin edges in nanoseconds say nothing; the overlay keeps its bars with plain labels.
    row["labels"] = tuple(f"bin {i + 1}" for i in range(len(row["reference_shares"])))
    return row


def _distinct(sorted_values: np.ndarray) -> np.ndarray:
    # Up to DISCRETE_MAX + 1 distinct values are enough to decide.
    if sorted_values.size == 0:
        return sorted_values
    change = np.flatnonzero(np.diff(sorted_values)) + 1
    if change.size > DISCRETE_MAX:
        return sorted_values[np.concatenate(([0], change[:DISCRETE_MAX]))]
    return sorted_values[np.concatenate(([0], change))]


def _numeric(
    column: str,
    ref: np.ndarray,
    cur: np.ndarray,
    method: str,
    small: bool,
    bins: int,
    limits: dict[str, float],
    common: dict[str, Any],
) -> dict[str, Any]:
    result = st.compare_numeric(ref, cur, bins, presorted=True)
    scale = float(np.std(ref))
    if scale == 0.0:
        scale = abs(float(np.mean(ref))) or 1.0
    w_norm = result.wasserstein / scale
    psi = st.psi(result.reference_counts, result.current_counts)
    js = st.js_distance(result.reference_counts, result.current_counts)
    chosen = ("ks" if small else "wasserstein") if method == "auto" else method
    row: dict[str, Any] = {"psi": psi, "js_distance": js, "effect_size": w_norm}
    if chosen == "ks" or (method == "auto" and not small):
        row.update(
            p_value=result.ks_p_value,
            needs_p=True,
            threshold=limits["wasserstein"],
            statistic=result.ks_statistic if chosen == "ks" else w_norm,
        )
    elif chosen == "chi2":
        stat, p = st.chi2_test(result.reference_counts, result.current_counts)
        row.update(statistic=stat, p_value=p, needs_p=True, effect_size=js, threshold=limits["js"])
    elif chosen == "wasserstein":
        row.update(statistic=w_norm, threshold=limits["wasserstein"])
    elif chosen == "psi":
        row.update(statistic=psi, effect_size=psi, threshold=limits["psi"])
    elif chosen == "kl":
        kl = st.kl_divergence(result.reference_counts, result.current_counts)
        row.update(statistic=kl, effect_size=kl, threshold=limits["kl"])
    else:  # js
        row.update(statistic=js, effect_size=js, threshold=limits["js"])
    edges = result.edges
    labels = tuple(_bin_labels(edges, ref[0], ref[-1]))
    mean_ref, mean_cur = float(np.mean(ref)), float(np.mean(cur))
    shift = (mean_cur - mean_ref) / scale
    summary = f"mean {_fmt(mean_ref)} → {_fmt(mean_cur)} ({shift:+.2f} sd)"
    std_cur = float(np.std(cur))
    if scale > 0 and std_cur > 0 and abs(math.log(std_cur / float(np.std(ref) or scale))) > 0.2:
        summary += f", sd {_fmt(float(np.std(ref)))} → {_fmt(std_cur)}"
    return _row(
        column,
        kind="numeric",
        method=chosen,
        labels=labels,
        reference_shares=tuple(st.proportions(result.reference_counts, floor=False)),
        current_shares=tuple(st.proportions(result.current_counts, floor=False)),
        summary=summary,
        **common,
        **row,
    )


def _bin_labels(edges: np.ndarray, low: float, high: float) -> list[str]:
    points = [low, *edges.tolist(), high]
    return [f"{_fmt(a)} - {_fmt(b)}" for a, b in itertools.pairwise(points)]


def _categorical(
    column: str,
    counts_ref: pd.Series,
    counts_cur: pd.Series,
    method: str,
    small: bool,
    limits: dict[str, float],
    common: dict[str, Any],
    discrete: bool = False,
) -> dict[str, Any]:
    ref_map = dict(zip(counts_ref.index, counts_ref.to_numpy()))
    cur_map = dict(zip(counts_cur.index, counts_cur.to_numpy()))
    keys = list(ref_map) + [k for k in cur_map if k not in ref_map]
    ref_counts = np.array([ref_map.get(k, 0) for k in keys], dtype=float)
    cur_counts = np.array([cur_map.get(k, 0) for k in keys], dtype=float)
    psi = st.psi(ref_counts, cur_counts)
    js = st.js_distance(ref_counts, cur_counts)
    if method in NUMERIC_ONLY:
        method = "auto"  # KS and Wasserstein need an order; categories have none
    chosen = ("chi2" if small else "js") if method == "auto" else method
    row: dict[str, Any] = {"psi": psi, "js_distance": js, "effect_size": js}
    if chosen == "chi2" or method == "auto":
        stat, p = st.chi2_test(ref_counts, cur_counts)
        row.update(
            statistic=stat if chosen == "chi2" else js,
            p_value=p,
            needs_p=True,
            threshold=limits["js"],
        )
    elif chosen == "psi":
        row.update(statistic=psi, effect_size=psi, threshold=limits["psi"])
    elif chosen == "kl":
        kl = st.kl_divergence(ref_counts, cur_counts)
        row.update(statistic=kl, effect_size=kl, threshold=limits["kl"])
    else:  # js
        row.update(statistic=js, threshold=limits["js"])
    ref_share = ref_counts / ref_counts.sum()
    cur_share = cur_counts / cur_counts.sum()
    order = np.argsort(-(ref_share + cur_share), kind="stable")
    top, rest = order[:_TOP], order[_TOP:]
    labels = [_label(keys[i]) for i in top]
    ref_shown, cur_shown = ref_share[top].tolist(), cur_share[top].tolist()
    if rest.size:
        labels.append(f"other ({rest.size})")
        ref_shown.append(float(ref_share[rest].sum()))
        cur_shown.append(float(cur_share[rest].sum()))
    biggest = int(np.argmax(np.abs(cur_share - ref_share)))
    summary = f"{_label(keys[biggest])!s}: {ref_share[biggest]:.1%} → {cur_share[biggest]:.1%}"
    new = [k for k in cur_map if k not in ref_map]
    if new:
        summary += f"; {len(new)} new value(s)"
    return _row(
        column,
        kind="categorical",
        method=chosen,
        labels=tuple(labels),
        reference_shares=tuple(ref_shown),
        current_shares=tuple(cur_shown),
        summary=summary + (" (discrete numbers)" if discrete else ""),
        **common,
        **row,
    )


def _label(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def finish(partial: list[dict[str, Any]], alpha: float, correction: str) -> list[ColumnDrift]:
    """Correct the p-values across columns, then decide each column's verdict."""
    tested = [r for r in partial if r["needs_p"] and not math.isnan(r["p_value"])]
    adjusted = st.adjust_p_values([r["p_value"] for r in tested], correction)
    for row, value in zip(tested, adjusted):
        row["p_value_adjusted"] = value
    rows = []
    for row in partial:
        row.setdefault("p_value_adjusted", NAN)
        drifted, reason = _verdict(row, alpha)
        fields = {k: v for k, v in row.items() if k not in ("needs_p", "forced", "missing_limit")}
        fields.update(drifted=drifted, reason=reason)
        rows.append(ColumnDrift(**fields))
    return rows


def _verdict(row: dict[str, Any], alpha: float) -> tuple[bool, str]:
    if row["forced"] is not None:
        return bool(row["forced"]), row["reason"]
    if row["kind"] == "skipped":
        return False, row["reason"]
    effect, limit = row["effect_size"], row["threshold"]
    big = effect >= limit
    parts = []
    if row["needs_p"]:
        p = row["p_value_adjusted"]
        real = p < alpha
        drifted = real and big
        if drifted:
            parts.append(f"p={p:.2g} < {alpha:g} and effect {effect:.3g} ≥ {limit:g}")
        elif real:
            parts.append(
                f"significant (p={p:.2g}) but the effect {effect:.3g} is below {limit:g}: "
                "a real but negligible change"
            )
        else:
            parts.append(f"p={p:.2g} ≥ {alpha:g}: no evidence of change")
    else:
        drifted = big
        sign = "≥" if big else "<"
        parts.append(f"{row['method']} {effect:.3g} {sign} {limit:g}")
    gap = row["missing_current"] - row["missing_reference"]
    if abs(gap) >= row["missing_limit"]:
        drifted = True
        parts.append(
            f"missing values {row['missing_reference']:.0%} → {row['missing_current']:.0%}"
        )
    return bool(drifted), "; ".join(parts)
