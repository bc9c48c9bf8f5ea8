"""One prediction explained: contributions that add up from the base value to the output."""

from __future__ import annotations

from typing import Any

from dsmagic._display import RichDisplay
from dsmagic._html import esc, figure_svg, format_value, table

TOP = 10


class RowExplanation(RichDisplay):
    _display_kind = "row-explanation"

    def __init__(self, features, values, data, base_value, label) -> None:
        self.features = list(features)
        self.values = values
        self.data = data
        self.base_value = float(base_value)
        # An index label as the user wrote it: 512, not np.int64(512).
        self.label = label.item() if hasattr(label, "item") else label

    @property
    def output(self) -> float:
        return self.base_value + float(self.values.sum())

    def contributions(self):
        """Every feature's value and contribution, largest |contribution| first."""
        import pandas as pd

        frame = pd.DataFrame(
            {
                "feature": self.features,
                "value": list(self.data.to_numpy()),
                "contribution": self.values.astype(float),
            }
        )
        order = frame["contribution"].abs().sort_values(ascending=False).index
        return frame.loc[order].reset_index(drop=True)

    def top(self, n: int = TOP):
        return self.contributions().head(n)

    def plot(self):
        from dsmagic.explain._plots import waterfall

        return waterfall(self)

    def _display_text(self) -> str:
        lines = [f"row {self.label!r}: base {self.base_value:.4g} → output {self.output:.4g}"]
        for item in self.top().itertuples(index=False):
            lines.append(f"  {item.feature} = {format_value(item.value)}: {item.contribution:+.4g}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self._display_text()

    def _display_data(self) -> dict[str, Any]:
        return {"row": self.label, "base_value": self.base_value, "output": self.output,
                "contributions": self.top().to_dict(orient="records")}  # fmt: skip

    def _display_css(self) -> str:
        return "#SCOPE .dsm-plot svg { max-width: 640px; height: auto; }"

    def _display_html(self) -> str:
        rows = [(i.feature, i.value, i.contribution) for i in self.top().itertuples(index=False)]
        return (
            f'<div class="dsm-title">Row {esc(self.label)}: '
            f"base {esc(format_value(self.base_value))}"
            f" → output {esc(format_value(self.output))}</div>"
            + table(["feature", "value", "contribution"], rows, numeric=[2])
            + f'<div class="dsm-plot">{figure_svg(self.plot())}</div>'
        )
