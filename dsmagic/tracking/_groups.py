"""Runs grouped by some of their keys: the runs of one configuration over several seeds.

``dm.search_runs(..., group_by=["params.model"])`` gives one row a group: the group's keys,
``runs`` (how many), ``run_ids``, then for each metric its mean, standard deviation (ddof=1,
the sample's), minimum and maximum, then ``varied``: the params that differ inside the group
(typically the seed), so the table says what was averaged over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dsmagic._display import RichDisplay
from dsmagic._html import esc, figure_svg
from dsmagic.errors import DsmagicError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RunGroups", "group_keys", "group_runs"]

STATISTICS = ("mean", "std", "min", "max")
_ATTRIBUTES = {"run_name", "experiment", "status", "parent_id"}
_NO_VALUE = "—"  # the group of runs that lack the key


def group_keys(group_by: str | list[str] | tuple[str, ...]) -> list[str]:
    """The frame columns to group on, checked: ``params.<key>``, ``tags.<key>`` or one of the
    run attributes ``run_name``, ``experiment``, ``status``, ``parent_id``."""
    keys = [group_by] if isinstance(group_by, str) else list(group_by)
    if not keys:
        raise DsmagicError("group_by names no key: give e.g. group_by=['params.model']")
    checked = []
    for key in keys:
        if not isinstance(key, str):
            raise DsmagicError(f"group_by takes field names such as 'params.model', not {key!r}")
        name = key.strip().removeprefix("attributes.")
        entity, dot, rest = name.partition(".")
        if entity in ("param", "parameter", "parameters"):
            entity = "params"
        elif entity == "tag":
            entity = "tags"
        if dot and entity in ("params", "tags") and rest:
            checked.append(f"{entity}.{rest}")
        elif name in _ATTRIBUTES:
            checked.append(name)
        else:
            raise DsmagicError(
                f"cannot group runs by {key!r}: use params.<key>, tags.<key>, or one of "
                f"{', '.join(sorted(_ATTRIBUTES))} (metrics are what a group aggregates)"
            )
    if len(set(checked)) != len(checked):
        raise DsmagicError(f"group_by names a key twice: {keys!r}")
    return checked


def group_runs(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per distinct combination of ``keys`` among the runs of ``frame`` (a search
    result), in the order of each group's first run; a run without a key is grouped with the
    others lacking it (the key's value is then missing)."""
    import numpy as np
    import pandas as pd

    if len(frame):
        for key in keys:
            if key not in frame.columns:
                raise DsmagicError(f"no run found has {key}: {_suggest(key, frame.columns)}")
    columns = {key: frame[key] if key in frame else pd.Series([None] * len(frame)) for key in keys}
    keyed = pd.DataFrame(columns, index=frame.index).astype(object)
    keyed = keyed.where(keyed.notna(), None)
    metrics = [c for c in frame.columns if c.startswith("metrics.")]
    params = [c for c in frame.columns if c.startswith("params.") and c not in keys]
    labels = keyed.apply(tuple, axis=1) if len(frame) else pd.Series([], dtype=object)
    order: dict[tuple, list[int]] = {}
    for position, label in enumerate(labels):
        order.setdefault(label, []).append(position)
    rows: list[dict[str, Any]] = []
    for label, positions in order.items():
        members = frame.iloc[positions]
        row: dict[str, Any] = dict(zip(keys, label))
        row["runs"] = len(positions)
        row["run_ids"] = list(members["run_id"])
        for metric in metrics:
            values = members[metric].to_numpy(dtype="float64")
            present = values[~np.isnan(values)]
            row[f"{metric} mean"] = float(present.mean()) if len(present) else np.nan
            row[f"{metric} std"] = float(present.std(ddof=1)) if len(present) > 1 else np.nan
            row[f"{metric} min"] = float(present.min()) if len(present) else np.nan
            row[f"{metric} max"] = float(present.max()) if len(present) else np.nan
        row["varied"] = ", ".join(p for p in params if _differs(members[p]))
        rows.append(row)
    names = [
        *keys,
        "runs",
        "run_ids",
        *(f"{metric} {stat}" for metric in metrics for stat in STATISTICS),
        "varied",
    ]
    return pd.DataFrame(rows, columns=names)


def _suggest(key: str, columns: Any) -> str:
    import difflib

    prefix = key.split(".", 1)[0] + "."
    known = [c for c in columns if c.startswith(prefix)] if "." in key else []
    # Compare the keys without their shared prefix, which would make every one look close.
    names = {c.removeprefix(prefix): c for c in known}
    close = [names[n] for n in difflib.get_close_matches(key.removeprefix(prefix), names, n=3)]
    if close:
        return f"did you mean {' or '.join(close)}?"
    if known:
        return f"the runs have {', '.join(known[:8])}{', ...' if len(known) > 8 else ''}"
    return f"the runs have no {prefix.rstrip('.')} at all"


def _differs(values: pd.Series) -> bool:
    texts = {None if _missing(v) else str(v) for v in values}
    return len(texts) > 1


def _missing(value: Any) -> bool:
    import pandas as pd

    return False if isinstance(value, str) else bool(pd.isna(value))


def _number(value: float) -> str:
    return "" if value != value else f"{value:.4g}"


class RunGroups(RichDisplay):
    """Grouped runs as a table: per metric ``mean ± std [min, max]``, and what varied."""

    _display_kind = "run-groups"

    def __init__(
        self,
        frame: pd.DataFrame,
        keys: list[str],
        filter: str | None = None,
        histories: dict[str, dict[str, list[tuple]]] | None = None,
    ) -> None:
        self.frame = frame
        self.keys = keys
        self.filter = filter
        # run id -> metric -> [(step, value, timestamp)], for the curves of plot()
        self.histories = histories or {}

    def curves(self, metric: str) -> dict[str, pd.DataFrame]:
        """Per group (its label), the metric's mean, std (ddof=1), min and max at each step
        over the group's runs that logged that step."""
        import pandas as pd

        key = metric.removeprefix("metrics.")
        found = {}
        for _, row in self.frame.iterrows():
            points = [
                (step, value)
                for run_id in row["run_ids"]
                for step, value, _ in self.histories.get(run_id, {}).get(key, [])
            ]
            if not points:
                continue
            steps = pd.DataFrame(points, columns=["step", "value"]).groupby("step")["value"]
            found[self._label(row)] = steps.agg(["mean", "std", "min", "max", "count"])
        return found

    def _label(self, row: Any) -> str:
        return ", ".join(_NO_VALUE if _missing(row[k]) else str(row[k]) for k in self.keys)

    def plot(self) -> Any:
        """One panel per metric with more than one step: each group's mean curve over its
        runs, with a band of ± one standard deviation (None when no metric has a curve)."""
        from dsmagic.tracking._panels import metric_panels

        metrics = [m for m in self._metrics if any(len(c) > 1 for c in self.curves(m).values())]
        if not metrics:
            return None
        figure, axes = metric_panels(len(metrics))
        for axis, metric in zip(axes, metrics):
            for label, curve in self.curves(metric).items():
                (line,) = axis.plot(curve.index, curve["mean"], label=label)
                spread = curve["std"].fillna(0.0)
                axis.fill_between(curve.index, curve["mean"] - spread, curve["mean"] + spread,
                                  color=line.get_color(), alpha=0.2, linewidth=0)  # fmt: skip
            axis.set_title(f"{metric} (mean ± std)")
        axes[0].legend(fontsize="small")
        figure.tight_layout()
        return figure

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def _metrics(self) -> list[str]:
        return [c.removesuffix(" mean") for c in self.frame.columns if c.endswith(" mean")]

    def _cells(self, row: Any) -> list[str]:
        cells = [_NO_VALUE if _missing(row[key]) else str(row[key]) for key in self.keys]
        cells.append(str(row["runs"]))
        for metric in self._metrics:
            mean, std = row[f"{metric} mean"], row[f"{metric} std"]
            low, high = row[f"{metric} min"], row[f"{metric} max"]
            if mean != mean:
                cells.append("")
            elif std != std:  # one run: nothing to spread
                cells.append(_number(mean))
            else:
                cells.append(f"{_number(mean)} ± {_number(std)} [{_number(low)}, {_number(high)}]")
        cells.append(row["varied"])
        return cells

    def _header(self) -> list[str]:
        return [*self.keys, "runs", *self._metrics, "varied"]

    def _title(self) -> str:
        runs = int(self.frame["runs"].sum()) if len(self.frame) else 0
        where = f" matching {self.filter}" if self.filter else ""
        return f"{len(self.frame)} group(s) of {runs} run(s){where} by {', '.join(self.keys)}"

    def _display_data(self) -> dict[str, Any]:
        records = self.frame.drop(columns=["run_ids"]).to_dict("records")
        for record, ids in zip(records, self.frame["run_ids"]):
            record["run_ids"] = list(ids)
        return {"filter": self.filter, "group_by": self.keys, "groups": records}

    def _display_text(self) -> str:
        if self.frame.empty:
            return "no runs match" + (f" {self.filter!r}" if self.filter else "")
        header = self._header()
        table = [header, *(self._cells(row) for _, row in self.frame.iterrows())]
        widths = [max(len(line[i]) for line in table) for i in range(len(header))]
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in table
        ]
        note = "metrics: mean ± std (ddof=1) [min, max] over the group's runs"
        return "\n".join([self._title(), *lines, note])

    def _display_html(self) -> str:
        if self.frame.empty:
            return f'<div class="dsm-muted">{esc("no runs match")}</div>'
        head = "".join(f"<th>{esc(name)}</th>" for name in self._header())
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in self._cells(row)) + "</tr>"
            for _, row in self.frame.iterrows()
        )
        figure = self.plot()
        curves = "" if figure is None else f'<div class="dsm-plot">{figure_svg(figure)}</div>'
        return (
            f'<div class="dsm-title">{esc(self._title())}</div>'
            f'<table class="dsm-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
            '<div class="dsm-muted">metrics: mean ± std (ddof=1) [min, max] over the group\'s '
            "runs; <code>.frame</code> has each statistic as a column</div>" + curves
        )
