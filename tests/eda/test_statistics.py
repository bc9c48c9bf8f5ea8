"""Every statistic equals pandas / scipy on the same data (same definitions)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats.contingency import association

import dsmagic as dm

TOL = {"rel": 1e-9, "abs": 1e-9}
QUANTILES = {"p5": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}


def _same(ours, theirs) -> None:
    if isinstance(theirs, float) and math.isnan(theirs):
        assert isinstance(ours, float) and math.isnan(ours)
    else:
        assert ours == pytest.approx(float(theirs), **TOL)


def _check_numeric(stats: dict, series: pd.Series) -> None:
    """Compare with pandas on the finite values, as documented (infinities apart)."""
    values = series.astype("float64") if series.dtype != object else pd.to_numeric(series)
    finite = values[np.isfinite(values.fillna(0)) & values.notna()]
    assert stats["count"] == int(series.notna().sum())
    assert stats["missing"] == int(series.isna().sum())
    assert stats["distinct"] == series.nunique()
    assert stats["infinite"] == int(np.isinf(values.fillna(0)).sum())
    for key, theirs in (("mean", finite.mean()), ("std", finite.std(ddof=1)),
                        ("min", finite.min()), ("max", finite.max()),
                        ("skewness", finite.skew()), ("kurtosis", finite.kurt())):  # fmt: skip
        _same(stats[key], theirs)
    for key, q in QUANTILES.items():
        _same(stats[key], finite.quantile(q))
    assert stats["zeros"] == int((finite == 0).sum())
    q1, q3 = finite.quantile(0.25), finite.quantile(0.75)
    fences = (q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1))
    assert stats["outliers"] == int(((finite < fences[0]) | (finite > fences[1])).sum())


def _report(frame: pd.DataFrame, **kwargs) -> dm.EDAReport:
    return dm.eda(frame, progress=False, **kwargs)


def test_numeric_statistics_equal_pandas_with_nan_inf_and_heavy_tails():
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.lognormal(3, 1.2, 5000), [0.0] * 80, [np.inf, -np.inf, np.inf]])
    values[rng.choice(len(values), 300, replace=False)] = np.nan
    frame = pd.DataFrame({
        "x": values,
        "big": rng.normal(1e9, 3.0, len(values)),  # a large offset must not cost precision
        "ints": rng.integers(-50, 50, len(values)),
    })  # fmt: skip
    report = _report(frame)
    for name in frame:
        _check_numeric(report.columns[name], frame[name])
    assert report.columns["x"]["kind"] == "numeric"


def test_counted_columns_equal_pandas_and_the_sorted_path():
    """Integers in a narrow range are counted, not sorted: the results are the same."""
    from dsmagic.eda._ordered import Ordered

    rng = np.random.default_rng(3)
    n = 4000
    rounded = rng.normal(40, 12, n).round()
    rounded[rng.random(n) < 0.05] = np.nan
    rounded[:3] = [-0.0, 0.0, np.inf]
    frame = pd.DataFrame({
        "small": rng.poisson(2, n),  # few values
        "negative": rng.integers(-3000, 3000, n),  # range about the row count
        "hundreds": rng.integers(0, 5000, n) * 100 + 7,  # wide range, one common step
        "rounded": rounded,  # integer-valued floats with NaN, inf and -0.0
        "huge": np.arange(n, dtype=np.int64) * 2**40 + 2**60,
        "nullable": pd.array(rng.integers(0, 50, n), dtype="Int64"),
    })  # fmt: skip
    frame.loc[::7, "nullable"] = pd.NA
    report = _report(frame)
    for name in frame:
        _check_numeric(report.columns[name], frame[name])
    for name in ("small", "negative", "hundreds"):
        values = frame[name].to_numpy()
        counted, ordered = Ordered.of(values), Ordered(np.sort(values))
        assert counted.counts is not None  # the counting path was taken
        for q in (0.0, 0.05, 0.5, 0.95, 1.0):
            assert counted.quantile(q) == ordered.quantile(q)
        assert [a.tolist() for a in counted.runs()] == [a.tolist() for a in ordered.runs()]
    days = pd.Series(pd.to_datetime("2021-01-01") + pd.to_timedelta(
        rng.integers(0, 900, n), "D")).dt.tz_localize("Europe/Berlin")  # fmt: skip
    dates = _report(days.to_frame("d")).columns["d"]
    assert dates["distinct"] == days.nunique()
    assert dates["min"] == days.min() and dates["max"] == days.max()
    assert dates["top"][0][1] == days.value_counts().max()
    assert sum(dates["histogram"]["counts"]) == n


@pytest.mark.parametrize(
    "dtype_values",
    [
        ("Int64", [1, None, 3, 3, 0, 7, None, 12, -4, 3]),
        ("Float64", [1.5, None, 2.5, 2.5, 0.0, 9.0]),
        ("float64", [2.0]),  # single value: std, skew, kurt undefined
        ("float64", [4.0, 4.0, 4.0, 4.0]),  # constant: pandas gives NaN skew and kurtosis
        ("float64", [1.0, 2.0, np.nan]),
        ("float64", [np.nan, np.nan]),
        ("float64", []),
        ("uint8", [0, 255, 3, 3]),
    ],
)
def test_edge_case_columns_match_pandas(dtype_values):
    dtype, values = dtype_values
    series = pd.Series(values, dtype=dtype, name="v")
    stats = _report(series.to_frame()).columns["v"]
    _check_numeric(stats, series)


def test_single_row_and_empty_frames_are_reported_not_raised():
    one = _report(pd.DataFrame({"a": [1.5], "b": ["x"]}))
    assert one.columns["a"]["mean"] == 1.5 and math.isnan(one.columns["a"]["std"])
    assert one.columns["b"]["distinct"] == 1
    empty = _report(pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=str)}))
    assert empty.dataset["rows"] == 0
    assert empty.columns["a"]["count"] == 0 and math.isnan(empty.columns["a"]["mean"])
    assert "no rows" in empty.to_html()
    nothing = _report(pd.DataFrame())
    assert nothing.columns == {} and "no columns" in nothing.to_html()


def test_text_category_boolean_and_tz_datetime_columns():
    rng = np.random.default_rng(3)
    n = 400
    words = pd.Series(rng.choice(["red", "green", "blue", "", None], n), dtype="str")
    cats = pd.Series(pd.Categorical(rng.choice(["lo", "mid", "hi"], n), ordered=True))
    cats[::9] = None
    flags = pd.Series(rng.random(n) < 0.3, dtype="boolean")
    flags[::11] = None
    stamps = pd.Series(pd.date_range("2024-03-01", periods=n, freq="D", tz="Europe/Paris"))
    stamps = stamps.drop(index=range(100, 110)).reset_index(drop=True).reindex(range(n))
    frame = pd.DataFrame({"words": words, "cats": cats, "flags": flags, "stamps": stamps})
    report = _report(frame)
    for name in frame:
        stats = report.columns[name]
        assert stats["count"] == frame[name].notna().sum()
        assert stats["distinct"] == frame[name].nunique()
        _top_value, top_count = stats["top"][0]
        assert top_count == frame[name].value_counts().iloc[0]
    assert report.columns["words"]["kind"] == "categorical"
    assert report.columns["words"]["blank"] == int((words == "").sum())
    lengths = words.dropna().str.len()
    assert report.columns["words"]["length"]["mean"] == pytest.approx(lengths.mean(), **TOL)
    assert report.columns["words"]["length"]["max"] == lengths.max()
    assert report.columns["cats"]["kind"] == "categorical"
    assert report.columns["flags"]["kind"] == "boolean"
    assert report.columns["flags"]["true"] == int(flags.sum())
    dates = report.columns["stamps"]
    assert dates["kind"] == "datetime"
    assert dates["min"] == stamps.min() and dates["max"] == stamps.max()
    assert dates["largest_gap"] == pd.Timedelta(days=11)  # ten missing days
    assert dates["median_step"] == pd.Timedelta(days=1)


def test_relations_equal_pandas_corr_and_scipy_cramers_v():
    rng = np.random.default_rng(11)
    n = 3000
    a = rng.normal(size=n)
    frame = pd.DataFrame({
        "a": a,
        "b": a * 2 + rng.normal(size=n),
        "c": np.round(rng.exponential(size=n), 1),  # many ties
        "d": pd.array(rng.integers(0, 20, n), dtype="Int64"),
        "e": np.round(rng.normal(size=n) * 1000),  # mostly distinct, some ties
        "g": rng.choice(["x", "y", "z"], n),
        "h": rng.choice(["p", "q"], n),
    })  # fmt: skip
    frame.loc[rng.choice(n, 200, replace=False), "a"] = np.nan
    frame.loc[rng.choice(n, 50, replace=False), "e"] = np.nan
    frame.loc[rng.choice(n, 150, replace=False), "c"] = np.nan
    frame.loc[5, "b"] = np.inf  # infinities count as missing in relations
    frame.loc[rng.choice(n, 100, replace=False), "g"] = None
    report = _report(frame)
    numeric = frame[["a", "b", "c", "d", "e"]].astype("float64").replace([np.inf, -np.inf], np.nan)
    for method in ("pearson", "spearman"):
        ours = report.correlation(method)
        theirs = numeric.corr(method=method)
        np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-9, atol=1e-9)
    both = frame[["g", "h"]].dropna()
    table = pd.crosstab(both["g"], both["h"]).to_numpy()
    v = report.correlation("cramers_v").loc["g", "h"]
    assert v == pytest.approx(association(table, method="cramer", correction=False), **TOL)
    # with and without missing categories, numbers with and without missing values
    for group, value in (("g", "b"), ("h", "a"), ("h", "d")):
        eta = report.correlation("eta").loc[group, value]
        pair = frame[[group, value]].astype({value: "float64"}).replace([np.inf], np.nan).dropna()
        grand = pair[value].mean()
        groups = pair.groupby(group)[value].agg(["size", "mean"])
        between = (groups["size"] * (groups["mean"] - grand) ** 2).sum()
        expected = math.sqrt(between / ((pair[value] - grand) ** 2).sum())
        assert eta == pytest.approx(expected, **TOL)


def test_target_associations_are_ranked_with_the_informative_feature_first():
    rng = np.random.default_rng(5)
    n = 2000
    signal = rng.normal(size=n)
    frame = pd.DataFrame({
        "noise": rng.normal(size=n),
        "signal": signal,
        "colour": rng.choice(["r", "g"], n),
        "churned": np.where(signal + rng.normal(scale=0.3, size=n) > 1.0, "yes", "no"),
    })  # fmt: skip
    report = _report(frame, target="churned")
    target = report.target
    assert target["task"] == "classification"
    assert next(a["column"] for a in target["associations"]) == "signal"
    shares = {c["value"]: c["share"] for c in target["classes"]}
    assert shares["yes"] == pytest.approx((frame["churned"] == "yes").mean())
    regression = _report(frame.assign(y=signal * 3 + 1), target="y")
    assert regression.target["task"] == "regression"
    assert regression.target["associations"][0]["column"] == "signal"
    assert regression.target["associations"][0]["score"] == pytest.approx(1.0)


def test_relations_of_big_frames_use_a_stated_sample_and_equal_pandas_on_it():
    from dsmagic.eda._dataset import sample_rows

    rng = np.random.default_rng(8)
    n = 120_000
    x = rng.normal(size=n)
    frame = pd.DataFrame({"x": x, "y": x + rng.normal(size=n), "z": rng.integers(0, 9, n)})
    frame.loc[rng.choice(n, 5000, replace=False), "y"] = np.nan
    report = _report(frame)
    assert report.relations["rows"] == 100_000
    assert any("random sample of 100,000 of 120,000 rows" in n for n in report.relations["notes"])
    assert "random sample of 100,000 of 120,000 rows" in report.to_html()
    assert report.columns["x"]["count"] == n  # per-column statistics use every row
    rows = sample_rows(frame, 100_000)
    for method in ("pearson", "spearman"):
        ours, theirs = report.correlation(method), rows.corr(method=method)
        np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-9, atol=1e-9)


def test_a_column_already_in_order_has_the_statistics_of_the_same_values_shuffled():
    rng = np.random.default_rng(21)
    ordered = np.sort(np.round(rng.normal(size=5000) * 10, 1))  # ties, negatives, zeros
    shuffled = rng.permutation(ordered)
    ids = np.arange(3000, dtype="int64")
    report = _report(pd.DataFrame({"ordered": np.sort(shuffled[:3000]), "shuffled": shuffled[:3000],
                                   "ids": ids, "ids_shuffled": rng.permutation(ids)}))  # fmt: skip
    for left, right, values in (
        ("ordered", "shuffled", shuffled[:3000]),
        ("ids", "ids_shuffled", ids),
    ):
        a, b = report.columns[left], report.columns[right]
        for key in ("distinct", "top", "histogram", "min", "max", "zeros", "outliers",
                    "p5", "p25", "p50", "p75", "p95"):  # fmt: skip
            assert a[key] == b[key], key
        assert a["mean"] == pytest.approx(float(pd.Series(values).mean()), **TOL)
        assert a["std"] == pytest.approx(float(pd.Series(values).std()), **TOL)


def test_correlations_equal_pandas_for_every_missing_value_pattern():
    rng = np.random.default_rng(17)
    n = 4000
    base = rng.normal(size=n)
    near_all_missing = np.full(n, np.nan)
    near_all_missing[[10, 2000]] = [1.5, -2.0]  # two values: in the matrix
    only_one = np.full(n, np.nan)
    only_one[7] = 3.0  # all but one missing: one distinct value, not in the matrix
    shared = rng.random(n) < 0.1  # one missing pattern shared by two columns
    flat_where_present = np.where(shared, rng.normal(size=n), 4.2)  # constant on shared's rows
    frame = pd.DataFrame({
        "full": base,
        "full_ties": np.round(base * 2 + rng.normal(size=n), 0),  # few levels, many ties
        "full_mostly_distinct": np.round(rng.normal(size=n) * 3000),  # distinct, some ties
        "constant": np.full(n, 2.0),  # one value: not in the matrix
        "a": np.where(shared, np.nan, base + rng.normal(size=n)),
        "b": np.where(shared, np.nan, np.round(rng.exponential(size=n), 1)),
        "c": np.where(rng.random(n) < 0.3, np.nan, rng.integers(0, 5, n)),
        "d": np.where(rng.random(n) < 0.02, np.nan, -base + rng.normal(size=n)),
        "d_ties": np.where(rng.random(n) < 0.05, np.nan, np.round(rng.normal(size=n) * 3000)),
        "e": np.where(~shared, np.nan, rng.normal(size=n)),  # present only where a, b are not
        "flat": flat_where_present,
        "near_all_missing": near_all_missing,
        "only_one": only_one,
        "with_inf": np.where(rng.random(n) < 0.01, np.inf, rng.normal(size=n)),
    })  # fmt: skip
    report = _report(frame)
    numeric = report.relations["numeric"]
    assert "constant" not in numeric and "only_one" not in numeric
    assert {"near_all_missing", "flat", "e", "with_inf"} <= set(numeric)
    values = frame[numeric].replace([np.inf, -np.inf], np.nan)
    for method in ("pearson", "spearman"):
        ours, theirs = report.correlation(method), values.corr(method=method)
        assert list(ours.columns) == list(theirs.columns)
        # pairs without two common rows, or constant on them, are NaN in both
        assert np.isnan(theirs.loc["a", "e"]) and np.isnan(theirs.loc["flat", "a"])
        np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=1e-9, atol=1e-9)
