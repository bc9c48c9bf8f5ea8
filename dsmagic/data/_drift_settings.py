"""Drift settings: the methods, corrections, default thresholds and limits.

A leaf module, so the report's display and the column comparisons can read them without
importing the orchestration in ``_drift``.
"""

from __future__ import annotations

__all__ = [
    "CORRECTIONS",
    "DEFAULT_THRESHOLDS",
    "DISCRETE_MAX",
    "ID_MIN_DISTINCT",
    "ID_SHARE",
    "METHODS",
    "NUMERIC_ONLY",
    "PARALLEL_CELLS",
    "PSI_BANDS",
    "SMALL_SAMPLE",
]

METHODS = ("auto", "ks", "chi2", "wasserstein", "psi", "kl", "js")
CORRECTIONS = {"bh": "Benjamini-Hochberg", "bonferroni": "Bonferroni", "none": "no correction"}
DEFAULT_THRESHOLDS = {"wasserstein": 0.1, "js": 0.1, "psi": 0.25, "kl": 0.1, "missing": 0.1}
SMALL_SAMPLE = 1000  # auto: at or below, the test statistic leads; above, the distance
DISCRETE_MAX = 10  # numeric columns with at most this many distinct values compare as categories
ID_MIN_DISTINCT = 50  # text columns with more distinct values than this and ...
ID_SHARE = 0.5  # ... more than this share of distinct values look like identifiers
PSI_BANDS = (0.1, 0.25)
PARALLEL_CELLS = 2_000_000  # below this many values, threads cost more than they save
NUMERIC_ONLY = ("ks", "wasserstein")
