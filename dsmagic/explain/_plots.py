"""SHAP plots drawn on ``matplotlib.figure.Figure`` (no pyplot state, nothing shown twice)."""

from __future__ import annotations


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def summary(explanation, max_features: int):
    import numpy as np
    import pandas as pd

    order = list(explanation.importance().head(max_features).index)
    figure = _figure(7, 0.45 * len(order) + 1.2)
    axes = figure.subplots()
    rng = np.random.default_rng(0)
    scatter = None
    for rank, feature in enumerate(reversed(order)):
        column = explanation.feature_names.index(feature)
        values = explanation.values[:, column]
        raw = pd.to_numeric(explanation.data.iloc[:, column], errors="coerce").to_numpy(dtype=float)
        finite = np.isfinite(raw)
        colour = np.full(len(raw), 0.5)
        if finite.any() and np.ptp(raw[finite]) > 0:
            low, high = np.nanpercentile(raw[finite], [5, 95])
            span = high - low if high > low else 1.0
            colour[finite] = np.clip((raw[finite] - low) / span, 0, 1)
        jitter = rng.uniform(-0.3, 0.3, len(values))
        scatter = axes.scatter(
            values, rank + jitter, c=colour, cmap="coolwarm", s=8, vmin=0, vmax=1
        )
    axes.set_yticks(range(len(order)))
    axes.set_yticklabels(list(reversed(order)))
    axes.axvline(0, color="#999", linewidth=0.8)
    axes.set_xlabel("SHAP value (contribution to the output)")
    if scatter is not None:
        bar = figure.colorbar(scatter, ax=axes, ticks=[0, 1], pad=0.01)
        bar.ax.set_yticklabels(["low", "high"])
        bar.set_label("feature value")
    figure.tight_layout()
    return figure


def importance_bars(importance):
    figure = _figure(6, 0.35 * len(importance) + 1.0)
    axes = figure.subplots()
    axes.barh(
        list(reversed(importance.index)), list(reversed(importance.to_numpy())), color="#1e88e5"
    )
    axes.set_xlabel("mean |SHAP value|")
    figure.tight_layout()
    return figure


def dependence(explanation, feature: str):
    import pandas as pd

    column = explanation.feature_names.index(feature)
    figure = _figure(5.5, 3.6)
    axes = figure.subplots()
    raw = explanation.data.iloc[:, column]
    numeric = pd.to_numeric(raw, errors="coerce")
    x = numeric if numeric.notna().all() else raw.astype(str)
    axes.scatter(x, explanation.values[:, column], s=10, alpha=0.7, color="#1e88e5")
    axes.axhline(0, color="#999", linewidth=0.8)
    axes.set_xlabel(feature)
    axes.set_ylabel(f"SHAP value of {feature}")
    figure.tight_layout()
    return figure


def waterfall(row):
    figure = _figure(6.5, 0.35 * len(row.top()) + 1.2)
    axes = figure.subplots()
    top = row.top()
    labels = [f"{f} = {v}" for f, v in zip(top["feature"], top["value"])]
    colours = ["#e53935" if c > 0 else "#1e88e5" for c in top["contribution"]]
    axes.barh(
        list(reversed(labels)),
        list(reversed(top["contribution"].tolist())),
        color=list(reversed(colours)),
    )
    axes.axvline(0, color="#999", linewidth=0.8)
    axes.set_xlabel(f"contribution (base {row.base_value:.4g} → output {row.output:.4g})")
    figure.tight_layout()
    return figure
