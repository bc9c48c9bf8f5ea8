"""The step catalog: every step type, declared once per category module."""

from __future__ import annotations

from dsmagic.errors import NotFoundError
from dsmagic.pipeline._catalog import (
    _cleaning,
    _custom,
    _evaluation,
    _models,
    _output,
    _preprocess,
    _resampling,
    _selection,
    _sources,
    _split,
    _tuning,
)
from dsmagic.pipeline._catalog._spec import PORT_TYPES, Port, StepSpec

__all__ = ["CATEGORIES", "PORT_TYPES", "Port", "StepSpec", "catalog", "get_spec"]

CATEGORIES = [
    "source",
    "cleaning",
    "preprocessing",
    "feature_selection",
    "resampling",
    "split",
    "model",
    "ensemble",
    "tuning",
    "evaluation",
    "output",
    "custom",
]

_SPECS: dict[str, StepSpec] = {}
for _module in (_sources, _cleaning, _preprocess, _selection, _resampling, _split, _models,
                _tuning, _evaluation, _output, _custom):  # fmt: skip
    for _spec in _module.SPECS:
        assert _spec.type not in _SPECS, _spec.type
        assert _spec.category in CATEGORIES, _spec.category
        _SPECS[_spec.type] = _spec


def catalog(category: str | None = None) -> list[StepSpec]:
    """Every step type (or those of one category), in palette order."""
    order = {name: i for i, name in enumerate(CATEGORIES)}
    specs = sorted(_SPECS.values(), key=lambda s: (order[s.category], s.type))
    if category is not None:
        if category not in order:
            raise NotFoundError(
                f"no step category {category!r}: use one of {', '.join(CATEGORIES)}"
            )
        specs = [s for s in specs if s.category == category]
    return specs


def get_spec(step_type: str) -> StepSpec:
    spec = _SPECS.get(step_type)
    if spec is None:
        raise NotFoundError(
            f"unknown step type {step_type!r}: see dsmagic.pipeline.catalog() for the "
            f"{len(_SPECS)} types"
        )
    return spec


def find_spec(step_type: str) -> StepSpec | None:
    return _SPECS.get(step_type)
