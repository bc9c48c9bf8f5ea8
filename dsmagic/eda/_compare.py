"""Compare mode: two frames side by side, with drift per column from ``dsmagic.data``."""

from __future__ import annotations

import math
from typing import Any

from dsmagic._html import esc, format_value, table
from dsmagic.eda import _charts

_SIDE_BY_SIDE = [("missing_share", "missing"), ("distinct", "distinct"), ("mean", "mean"),
                 ("std", "std"), ("p50", "median"), ("min", "min"), ("max", "max")]  # fmt: skip
_SPREADS = (
    "std: the sample standard deviation (ddof=1, as pandas' Series.std). Drift effect size of "
    "a numeric column: the Wasserstein distance divided by the reference's population "
    "standard deviation (ddof=0, as Evidently's normed Wasserstein); its summary's 'sd' is "
    "that same ddof=0 spread. The two differ by a factor √(n/(n-1))."
)


def _cell(stats: dict[str, Any] | None, key: str) -> str:
    if stats is None:
        return "—"
    value = stats.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if key.endswith("_share"):
        return f"{value:.1%}"
    if stats.get("unit") and isinstance(value, float):
        return f"{format_value(value)} {stats['unit']}"
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
    parts.append(f'<div class="dsm-muted">{esc(_SPREADS)}</div>')
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
