"""Charts as inline SVG, drawn with ``matplotlib.figure.Figure`` (never pyplot, so no
global backend or figure state changes), with text kept as text to stay small."""

from __future__ import annotations

import io
import threading
from typing import Any

_BLUE = "#4c78a8"
_ORANGE = "#f58518"
_RC = {
    "svg.fonttype": "none",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9,
}


def _figure(width: float, height: float, left: float = 0.5, bottom: float = 0.4,
            right: float = 0.1, top: float = 0.1):  # fmt: skip
    """A figure with fixed margins in inches (a layout engine would triple the time)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height))
    figure.subplots_adjust(left=left / width, bottom=bottom / height,
                           right=1 - right / width, top=1 - top / height)  # fmt: skip
    return figure


def _label_inches(labels, size: float = 7) -> float:
    """Room for the longest tick label (about 0.6 em a character)."""
    longest = max((len(str(label)) for label in labels), default=1)
    return 0.15 + longest * size * 0.6 / 72


def _svg(figure) -> str:
    """Called inside ``_styled`` (one rc context per chart: entering one deep-copies rcParams)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    return svg[svg.find("<svg") :]


def _styled(draw):
    """Run ``draw`` inside the rc context too, so fonts and spines follow it."""
    import matplotlib

    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(_RC):
            return draw(*args, **kwargs)

    return wrapper


@_styled
def distribution(stats: dict[str, Any], other: dict[str, Any] | None = None) -> str | None:
    """Histogram (numbers, dates) or most frequent values (everything else)."""
    if stats.get("kind") == "identifier" and other is None:
        return None  # the distribution of row ids says nothing
    histogram = stats.get("histogram")
    if histogram:
        return _histogram(stats, histogram, other.get("histogram") if other else None)
    if stats.get("top"):
        return _top_values(stats["top"], other.get("top") if other else None)
    return None


def _few_ticks(axes, x: int = 5, y: int = 4) -> None:
    """Few ticks: each tick is a handful of artists, the bulk of a small chart's cost."""
    axes.yaxis.set_major_locator(_locator(y))
    if x:
        axes.xaxis.set_major_locator(_locator(x))


def _locator(n: int):
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(n)


_local = threading.local()


def _histogram_template():
    """One figure per thread re-used for every plain histogram: only the bars and the
    limits change, which halves the drawing time of a report with many columns."""
    template = getattr(_local, "histogram", None)
    if template is None:
        figure = _figure(3.4, 1.5, left=0.15, bottom=0.35)
        axes = figure.add_subplot()
        patch = axes.stairs([1.0], [0.0, 1.0], fill=True, color=_BLUE, alpha=0.85)
        axes.yaxis.set_visible(False)
        axes.spines["left"].set_visible(False)
        axes.xaxis.set_major_locator(_locator(5))
        axes.tick_params(labelsize=7)
        template = _local.histogram = (figure, axes, patch)
    return template


def _histogram(stats, histogram, other) -> str:
    import numpy as np
    import pandas as pd

    if other is None and stats.get("kind") != "datetime":
        figure, axes, patch = _histogram_template()
        counts = np.asarray(histogram["counts"], dtype=float)
        if "edges" in histogram:
            edges = np.asarray(histogram["edges"], dtype=float)
        else:
            # one narrow bar per distinct value: steps of zero height between them
            values = np.asarray(histogram["values"], dtype=float)
            half = 0.4 * (np.min(np.diff(values)) if len(values) > 1 else 1.0)
            edges = np.column_stack([values - half, values + half]).ravel()
            counts = np.column_stack([counts, np.zeros(len(counts))]).ravel()[:-1]
        patch.set_data(counts, edges)
        margin = (edges[-1] - edges[0]) * 0.02
        axes.set_xlim(edges[0] - margin, edges[-1] + margin)
        axes.set_ylim(0, max(counts.max(), 1.0) * 1.05)
        return _svg(figure)

    dates = stats.get("kind") == "datetime"
    figure = _figure(3.4, 1.5, left=0.15, bottom=0.75 if dates else 0.35)
    axes = figure.add_subplot()

    def draw(h, color, alpha, label):
        counts = np.asarray(h["counts"], dtype=float)
        total = counts.sum() or 1.0
        shares = counts / total if other is not None else counts
        if "values" in h:
            values = np.asarray(h["values"], dtype=float)
            width = np.min(np.diff(values)) * 0.8 if len(values) > 1 else 0.8
            axes.bar(values, shares, width=width, color=color, alpha=alpha, label=label)
        else:
            edges = h["edges"]
            if dates:
                edges = pd.to_datetime(pd.Series(edges), format="ISO8601", utc=True)
                edges = edges.dt.tz_localize(None).to_numpy()
            axes.stairs(shares, edges, fill=True, color=color, alpha=alpha, label=label)

    draw(histogram, _BLUE, 0.85 if other is None else 0.55, "reference")
    if other is not None:
        draw(other, _ORANGE, 0.55, "compared")
        axes.legend(fontsize=7, frameon=False)
    # the height scale is in the statistics table; no y axis halves the drawing time
    axes.yaxis.set_visible(False)
    axes.spines["left"].set_visible(False)
    _few_ticks(axes, x=0 if dates else 5)
    if dates:
        axes.tick_params(axis="x", labelrotation=30)
        for label in axes.get_xticklabels():
            label.set_horizontalalignment("right")
    axes.tick_params(labelsize=7)
    return _svg(figure)


def _top_values(top, other) -> str:
    import numpy as np

    labels = [_short(v) for v, _ in top][:10][::-1]
    counts = np.asarray([c for _, c in top][:10][::-1], dtype=float)
    figure = _figure(3.4 + _label_inches(labels), 0.55 + 0.16 * len(labels),
                     left=_label_inches(labels), bottom=0.4)  # fmt: skip
    axes = figure.add_subplot()
    positions = np.arange(len(labels))
    if other is None:
        axes.barh(positions, counts, color=_BLUE)
        axes.set_xlabel("rows")
    else:
        lookup = {_short(v): c for v, c in other}
        other_counts = np.asarray([lookup.get(label, 0) for label in labels], dtype=float)
        total_a = sum(c for _, c in top) or 1
        total_b = sum(c for _, c in other) or 1
        axes.barh(positions + 0.2, counts / total_a, height=0.4, color=_BLUE, label="reference")
        axes.barh(positions - 0.2, other_counts / total_b, height=0.4, color=_ORANGE,
                  label="compared")  # fmt: skip
        axes.set_xlabel("share of top values")
        axes.legend(fontsize=7, frameon=False)
    axes.set_yticks(positions, labels)
    axes.xaxis.set_major_locator(_locator(4))
    axes.tick_params(labelsize=7)
    return _svg(figure)


@_styled
def heatmap(matrix, rows: list[str], columns: list[str], title: str, signed: bool) -> str:
    import numpy as np

    values = np.asarray(matrix, dtype=float)
    size = max(len(rows), len(columns))
    cell = 0.32 if size <= 15 else max(0.12, 4.8 / size)
    labels_size = 7 if size <= 25 else 5
    left = _label_inches([_short(r, 18) for r in rows], labels_size)
    bottom = 0.2 + 0.75 * (_label_inches([_short(c, 18) for c in columns], labels_size) - 0.15)
    width = left + cell * len(columns) + 1.0
    height = bottom + cell * len(rows) + 0.3
    figure = _figure(width, height, left=left, bottom=bottom, right=1.0, top=0.3)
    axes = figure.add_subplot()
    image = axes.imshow(
        values,
        cmap="RdBu_r" if signed else "Blues",
        vmin=-1 if signed else 0,
        vmax=1,
        aspect="auto",
        interpolation="nearest",
    )
    axes.set_xticks(range(len(columns)), [_short(c, 18) for c in columns], rotation=60,
                    ha="right", fontsize=labels_size)  # fmt: skip
    axes.set_yticks(range(len(rows)), [_short(r, 18) for r in rows], fontsize=labels_size)
    axes.set_title(title)
    axes.spines[:].set_visible(False)
    # exact values are in a table under the chart: text artists cost more than the map
    bar_axes = figure.add_axes((1 - 0.8 / width, bottom / height, 0.12 / width,
                                cell * len(rows) / height))  # fmt: skip
    figure.colorbar(image, cax=bar_axes)
    bar_axes.tick_params(labelsize=6)
    return _svg(figure)


@_styled
def bars(labels: list[str], values: list[float], xlabel: str, limit: float | None = None) -> str:
    import numpy as np

    labels = [_short(label, 24) for label in labels][::-1]
    values = np.nan_to_num(np.asarray(values, dtype=float)[::-1])
    left = _label_inches(labels)
    figure = _figure(3.2 + left, 0.55 + 0.16 * len(labels), left=left, bottom=0.4)
    axes = figure.add_subplot()
    axes.barh(np.arange(len(labels)), values, color=_BLUE)
    axes.set_yticks(np.arange(len(labels)), labels)
    axes.set_xlabel(xlabel)
    axes.xaxis.set_major_locator(_locator(5))
    if limit is not None:
        axes.set_xlim(0, limit)
    axes.tick_params(labelsize=7)
    return _svg(figure)


def _short(value: Any, width: int = 22) -> str:
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"
