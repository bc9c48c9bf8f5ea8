"""The mixin and the JSON clean-up of its payloads."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

from dsmagic._html import scoped

__all__ = ["KINDS", "RichDisplay", "jsonable", "mime_type"]

# Every kind of rich output; the Lab renderer registers the same list (lab/src/mime/kinds.ts).
KINDS = (
    "comparison",
    "data-lineage",
    "data-version",
    "drift-report",
    "eda-report",
    "explanation",
    "model-card",
    "model-version",
    "pipeline",
    "pipeline-diff",
    "pipeline-run",
    "row-explanation",
    "run",
    "run-groups",
    "run-table",
    "tuning-result",
)


def mime_type(kind: str) -> str:
    """``application/vnd.dsmagic.<kind>.v1+json``."""
    if kind not in KINDS:
        raise ValueError(f"unknown display kind {kind!r}: add it to dsmagic._display.KINDS")
    return f"application/vnd.dsmagic.{kind}.v1+json"


def jsonable(value: Any) -> Any:
    """``value`` as JSON types: non-finite floats as the strings ``"NaN"``, ``"Infinity"``
    and ``"-Infinity"`` (JSON has no such numbers), numpy scalars as Python ones, dates as
    ISO 8601, anything else as its text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return jsonable(value.item())
    if hasattr(value, "tolist"):  # numpy arrays
        return jsonable(value.tolist())
    return str(value)


class RichDisplay:
    """Gives a class its notebook display from three parts.

    Subclasses set ``_display_kind`` (one of :data:`KINDS`) and implement
    ``_display_data()`` (JSON-able data), ``_display_html()`` (the static view's body: every
    text escaped, classes from :mod:`dsmagic._html`, ``#SCOPE`` rules from ``_display_css()``)
    and ``_display_text()``. An object that shows another one (a live run shows its
    stored snapshot) overrides ``_display_target()``.
    """

    _display_kind: ClassVar[str]

    def _display_target(self) -> RichDisplay:
        return self

    def _display_data(self) -> dict[str, Any]:
        raise NotImplementedError

    def _display_html(self) -> str:
        raise NotImplementedError

    def _display_text(self) -> str:
        raise NotImplementedError

    def _display_css(self) -> str:
        return ""

    def _repr_html_(self) -> str:
        target = self._display_target()
        return scoped(target._display_html(), target._display_css())

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        target = self._display_target()
        mime = mime_type(target._display_kind)

        def wanted(name: str) -> bool:
            return (not include or name in include) and not (exclude and name in exclude)

        bundle: dict[str, Any] = {}
        # The view first: a report's data may name the charts its view placed.
        if wanted("text/html"):
            bundle["text/html"] = scoped(target._display_html(), target._display_css())
        if wanted(mime):
            bundle[mime] = jsonable(target._display_data())
        bundle["text/plain"] = target._display_text()
        return bundle
