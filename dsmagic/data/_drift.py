"""Drift between two data sets: per-column tests, effect sizes and one verdict.

A column drifts when its change is both *real* and *large enough to matter*: the
corrected p-value is below ``alpha`` **and** the effect size reaches its threshold.
The p-value alone would flag every column at a million rows (any difference is
significant); the effect size alone would flag noise at a hundred rows.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dsmagic._display import RichDisplay
from dsmagic.errors import DsmagicError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEFAULT_THRESHOLDS", "METHODS", "ColumnDrift", "DriftReport", "drift"]

METHODS = ("auto", "ks", "chi2", "wasserstein", "psi", "kl", "js")
CORRECTIONS = {"bh": "Benjamini-Hochberg", "bonferroni": "Bonferroni", "none": "no correction"}
DEFAULT_THRESHOLDS = {"wasserstein": 0.1, "js": 0.1, "psi": 0.25, "kl": 0.1, "missing": 0.1}
SMALL_SAMPLE = 1000  # auto: at or below, the test statistic leads; above, the distance
DISCRETE_MAX = 10  # numeric columns with at most this many distinct values compare as categories
ID_MIN_DISTINCT = 50  # text columns with more distinct values than this and ...
ID_SHARE = 0.5  # ... more than this share of distinct values look like identifiers
PSI_BANDS = (0.1, 0.25)
PARALLEL_CELLS = 2_000_000  # below this many values, threads cost more than they save
_NUMERIC_ONLY = ("ks", "wasserstein")


@dataclass(frozen=True)
class ColumnDrift:
    """The comparison of one column. ``p_value`` is NaN for distance-only methods."""

    column: str
    kind: str  # "numeric" | "categorical" | "skipped"
    method: str
    statistic: float
    p_value: float
    p_value_adjusted: float
    effect_size: float
    threshold: float
    drifted: bool
    psi: float
    js_distance: float
    n_reference: int
    n_current: int
    missing_reference: float
    missing_current: float
    reason: str
    # Shares per bin (or category) on each side and their labels, for the overlays.
    labels: tuple[str, ...] = ()
    reference_shares: tuple[float, ...] = ()
    current_shares: tuple[float, ...] = ()
    summary: str = ""


@dataclass
class DriftReport(RichDisplay):
    """Per-column verdicts and the dataset verdict (``drifted``).

    The dataset drifts when at least ``share`` of the tested columns drift.
    """

    _display_kind = "drift-report"

    columns: list[ColumnDrift]
    drifted: bool
    share: float
    alpha: float
    correction: str
    method: str
    reference_label: str
    current_label: str
    reference_rows: int
    current_rows: int
    only_in_reference: list[str] = field(default_factory=list)
    only_in_current: list[str] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=dict)

    @property
    def tested(self) -> list[ColumnDrift]:
        return [c for c in self.columns if c.kind != "skipped"]

    @property
    def drifted_columns(self) -> list[str]:
        return [c.column for c in self.columns if c.drifted]

    @property
    def drift_share(self) -> float:
        tested = self.tested
        return sum(c.drifted for c in tested) / len(tested) if tested else 0.0

    def __getitem__(self, column: str) -> ColumnDrift:
        for row in self.columns:
            if row.column == column:
                return row
        raise KeyError(column)

    def to_frame(self) -> pd.DataFrame:
        """One row a column: column, method, statistic, p_value, effect_size, drifted, ..."""
        import pandas as pd

        names = [
            "column",
            "method",
            "statistic",
            "p_value",
            "effect_size",
            "drifted",
            "p_value_adjusted",
            "threshold",
            "kind",
            "psi",
            "js_distance",
            "n_reference",
            "n_current",
            "missing_reference",
            "missing_current",
            "reason",
        ]
        rows = [[getattr(c, n) for n in names] for c in self.columns]
        frame = pd.DataFrame(rows, columns=names)
        return frame.astype({"drifted": bool})

    @property
    def verdict(self) -> str:
        tested = self.tested
        count = sum(c.drifted for c in tested)
        state = "DRIFT" if self.drifted else "no drift"
        return (
            f"{state}: {count} of {len(tested)} columns drifted ({self.drift_share:.0%}; "
            f"the dataset drifts at {self.share:.0%} or more)"
        )

    @property
    def recommendations(self) -> list[str]:
        from dsmagic.data._drift_words import recommendations

        return recommendations(self)

    def _display_text(self) -> str:
        from dsmagic.data._display import drift_text

        return drift_text(self)

    def __repr__(self) -> str:
        return self._display_text()

    def _display_data(self) -> dict[str, Any]:
        return self.to_dict()

    def _display_html(self) -> str:
        from dsmagic.data._display import drift_html

        return drift_html(self)

    def _display_css(self) -> str:
        from dsmagic.data._display import CSS

        return CSS

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (used by ``dsmagic data drift --json``)."""
        return {
            "reference": self.reference_label,
            "current": self.current_label,
            "drifted": self.drifted,
            "drift_share": self.drift_share,
            "share": self.share,
            "alpha": self.alpha,
            "correction": CORRECTIONS[self.correction],
            "only_in_reference": self.only_in_reference,
            "only_in_current": self.only_in_current,
            "columns": [
                {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
                for row in self.to_frame().to_dict(orient="records")
            ],
            "recommendations": self.recommendations,
        }


# -- input handling ------------------------------------------------------------------------
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
