"""Text and HTML displays of drift reports, dataset versions and lineage."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from dsmagic._html import esc, format_value, table
from dsmagic.data._drift_settings import CORRECTIONS, PSI_BANDS

if TYPE_CHECKING:
    from dsmagic.data._drift_types import ColumnDrift, DriftReport

CSS = """
#SCOPE svg.dsm-overlay rect.ref { fill: #9e9e9e; }
#SCOPE svg.dsm-overlay rect.cur { fill: #1e88e5; fill-opacity: 0.75; }
#SCOPE .dsm-legend span { display: inline-block; width: 10px; height: 10px; margin: 0 3px 0 8px; }
#SCOPE tr.dsm-drift td { background: rgba(229, 57, 53, 0.08); }
#SCOPE pre.dsm-code { background: var(--jp-layout-color2, #f5f5f5); padding: 4px 6px;
  margin: 2px 0; white-space: pre-wrap; max-height: 16em; overflow: auto; }
#SCOPE ul.dsm-advice { margin: 4px 0 8px 18px; padding: 0; }
"""


def _num(value: float, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if value != 0 and abs(value) < 10 ** (-digits):
        return f"{value:.1e}"
    return f"{value:.{digits}g}" if abs(value) < 1e4 else f"{value:,.0f}"


def overlay_svg(row: ColumnDrift, width: int = 180, height: int = 44) -> str:
    """Reference (grey) and current (blue) shares per bin or category, side by side."""
    if not row.labels:
        return ""
    count = len(row.labels)
    top = max([*row.reference_shares, *row.current_shares, 1e-12])
    step = width / count
    bars = []
    for index, label in enumerate(row.labels):
        ref, cur = row.reference_shares[index], row.current_shares[index]
        tip = esc(f"{label}: reference {ref:.1%}, current {cur:.1%}")
        for offset, share, css in ((0.05, ref, "ref"), (0.5, cur, "cur")):
            h = max(share / top * (height - 2), 0.5 if share > 0 else 0)
            bars.append(
                f'<rect class="{css}" x="{index * step + offset * step:.1f}" '
                f'y="{height - h:.1f}" width="{step * 0.45:.1f}" height="{h:.1f}">'
                f"<title>{tip}</title></rect>"
            )
    return (
        f'<svg class="dsm-overlay" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{esc("distribution of " + row.column)}">{"".join(bars)}</svg>'
    )


def _badge(drifted: bool) -> str:
    return '<b class="dsm-bad">drift</b>' if drifted else '<span class="dsm-ok">stable</span>'


def drift_html(report: DriftReport) -> str:
    head = (
        f'<div class="dsm-title">Drift: {esc(report.reference_label)} '
        f"({report.reference_rows:,} rows) → {esc(report.current_label)} "
        f"({report.current_rows:,} rows)</div>"
        f'<div class="{"dsm-bad" if report.drifted else "dsm-ok"}"><b>{esc(report.verdict)}'
        "</b></div>"
        f'<div class="dsm-muted">method {esc(report.method)}; alpha = {report.alpha:g} with '
        f"{esc(CORRECTIONS[report.correction])} correction across columns; effect thresholds "
        f"{esc(', '.join(f'{k} {v:g}' for k, v in report.thresholds.items()))}; PSI bands "
        f"{PSI_BANDS[0]:g} / {PSI_BANDS[1]:g}</div>"
    )
    advice = "".join(f"<li>{esc(text)}</li>" for text in report.recommendations)
    rows = []
    ordered = sorted(report.columns, key=lambda c: (not c.drifted, c.kind == "skipped"))
    for c in ordered:
        psi_css = (
            "dsm-bad" if c.psi >= PSI_BANDS[1] else "dsm-warn" if c.psi >= PSI_BANDS[0] else ""
        )
        rows.append(
            f'<tr class="{"dsm-drift" if c.drifted else ""}">'
            f"<td>{esc(c.column)}</td><td>{_badge(c.drifted)}</td><td>{esc(c.method)}</td>"
            f'<td class="dsm-num">{_num(c.statistic)}</td>'
            f'<td class="dsm-num">{_num(c.p_value_adjusted, 2)}</td>'
            f'<td class="dsm-num">{_num(c.effect_size)}</td>'
            f'<td class="dsm-num {psi_css}">{_num(c.psi)}</td>'
            f"<td>{overlay_svg(c)}</td>"
            f'<td>{esc(c.summary)}<div class="dsm-muted">{esc(c.reason)}</div></td></tr>'
        )
    headers = "".join(
        f"<th>{esc(h)}</th>"
        for h in (
            "column",
            "verdict",
            "method",
            "statistic",
            "p (adjusted)",
            "effect",
            "PSI",
            "distribution",
            "change",
        )
    )
    legend = (
        '<div class="dsm-legend dsm-muted"><span style="background:#9e9e9e"></span>reference'
        '<span style="background:#1e88e5"></span>current</div>'
    )
    extra = ""
    if report.only_in_reference or report.only_in_current:
        only_ref = esc(", ".join(report.only_in_reference)) or "-"
        only_cur = esc(", ".join(report.only_in_current)) or "-"
        extra = (
            f'<div class="dsm-warn">only in reference: {only_ref}; '
            f"only in current: {only_cur}</div>"
        )
    body = (
        f'{head}<ul class="dsm-advice">{advice}</ul>{extra}{legend}'
        f'<table class="dsm-table"><thead><tr>{headers}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return body


def drift_text(report: DriftReport) -> str:
    lines = [
        f"Drift {report.reference_label} ({report.reference_rows:,} rows) → "
        f"{report.current_label} ({report.current_rows:,} rows)",
        report.verdict,
        f"alpha {report.alpha:g}, {CORRECTIONS[report.correction]} correction",
    ]
    width = max([len(str(c.column)) for c in report.columns] + [6])
    lines.append(
        f"{'column':<{width}}  verdict  {'method':<11} {'statistic':>9} {'p_adj':>8} "
        f"{'effect':>8}  change"
    )
    for c in report.columns:
        verdict = "DRIFT" if c.drifted else ("skip" if c.kind == "skipped" else "ok")
        lines.append(
            f"{c.column:<{width}}  {verdict:<7}  {c.method:<11} {_num(c.statistic):>9} "
            f"{_num(c.p_value_adjusted, 2):>8} {_num(c.effect_size):>8}  "
            f"{c.summary or c.reason}"
        )
    if report.only_in_reference:
        lines.append(f"only in reference: {', '.join(report.only_in_reference)}")
    if report.only_in_current:
        lines.append(f"only in current: {', '.join(report.only_in_current)}")
    lines += [f"- {text}" for text in report.recommendations]
    return "\n".join(lines)


# -- dataset versions ----------------------------------------------------------------------
def _when(timestamp: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"


def _column_rows(stats: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for column in stats.get("columns", []):
        if "mean" in column:
            detail = (
                f"mean {format_value(column['mean'])}, sd {format_value(column['std'])}, "
                f"min {format_value(column['min'])}, median {format_value(column['p50'])}, "
                f"max {format_value(column['max'])}"
            )
        elif column.get("top"):
            detail = ", ".join(f"{t['value']} ({t['count']:,})" for t in column["top"][:5])
        else:
            detail = ""
        rows.append(
            [
                column["name"],
                column["dtype"],
                f"{column['missing']:,}",
                f"{column.get('distinct', '')}",
                detail,
            ]
        )
    return rows


def version_text(version: Any) -> str:
    state = " (new)" if version.created else ""
    lines = [
        f"{version.ref}{state}: {version.rows:,} rows x {version.columns} columns, "
        f"fingerprint {version.fingerprint[:16]}, {_size(version.size)}",
    ]
    if version.parents:
        lines.append("made from " + ", ".join(version.parents))
    if version.run_id:
        lines.append(f"run {version.run_id[:8]}")
    return "\n".join(lines)


def version_html(version: Any) -> str:
    state = "new version" if version.created else "stored"
    head = (
        f'<div class="dsm-title">{esc(version.ref)} <span class="dsm-badge dsm-finished">'
        f"{esc(state)}</span></div>"
        f'<div class="dsm-muted">{version.rows:,} rows x {version.columns} columns · '
        f"fingerprint <code>{esc(version.fingerprint[:16])}</code> · {esc(_size(version.size))}"
        f" · {esc(_when(version.created_at))}"
        + (f" · run <code>{esc(version.run_id[:8])}</code>" if version.run_id else "")
        + "</div>"
    )
    if version.parents:
        head += f"<div>made from {esc(', '.join(version.parents))}</div>"
    body = head + table(
        ["column", "dtype", "missing", "distinct", "summary"], _column_rows(version.stats)
    )
    if version.source:
        body += (
            f'<details><summary>source cell</summary><pre class="dsm-code">'
            f"{esc(version.source)}</pre></details>"
        )
    return body


def lineage_text(graph: Any) -> str:
    lines = [f"lineage of {graph.root}"]
    if graph.upstream:
        lines.append("upstream:")
        lines += [f"  {e.child} ← {e.parent} ({e.kind})" for e in graph.upstream]
    else:
        lines.append("upstream: none (a source)")
    if graph.downstream:
        lines.append("downstream:")
        lines += [f"  {e.parent} → {e.child} ({e.kind})" for e in graph.downstream]
    else:
        lines.append("downstream: none")
    return "\n".join(lines)


def lineage_html(graph: Any) -> str:
    def edges(items, arrow):
        if not items:
            return '<div class="dsm-muted">none</div>'
        out = []
        for e in items:
            code = (
                f'<details><summary>transformation</summary><pre class="dsm-code">'
                f"{esc(e.transformation)}</pre></details>"
                if e.transformation
                else ""
            )
            left, right = (e.child, e.parent) if arrow == "←" else (e.parent, e.child)
            out.append(
                f"<li><code>{esc(left)}</code> {arrow} <code>{esc(right)}</code> "
                f'<span class="dsm-muted">({esc(e.kind)})</span>{code}</li>'
            )
        return f"<ul>{''.join(out)}</ul>"

    body = (
        f'<div class="dsm-title">Lineage of {esc(graph.root)}</div>'
        f"<div><b>upstream</b> (what it was made from)</div>{edges(graph.upstream, '←')}"
        f"<div><b>downstream</b> (what was made from it)</div>{edges(graph.downstream, '→')}"
    )
    return body
