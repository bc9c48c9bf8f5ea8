"""What the tracking API hands back: runs and experiments as plain objects."""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field
from typing import Any

from dsmagic._display import RichDisplay
from dsmagic._html import esc, table
from dsmagic.store._summaries import decode, split

__all__ = ["Run"]


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "—"
    return _dt.datetime.fromtimestamp(timestamp).isoformat(sep=" ", timespec="seconds")


@dataclass
class Run(RichDisplay):
    """A snapshot of a run as stored."""

    _display_kind = "run"

    id: str
    name: str
    experiment: str
    status: str
    start_time: float
    end_time: float | None
    parent_id: str | None = None
    notebook_path: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    artifacts: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Run:
        return cls(
            id=record["id"],
            name=record["name"],
            experiment=record["experiment"],
            status=record["status"],
            start_time=record["start_time"],
            end_time=record["end_time"],
            parent_id=record["parent_id"],
            notebook_path=record["notebook_path"],
            params=dict(record["params"]),
            metrics=dict(record["metrics"]),
            tags=dict(record["tags"]),
            artifacts=list(record["artifacts"]),
        )

    @classmethod
    def from_search(cls, row: Any, summary: str) -> Run:
        """From a search row (``SEARCH_COLUMNS``, artifacts left out) and the run's summary."""
        return cls.from_record({**row._mapping, **split(decode(summary)), "artifacts": []})

    @property
    def duration(self) -> float | None:
        return None if self.end_time is None else self.end_time - self.start_time

    def __repr__(self) -> str:
        return (
            f"<Run {self.name!r} id={self.id[:8]} status={self.status} "
            f"experiment={self.experiment!r} params={len(self.params)} "
            f"metrics={len(self.metrics)} artifacts={len(self.artifacts)}>"
        )

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self._display_text())

    def _display_data(self) -> dict[str, Any]:
        return asdict(self)

    def _display_text(self) -> str:
        lines = [
            f"Run {self.name!r} ({self.id}) — {self.status}",
            f"  experiment: {self.experiment}   started: {_when(self.start_time)}"
            f"   ended: {_when(self.end_time)}",
        ]
        if self.parent_id:
            lines.append(f"  parent: {self.parent_id}")
        for title, values in (
            ("params", self.params),
            ("metrics", self.metrics),
            ("tags", self.tags),
        ):
            if values:
                shown = ", ".join(
                    f"{k}={v!r}" if isinstance(v, str) else f"{k}={v:.6g}"
                    for k, v in sorted(values.items())
                )
                lines.append(f"  {title}: {shown}")
        if self.artifacts:
            lines.append("  artifacts: " + ", ".join(a["name"] for a in self.artifacts))
        return "\n".join(lines)

    def _display_html(self) -> str:
        badge = f'<span class="dsm-badge dsm-{esc(self.status)}">{esc(self.status)}</span>'
        header = (
            f'<div class="dsm-title">Run {esc(self.name)} {badge}</div>'
            f'<div class="dsm-muted">{esc(self.id)} · experiment {esc(self.experiment)} · '
            f"started {esc(_when(self.start_time))} · ended {esc(_when(self.end_time))}"
            + (f" · parent {esc(self.parent_id[:8])}" if self.parent_id else "")
            + "</div>"
        )
        parts = [header]
        if self.params:
            parts.append(table(["param", "value"], sorted(self.params.items())))
        if self.metrics:
            parts.append(table(["metric", "latest"], sorted(self.metrics.items()), numeric=[1]))
        if self.tags:
            parts.append(table(["tag", "value"], sorted(self.tags.items())))
        if self.artifacts:
            parts.append(
                table(
                    ["artifact", "bytes"],
                    [(a["name"], a["size"]) for a in self.artifacts],
                    numeric=[1],
                )
            )
        return "".join(parts)
