"""What a drift comparison returns: one :class:`ColumnDrift` per column, gathered in a
:class:`DriftReport` with the dataset verdict."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dsmagic._display import RichDisplay
from dsmagic.data._drift_settings import CORRECTIONS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ColumnDrift", "DriftReport"]


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
