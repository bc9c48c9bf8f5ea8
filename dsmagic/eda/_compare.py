"""Compare mode: two frames side by side, with drift per column from ``dsmagic.data``."""

from __future__ import annotations

import math
from typing import Any

from dsmagic._html import esc, format_value, table
from dsmagic.eda import _charts

_SIDE_BY_SIDE = [("missing_share", "missing"), ("distinct", "distinct"), ("mean", "mean"),
                 ("std", "std"), ("p50", "median"), ("min", "min"), ("max", "max")]  # fmt: skip


def _cell(stats: dict[str, Any] | None, key: str) -> str:
    if stats is None:
        return "—"
    value = stats.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if key.endswith("_share"):
        return f"{value:.1%}"
    return format_value(value)


def compare_html(report, other, drift, error: str | None, figures: dict[str, str | None]) -> str:
    from dsmagic.eda._render import _safe

    a, b = report.dataset, other.dataset
    parts = [
        "<h3>Compared with a second frame</h3>",
        table(
            ["", "reference", "compared"],
            [
                ("rows", f"{a['rows']:,}", f"{b['rows']:,}"),
                ("columns", a["columns"], b["columns"]),
                ("duplicate rows", f"{a['duplicates_share']:.1%}", f"{b['duplicates_share']:.1%}"),
                ("missing cells", f"{a['missing']['share']:.1%}", f"{b['missing']['share']:.1%}"),
                ("alerts", len(report.alerts), len(other.alerts)),
            ],
            numeric=[1, 2],
        ),
    ]
    verdicts: dict[str, Any] = {}
    if drift is not None:
        parts.append(f"<div><b>{esc(drift.verdict)}</b></div>")
        for row in drift.columns:
            verdicts[row.column] = row
    elif error:
        parts.append(f'<div class="dsm-warn">drift not computed: {esc(error)}</div>')
    names = list(report.columns) + [n for n in other.columns if n not in report.columns]
    headers = ["column", "kind"]
    for _, label in _SIDE_BY_SIDE:
        headers += [f"{label} (ref)", f"{label} (cmp)"]
    headers += ["drift test", "p-value", "effect size", "drifted"]
    rows, marked = [], []
    for index, name in enumerate(names):
        left, right = report.columns.get(name), other.columns.get(name)
        row = [name, (left or right or {}).get("kind", "")]
        for key, _ in _SIDE_BY_SIDE:
            row += [_cell(left, key), _cell(right, key)]
        verdict = verdicts.get(name)
        if verdict is None:
            row += ["", "", "", "only in one frame" if left is None or right is None else ""]
        else:
            row += [verdict.method, verdict.p_value_adjusted, verdict.effect_size,
                    "yes" if verdict.drifted else "no"]  # fmt: skip
            if verdict.drifted:
                marked.append(index)
        rows.append(row)
    parts.append(table(headers, rows, highlight=marked))
    overlays = []
    for name in names:
        left, right = report.columns.get(name), other.columns.get(name)
        if left is None or right is None:
            continue
        key = f"__compare__{name}"
        if key not in figures:
            figures[key] = _safe(_charts.distribution, left, right)
        if figures[key]:
            flag = " (drifted)" if verdicts.get(name) and verdicts[name].drifted else ""
            overlays.append(f"<div><div class='eda-name'>{esc(name)}{esc(flag)}</div>"
                            f"{figures[key]}</div>")  # fmt: skip
    summary = "distributions, reference (blue) vs compared (orange)"
    figs = "".join(overlays)
    parts.append(f"<details open><summary>{summary}</summary><div class='eda-figs'>{figs}</div>")
    parts.append("</details>")
    return "".join(parts)
