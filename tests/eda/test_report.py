"""The report as a user sees it: alerts, HTML, JSON, caching, sampling, bad input."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

import dsmagic as dm
from dsmagic.eda import ALERT_RULES, cache_info, clear_cache


def messy(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "customer_id": np.arange(n),
        "age": rng.normal(40, 12, n).round(),
        "income": rng.lognormal(10, 1, n),
        "income_eur": None,
        "visits": rng.poisson(0.3, n),
        "price_text": [f"{v:.2f}" for v in rng.uniform(1, 99, n)],
        "signup": [str(d.date()) for d in pd.date_range("2021-01-01", periods=n, freq="h")],
        "country": rng.choice(["de", "fr", "it", "es"], n),
        "city": [f"city-{i}" for i in rng.integers(0, 400, n)],
        "plan": rng.choice(["free", "pro"], n, p=[0.97, 0.03]),
        "source": "web",
        "ratio": rng.normal(size=n),
        "mixed": pd.Series([1, "one", 2.5] * (n // 3), dtype=object),
        "churned": rng.choice([True, False], n, p=[0.2, 0.8]),
    })  # fmt: skip
    frame["income_eur"] = frame["income"] * 0.92
    frame.loc[rng.choice(n, 300, replace=False), "age"] = np.nan
    frame.loc[:40, "ratio"] = np.inf
    frame = pd.concat([frame, frame.iloc[:100]], ignore_index=True)  # duplicate rows
    return frame


def test_every_alert_kind_fires_on_a_messy_frame_with_a_recommendation():
    report = dm.eda(messy(), target="churned", progress=False)
    kinds = {(a.kind, a.column) for a in report.alerts}
    expected = {
        ("missing", "age"), ("zeros", "visits"), ("duplicates", None), ("constant", "source"),
        ("high_cardinality", "city"), ("skewed", "income"), ("imbalance", "plan"),
        ("infinite", "ratio"), ("outliers", "income"), ("high_correlation", "income"),
        ("mixed_types", "mixed"), ("numbers_as_text", "price_text"),
        ("numbers_as_text", "signup"),
    }  # fmt: skip
    assert expected <= kinds
    unique = [a for a in report.alerts if a.kind == "unique"]
    assert [a.column for a in unique] == ["customer_id"]  # nearly unique and named like an id
    for alert in report.alerts:
        assert alert.message and alert.recommendation
        assert alert.kind in ALERT_RULES
    dates = next(a for a in report.alerts if a.column == "signup")
    assert "dates" in dates.message and "to_datetime" in dates.recommendation
    assert report.columns["customer_id"]["kind"] == "identifier"
    assert report.columns["source"]["distinct"] == 1


def chart_specs(page: str) -> list[dict]:
    """The Vega-Lite specs of a report's charts (inert JSON blocks the page draws)."""
    blocks = re.findall(r'<div class="dsm-chart"><script type="application/json">(.*?)</script>',
                        page)  # fmt: skip
    return [json.loads(block) for block in blocks]


def test_html_is_self_contained_escaped_and_small(tmp_path):
    frame = messy()
    frame["<script>alert(1)</script>"] = "<b>bold</b>"
    report = dm.eda(frame, target="churned", progress=False, title="messy <frame>")
    path = tmp_path / "report.html"
    assert report.to_html(path) == str(path)
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # user text never becomes markup: escaped in HTML, \u003c-escaped in chart data
    assert "<script>alert" not in page and "<b>bold" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert not re.search(r"(src|href)=[\"']https?://", page)  # nothing fetched: works offline
    specs = chart_specs(page)
    assert len(specs) >= 10 and all(spec["data"]["values"] for spec in specs)
    assert page.count("dsmagicCharts.drawAll()") == 1  # the chart library is inlined once
    # every chart has a text form for viewers that run no scripts
    assert page.count('class="dsm-chart-text') == len(specs)
    assert len(page) < 3_000_000
    assert "Tukey" in page and "Alerts" in page
    # at most the first few raw rows are embedded
    assert page.count("city-") <= 5 + 10 + 10
    html = report._repr_html_()
    assert html.startswith('<div id="dsm-') and "<!DOCTYPE" not in html


def test_json_has_every_statistic_and_no_nan(tmp_path):
    report = dm.eda(messy(), progress=False)
    data = json.loads(report.to_json(tmp_path / "r.json"))
    assert json.loads((tmp_path / "r.json").read_text()) == data
    age = data["columns"]["age"]
    for key in ("count", "missing", "distinct", "mean", "std", "min", "max", "p5", "p25",
                "p50", "p75", "p95", "skewness", "kurtosis", "zeros", "infinite"):  # fmt: skip
        assert key in age
    assert data["columns"]["income_eur"]["kind"] == "numeric"
    assert {a["kind"] for a in data["alerts"]} >= {"missing", "duplicates"}
    assert ": NaN" not in report.to_json()  # NaN is written as null (valid JSON)


def test_rerun_after_one_column_changed_recomputes_only_that_column():
    frame = messy()
    clear_cache()
    dm.eda(frame, progress=False)
    first = cache_info()
    assert first["hits"] == 0 and first["misses"] == frame.shape[1]
    changed = frame.copy()
    changed["age"] = changed["age"] + 1
    report = dm.eda(changed, progress=False)
    second = cache_info()
    assert second["misses"] - first["misses"] == 1  # only "age"
    assert second["hits"] == frame.shape[1] - 1
    assert report.columns["age"]["mean"] == pytest.approx(frame["age"].mean() + 1)
    # a cached dict is a copy: changing it does not change the next report
    report.columns["income"]["mean"] = -1.0
    again = dm.eda(changed, progress=False)
    assert again.columns["income"]["mean"] == pytest.approx(frame["income"].mean())


def test_sample_and_time_budget_state_the_sample():
    rng = np.random.default_rng(1)
    big = pd.DataFrame(rng.normal(size=(250_000, 10)), columns=[f"c{i}" for i in range(10)])
    report = dm.eda(big, time_budget=0.05, progress=False)
    sample = report.sample
    assert sample is not None and sample["of"] == 250_000 and sample["rows"] < 250_000
    assert "time budget" in sample["reason"]
    assert report.columns["c0"]["count"] == sample["rows"]
    assert f"Computed on {sample['rows']:,} of 250,000 rows" in report.to_html()
    chosen = dm.eda(big.iloc[:5000], sample=0.1, progress=False)
    assert chosen.sample == {"rows": 500, "of": 5000, "reason": "requested"}
    assert chosen.dataset["rows"] == 5000 and chosen.dataset["rows_analysed"] == 500


def test_pairwise_work_is_capped_and_the_cap_is_stated():
    rng = np.random.default_rng(2)
    wide = pd.DataFrame(rng.normal(size=(200, 60)), columns=[f"f{i}" for i in range(60)])
    report = dm.eda(wide, progress=False)
    assert report.correlation("pearson").shape == (50, 50)
    assert any("first 50 of 60 numeric" in note for note in report.relations["notes"])
    assert "first 50 of 60 numeric" in report.to_html()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([1, 2, 3], "needs a pandas DataFrame, got list"),
        ({"a": [1]}, "needs a pandas DataFrame, got dict"),
        (None, "needs a pandas DataFrame, got NoneType"),
    ],
)
def test_non_frames_get_one_line_errors(value, message):
    with pytest.raises(dm.DsmagicError, match=message) as caught:
        dm.eda(value)
    assert "\n" not in str(caught.value)


def test_bad_arguments_get_one_line_errors():
    frame = pd.DataFrame({"churned": [0, 1], "age": [3, 4]})
    with pytest.raises(dm.DsmagicError, match=r"target 'churn' is not a column.*'churned'"):
        dm.eda(frame, target="churn")
    with pytest.raises(dm.DsmagicError, match="sample"):
        dm.eda(frame, sample="lots")
    with pytest.raises(dm.DsmagicError, match="time_budget"):
        dm.eda(frame, time_budget=-1)
    with pytest.raises(dm.DsmagicError, match="compare needs a pandas DataFrame"):
        dm.eda(frame, compare=[1, 2])


def test_duplicate_names_unhashable_cells_and_series_are_reported():
    frame = pd.DataFrame([[1, 2, [1, 2], {"k": 1}]] * 3 + [[3, 4, [5], {"k": 2}]],
                         columns=["a", "a", "lists", "dicts"])  # fmt: skip
    report = dm.eda(frame, progress=False)
    assert list(report.columns) == ["a", "a.1", "lists", "dicts"]
    assert any("duplicate column names" in note for note in report.notes)
    assert report.columns["lists"]["distinct"] == 2
    assert any("list" in note for note in report.columns["lists"]["notes"])
    assert report.dataset["duplicates"] == 2
    assert "duplicate column names were renamed" in report.to_html()
    series = dm.eda(pd.Series([1.0, 2.0, 2.0], name="x"), progress=False)
    assert series.columns["x"]["distinct"] == 2


def test_compare_mode_reuses_drift_and_shows_both_frames():
    rng = np.random.default_rng(4)
    train = pd.DataFrame({"x": rng.normal(size=3000), "k": rng.choice(["a", "b"], 3000)})
    test = pd.DataFrame({"x": rng.normal(1.0, size=2000), "k": rng.choice(["a", "b"], 2000)})
    report = dm.eda(train, compare=test, progress=False)
    assert report.compare.dataset["rows"] == 2000
    drifted = report.drift.to_frame().set_index("column")["drifted"]
    assert bool(drifted["x"]) and not bool(drifted["k"])
    page = report.to_html()
    assert "Compared with a second frame" in page and "reference (blue)" in page
    assert json.loads(report.to_json())["drift"]["columns"]


def test_writing_to_a_missing_folder_is_one_line_and_leaves_nothing(tmp_path):
    report = dm.eda(pd.DataFrame({"a": [1.0, 2.0]}), progress=False)
    with pytest.raises(dm.DsmagicError, match="does not exist: create it first"):
        report.to_html(tmp_path / "nope" / "r.html")
    with pytest.raises(dm.DsmagicError, match="is a folder"):
        report.to_json(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_exotic_dtypes_never_break_the_report():
    n = 30
    frame = pd.DataFrame({
        "complex": np.arange(n) + 1j,
        "period": pd.period_range("2020", periods=n, freq="M"),
        "interval": pd.interval_range(0, n),
        "sparse": pd.arrays.SparseArray([0, 1, 0] * 10),
        "durations": pd.to_timedelta(np.arange(n), unit="h"),
        "all_none": pd.Series([None] * n, dtype=object),
        "bytes": [b"a", b"b"] * 15,
    })  # fmt: skip
    report = dm.eda(frame, progress=False)
    assert set(report.columns) == set(frame.columns)
    assert report.columns["complex"]["distinct"] == n
    assert report.columns["durations"]["mean"] == pytest.approx(14.5 * 3600)
    assert report.columns["all_none"]["count"] == 0
    assert chart_specs(report.to_html()) and json.loads(report.to_json())


@pytest.mark.parametrize("width", [3, 30, 70])
def test_missing_patterns_equal_pandas(width):
    rng = np.random.default_rng(width)
    frame = pd.DataFrame(rng.normal(size=(500, width)))
    frame = frame.mask(rng.random(frame.shape) < np.linspace(0.01, 0.3, width))
    missing = dm.eda(frame, progress=False).dataset["missing"]
    expected = frame.isna().value_counts()
    assert missing["distinct_patterns"] == len(expected)
    assert missing["rows_with_missing"] == int(frame.isna().any(axis=1).sum())
    for pattern in missing["patterns"]:
        key = tuple(str(c) in pattern["columns"] for c in frame.columns)
        assert pattern["rows"] == expected[key]
    assert [p["rows"] for p in missing["patterns"]] == sorted(expected, reverse=True)[:10]


def test_every_alert_kind_has_one_rule_a_rank_and_a_stated_threshold():
    from dsmagic.eda import _alerts

    column_kinds = set(_alerts.COLUMN_RULES)
    frame_kinds = set(_alerts.FRAME_RULES) - {"columns"}  # "columns" runs the column rules
    assert not column_kinds & frame_kinds
    assert column_kinds | frame_kinds == set(ALERT_RULES) == set(_alerts._ORDER)


def test_a_constant_column_gets_its_missing_alert_and_nothing_after_constant():
    frame = pd.DataFrame({"c": [0.0] * 50 + [None] * 50, "x": np.arange(100.0)})
    kinds = [a.kind for a in dm.eda(frame, progress=False).alerts if a.column == "c"]
    assert kinds == ["constant", "missing"]  # no zeros alert for a column of zeros
