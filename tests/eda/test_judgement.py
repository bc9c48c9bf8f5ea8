"""EDA judgement: what the report calls an outlier, a binary column, a period, a duration,
an equal mean and a spread (issue 11), on real data where a package ships it."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats
from sklearn.datasets import load_breast_cancer, load_diabetes

import dsmagic as dm

DOCS = Path(__file__).resolve().parents[2] / "docs" / "eda.md"


def _report(frame: pd.DataFrame, **kwargs) -> dm.EDAReport:
    return dm.eda(frame, progress=False, **kwargs)


def _alerts(report: dm.EDAReport, column: str) -> dict[str, dm.eda.Alert]:
    return {alert.kind: alert for alert in report.alerts if alert.column == column}


def _close(ours: float, theirs: float, spread: float, tol: float = 1e-9) -> bool:
    """The documented equality: relative 1e-9, or absolute 1e-9 times the column's spread
    (a mean that is zero up to rounding is 1e-17 in one summation order, 0.0 in another)."""
    return abs(ours - theirs) <= tol * max(abs(theirs), spread)


# -- a far-out cluster is an outlier, not only skew ------------------------------------------


def test_a_small_far_out_cluster_raises_an_outliers_alert_saying_how_many_how_far():
    rng = np.random.default_rng(3)
    values = rng.normal(100, 10, 20_000)
    q1, q3 = np.percentile(values, [25, 75])
    iqr = q3 - q1
    values[:20] = q3 + 1.5 * iqr + rng.uniform(30, 32, 20) * iqr  # 0.1 %, 30-32 IQRs out
    report = _report(pd.DataFrame({"amount": values}))
    stats = report.columns["amount"]
    assert stats["outliers_share"] < 0.01  # below the share that raised the alert so far
    alert = _alerts(report, "amount").get("outliers")
    assert alert is not None, [str(a) for a in report.alerts]
    assert "20 of them lie" in alert.message and "IQRs beyond the fences" in alert.message
    near, far = stats["far_out_iqr"]
    assert stats["far_outliers"] == 20 and 29.5 < near <= far < 32.5
    assert f"{near:.3g} to {far:.3g} IQRs" in alert.message


def test_a_normal_column_of_any_length_has_no_far_out_values():
    values = np.random.default_rng(4).normal(0, 1, 500_000)
    report = _report(pd.DataFrame({"x": values}))
    assert report.columns["x"]["far_outliers"] == 0
    assert "outliers" not in _alerts(report, "x")


def test_far_out_values_are_counted_as_numpy_counts_them():
    rng = np.random.default_rng(5)
    values = np.concatenate([rng.exponential(1, 5000), [-40.0, 90.0, 91.0]])
    stats = _report(pd.DataFrame({"x": values})).columns["x"]
    q1, q3 = np.percentile(values, [25, 75])
    iqr = q3 - q1
    low, high = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    beyond = np.where(values < low, (low - values) / iqr, (values - high) / iqr)
    far = beyond[beyond > 3]
    assert stats["far_outliers"] == len(far)
    assert stats["far_out_iqr"] == pytest.approx([far.min(), far.max()], rel=1e-9)


# -- a 0/1 column is binary ------------------------------------------------------------------


def test_a_0_1_integer_column_is_binary_no_zeros_and_no_outliers():
    flags = (np.random.default_rng(6).random(5000) < 0.1).astype("int64")
    report = _report(pd.DataFrame({"churned": flags}))
    stats = report.columns["churned"]
    assert stats["binary"] is True and stats["outliers"] == 0
    assert stats["mean"] == pytest.approx(flags.mean())
    assert not {"zeros", "outliers"} & set(_alerts(report, "churned"))


def test_the_breast_cancer_target_0_1_raises_no_zeros_or_outliers_alert():
    frame = load_breast_cancer(as_frame=True).frame  # target: 212 zeros of 569 (37 %)
    report = _report(frame)
    assert report.columns["target"]["binary"] is True
    assert not {"zeros", "outliers"} & set(_alerts(report, "target"))


def test_a_rare_0_1_flag_with_missing_values_is_binary_and_imbalanced():
    flags = pd.Series(np.r_[np.zeros(970), np.ones(20), [np.nan] * 10])  # float, as pandas
    report = _report(pd.DataFrame({"fraud": flags}))
    alerts = _alerts(report, "fraud")
    assert report.columns["fraud"]["binary"] is True
    assert "imbalance" in alerts and not {"zeros", "outliers"} & set(alerts)
    as_target = _alerts(_report(pd.DataFrame({"fraud": flags}), target="fraud"), "fraud")
    assert "of the classes" in as_target["imbalance"].message


# -- a period is a period; durations carry their unit -----------------------------------------


def test_a_period_column_is_a_period_not_dates_stored_as_text():
    months = pd.Series(pd.period_range("2021-01", periods=36, freq="M").repeat(40))
    report = _report(pd.DataFrame({"month": months}))
    stats = report.columns["month"]
    assert "numbers_as_text" not in _alerts(report, "month")
    assert stats["kind"] == "datetime" and stats["distinct"] == 36
    assert stats["min"] == pd.Period("2021-01", "M") and stats["max"] == pd.Period("2023-12", "M")
    assert stats["top"][0] == ["2021-01", 40]
    assert any("periods of frequency M" in note for note in stats["notes"])
    assert "2021-01" in report.to_html() and '"2023-12"' in report.to_json()


def test_timedelta_statistics_carry_their_unit():
    waits = pd.Series(pd.to_timedelta(np.random.default_rng(7).exponential(60, 3000), unit="s"))
    report = _report(pd.DataFrame({"wait": waits}))
    stats = report.columns["wait"]
    assert stats["unit"] == "s"
    assert stats["mean"] == pytest.approx(waits.mean().total_seconds(), rel=1e-9)
    page = report.to_html()
    assert f"{stats['mean']:.6g} s<" in page and f"{stats['max']:.6g} s<" in page
    assert '"title":"seconds"' in page  # the histogram's axis
    low, high = stats["outlier_fences"]
    assert f"[{low:.4g} s, {high:.4g} s]" in _alerts(report, "wait")["outliers"].message


# -- equal means and stated spreads ----------------------------------------------------------


def test_diabetes_means_that_are_zero_up_to_rounding_equal_pandas_within_the_spread():
    frame = load_diabetes(as_frame=True).frame  # standardised columns: means ~1e-17
    report = _report(frame)
    sex = report.columns["sex"]
    # not equal relatively (0.0 against 1.2e-17 or the like): the spread decides
    assert sex["mean"] != frame["sex"].mean()
    for name in frame:
        ours, column = report.columns[name], frame[name]
        spread = column.std()
        for key, theirs in (("mean", column.mean()), ("std", spread),
                            ("p50", column.median()), ("min", column.min())):  # fmt: skip
            assert _close(ours[key], float(theirs), spread), (name, key, ours[key], theirs)
    # the tolerance follows the spread: the same columns a trillion times smaller still
    # match to 1e-9 of their spread (a fixed absolute 1e-9 would accept anything here)
    tiny = frame.drop(columns="target") * 1e-12
    small = _report(tiny)
    for name in tiny:
        ours, column = small.columns[name], tiny[name]
        assert _close(ours["mean"], float(column.mean()), float(column.std()))
        assert _close(ours["std"], float(column.std()), float(column.std()))
        assert not _close(ours["mean"] + 1e-20, float(column.mean()), float(column.std()))
    text = " ".join(DOCS.read_text(encoding="utf-8").split())
    assert "absolute tolerance of 1e-9 times the column's standard deviation" in text


def test_every_spread_states_its_ddof_and_drift_uses_the_one_it_states():
    rng = np.random.default_rng(8)
    reference = pd.DataFrame({"x": rng.normal(0, 1, 400)})
    current = pd.DataFrame({"x": rng.normal(0.5, 1, 300)})
    report = _report(reference, compare=current)
    assert report.columns["x"]["std"] == pytest.approx(reference["x"].std(ddof=1), rel=1e-12)
    page = report.to_html()
    assert "std (ddof=1)" in page
    assert "ddof=0, as Evidently" in page
    row = report.drift["x"]
    expected = scipy_stats.wasserstein_distance(reference["x"], current["x"]) / np.std(
        reference["x"], ddof=0
    )
    assert math.isclose(row.effect_size, expected, rel_tol=1e-9)
    text = " ".join(DOCS.read_text(encoding="utf-8").split())
    assert "ddof=1" in text and "ddof=0" in text
