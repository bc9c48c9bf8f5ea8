"""Charts as Vega-Lite specs, drawn in the browser by the Vega-Lite bundle that the
report inlines once (``dsmagic/static/eda-charts.js``, built from ``labextension/``).

Python only writes each chart's data (at most a few dozen points: bins, top values,
matrix cells) as JSON, so a report costs no drawing time however many columns it has.
Each chart also carries a one-line text form, shown wherever scripts do not run
(an untrusted notebook, a text-only viewer).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from dsmagic._html import esc

_BLUE = "#4c78a8"
_ORANGE = "#f58518"
_BUNDLE = Path(__file__).resolve().parent.parent / "static" / "eda-charts.js"
_CONFIG = {
    "view": {"stroke": None},
    "axis": {"labelFontSize": 9, "titleFontSize": 9, "titleFontWeight": "normal"},
    "legend": {"labelFontSize": 9, "titleFontSize": 9},
    "title": {"fontSize": 11},
}
_SIDES = {"field": "frame", "type": "nominal", "title": None,
          "scale": {"domain": ["reference", "compared"], "range": [_BLUE, _ORANGE]}}  # fmt: skip


@lru_cache(maxsize=1)
def _bundle() -> str | None:
    try:
        return _BUNDLE.read_text(encoding="utf-8")
    except OSError:
        return None


def library() -> str:
    """The chart library and the call that draws every chart on the page not drawn yet."""
    code = _bundle()
    if code is None:
        return (
            '<div class="dsm-warn">charts are shown as text: the chart bundle '
            f"{esc(_BUNDLE)} is missing (it is built by <code>pip install -e .</code>, "
            "which runs npm in labextension/)</div>"
        )
    # esbuild escapes "</script" inside the bundle, so it can sit in an inline tag
    draw = "window.dsmagicCharts&&window.dsmagicCharts.drawAll()"
    return f"<script>{code}</script><script>{draw}</script>"


def chart(spec: dict[str, Any], text: str) -> str:
    """A chart's block: its spec as inert JSON (escaped so no text can close the tag)
    and its text form."""
    spec = {**spec, "config": _CONFIG}
    data = json.dumps(spec, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        f'<div class="dsm-chart"><script type="application/json">{data}</script>'
        f'<div class="dsm-chart-text dsm-muted">{esc(text)}</div></div>'
    )


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


# -- distributions -------------------------------------------------------------------


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


_UNITS = {"s": "seconds"}  # a column's unit (timedeltas) as its axis title


def _histogram(stats, histogram, other) -> str:
    dates = stats.get("kind") == "datetime"
    sides = [("reference", histogram)] + ([("compared", other)] if other else [])
    rows = []
    for side, h in sides:
        counts = h["counts"]
        total = sum(counts) or 1
        for i, count in enumerate(counts):
            row: dict[str, Any] = {"frame": side, "rows": count}
            if other is not None:
                row["share"] = count / total
            if "edges" in h:
                row["from"], row["to"] = h["edges"][i], h["edges"][i + 1]
            else:
                row["value"] = h["values"][i]
            rows.append(row)
    height = "share" if other is not None else "rows"
    y: dict[str, Any] = {"field": height, "type": "quantitative", "title": height,
                         "axis": {"tickCount": 3}}  # fmt: skip
    if other is not None:
        y["axis"]["format"] = ".0%"
        y["stack"] = None  # the two frames overlap (translucent), not pile up
    if "edges" in histogram and (other is None or "edges" in other):
        kind = "temporal" if dates else "quantitative"
        encoding: dict[str, Any] = {
            "x": {"field": "from", "type": kind, "title": _UNITS.get(stats.get("unit")),
                  "scale": {"zero": False}, "bin": {"binned": True}},
            "x2": {"field": "to"},
            "y": y,
            "tooltip": [{"field": "from", "type": kind}, {"field": "to", "type": kind},
                        {"field": height, "type": "quantitative"}],
        }  # fmt: skip
        mark = {"type": "bar", "opacity": 0.85 if other is None else 0.55}
        first, last = histogram["edges"][0], histogram["edges"][-1]
        unit = f" {stats['unit']}" if stats.get("unit") else ""
        text = f"histogram: {len(histogram['counts'])} bins from {first}{unit} to {last}{unit}"
    else:
        encoding = {
            "x": {"field": "value", "type": "ordinal", "title": None, "axis": {"labelAngle": 0}},
            "y": y,
            "tooltip": [{"field": "value"}, {"field": height, "type": "quantitative"}],
        }
        if other is not None:
            encoding["xOffset"] = {"field": "frame"}
        mark = {"type": "bar"}
        pairs = ", ".join(f"{v:g}: {c:,}" for v, c in zip(histogram["values"], histogram["counts"]))
        text = f"values (rows): {pairs}" if "values" in histogram else "histogram"
    if other is not None:
        encoding["color"] = _SIDES
    else:
        mark["color"] = _BLUE
    spec = {"width": 260, "height": 80, "data": {"values": rows}, "mark": mark,
            "encoding": encoding}  # fmt: skip
    return chart(spec, text)


def _top_values(top, other) -> str:
    labels = [_short(v) for v, _ in top][:10]
    rows: list[dict[str, Any]] = []
    if other is None:
        rows = [{"value": label, "rows": c} for label, (_, c) in zip(labels, top)]
        x: dict[str, Any] = {"field": "rows", "type": "quantitative", "title": "rows"}
    else:
        lookup = {_short(v): c for v, c in other}
        total_a = sum(c for _, c in top) or 1
        total_b = sum(c for _, c in other) or 1
        for label, (_, count) in zip(labels, top):
            rows.append({"value": label, "frame": "reference", "share": count / total_a})
            rows.append({"value": label, "frame": "compared",
                         "share": lookup.get(label, 0) / total_b})  # fmt: skip
        x = {"field": "share", "type": "quantitative", "title": "share of top values",
             "axis": {"format": ".0%"}}  # fmt: skip
    encoding: dict[str, Any] = {
        "y": {"field": "value", "type": "nominal", "title": None, "sort": None},
        "x": x,
        "tooltip": [{"field": "value"}, {"field": x["field"], "type": "quantitative"}],
    }
    mark: dict[str, Any] = {"type": "bar"}
    if other is not None:
        encoding["yOffset"] = {"field": "frame"}
        encoding["color"] = _SIDES
    else:
        mark["color"] = _BLUE
    spec = {"width": 240, "height": {"step": 14}, "data": {"values": rows}, "mark": mark,
            "encoding": encoding}  # fmt: skip
    text = "most frequent (rows): " + ", ".join(f"{label}: {c:,}" for label, (_, c)
                                                in zip(labels[:5], top))  # fmt: skip
    return chart(spec, text)


# -- relations and summaries ---------------------------------------------------------------


def heatmap(matrix, rows: list[str], columns: list[str], title: str, signed: bool) -> str:
    row_labels = [_short(r, 18) for r in rows]
    column_labels = [_short(c, 18) for c in columns]
    cells = []
    for i, r in enumerate(row_labels):
        for j, c in enumerate(column_labels):
            cells.append({"row": r, "column": c, "value": _finite(float(matrix[i][j]))})
    size = max(len(rows), len(columns))
    step = 18 if size <= 15 else max(8, 270 // size)
    scale = ({"domain": [-1, 1], "scheme": "redblue", "reverse": True} if signed
             else {"domain": [0, 1], "scheme": "blues"})  # fmt: skip
    spec = {
        "title": title,
        "width": {"step": step},
        "height": {"step": step},
        "data": {"values": cells},
        "mark": "rect",
        "encoding": {
            "x": {"field": "column", "type": "nominal", "sort": column_labels, "title": None,
                  "axis": {"labelAngle": -60}},
            "y": {"field": "row", "type": "nominal", "sort": row_labels, "title": None},
            "color": {"field": "value", "type": "quantitative", "scale": scale, "title": None},
            "tooltip": [{"field": "row"}, {"field": "column"},
                        {"field": "value", "type": "quantitative", "format": ".3f"}],
        },
    }  # fmt: skip
    text = f"{title}: a {len(rows)} x {len(columns)} matrix (values in the table below)"
    return chart(spec, text)


def bars(labels: list[str], values: list[float], xlabel: str, limit: float | None = None) -> str:
    names = [_short(label, 24) for label in labels]
    rows = [{"name": n, "value": _finite(float(v)) or 0.0} for n, v in zip(names, values)]
    x: dict[str, Any] = {"field": "value", "type": "quantitative", "title": xlabel}
    if limit is not None:
        x["scale"] = {"domain": [0, limit]}
    spec = {
        "width": 240,
        "height": {"step": 14},
        "data": {"values": rows},
        "mark": {"type": "bar", "color": _BLUE},
        "encoding": {
            "y": {"field": "name", "type": "nominal", "sort": None, "title": None},
            "x": x,
            "tooltip": [{"field": "name"}, {"field": "value", "type": "quantitative",
                                            "format": ".3f"}],
        },
    }  # fmt: skip
    text = f"{xlabel}: " + ", ".join(f"{r['name']}: {r['value']:.3g}" for r in rows)
    return chart(spec, text)


def _short(value: Any, width: int = 22) -> str:
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"
