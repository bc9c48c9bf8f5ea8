"""The report as HTML: one scoped block for the notebook, or a self-contained page.

Every text is escaped; charts are Vega-Lite specs drawn in the browser by the chart
bundle inlined once per block (no CDN); the only raw data embedded is the first few
rows. Chart blocks are made once per report and reused when the page is re-rendered
(the notebook view refreshes as sections finish).
"""

from __future__ import annotations

import math
from typing import Any

from dsmagic._html import esc, format_value, scoped, table
from dsmagic.eda import _charts
from dsmagic.eda import _thresholds as T

CSS = """
#SCOPE { max-width: 1200px; }
#SCOPE h2 { font-size: 18px; margin: 6px 0; }
#SCOPE h3 { font-size: 15px; margin: 14px 0 4px 0; border-bottom: 1px solid #ddd; }
#SCOPE .eda-col { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start;
  border-top: 1px solid var(--jp-border-color2, #eee); padding: 6px 0; }
#SCOPE .eda-col table.dsm-table { margin: 0; }
#SCOPE .eda-name { font-weight: 600; font-size: 14px; min-width: 140px; }
#SCOPE .eda-kind { background: #4c78a8; }
#SCOPE .eda-banner { background: #fff4e5; border-left: 4px solid #f58518; padding: 4px 8px;
  margin: 6px 0; }
#SCOPE .eda-pending { color: #1e88e5; }
#SCOPE .eda-figs { display: flex; flex-wrap: wrap; gap: 16px; }
#SCOPE svg { max-width: 100%; height: auto; }
#SCOPE .eda-grid { display: grid; grid-template-columns: repeat(2, minmax(0, max-content));
  gap: 0 16px; }
"""

_STAT_LABELS = [
    ("count", "count"), ("missing", "missing"), ("distinct", "distinct"), ("mean", "mean"),
    ("std", "std (ddof=1)"), ("min", "min"), ("p5", "5 %"), ("p25", "25 %"), ("p50", "median"),
    ("p75", "75 %"), ("p95", "95 %"), ("max", "max"), ("skewness", "skewness"),
    ("kurtosis", "kurtosis (excess)"), ("zeros", "zeros"), ("negatives", "negatives"),
    ("infinite", "infinite"), ("outliers", "outliers (Tukey)"), ("true", "true"),
    ("false", "false"), ("range", "range"), ("median_step", "median step"),
    ("largest_gap", "largest gap"), ("largest_gap_start", "largest gap after"),
    ("gaps", "gaps > 3x median step"), ("blank", "blank strings"), ("memory", "memory"),
]  # fmt: skip


def size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


# statistics measured in the column's unit (timedeltas: seconds)
_IN_UNIT = {"mean", "std", "min", "p5", "p25", "p50", "p75", "p95", "max", "range", "iqr"}


def _value(key: str, stats: dict[str, Any]) -> str | None:
    value = stats.get(key)
    if value is None:
        return None
    if stats.get("unit") and key in _IN_UNIT and isinstance(value, float):
        return None if math.isnan(value) else f"{format_value(value)} {stats['unit']}"
    if key == "memory":
        return size(value)
    if key in ("missing", "zeros", "infinite", "outliers", "distinct", "blank"):
        share_key = {"distinct": "distinct_share"}.get(key, f"{key}_share")
        share = stats.get(share_key)
        if value == 0 and key != "distinct":
            return "0"
        return f"{value:,} ({share:.1%})" if share is not None else f"{value:,}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float) and math.isnan(value):
        return None
    return format_value(value)


def _column_block(name: str, stats: dict[str, Any], figures: dict[str, str | None]) -> str:
    rows = []
    for key, label in _STAT_LABELS:
        shown = _value(key, stats)
        if shown is not None:
            rows.append((label, shown))
    length = stats.get("length")
    if length:
        rows.append(("length min / mean / max",
                     f"{length['min']} / {length['mean']:.1f} / {length['max']}"))  # fmt: skip
    parsed = stats.get("as_text")
    if parsed:
        rows.append(("parses as " + parsed["type"], f"{parsed['share']:.1%}"))
    half = (len(rows) + 1) // 2
    left = table(["statistic", "value"], rows[:half], numeric=[1])
    right = table(["statistic", "value"], rows[half:], numeric=[1]) if rows[half:] else ""
    if name not in figures:
        figures[name] = _safe(_charts.distribution, stats)
    figure = figures[name] or ""
    notes = "".join(f'<div class="dsm-muted">{esc(n)}</div>' for n in stats.get("notes", []))
    top = ""
    if stats.get("kind") in ("categorical", "text", "identifier") and stats.get("top"):
        top = table(["value", "rows"], [(str(v)[:60], c) for v, c in stats["top"][:5]],
                    numeric=[1])  # fmt: skip
    return (
        f'<div class="eda-col" id="col-{esc(name)}"><div><div class="eda-name">{esc(name)}</div>'
        f'<span class="dsm-badge eda-kind">{esc(stats.get("kind", "?"))}</span> '
        f'<span class="dsm-muted">{esc(stats.get("dtype", ""))}</span>{notes}</div>'
        f"{left}{right}{top}<div>{figure}</div></div>"
    )


def _safe(draw, *args):
    """A chart that fails to draw must not cost the whole report."""
    try:
        return draw(*args)
    except Exception as exc:  # the report says what it could not draw
        return (
            f'<div class="dsm-muted">chart not drawn: {esc(type(exc).__name__)}: {esc(exc)}</div>'
        )


def _header(report: dict[str, Any]) -> str:
    d = report.get("dataset", {})
    parts = [f"<h2>EDA: {esc(report.get('title') or 'frame')}</h2>"]
    if d:
        kinds: dict[str, int] = {}
        for stats in report["columns"].values():
            kinds[stats.get("kind", "?")] = kinds.get(stats.get("kind", "?"), 0) + 1
        kind_text = ", ".join(f"{v} {k}" for k, v in sorted(kinds.items()))
        elapsed = report.get("elapsed")
        timing = f" · computed in {elapsed:.2f} s" if elapsed is not None else ""
        memory = f"{size(d['memory'])} in memory" if d["memory"] is not None else ""
        parts.append(
            f'<div class="dsm-muted">{d["rows"]:,} rows \u00d7 {d["columns"]:,} columns · '
            f"{esc(memory)}{esc(timing)}"
            f"{' · ' + esc(kind_text) if kind_text else ''}</div>"
        )
    sample = report.get("sample")
    if sample:
        parts.append(
            f'<div class="eda-banner">Computed on {sample["rows"]:,} of {sample["of"]:,} rows '
            f"(a reproducible random sample; {esc(sample['reason'])}). Rows and memory are "
            "those of the whole frame.</div>"
        )
    for note in report.get("notes", []):
        parts.append(f'<div class="eda-banner">{esc(note)}</div>')
    pending = report.get("pending")
    if pending:
        parts.append(f'<div class="eda-pending">computing: {esc(", ".join(pending))}…</div>')
    return "".join(parts)


def _alerts(report: dict[str, Any]) -> str:
    alerts = report.get("alerts")
    if alerts is None:
        return ""
    rules = table(["alert", "raised when"], sorted(report["thresholds"].items()))
    if not alerts:
        body = '<div class="dsm-ok">no alerts</div>'
    else:
        body = table(
            ["alert", "column", "finding", "what to do"],
            [(a.kind, a.column or "(all rows)", a.message, a.recommendation) for a in alerts],
        )
    return (
        f"<h3>Alerts ({len(alerts)})</h3>{body}"
        f"<details><summary>thresholds</summary>{rules}</details>"
    )


def _overview(report: dict[str, Any], figures: dict[str, str | None]) -> str:
    d = report.get("dataset")
    if not d or d["missing"] is None:
        return ""
    missing = d["missing"]
    rows = [
        ("rows", f"{d['rows']:,}"),
        ("rows analysed", f"{d['rows_analysed']:,}"),
        ("columns", f"{d['columns']:,}"),
        ("memory", size(d["memory"])),
        ("duplicate rows", f"{d['duplicates']:,} ({d['duplicates_share']:.1%})"),
        ("missing cells", f"{missing['cells']:,} ({missing['share']:.1%})"),
        ("rows with a missing value", f"{missing['rows_with_missing']:,}"),
    ]
    parts = ["<h3>Dataset</h3>", table(["", ""], rows, numeric=[1])]
    if d["head"]:
        parts.append(
            f"<details><summary>first {len(d['head'])} rows</summary>"
            f"{table(d['head_columns'], d['head'])}</details>"
        )
    if missing["patterns"] and report["columns"]:
        with_missing = [(n, s["missing_share"]) for n, s in report["columns"].items()
                        if s["missing"]]  # fmt: skip
        if "__missing__" not in figures:
            names, shares = [n for n, _ in with_missing], [v for _, v in with_missing]
            figures["__missing__"] = _safe(_charts.bars, names, shares, "share missing", 1.0)
        patterns = table(
            ["columns missing together", "rows"],
            [(", ".join(p["columns"]) or "(none missing)", p["rows"]) for p in missing["patterns"]],
            numeric=[1],
        )
        parts.append(
            f"<h3>Missing values</h3><div class='eda-figs'><div>{figures['__missing__']}</div>"
            f"<div><div class='dsm-muted'>most common patterns "
            f"({missing['distinct_patterns']:,} in all)</div>{patterns}</div></div>"
        )
    return "".join(parts)


def _relations(report: dict[str, Any], figures: dict[str, str | None]) -> str:
    relations = report.get("relations")
    if not relations:
        return ""
    parts = []
    specs = [
        ("pearson", "Pearson", "numeric", "numeric", True),
        ("spearman", "Spearman", "numeric", "numeric", True),
        ("cramers_v", "Cramér's V", "categorical", "categorical", False),
        ("eta", "η (correlation ratio)", "categorical", "numeric", False),
    ]
    for key, title, rows_key, cols_key, signed in specs:
        if relations.get(key) is None:
            continue
        figure_key = f"__{key}__"
        if figure_key not in figures:
            figures[figure_key] = _safe(_charts.heatmap, relations[key], relations[rows_key],
                                        relations[cols_key], title, signed)  # fmt: skip
        rows = [
            [name, *(f"{v:.3f}" if v == v else "" for v in row)]
            for name, row in zip(relations[rows_key], relations[key])
        ]
        numbers = table(["", *relations[cols_key]], rows, numeric=range(1, len(rows[0])))
        parts.append(f"<div>{figures[figure_key]}<details><summary>values</summary>"
                     f"{numbers}</details></div>")  # fmt: skip
    notes = "".join(f'<div class="dsm-muted">{esc(n)}</div>' for n in relations.get("notes", []))
    body = f"<h3>Relations</h3>{notes}"
    if parts:
        body += f"<div class='eda-figs'>{''.join(parts)}</div>"
    elif not notes:
        body += '<div class="dsm-muted">fewer than two numeric or categorical columns</div>'
    target = relations.get("target")
    if target:
        body += _target(target, figures, report["columns"].get(target["column"], {}))
    return body


def _target(target: dict[str, Any], figures: dict[str, str | None], stats: dict) -> str:
    parts = [f"<h3>Target: {esc(target['column'])} ({esc(target['task'])})</h3>"]
    if target["task"] == "regression" and stats:
        if "__target__" not in figures:
            figures["__target__"] = _safe(_charts.distribution, stats)
        summary = table(["", ""], [(label, _value(key, stats) or "") for key, label in
                                   (("mean", "mean"), ("std", "std (ddof=1)"), ("p50", "median"),
                                    ("skewness", "skewness"))], numeric=[1])  # fmt: skip
        parts.append(f"<div class='eda-figs'><div>{figures['__target__'] or ''}</div>"
                     f"{summary}</div>")  # fmt: skip
    if target.get("classes"):
        classes = target["classes"]
        if "__classes__" not in figures:
            labels = [str(c["value"]) for c in classes[:20]]
            shares = [c["share"] for c in classes[:20]]
            figures["__classes__"] = _safe(_charts.bars, labels, shares, "share of rows", 1.0)
        parts.append(
            f"<div class='eda-figs'><div>{figures['__classes__']}</div>"
            + table(
                ["class", "rows", "share"],
                [(c["value"], c["count"], f"{c['share']:.1%}") for c in classes],
                numeric=[1, 2],
            )
            + "</div>"
        )
    ranked = [a for a in target["associations"] if a["score"] == a["score"]]
    if ranked:
        if "__association__" not in figures:
            top = ranked[:20]
            figures["__association__"] = _safe(_charts.bars, [a["column"] for a in top],
                                               [a["score"] for a in top],
                                               "association with the target", 1.0)  # fmt: skip
        parts.append(
            "<div class='eda-figs'>"
            + table(
                ["feature", "measure", "association"],
                [(a["column"], a["method"], a["score"]) for a in target["associations"]],
                numeric=[2],
            )
            + f"<div>{figures['__association__']}</div></div>"
        )
    return "".join(parts)


def _columns(report: dict[str, Any], figures: dict[str, str | None]) -> str:
    columns = report.get("columns") or {}
    if not columns:
        return ""
    blocks = [_column_block(name, stats, figures) for name, stats in columns.items()]
    return f"<h3>Columns ({len(columns)})</h3>{''.join(blocks)}"


def body(report: dict[str, Any], figures: dict[str, str | None], extra: str = "") -> str:
    return (
        _header(report)
        + _alerts(report)
        + _overview(report, figures)
        + extra
        + _relations(report, figures)
        + _columns(report, figures)
        + f'<div class="dsm-muted">alert thresholds: missing/zeros/duplicates '
        f"&gt; {T.MISSING_SHARE:.0%}, cardinality &gt; {T.HIGH_CARDINALITY}, |skew| &gt; "
        f"{T.SKEW:g}, |correlation| ≥ {T.CORRELATION:g}, Tukey {T.OUTLIER_IQR:g}·IQR "
        f"(or any value {T.FAR_OUT_IQR:g} IQRs beyond); "
        f"made by dsmagic</div>"
    )


def notebook(report: dict[str, Any], figures: dict[str, str | None], extra: str = "") -> str:
    """The unscoped body the notebook shows: the report and the chart library."""
    return body(report, figures, extra) + _charts.library()


def fragment(report: dict[str, Any], figures: dict[str, str | None], extra: str = "") -> str:
    return scoped(notebook(report, figures, extra), CSS)


def page(report: dict[str, Any], figures: dict[str, str | None], extra: str = "") -> str:
    title = esc(f"EDA: {report.get('title') or 'frame'}")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body>{fragment(report, figures, extra)}</body></html>\n"
    )
