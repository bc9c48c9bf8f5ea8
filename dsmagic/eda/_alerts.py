"""Alerts: what deserves attention before modelling, each with what to do about it."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from dsmagic.eda import _thresholds as T

__all__ = ["Alert", "find_alerts"]

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


def _column_alerts(name: str, s: dict[str, Any], target: str | None) -> list[Alert]:
    alerts: list[Alert] = []
    kind = s.get("kind")
    count, rows = s["count"], s["rows"]

    def add(alert_kind: str, message: str, recommendation: str, value: float | None = None):
        alerts.append(Alert(name, alert_kind, message, recommendation, value))

    if rows and s["missing_share"] > T.MISSING_SHARE:
        add("missing", f"{s['missing']:,} missing values ({_pct(s['missing_share'])})",
            "impute it (median or most frequent value, fitted on the training split) and add a "
            "was-missing indicator, or drop the column if mostly empty",
            s["missing_share"])  # fmt: skip
    if rows and s.get("distinct", 0) <= 1:
        what = "has no values" if count == 0 else f"has a single value ({_first(s)!r})"
        add("constant", what, "drop it: a constant column carries no information", 0.0)
        return alerts  # other alerts about a constant column are noise
    if s.get("mixed_types"):
        types = ", ".join(f"{k} ({v:,})" for k, v in s.get("python_types", {}).items())
        add("mixed_types", f"holds values of several types: {types}",
            "convert it to one type when loading (pd.to_numeric / astype(str)) and decide "
            "what the odd values mean")  # fmt: skip
    parsed = s.get("as_text")
    if parsed:
        what = "numbers" if parsed["type"] == "number" else "dates"
        tail = (
            f"; not parsing: {', '.join(map(repr, parsed['unparsed']))}"
            if parsed["unparsed"]
            else ""
        )
        if parsed["type"] == "number":
            fix = "convert with pd.to_numeric(df[col], errors='coerce') when loading"
            if parsed.get("leading_zeros"):
                fix += " (values with leading zeros look like codes: if so keep them as text)"
        else:
            fix = "parse with pd.to_datetime(df[col], errors='coerce') when loading"
        add("numbers_as_text", f"{what} stored as text ({_pct(parsed['share'])} parse{tail})",
            fix, parsed["share"])  # fmt: skip
    if kind == "identifier" and name != target:
        what = (
            f"every value is distinct ({s['distinct']:,})"
            if s["distinct"] == count
            else f"{_pct(s['distinct_share'])} of the values are distinct and the name says id"
        )
        add("unique", f"{what}: looks like an identifier",
            "keep it out of the features (use it only to join or de-duplicate)",
            s["distinct_share"])  # fmt: skip
    if s.get("infinite"):
        add("infinite", f"{s['infinite']:,} infinite values ({_pct(s['infinite_share'])})",
            "replace ±inf with NaN (then impute) or clip; they usually come from a division "
            "by zero upstream", s["infinite_share"])  # fmt: skip
    binary = bool(s.get("binary"))
    if kind == "numeric" and count:
        unit = f" {s['unit']}" if s.get("unit") else ""
        if s["zeros_share"] > T.ZEROS_SHARE and not binary:
            add("zeros", f"{s['zeros']:,} zeros ({_pct(s['zeros_share'])})",
                "check whether 0 means 'missing' or 'none'; if so, encode it as such; for "
                "sparse counts consider a was-zero indicator", s["zeros_share"])  # fmt: skip
        skew = s.get("skewness", math.nan)
        if skew == skew and abs(skew) > T.SKEW and s["distinct"] > 2:
            fix = ("log-transform it (np.log1p) or use a rank/quantile transform; tree models "
                   "do not mind") if skew > 0 else ("reflect and log-transform it, or use a "
                   "quantile transform; tree models do not mind")  # fmt: skip
            add("skewed", f"skewness {skew:.2f}", fix, skew)
        far = s.get("far_outliers", 0)
        if not binary and (s["outliers_share"] > T.OUTLIERS_SHARE or far):
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
            add("outliers", message,
                "check them for entry errors; cap (winsorise) at the fences or use a robust "
                "scaler / tree model", s["outliers_share"])  # fmt: skip
    if kind == "categorical" and s["distinct"] > T.HIGH_CARDINALITY:
        add("high_cardinality", f"{s['distinct']:,} distinct values",
            "group rare values into 'other', or use target / frequency encoding instead of "
            "one-hot", s["distinct"])  # fmt: skip
    if (kind in ("categorical", "boolean") or binary) and count and s.get("top"):
        share = s["top"][0][1] / count
        if share > T.IMBALANCE_SHARE:
            what = "classes" if name == target else "values"
            fix = (
                "stratify the split, weight classes or resample, and judge models with "
                "balanced metrics (PR-AUC, F1)"
                if name == target
                else "check it is informative; group it to 'frequent vs rest' or drop it"
            )
            add("imbalance", f"{s['top'][0][0]!r} covers {_pct(share)} of the {what}", fix, share)
    return alerts


def _span(near: float, farthest: float) -> str:
    """How far beyond the fences, in IQRs: "34" or "31 to 33"."""
    low, high = f"{near:.3g}", f"{farthest:.3g}"
    return low if low == high else f"{low} to {high}"


def _first(s: dict[str, Any]):
    top = s.get("top") or [[None]]
    return top[0][0]


def find_alerts(report: dict[str, Any]) -> list[Alert]:
    """Alerts for the dataset, each column and each strongly related pair, by priority."""
    alerts: list[Alert] = []
    target = report.get("target")
    dataset = report["dataset"]
    if dataset["rows"] and dataset.get("duplicates_share", 0) > T.DUPLICATES_SHARE:
        alerts.append(Alert(None, "duplicates",
            f"{dataset['duplicates']:,} duplicate rows ({_pct(dataset['duplicates_share'])})",
            "drop them with df.drop_duplicates() before splitting, or they leak between "
            "train and test", dataset["duplicates_share"]))  # fmt: skip
    for name, stats in report["columns"].items():
        alerts.extend(_column_alerts(name, stats, target))
    relations = report.get("relations") or {}
    for key, label, names_a, names_b in (
        ("pearson", "Pearson", relations.get("numeric"), relations.get("numeric")),
        ("spearman", "Spearman", relations.get("numeric"), relations.get("numeric")),
        ("cramers_v", "Cramér's V", relations.get("categorical"), relations.get("categorical")),
        ("eta", "η", relations.get("categorical"), relations.get("numeric")),
    ):
        matrix = relations.get(key)
        if matrix is None:
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
    alerts.sort(key=lambda a: _ORDER.index(a.kind))
    return alerts


def _seen(alerts: list[Alert], a: str, b: str) -> bool:
    return any(x.kind == "high_correlation" and set(x.columns) == {a, b} for x in alerts)
