"""Drift verdicts on synthetic data with known shifts, and drift's bad-input behaviour."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dsmagic as dm

SHIFTED = {"mean_shift", "wider", "segment", "flag"}
STABLE = {"stable_a", "stable_b", "stable_cat", "tiny_shift", "counts"}


def _frames(n: int, seed: int):
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame(
        {
            "mean_shift": rng.normal(10, 2, n),
            "wider": rng.normal(0, 1, n),
            "segment": rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2]),
            "flag": rng.random(n) < 0.2,
            "stable_a": rng.exponential(3, n),
            "stable_b": rng.normal(0, 1, n),
            "stable_cat": rng.choice(["x", "y", "z", "w"], n),
            "tiny_shift": rng.normal(0, 1, n),
            "counts": rng.poisson(3, n),
        }
    )
    cur = pd.DataFrame(
        {
            "mean_shift": rng.normal(11, 2, n),  # +0.5 sd
            "wider": rng.normal(0, 2.5, n),
            "segment": rng.choice(["a", "b", "c"], n, p=[0.2, 0.3, 0.5]),
            "flag": rng.random(n) < 0.6,
            "stable_a": rng.exponential(3, n),
            "stable_b": rng.normal(0, 1, n),
            "stable_cat": rng.choice(["x", "y", "z", "w"], n),
            "tiny_shift": rng.normal(0.02, 1, n),  # real but negligible
            "counts": rng.poisson(3, n),
        }
    )
    return ref, cur


@pytest.mark.parametrize("n", [300, 5_000, 1_000_000])
def test_verdicts_are_right_on_every_column(n):
    ref, cur = _frames(n, seed=n)
    report = dm.drift(ref, cur)
    assert set(report.drifted_columns) == SHIFTED, report.to_frame()
    assert report.drifted is False  # 4 of 9 columns: below the 50% share
    frame = report.to_frame()
    assert list(frame.columns[:6]) == [
        "column", "method", "statistic", "p_value", "effect_size", "drifted",
    ]  # fmt: skip
    assert len(frame) == 9
    expected = "ks" if n <= 1000 else "wasserstein"
    assert frame.set_index("column").loc["mean_shift", "method"] == expected


def test_at_a_million_rows_naive_p_values_would_flag_a_negligible_shift():
    rng = np.random.default_rng(7)
    n = 1_000_000
    ref = pd.DataFrame({"tiny_shift": rng.normal(0, 1, n), "stable_b": rng.normal(0, 1, n)})
    cur = pd.DataFrame({"tiny_shift": rng.normal(0.02, 1, n), "stable_b": rng.normal(0, 1, n)})
    report = dm.drift(ref, cur)
    row = report["tiny_shift"]
    assert row.p_value < 1e-6  # "significant"
    assert row.effect_size < 0.1 and not row.drifted
    assert "negligible" in row.reason
    assert any("tiny changes are detectable" in text for text in report.recommendations)


def test_dataset_verdict_follows_the_share_rule():
    ref, cur = _frames(2_000, seed=1)
    assert dm.drift(ref, cur, share=0.4).drifted is True
    shifted = dm.drift(ref[sorted(SHIFTED)], cur[sorted(SHIFTED)])
    assert shifted.drifted is True and shifted.drift_share == 1.0
    assert "retraining" in " ".join(shifted.recommendations)


@pytest.mark.parametrize("method", ["ks", "wasserstein", "psi", "kl", "js", "chi2"])
def test_every_method_finds_a_strong_shift_and_spares_a_stable_column(method):
    rng = np.random.default_rng(11)
    n = 20_000
    ref = pd.DataFrame({"moved": rng.normal(0, 1, n), "same": rng.normal(0, 1, n)})
    cur = pd.DataFrame({"moved": rng.normal(1.5, 1, n), "same": rng.normal(0, 1, n)})
    report = dm.drift(ref, cur, method=method)
    assert report.drifted_columns == ["moved"]
    assert report["moved"].method == method


def test_html_display_has_overlays_and_escapes_names():
    ref, cur = _frames(1_000, seed=2)
    ref["<b>x</b>"] = ref["stable_b"]
    cur["<b>x</b>"] = cur["stable_b"]
    html = dm.drift(ref, cur)._repr_html_()
    assert html.count("<svg") == 10 and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" not in html
    bundle = dm.drift(ref, cur)._repr_mimebundle_()
    assert "text/plain" in bundle and "mean_shift" in bundle["text/plain"]


def test_documented_behaviour_on_awkward_columns():
    n = 500
    rng = np.random.default_rng(3)
    ref = pd.DataFrame(
        {
            "id": [f"u{i}" for i in range(n)],
            "empty": np.full(n, np.nan),
            "emptied": rng.normal(0, 1, n),
            "retyped": rng.normal(0, 1, n),
            "only_ref": 1.0,
            "ok": rng.normal(0, 1, n),
            "lists": [[i % 3] for i in range(n)],
        }
    )
    cur = pd.DataFrame(
        {
            "id": [f"v{i}" for i in range(n)],
            "empty": np.full(n, np.nan),
            "emptied": np.full(n, np.nan),
            "retyped": rng.normal(0, 1, n).astype(str),
            "ok": rng.normal(0, 1, n),
            "lists": [[i % 3] for i in range(n)],
            "only_cur": 2,
        }
    )
    report = dm.drift(ref, cur)
    rows = report.to_frame().set_index("column")
    assert "identifier" in rows.loc["id", "reason"] and not rows.loc["id", "drifted"]
    assert "missing on both sides" in rows.loc["empty", "reason"]
    assert (
        rows.loc["emptied", "drifted"] and "missing in the current" in rows.loc["emptied", "reason"]
    )
    assert rows.loc["retyped", "drifted"] and "type changed" in rows.loc["retyped", "reason"]
    assert not rows.loc["lists", "drifted"]
    assert report.only_in_reference == ["only_ref"] and report.only_in_current == ["only_cur"]
    assert "The columns differ" in report.recommendations[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"columns": ["nope"]}, "not in both frames"),
        ({"method": "magic"}, "method must be one of"),
        ({"correction": "holm"}, "correction must be one of"),
        ({"alpha": 2}, "alpha must be"),
        ({"share": 0}, "share must be"),
        ({"bins": 1}, "bins must be"),
        ({"thresholds": {"psi": -1}}, "must be a number >= 0"),
    ],
)
def test_bad_options_are_one_line_errors(kwargs, message):
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
    with pytest.raises(dm.DsmagicError, match=message) as info:
        dm.drift(frame, frame, **kwargs)
    assert "\n" not in str(info.value)


def test_frames_without_rows_or_shared_columns_are_refused():
    a, b = pd.DataFrame({"a": [1.0]}), pd.DataFrame({"b": [1.0]})
    with pytest.raises(dm.DsmagicError, match="share no column names"):
        dm.drift(a, b)
    with pytest.raises(dm.DsmagicError, match="no rows"):
        dm.drift(a.iloc[:0], a)
    with pytest.raises(dm.DsmagicError, match="DataFrame or a dataset reference"):
        dm.drift([1, 2], a)
    dup = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(dm.DsmagicError, match="duplicate column names"):
        dm.drift(dup, dup)


def test_dates_durations_and_nullable_numbers_compare_as_numbers():
    n = 500
    ref = pd.DataFrame(
        {
            "when": pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC"),
            "took": pd.to_timedelta(np.arange(n), unit="s"),
            "count": pd.array([*range(n - 1), None], dtype="Int64"),
        }
    )
    cur = pd.DataFrame(
        {
            "when": pd.date_range("2024-03-01", periods=n, freq="h", tz="UTC").as_unit("s"),
            "took": pd.to_timedelta(np.arange(n), unit="s"),
            "count": pd.array(range(n), dtype="Int64"),
        }
    )
    report = dm.drift(ref, cur)
    assert report.drifted_columns == ["when"]
    assert {c.kind for c in report.columns} == {"numeric"}
