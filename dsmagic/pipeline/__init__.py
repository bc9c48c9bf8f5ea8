"""Pipelines: a graph of catalog steps that validates, versions, exports to a notebook,
script or Docker bundle, and runs in a fresh kernel with per-step status and caching.

>>> from dsmagic.pipeline import Pipeline
>>> p = Pipeline.from_template("classification")
>>> p.validate()
[]
"""

from __future__ import annotations

from typing import Any

from dsmagic.pipeline._catalog import CATEGORIES, PORT_TYPES, Port, StepSpec, get_spec
from dsmagic.pipeline._catalog import catalog as _catalog
from dsmagic.pipeline._diff import PipelineDiff
from dsmagic.pipeline._graph import SCHEMA_VERSION, Edge, Step
from dsmagic.pipeline._pipeline import Pipeline
from dsmagic.pipeline._runner import PipelineRun, StepStatus
from dsmagic.pipeline._templates import templates
from dsmagic.pipeline._validate import Issue

__all__ = [
    "CATEGORIES",
    "PORT_TYPES",
    "SCHEMA_VERSION",
    "Edge",
    "Issue",
    "Pipeline",
    "PipelineDiff",
    "PipelineRun",
    "Port",
    "Step",
    "StepSpec",
    "StepStatus",
    "catalog",
    "catalog_json",
    "get_spec",
    "load",
    "templates",
]


def catalog(category: str | None = None) -> list[StepSpec]:
    """Every step type (or those of one ``category``): ``.type``, ``.category``,
    ``.params_schema`` (JSON Schema), ``.doc``, ``.inputs``, ``.outputs``."""
    return _catalog(category)


def catalog_json() -> dict[str, Any]:
    """The palette as plain data: categories, port types and every step spec."""
    return {
        "categories": list(CATEGORIES),
        "port_types": dict(PORT_TYPES),
        "steps": [spec.to_dict() for spec in _catalog()],
    }


def load(path) -> Pipeline:
    """Read a ``.dspipe.json`` file."""
    return Pipeline.load(path)
