"""Alerts: what deserves attention before modelling, each with what to do about it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from dsmagic.eda import _thresholds as T

__all__ = ["COLUMN_RULES", "FRAME_RULES", "Alert", "column_rule", "find_alerts", "frame_rule"]

_ORDER = [
    "constant", "unique", "mixed_types", "numbers_as_text", "infinite", "missing",
    "duplicates", "high_correlation", "imbalance", "high_cardinality", "skewed", "outliers",
    "zeros",
]  # fmt: skip


@dataclass(frozen=True)
class Alert:
    """One finding: ``column`` (None for the whole frame), ``kind``, ``message`` and
    ``recommendation`` in plain words, and the measured ``value`` behind it."""

    column: str | None
    kind: str
    message: str
    recommendation: str
    value: float | None = None
    columns: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["columns"] = list(self.columns)
        return data

    def __str__(self) -> str:
        where = f"{self.column}: " if self.column else ""
        return f"[{self.kind}] {where}{self.message} → {self.recommendation}"


def _pct(share: float) -> str:
    return f"{share:.1%}" if share >= 0.001 else f"{share:.2%}"


# -- the rule registry ---------------------------------------------------------------------
# A column rule looks at one column's statistics and returns (message, recommendation,
# measured value) when its alert applies, else None; rules run in registration order and
# a rule registered with ``stops=True`` that fires ends the column (nothing else about a
# constant column is worth saying). A frame rule looks at the whole report and returns
# its alerts. ``_ORDER`` ranks the kinds in the list a reader sees.
Finding = tuple[str, str, float | None]
ColumnRule = Callable[[str, dict[str, Any], str | None], Finding | None]
FrameRule = Callable[[dict[str, Any]], list[Alert]]

COLUMN_RULES: dict[str, tuple[ColumnRule, bool]] = {}
FRAME_RULES: dict[str, FrameRule] = {}


def column_rule(kind: str, *, stops: bool = False) -> Callable[[ColumnRule], ColumnRule]:
    def register(function: ColumnRule) -> ColumnRule:
        COLUMN_RULES[kind] = (function, stops)
        return function

    return register


def frame_rule(kind: str) -> Callable[[FrameRule], FrameRule]:
    def register(function: FrameRule) -> FrameRule:
        FRAME_RULES[kind] = function
        return function

    return register


def _column_alerts(name: str, s: dict[str, Any], target: str | None) -> list[Alert]:
    alerts: list[Alert] = []
    for kind, (rule, stops) in COLUMN_RULES.items():
        found = rule(name, s, target)
        if found is not None:
            alerts.append(Alert(name, kind, *found))
            if stops:
                break
    return alerts


# -- column rules ---------------------------------------------------------------------------
@column_rule("missing")
def _missing(name: str, s: dict[str, Any], target: str | None) -> Finding | None:
    if not (s["rows"] and s["missing_share"] > T.MISSING_SHARE):
        return None
    return (f"{s['missing']:,} missing values ({_pct(s['missing_share'])})",
            "impute it (median or most frequent value, fitted on the training split) and add a "
            "was-missing indicator, or drop the column if mostly empty",
            s["missing_share"])  # fmt: skip


@column_rule("constant", stops=True)
def _constant(name: str, s: dict[str, Any], target: str | None) -> Finding | None:
    if not (s["rows"] and s.get("distinct", 0) <= 1):
        return None
    what = "has no values" if s["count"] == 0 else f"has a single value ({_first(s)!r})"
    return what, "drop it: a constant column carries no information", 0.0


@column_rule("mixed_types")
def _mixed_types(name: str, s: dict[str, Any], target: str | None) -> Finding | None:
    if not s.get("mixed_types"):
        return None
    types = ", ".join(f"{k} ({v:,})" for k, v in s.get("python_types", {}).items())
    return (f"holds values of several types: {types}",
            "convert it to one type when loading (pd.to_numeric / astype(str)) and decide "
            "what the odd values mean", None)  # fmt: skip


@column_rule("numbers_as_text")
def _numbers_as_text(name: str, s: dict[str, Any], target: str | None) -> Finding | None:
    parsed = s.get("as_text")
    if not parsed:
        return None
    what = "numbers" if parsed["type"] == "number" else "dates"
    tail = (
        f"; not parsing: {', '.join(map(repr, parsed['unparsed']))}" if parsed["unparsed"] else ""
    )
    if parsed["type"] == "number":
        fix = "convert with pd.to_numeric(df[col], errors='coerce') when loading"
        if parsed.get("leading_zeros"):
            fix += " (values with leading zeros look like codes: if so keep them as text)"
    else:
        fix = "parse with pd.to_datetime(df[col], errors='coerce') when loading"
    return f"{what} stored as text ({_pct(parsed['share'])} parse{tail})", fix, parsed["share"]


@column_rule("unique")
def _unique(name: str, s: dict[str, Any], target: str | None) -> Finding | None:
    if s.get("kind") != "identifier" or name == target:
        return None
    what = (
        f"every value is distinct ({s['distinct']:,})"
        if s["distinct"] == s["count"]
        else f"{_pct(s['distinct_share'])} of the values are distinct and the name says id"
    )
    return (f"{what}: looks like an identifier",
            "keep it out of the features (use it only to join or de-duplicate)",
            s["distinct_share"])  # fmt: skip


@column_rule("infinite")
def _infinite(name: str, s: dict[str, Any], target: str | None) -> Finding | None:
    if not s.get("infinite"):
        return None
    return (f"{s['infinite']:,} infinite values ({_pct(s['infinite_share'])})",
            "replace ±inf with NaN (then impute) or clip; they usually come from a division "
            "by zero upstream", s["infinite_share"])  # fmt: skip


def _numeric(s: dict[str, Any]) -> bool:
    return s.get("kind") == "numeric" and bool(s["count"])


@column_rule("zeros")
def _zeros(name: str, s: dict[str, Any], target: str | None) -> Finding | None:
    if not (_numeric(s) and s["zeros_share"] > T.ZEROS_SHARE and not s.get("binary")):
        return None
    return (f"{s['zeros']:,} zeros ({_pct(s['zeros_share'])})",
            "check whether 0 means 'missing' or 'none'; if so, encode it as such; for "
            "sparse counts consider a was-zero indicator", s["zeros_share"])  # fmt: skip


@column_rule("skewed")
def _skewed(name: str, s: dict[str, Any], target: str | None) -> Finding | None:
    skew = s.get("skewness", math.nan)
    if not (_numeric(s) and skew == skew and abs(skew) > T.SKEW and s["distinct"] > 2):
        return None
    fix = ("log-transform it (np.log1p) or use a rank/quantile transform; tree models "
           "do not mind") if skew > 0 else ("reflect and log-transform it, or use a "
           "quantile transform; tree models do not mind")  # fmt: skip
    return f"skewness {skew:.2f}", fix, skew


@column_rule("outliers")
def _outliers(name: str, s: dict[str, Any], target: str | None) -> Finding | None:
    far = s.get("far_outliers", 0) if _numeric(s) else 0
    if not _numeric(s) or s.get("binary") or not (s["outliers_share"] > T.OUTLIERS_SHARE or far):
        return None
    unit = f" {s['unit']}" if s.get("unit") else ""
    low, high = s["outlier_fences"]
    message = (f"{s['outliers']:,} values ({_pct(s['outliers_share'])}) outside "
               f"Tukey's fences [{low:.4g}{unit}, {high:.4g}{unit}]")  # fmt: skip
    if far:
        near, farthest = s["far_out_iqr"]
        span = _span(near, farthest)
        if far == s["outliers"]:
            which = "it lies" if far == 1 else "all lie"
        else:
            which = f"{far:,} of them lie"
        message += f"; {which} {span} IQRs beyond the fences"
    return (message,
            "check them for entry errors; cap (winsorise) at the fences or use a robust "
            "scaler / tree model", s["outliers_share"])  # fmt: skip


@column_rule("high_cardinality")
def _high_cardinality(name: str, s: dict[str, Any], target: str | None) -> Finding | None:
    if not (s.get("kind") == "categorical" and s["distinct"] > T.HIGH_CARDINALITY):
        return None
    return (f"{s['distinct']:,} distinct values",
            "group rare values into 'other', or use target / frequency encoding instead of "
            "one-hot", s["distinct"])  # fmt: skip


@column_rule("imbalance")
def _imbalance(name: str, s: dict[str, Any], target: str | None) -> Finding | None:
    labelled = s.get("kind") in ("categorical", "boolean") or bool(s.get("binary"))
    if not (labelled and s["count"] and s.get("top")):
        return None
    share = s["top"][0][1] / s["count"]
    if share <= T.IMBALANCE_SHARE:
        return None
    what = "classes" if name == target else "values"
    fix = (
        "stratify the split, weight classes or resample, and judge models with "
        "balanced metrics (PR-AUC, F1)"
        if name == target
        else "check it is informative; group it to 'frequent vs rest' or drop it"
    )
    return f"{s['top'][0][0]!r} covers {_pct(share)} of the {what}", fix, share


def _span(near: float, farthest: float) -> str:
    """How far beyond the fences, in IQRs: "34" or "31 to 33"."""
    low, high = f"{near:.3g}", f"{farthest:.3g}"
    return low if low == high else f"{low} to {high}"


def _first(s: dict[str, Any]):
    top = s.get("top") or [[None]]
    return top[0][0]


# -- frame rules ----------------------------------------------------------------------------
@frame_rule("duplicates")
def _duplicates(report: dict[str, Any]) -> list[Alert]:
    dataset = report["dataset"]
    if not (dataset["rows"] and dataset.get("duplicates_share", 0) > T.DUPLICATES_SHARE):
        return []
    return [Alert(None, "duplicates",
            f"{dataset['duplicates']:,} duplicate rows ({_pct(dataset['duplicates_share'])})",
            "drop them with df.drop_duplicates() before splitting, or they leak between "
            "train and test", dataset["duplicates_share"])]  # fmt: skip


@frame_rule("columns")
def _columns(report: dict[str, Any]) -> list[Alert]:
    target = report.get("target")
    return [a for name, s in report["columns"].items() for a in _column_alerts(name, s, target)]


@frame_rule("high_correlation")
def _high_correlation(report: dict[str, Any]) -> list[Alert]:
    alerts: list[Alert] = []
    target = report.get("target")
    relations = report.get("relations") or {}
    for key, label, names_a, names_b in (
        ("pearson", "Pearson", relations.get("numeric"), relations.get("numeric")),
        ("spearman", "Spearman", relations.get("numeric"), relations.get("numeric")),
        ("cramers_v", "Cramér's V", relations.get("categorical"), relations.get("categorical")),
        ("eta", "η", relations.get("categorical"), relations.get("numeric")),
    ):
        matrix = relations.get(key)
        if matrix is None or names_a is None or names_b is None:
            continue
        symmetric = key != "eta"
        for i, a in enumerate(names_a):
            for j, b in enumerate(names_b):
                if symmetric and j <= i:
                    continue
                value = matrix[i][j]
                if value == value and abs(value) >= T.CORRELATION:
                    if target in (a, b):
                        continue  # strong relation with the target is good news, not a warning
                    if key == "spearman" and _seen(alerts, a, b):
                        continue
                    alerts.append(Alert(a, "high_correlation",
                        f"{label} {value:+.3f} with {b!r}",
                        f"keep one of {a!r} and {b!r} (or combine them) for linear models; "
                        "check neither is a leaked copy of the other",
                        float(value), (a, b)))  # fmt: skip
    return alerts


def find_alerts(report: dict[str, Any]) -> list[Alert]:
    """Alerts for the dataset, each column and each strongly related pair, by priority."""
    alerts = [alert for rule in FRAME_RULES.values() for alert in rule(report)]
    alerts.sort(key=lambda a: _ORDER.index(a.kind))
    return alerts


def _seen(alerts: list[Alert], a: str, b: str) -> bool:
    return any(x.kind == "high_correlation" and set(x.columns) == {a, b} for x in alerts)
