"""Every drift statistic agrees with scipy or the textbook formula to 1e-9."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

import dsmagic as dm
from dsmagic.data import _drift_stats as st

TOL = 1e-9


def _samples(n1, n2, seed=0, shift=0.3):
    rng = np.random.default_rng(seed)
    return rng.normal(0, 1, n1), rng.normal(shift, 1.2, n2)


def _reference_bins(ref, cur, bins=10):
    """Bins built independently: reference quantiles, outer bins open, right-closed."""
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)[1:-1]))
    full = np.concatenate(([-np.inf], edges, [np.inf]))
    r = pd.Series(pd.cut(ref, full, right=True)).value_counts(sort=False).to_numpy()
    c = pd.Series(pd.cut(cur, full, right=True)).value_counts(sort=False).to_numpy()
    return r, c


def _floored(counts):
    p = counts / counts.sum()
    p = np.maximum(p, st.EPSILON)
    return p / p.sum()


@pytest.mark.parametrize("sizes", [(50, 80), (3_000, 2_000), (30_000, 12_000)])
def test_ks_and_wasserstein_match_scipy(sizes):
    ref, cur = _samples(*sizes, shift=0.02)
    ours = st.compare_numeric(ref, cur, bins=10)
    expected = stats.ks_2samp(ref, cur)
    assert ours.ks_statistic == pytest.approx(expected.statistic, abs=TOL)
    if max(sizes) <= 10_000:
        assert ours.ks_p_value == pytest.approx(expected.pvalue, abs=TOL, rel=TOL)
    else:  # Smirnov's limit distribution, within 1% of scipy's finite-n value
        en = sizes[0] * sizes[1] / sum(sizes)
        limit = stats.kstwobign.sf(np.sqrt(en) * expected.statistic)
        assert ours.ks_p_value == pytest.approx(limit, abs=TOL, rel=TOL)
        assert ours.ks_p_value == pytest.approx(expected.pvalue, rel=0.01)
    assert ours.wasserstein == pytest.approx(stats.wasserstein_distance(ref, cur), abs=TOL)
    r, c = _reference_bins(ref, cur)
    assert ours.reference_counts.tolist() == r.tolist()
    assert ours.current_counts.tolist() == c.tolist()


def test_psi_kl_js_match_the_formulas_and_scipy():
    ref, cur = _samples(5_000, 4_000, shift=0.5)
    r, c = _reference_bins(ref, cur)
    pr, pc = _floored(r), _floored(c)
    assert st.psi(r, c) == pytest.approx(np.sum((pc - pr) * np.log(pc / pr)), abs=TOL)
    assert st.kl_divergence(r, c) == pytest.approx(stats.entropy(pr, pc), abs=TOL)
    js = jensenshannon(r / r.sum(), c / c.sum(), base=2)
    assert st.js_distance(r, c) == pytest.approx(js, abs=TOL)
    # categories that exist on one side only
    a, b = np.array([10, 0, 5, 7]), np.array([0, 4, 5, 9])
    assert st.js_distance(a, b) == pytest.approx(jensenshannon(a / 22, b / 18, base=2), abs=TOL)


def test_chi2_matches_chi2_contingency():
    ref, cur = np.array([120, 80, 50, 40]), np.array([90, 110, 45, 60])
    expected = stats.chi2_contingency(np.vstack([ref, cur]))
    stat, p = st.chi2_test(ref, cur)
    assert stat == pytest.approx(expected.statistic, abs=TOL)
    assert p == pytest.approx(expected.pvalue, abs=TOL)
    # rare categories (expected < 5) are pooled before testing
    stat, p = st.chi2_test(np.array([100, 90, 1, 1]), np.array([95, 100, 2, 0]))
    pooled = stats.chi2_contingency(np.array([[100, 90, 2], [95, 100, 2]]))
    assert stat == pytest.approx(pooled.statistic, abs=TOL)


def test_p_value_corrections_match_scipy():
    p = [0.001, 0.04, 0.03, 0.2, 0.5, 0.012]
    bh = st.adjust_p_values(p, "bh")
    assert np.allclose(bh, stats.false_discovery_control(p, method="bh"), atol=TOL)
    assert st.adjust_p_values(p, "bonferroni") == pytest.approx([min(x * 6, 1) for x in p])
    assert st.adjust_p_values(p, "none") == p


def test_report_numbers_are_the_scipy_numbers():
    ref, cur = _samples(20_000, 20_000, seed=3, shift=0.2)
    report = dm.drift(pd.DataFrame({"x": ref}), pd.DataFrame({"x": cur}), method="ks")
    row = report["x"]
    assert row.statistic == pytest.approx(stats.ks_2samp(ref, cur).statistic, abs=TOL)
    assert row.effect_size == pytest.approx(
        stats.wasserstein_distance(ref, cur) / np.std(ref), abs=TOL
    )
    report = dm.drift(pd.DataFrame({"x": ref}), pd.DataFrame({"x": cur}), method="psi")
    r, c = _reference_bins(ref, cur)
    pr, pc = _floored(r), _floored(c)
    assert report["x"].statistic == pytest.approx(np.sum((pc - pr) * np.log(pc / pr)), abs=TOL)
    assert report.correction == "bh" and "Benjamini-Hochberg" in repr(report)
