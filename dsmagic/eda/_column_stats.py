"""Statistics of one column, computed with vectorised numpy in one ordered pass.

Definitions follow pandas exactly: ``std`` with ddof=1, quantiles by linear
interpolation, skewness and kurtosis as pandas' bias-corrected ``.skew()`` and
``.kurt()`` (excess kurtosis). Missing values (None, NaN, NaT, pd.NA) are left out
of everything but ``missing``. Infinities are counted in ``infinite`` and
``distinct`` and left out of every other numeric statistic.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Any

from dsmagic.eda import _thresholds as T
from dsmagic.eda._ordered import Ordered, histogram_counts, moments, top

QUANTILES = {"p5": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}
_ID_NAME = re.compile(r"(^|[_\s.-])(id|uuid|guid|key)$|^id[_\s.-]|Id$|ID$", re.I)
_NUMERIC_INFER = {"integer", "floating", "mixed-integer-float", "decimal"}
_DATETIME_INFER = {"datetime", "datetime64", "date"}
_DATE_PROBE = 100


def compute(series, name: str) -> dict[str, Any]:
    """Every statistic of ``series`` as a plain dict (see the module docstring)."""
    import numpy as np
    import pandas as pd
    from pandas.api import types

    n = len(series)
    missing_mask = series.isna().to_numpy(dtype=bool)
    missing = int(missing_mask.sum())
    stats: dict[str, Any] = {
        "dtype": str(series.dtype),
        "rows": n,
        "count": n - missing,
        "missing": missing,
        "missing_share": missing / n if n else 0.0,
        "memory": int(series.memory_usage(deep=True, index=False)),
        "notes": [],
    }
    dtype = series.dtype
    if types.is_bool_dtype(dtype):
        _boolean(series[~missing_mask], stats)
    elif isinstance(dtype, pd.CategoricalDtype):
        _categorical(series, stats, name)
    elif types.is_datetime64_any_dtype(dtype):
        _datetime(series[~missing_mask], stats)
    elif types.is_timedelta64_dtype(dtype):
        stats["notes"].append("durations are measured in seconds")
        stats["unit"] = "s"  # mean, std, quantiles, min, max, range, iqr and fences
        _numeric(series[~missing_mask].dt.total_seconds().to_numpy(dtype="float64"), stats, name)
    elif isinstance(dtype, pd.PeriodDtype):
        _period(series[~missing_mask], stats)
    elif types.is_complex_dtype(dtype):
        stats["notes"].append("complex numbers: described by their text form")
        _objects(series.astype(object), missing_mask, stats, name)
    elif types.is_numeric_dtype(dtype):
        if types.is_integer_dtype(dtype) and not types.is_unsigned_integer_dtype(dtype):
            native = series.to_numpy(dtype="int64", na_value=0)
        else:
            native = series.to_numpy(dtype="float64", na_value=np.nan)
        if missing:
            native = native[~missing_mask]
        _numeric(native, stats, name)
    elif types.is_string_dtype(dtype) and not types.is_object_dtype(dtype):
        _strings(series, stats, name)
    else:
        _objects(series, missing_mask, stats, name)
    count = stats["count"]
    stats["distinct_share"] = stats["distinct"] / count if count else 0.0
    return stats


def can_be_numeric(dtype) -> bool:
    """Whether :func:`compute` may find a column of ``dtype`` numeric (False only where
    the dtype alone rules it out: object columns holding numbers turn out numeric)."""
    import pandas as pd
    from pandas.api import types

    if types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return False
    if types.is_datetime64_any_dtype(dtype) or types.is_complex_dtype(dtype):
        return False
    return not (types.is_string_dtype(dtype) and not types.is_object_dtype(dtype))


# -- numbers -----------------------------------------------------------------------


def _numeric(native, stats: dict[str, Any], name: str) -> None:
    import numpy as np

    infinite = 0
    positive_inf = negative_inf = 0
    if native.dtype.kind == "f":
        finite_mask = np.isfinite(native)
        infinite = len(native) - int(finite_mask.sum())
        if infinite:
            positive_inf = int(np.count_nonzero(native == np.inf))
            negative_inf = infinite - positive_inf
            native = native[finite_mask]
    ordered = Ordered.of(native)
    values, lengths = ordered.runs()
    distinct = len(values)
    count = ordered.n
    stats["kind"] = "numeric"
    stats["distinct"] = distinct + (positive_inf > 0) + (negative_inf > 0)
    stats["infinite"] = infinite
    stats["infinite_share"] = infinite / stats["count"] if stats["count"] else 0.0
    stats["top"] = top(values, lengths, T.MAX_TOP_VALUES, _py_number)
    stats.update(moments(ordered))
    nan = math.nan
    if count:
        stats.update({key: ordered.quantile(q) for key, q in QUANTILES.items()})
        low, high = float(values[0]), float(values[-1])
        zero_left = int(ordered.rank(0.0, "left"))
        zeros = int(ordered.rank(0.0, "right")) - zero_left
        negatives = zero_left
        iqr = stats["p75"] - stats["p25"]
        lower = stats["p25"] - T.OUTLIER_IQR * iqr
        upper = stats["p75"] + T.OUTLIER_IQR * iqr
        outliers = int(ordered.rank(lower, "left")) + count - int(ordered.rank(upper, "right"))
        stats.update(_far_out(ordered, lower, upper, iqr, low, high))
        stats["histogram"] = _histogram(ordered, values, lengths, low, high)
    else:
        stats.update(dict.fromkeys(QUANTILES, nan))
        low = high = iqr = lower = upper = nan
        zeros = negatives = outliers = 0
        stats.update(far_outliers=0, far_out_iqr=None)
        stats["histogram"] = None
    if distinct == 2 and values[0] == 0 and values[1] == 1:
        # a 0/1 indicator: its mean is the share of ones, and Tukey's fences (which
        # collapse onto the majority value) would call every minority value an outlier
        stats["binary"] = True
        stats["notes"].append("binary 0/1 values: the mean is the share of ones; Tukey's "
                              "fences do not apply")  # fmt: skip
        outliers = 0
        lower = upper = nan
        stats.update(far_outliers=0, far_out_iqr=None)
    stats.update(
        min=low,
        max=high,
        range=high - low,
        iqr=iqr,
        zeros=zeros,
        zeros_share=zeros / count if count else 0.0,
        negatives=negatives,
        outliers=outliers,
        outliers_share=outliers / count if count else 0.0,
        outlier_fences=[lower, upper],
    )
    if native.dtype.kind in "iu" and count >= T.IDENTIFIER_MIN_ROWS:
        unique = distinct == count
        consecutive = unique and high - low == count - 1
        named = _ID_NAME.search(name) is not None
        if consecutive or (named and distinct >= 0.9 * count):
            stats["kind"] = "identifier"


def _far_out(ordered: Ordered, lower: float, upper: float, iqr: float, low: float,
             high: float) -> dict[str, Any]:  # fmt: skip
    """Values more than ``FAR_OUT_IQR`` IQRs beyond Tukey's fences: how many, and how far
    beyond the fences (in IQRs) the nearest and the farthest of them lie."""
    if not iqr > 0:  # fences that collapse cannot measure distance in IQRs
        return {"far_outliers": 0, "far_out_iqr": None}
    far_low, far_high = lower - T.FAR_OUT_IQR * iqr, upper + T.FAR_OUT_IQR * iqr
    below = int(ordered.rank(far_low, "left"))
    above_from = int(ordered.rank(far_high, "right"))
    above = ordered.n - above_from
    if not below and not above:
        return {"far_outliers": 0, "far_out_iqr": None}
    nearest, farthest = math.inf, 0.0
    if below:
        nearest = min(nearest, (lower - float(ordered.at(below - 1))) / iqr)
        farthest = max(farthest, (lower - low) / iqr)
    if above:
        nearest = min(nearest, (float(ordered.at(above_from)) - upper) / iqr)
        farthest = max(farthest, (high - upper) / iqr)
    return {"far_outliers": below + above, "far_out_iqr": [nearest, farthest]}


def _histogram(ordered: Ordered, values, lengths, low: float, high: float) -> dict[str, list]:
    import numpy as np

    if len(values) <= T.HISTOGRAM_BINS:
        return {"values": [float(v) for v in values], "counts": [int(c) for c in lengths]}
    edges = np.linspace(low, high, T.HISTOGRAM_BINS + 1)
    counts = histogram_counts(ordered, edges)
    return {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]}


def _py_number(value):
    number = value.item() if hasattr(value, "item") else value
    return number


# -- booleans, datetimes -------------------------------------------------------------


def _boolean(valid, stats: dict[str, Any]) -> None:
    values = valid.to_numpy(dtype=bool)
    true = int(values.sum())
    count = len(values)
    stats.update(
        kind="boolean",
        distinct=(true > 0) + (count - true > 0),
        true=true,
        false=count - true,
        mean=true / count if count else math.nan,
        top=sorted(([True, true], [False, count - true]), key=lambda p: -p[1]) if count else [],
    )
    stats["top"] = [pair for pair in stats["top"] if pair[1] > 0]


def _datetime(valid, stats: dict[str, Any]) -> None:
    import numpy as np
    import pandas as pd

    dtype = valid.dtype
    ordered = Ordered.of(valid.array.asi8 if hasattr(valid.array, "asi8")
                         else valid.to_numpy("int64"))  # fmt: skip
    distinct_ticks, lengths = ordered.runs()
    unit = np.datetime_data(getattr(dtype, "base", dtype))[0] if hasattr(dtype, "base") else "ns"
    tz = getattr(dtype, "tz", None)

    def stamp(tick) -> pd.Timestamp:
        return (
            pd.Timestamp(int(tick), unit=unit, tz="UTC").tz_convert(tz)
            if tz
            else pd.Timestamp(int(tick), unit=unit)
        )

    stats.update(kind="datetime", distinct=len(distinct_ticks))
    stats["top"] = top(distinct_ticks, lengths, T.MAX_TOP_VALUES, lambda t: stamp(t).isoformat())
    if ordered.n == 0:
        stats.update(min=None, max=None, range=None, largest_gap=None, median_step=None,
                     histogram=None)  # fmt: skip
        return
    stats.update(min=stamp(distinct_ticks[0]), max=stamp(distinct_ticks[-1]))
    stats["range"] = stats["max"] - stats["min"]
    if len(distinct_ticks) > 1:
        steps = np.diff(distinct_ticks)
        at = int(np.argmax(steps))
        stats["largest_gap"] = pd.Timedelta(int(steps[at]), unit=unit)
        stats["largest_gap_start"] = stamp(distinct_ticks[at])
        median = float(np.median(steps))
        stats["median_step"] = pd.Timedelta(round(median), unit=unit)
        # gaps: steps more than 3x the usual spacing (missing days in a daily series, etc.)
        stats["gaps"] = int(np.count_nonzero(steps > 3 * median)) if median > 0 else 0
    else:
        stats.update(largest_gap=None, largest_gap_start=None, median_step=None, gaps=0)
    edges = np.linspace(float(distinct_ticks[0]), float(distinct_ticks[-1]), T.HISTOGRAM_BINS + 1)
    counts = histogram_counts(ordered, edges)
    stats["histogram"] = {
        "edges": [stamp(e).isoformat() for e in edges],
        "counts": [int(c) for c in counts],
    }


def _period(valid, stats: dict[str, Any]) -> None:
    """A period column (``pd.Period``, e.g. months): a datetime column of the periods'
    start times, its values shown as periods ("2024-03")."""
    import pandas as pd

    freq = valid.dtype.freq
    _datetime(valid.dt.start_time, stats)
    code = str(valid.dtype)[len("period[") : -1]
    stats["notes"].append(f"periods of frequency {code}: steps, gaps and the "
                          "histogram use each period's start")  # fmt: skip

    def period(text):
        return str(pd.Period(pd.Timestamp(text), freq=freq))

    stats["top"] = [[period(value), count] for value, count in stats["top"]]
    for key in ("min", "max", "largest_gap_start"):
        if stats.get(key) is not None:
            stats[key] = pd.Period(stats[key], freq=freq)


# -- text and categories ---------------------------------------------------------------


def _categorical(series, stats: dict[str, Any], name: str) -> None:
    import pandas as pd

    counts = series.value_counts(dropna=True)
    counts = counts[counts > 0]
    labels = pd.Index([str(v) for v in counts.index])
    _from_value_counts(labels, counts.to_numpy(), list(counts.index), stats, name)
    stats["kind"] = "categorical"  # a category dtype is the user's explicit choice


def _strings(series, stats: dict[str, Any], name: str) -> None:
    counts = series.value_counts(dropna=True)
    _from_value_counts(counts.index, counts.to_numpy(), list(counts.index), stats, name)


def _objects(series, missing_mask, stats: dict[str, Any], name: str) -> None:
    import pandas as pd
    from pandas.api import types

    valid = series[~missing_mask]
    inferred = types.infer_dtype(valid, skipna=True)
    if inferred == "boolean":
        _boolean(valid.astype(bool), stats)
        return
    if inferred in _NUMERIC_INFER:
        _numeric(pd.to_numeric(valid).to_numpy(dtype="float64"), stats, name)
        return
    if inferred in _DATETIME_INFER:
        try:
            _datetime(pd.Series(pd.to_datetime(valid.to_numpy())), stats)
            return
        except (TypeError, ValueError):
            pass
    if inferred in ("string", "empty"):  # plain text in an object column (pandas < 3)
        counts = valid.value_counts()
        _from_value_counts(counts.index, counts.to_numpy(), list(counts.index), stats, name)
        return
    kinds = valid.map(lambda v: type(v).__name__).value_counts()
    stats["python_types"] = {str(k): int(v) for k, v in kinds.items()}
    numbers_only = set(kinds.index) <= {"int", "float", "bool", "Decimal"}
    if len(kinds) > 1 and not numbers_only:
        stats["mixed_types"] = True
    unhashable = {"list", "dict", "set", "ndarray", "DataFrame", "Series"} & set(kinds.index)
    if unhashable:
        stats["notes"].append(
            f"cells hold {', '.join(sorted(unhashable))}: distinct and top values are "
            "counted on their text form; numeric statistics do not apply"
        )
    text = valid.map(str) if len(valid) else valid.astype("str")
    counts = text.value_counts()
    _from_value_counts(counts.index, counts.to_numpy(), list(counts.index), stats, name)
    if unhashable:
        stats["kind"] = "text"
        stats.pop("as_text", None)


def _from_value_counts(labels, counts, values, stats: dict[str, Any], name: str) -> None:
    """Statistics of a text or category column from its distinct values and their counts."""
    import numpy as np

    count = int(counts.sum()) if len(counts) else 0
    distinct = len(counts)
    stats["distinct"] = distinct
    k = min(T.MAX_TOP_VALUES, distinct)
    stats["top"] = [[_plain(values[i]), int(counts[i])] for i in range(k)]
    if distinct:
        lengths = np.asarray(labels.str.len(), dtype="float64")
        order = np.argsort(lengths, kind="stable")
        cumulative = np.cumsum(counts[order])
        median_at = np.searchsorted(cumulative, (count + 1) / 2)
        blank = np.asarray(labels.str.strip() == "", dtype=bool)
        stats["length"] = {
            "min": int(lengths.min()),
            "mean": float((lengths * counts).sum() / count),
            "median": float(lengths[order][min(median_at, distinct - 1)]),
            "max": int(lengths.max()),
        }
        stats["blank"] = int(counts[blank].sum())
        mean_length = stats["length"]["mean"]
    else:
        stats["length"] = None
        stats["blank"] = 0
        mean_length = 0.0
    parsed = _parses_as(labels, counts, count)
    if parsed:
        stats["as_text"] = parsed
    if distinct == count and count >= T.IDENTIFIER_MIN_ROWS and mean_length <= 40:
        stats["kind"] = "identifier"
    elif mean_length > 50 or (distinct > count / 2 and mean_length >= 20):
        stats["kind"] = "text"
    else:
        stats["kind"] = "categorical"


def _plain(value):
    if hasattr(value, "item"):
        try:
            return value.item()
        except (ValueError, TypeError):
            pass
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _parses_as(labels, counts, count: int) -> dict[str, Any] | None:
    """Whether the distinct strings are really numbers or dates (share weighted by counts)."""
    import numpy as np
    import pandas as pd

    if count == 0:
        return None
    probe = min(len(labels), 2000)
    head, head_counts = labels[:probe], counts[:probe]
    total = head_counts.sum()
    numbers = pd.to_numeric(pd.Series(head, dtype=object), errors="coerce")
    share = float(head_counts[numbers.notna().to_numpy()].sum() / total)
    if share >= T.AS_TEXT_SHARE:
        bad = [str(v) for v in head[numbers.isna().to_numpy()][:3]]
        zeros = bool(pd.Series(head).str.match(r"^0\d").any())
        return {"type": "number", "share": share, "unparsed": bad, "leading_zeros": zeros,
                "estimated": probe < len(labels)}  # fmt: skip
    has_digit = pd.Series(head).str.contains(r"\d", regex=True).to_numpy(dtype=bool)
    if head_counts[has_digit].sum() / total < T.AS_TEXT_SHARE:
        return None
    # to_datetime parses mixed formats one string at a time: the most frequent labels
    # first, and when they alone leave too little to reach the share, the rest is skipped
    first = min(probe, _DATE_PROBE)
    ok = _dates(head[:first], has_digit[:first])
    if ok is None or (total - head_counts[:first][~ok].sum()) / total < T.AS_TEXT_SHARE:
        return None
    if probe > first:
        rest = _dates(head[first:], has_digit[first:])
        if rest is None:
            return None
        ok = np.concatenate([ok, rest])
    share = float(head_counts[ok].sum() / total)
    if share >= T.AS_TEXT_SHARE:
        bad = [str(v) for v in np.asarray(head)[~ok][:3]]
        return {"type": "date", "share": share, "unparsed": bad, "estimated": probe < len(labels)}
    return None


def _dates(labels, has_digit):
    """Which labels parse as dates (None: the parser gave up on them all)."""
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            dates = pd.to_datetime(pd.Series(labels), errors="coerce", format="mixed")
        except (ValueError, TypeError, OverflowError):
            return None
    return dates.notna().to_numpy() & has_digit
