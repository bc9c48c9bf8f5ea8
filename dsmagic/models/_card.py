"""Model cards: what a model is for, what it was trained on, and how well it does — as
self-contained HTML and as Markdown."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from dsmagic._display import RichDisplay
from dsmagic._files import write_atomic
from dsmagic._html import esc
from dsmagic.errors import DsmagicError
from dsmagic.models import _card_blocks, _card_data
from dsmagic.models._card_blocks import Block, Section


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "—"
    return _dt.datetime.fromtimestamp(timestamp).isoformat(sep=" ", timespec="seconds")


class ModelCard(RichDisplay):
    """A model card for a run or a registered version. ``to_html()``, ``to_markdown()``."""

    _display_kind = "model-card"

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

    # -- the card as one model, written as Markdown or HTML -------------------------------
    def sections(self) -> list[Section]:
        """What the card says, section by section (both writers read this)."""
        muted = lambda text: Block("muted", text=text)  # noqa: E731
        data = (
            Block("table", headers=["dataset", "version", "rows", "columns", "fingerprint"],
                  rows=[[d["dataset"], d["version"], d["rows"], d["columns"],
                         str(d["fingerprint"])[:12]] for d in self.datasets],
                  numeric=[1, 2, 3])
            if self.datasets else muted("No data versions recorded for this run.")
        )  # fmt: skip
        params = (
            Block("table", headers=["parameter", "value"],
                  rows=[[k, v] for k, v in sorted(self.run.params.items())])
            if self.run.params else muted("No parameters logged.")
        )  # fmt: skip
        metrics = (
            Block("table", headers=["metric", "value", "better", "previous best", "previous run",
                                    "change", "verdict"],
                  rows=self._comparison_rows(), numeric=[1, 3, 5],
                  highlight=[i for i, r in enumerate(self.comparison) if r["verdict"] == "worse"])
            if self.comparison else muted("No metrics logged.")
        )  # fmt: skip
        sections = [
            Section(
                None, [Block("table", headers=["", ""], rows=[list(f) for f in self._facts()])]
            ),
            Section("Intended use", [Block("text", text=self.intended_use or "Not stated.")]),
            Section("Data", [data]),
            Section("Parameters", [params]),
            Section("Metrics", [metrics]),
        ]
        if self.importance is not None:
            rows = [[k, float(v)] for k, v in self.importance.items()]
            sections.append(Section("Feature importance (mean |SHAP|)",
                                    [Block("bars", headers=["feature", "mean |SHAP|", ""],
                                           rows=rows)]))  # fmt: skip
        if self.groups:
            headers, rows = self._group_rows()
            sections.append(Section(f"Performance by {self.groups['column']}",
                                    [Block("table", headers=headers, rows=rows,
                                           numeric=list(range(1, len(headers))))]))  # fmt: skip
        limitations = self._limitations()
        block = (
            Block("list", items=limitations) if limitations else Block("text", text="None stated.")
        )
        sections.append(Section("Limitations", [block]))
        return sections

    def to_markdown(self, path: str | os.PathLike[str] | None = None) -> str:
        text = _card_blocks.to_markdown(self.title, self.sections())
        if path is not None:
            _write(path, text)
        return text

    def _display_html(self) -> str:
        return _card_blocks.to_html(self.title, self.sections())

    def _display_css(self) -> str:
        return _card_blocks.CSS

    def _display_text(self) -> str:
        return self.to_markdown()

    def _display_data(self) -> dict[str, Any]:
        return {"title": self.title, "run_id": self.run.id,
                "version": self.version.uri if self.version is not None else None,
                "sections": [asdict(section) for section in self.sections()]}  # fmt: skip

    def to_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """A complete, self-contained HTML page (no scripts, no external files)."""
        page = (
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            f"<title>Model card: {esc(self.title)}</title></head><body>{self._repr_html_()}"
            "</body></html>"
        )
        if path is not None:
            _write(path, page)
        return page

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
