"""Plain-word advice from a drift report."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dsmagic.data._drift_types import DriftReport


def _names(columns: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")


def recommendations(report: DriftReport) -> list[str]:
    advice: list[str] = []
    drifted = [c for c in report.columns if c.drifted]
    schema = [c.column for c in drifted if c.kind == "schema"]
    missing = [
        c.column
        for c in drifted
        if abs(c.missing_current - c.missing_reference) >= report.thresholds.get("missing", 0.1)
        or c.method == "missing"
    ]
    moved = [c.column for c in drifted if c.column not in set(schema) | set(missing)]
    negligible = [
        c.column
        for c in report.columns
        if not c.drifted
        and c.p_value_adjusted == c.p_value_adjusted
        and c.p_value_adjusted < report.alpha
    ]
    if report.only_in_reference or report.only_in_current:
        advice.append(
            "The columns differ: "
            + (f"missing now {_names(report.only_in_reference)}. " if report.only_in_reference
               else "")
            + (f"new {_names(report.only_in_current)}. " if report.only_in_current else "")
            + "Check the schema of the pipeline that produces the current data."
        )  # fmt: skip
    if schema:
        advice.append(
            f"{_names(schema)} changed type: fix the upstream parsing before comparing values."
        )
    if missing:
        advice.append(
            f"The share of missing values changed in {_names(missing)}: check the source "
            "or the join that fills them."
        )
    if report.drifted:
        advice.append(
            f"Most of the data changed ({report.drift_share:.0%} of the columns): check that the "
            "current data comes from the same population and pipeline; a model trained on the "
            "reference probably needs retraining or at least re-validation."
        )
    elif moved:
        advice.append(
            f"{_names(moved)} shifted while the rest is stable: look at what changed for "
            "these features (source, units, population); check the model's performance on "
            "the affected segments before retraining."
        )
    if negligible:
        advice.append(
            f"{_names(negligible)} differ significantly but by less than the effect threshold: "
            "with this many rows tiny changes are detectable; they are not counted as drift."
        )
    if not drifted and not advice:
        advice.append("No column changed beyond its threshold: nothing to do.")
    return advice
