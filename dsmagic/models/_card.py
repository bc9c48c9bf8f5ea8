"""Model cards: what a model is for, what it was trained on, and how well it does — as
self-contained HTML and as Markdown."""

from __future__ import annotations

import datetime as _dt
import os
import re
from pathlib import Path
from typing import Any

from dsmagic._files import write_atomic
from dsmagic._html import esc, format_value, scoped, table
from dsmagic.errors import DsmagicError
from dsmagic.models import _card_data


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "—"
    return _dt.datetime.fromtimestamp(timestamp).isoformat(sep=" ", timespec="seconds")


def _md(value: Any) -> str:
    """A Markdown table cell or inline text: no pipes, newlines or markup from users."""
    text = format_value(value) if value is not None else "—"
    text = re.sub(r"[\r\n]+", " ", text)
    return re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)


def _md_table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(_md(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


class ModelCard:
    """A model card for a run or a registered version. ``to_html()``, ``to_markdown()``."""

    def __init__(
        self,
        run,
        version,
        *,
        intended_use,
        limitations,
        comparison,
        importance,
        groups,
        datasets,
        title,
        notes=(),
    ) -> None:
        self.run = run
        self.version = version
        self.intended_use = intended_use
        self.limitations = limitations
        self.comparison = comparison
        self.importance = importance
        self.groups = groups
        self.datasets = datasets
        self.title = title
        self.notes = list(notes)

    # -- sections as plain data ----------------------------------------------------------
    def _facts(self) -> list[tuple[str, str]]:
        facts = []
        if self.version is not None:
            aliases = f" ({', '.join(self.version.aliases)})" if self.version.aliases else ""
            facts += [
                ("registered model", f"{self.version.uri}{aliases}"),
                ("model class", self.version.model_class),
            ]
            try:
                requirements = self.version.manifest().get("requirements", [])
            except DsmagicError:
                requirements = []
            if requirements:
                facts.append(("requirements", ", ".join(requirements)))
        facts += [
            ("run", f"{self.run.name} ({self.run.id})"),
            ("experiment", self.run.experiment),
            ("status", self.run.status),
            ("trained", _when(self.run.start_time)),
        ]
        return facts

    def _limitations(self) -> list[str]:
        items = [self.limitations] if self.limitations else []
        items += self.notes
        if self.groups:
            items += self.groups["warnings"]
        if not self.datasets:
            items.append(
                "no data versions are recorded for this run: its training data is not "
                "traceable (track data with dsmagic.data while the run is active)"
            )
        return items

    def _comparison_rows(self):
        return [
            [
                r["metric"],
                r["value"],
                r["better"],
                r["previous_best"],
                r["previous_run"],
                r["change"],
                r["verdict"],
            ]
            for r in self.comparison
        ]

    def _group_rows(self):
        keys = [k for k in self.groups["rows"][0] if k not in ("group", "rows")]
        rows = [[r["group"], r["rows"], *[r[k] for k in keys]] for r in self.groups["rows"]]
        rows.append(
            [
                "(all)",
                sum(r["rows"] for r in self.groups["rows"]),
                *[self.groups["overall"][k] for k in keys],
            ]
        )
        return ["group", "rows", *keys], rows

    # -- Markdown ------------------------------------------------------------------------
    def to_markdown(self, path: str | os.PathLike[str] | None = None) -> str:
        parts = [f"# Model card: {_md(self.title)}", ""]
        parts += [_md_table(["", ""], [list(f) for f in self._facts()]), ""]
        parts += ["## Intended use", "", _md(self.intended_use or "Not stated."), ""]
        parts += ["## Data", ""]
        if self.datasets:
            parts.append(
                _md_table(
                    ["dataset", "version", "rows", "columns", "fingerprint"],
                    [
                        [
                            d["dataset"],
                            d["version"],
                            d["rows"],
                            d["columns"],
                            str(d["fingerprint"])[:12],
                        ]
                        for d in self.datasets
                    ],
                )
            )
        else:
            parts.append("No data versions recorded for this run.")
        parts += ["", "## Parameters", ""]
        parts.append(
            _md_table(["parameter", "value"], [[k, v] for k, v in sorted(self.run.params.items())])
            if self.run.params
            else "No parameters logged."
        )
        parts += ["", "## Metrics", ""]
        parts.append(
            _md_table(
                ["metric", "value", "better", "previous best", "previous run", "change", "verdict"],
                self._comparison_rows(),
            )
            if self.comparison
            else "No metrics logged."
        )
        if self.importance is not None:
            parts += ["", "## Feature importance (mean |SHAP|)", ""]
            parts.append(
                _md_table(
                    ["feature", "mean abs SHAP"],
                    [[k, float(v)] for k, v in self.importance.items()],
                )
            )
        if self.groups:
            headers, rows = self._group_rows()
            parts += ["", f"## Performance by {_md(self.groups['column'])}", ""]
            parts.append(_md_table(headers, rows))
        parts += ["", "## Limitations", ""]
        parts += [f"- {_md(item)}" for item in self._limitations()] or ["None stated."]
        text = "\n".join(parts).rstrip() + "\n"
        if path is not None:
            _write(path, text)
        return text

    # -- HTML ----------------------------------------------------------------------------
    def _body(self) -> str:
        parts = [
            f'<div class="dsm-title dsm-card-title">Model card: {esc(self.title)}</div>',
            table(["", ""], self._facts()),
        ]
        parts.append(f"<h3>Intended use</h3><p>{esc(self.intended_use or 'Not stated.')}</p>")
        parts.append("<h3>Data</h3>")
        if self.datasets:
            parts.append(
                table(
                    ["dataset", "version", "rows", "columns", "fingerprint"],
                    [
                        (
                            d["dataset"],
                            d["version"],
                            d["rows"],
                            d["columns"],
                            str(d["fingerprint"])[:12],
                        )
                        for d in self.datasets
                    ],
                    numeric=[1, 2, 3],
                )
            )
        else:
            parts.append('<p class="dsm-muted">No data versions recorded for this run.</p>')
        parts.append("<h3>Parameters</h3>")
        parts.append(
            table(["parameter", "value"], sorted(self.run.params.items()))
            if self.run.params
            else '<p class="dsm-muted">No parameters logged.</p>'
        )
        parts.append("<h3>Metrics</h3>")
        if self.comparison:
            worse = [i for i, r in enumerate(self.comparison) if r["verdict"] == "worse"]
            parts.append(
                table(
                    [
                        "metric",
                        "value",
                        "better",
                        "previous best",
                        "previous run",
                        "change",
                        "verdict",
                    ],
                    self._comparison_rows(),
                    highlight=worse,
                    numeric=[1, 3, 5],
                )
            )
        else:
            parts.append('<p class="dsm-muted">No metrics logged.</p>')
        if self.importance is not None:
            parts.append("<h3>Feature importance (mean |SHAP|)</h3>")
            peak = float(self.importance.max()) or 1.0
            bars = "".join(
                f'<tr><td>{esc(k)}</td><td class="dsm-num">{esc(format_value(float(v)))}</td>'
                f'<td><div class="dsm-bar" style="width:{max(1, int(200 * float(v) / peak))}px">'
                "</div></td></tr>"
                for k, v in self.importance.items()
            )
            parts.append(
                f'<table class="dsm-table"><thead><tr><th>feature</th><th>mean |SHAP|</th>'
                f"<th></th></tr></thead><tbody>{bars}</tbody></table>"
            )
        if self.groups:
            headers, rows = self._group_rows()
            parts.append(f"<h3>Performance by {esc(self.groups['column'])}</h3>")
            parts.append(table(headers, rows, numeric=list(range(1, len(headers)))))
        items = "".join(f"<li>{esc(item)}</li>" for item in self._limitations())
        parts.append(f"<h3>Limitations</h3><ul>{items or '<li>None stated.</li>'}</ul>")
        css = (
            "#SCOPE h3 { font-size: 13px; margin: 12px 0 4px 0; } "
            "#SCOPE .dsm-bar { height: 10px; background: #1e88e5; } "
            "#SCOPE .dsm-card-title { font-size: 16px; }"
        )
        return scoped("".join(parts), css)

    def to_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """A complete, self-contained HTML page (no scripts, no external files)."""
        page = (
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            f"<title>Model card: {esc(self.title)}</title></head><body>{self._body()}</body></html>"
        )
        if path is not None:
            _write(path, page)
        return page

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {"text/plain": self.to_markdown(), "text/html": self._body()}

    def __repr__(self) -> str:
        return f"<ModelCard {self.title!r} run={self.run.id[:8]}>"


def _write(path: str | os.PathLike[str], text: str) -> None:
    target = Path(path)
    if target.is_dir():
        raise DsmagicError(f"{str(path)!r} is a folder: give a file name such as card.html")
    write_atomic(target, text)


def model_card(
    subject: Any,
    *,
    intended_use: str = "",
    limitations: str = "",
    model: Any = None,
    X: Any = None,
    y: Any = None,
    sensitive: Any = None,
    explanation: Any = None,
    title: str | None = None,
) -> ModelCard:
    """A model card for a run (or run id) or a registered version (``"churn@3"``).

    Metrics are compared with the best earlier run of the experiment. Give ``model``,
    ``X`` and ``y`` with ``sensitive`` (a column of X, or values per row) for performance
    by group; SHAP importance comes from ``explanation``, from ``model`` on ``X``, or
    from the run's logged ``shap/`` artifact.
    """
    from dsmagic.models._lineage import run_datasets

    for text, what in ((intended_use, "intended_use"), (limitations, "limitations")):
        if not isinstance(text, str):
            raise DsmagicError(f"{what} must be text, got {type(text).__name__}")
    run, version = _card_data.resolve_subject(subject)
    if model is None and version is not None and X is not None:
        model = version.load()
    groups = None
    if sensitive is not None:
        groups = _card_data.performance_by_group(model, X, y, sensitive)
    notes = []
    features = _card_data.model_features(model, X, sensitive)
    try:
        importance = _card_data.shap_importance(run, model, features, explanation)
    except DsmagicError as exc:
        importance = None
        notes.append(f"SHAP importance could not be computed: {exc}")
    default_title = version.uri if version is not None else run.name
    return ModelCard(
        run,
        version,
        intended_use=intended_use,
        limitations=limitations,
        comparison=_card_data.metric_comparison(run),
        importance=importance,
        groups=groups,
        datasets=run_datasets(run.id),
        title=title or default_title,
        notes=notes,
    )
