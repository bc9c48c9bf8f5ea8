"""dsmagic: a Jupyter-first data-science workbench.

``%load_ext dsmagic`` adds the magics; ``import dsmagic as dm`` gives the same
features as functions. Names are imported on first use, so loading the extension
stays fast: pandas, SQLAlchemy and friends load only when a feature needs them.
"""

from __future__ import annotations

import importlib
from typing import Any

from dsmagic._version import __version__
from dsmagic.errors import (
    DsmagicError,
    DsmagicWarning,
    FilterError,
    NotFoundError,
    SchemaError,
    StatementTimeoutError,
    StoreUnavailableError,
)

# Public name -> module that defines it (imported on first access).
_LAZY: dict[str, str] = {
    # experiment tracking
    "start_run": "dsmagic.tracking",
    "end_run": "dsmagic.tracking",
    "active_run": "dsmagic.tracking",
    "log_param": "dsmagic.tracking",
    "log_params": "dsmagic.tracking",
    "log_metric": "dsmagic.tracking",
    "log_metrics": "dsmagic.tracking",
    "log_artifact": "dsmagic.tracking",
    "log_text": "dsmagic.tracking",
    "set_tag": "dsmagic.tracking",
    "set_tags": "dsmagic.tracking",
    "set_experiment": "dsmagic.tracking",
    "get_run": "dsmagic.tracking",
    "delete_run": "dsmagic.tracking",
    "search_runs": "dsmagic.tracking",
    "get_metric_history": "dsmagic.tracking",
    "get_environment": "dsmagic.tracking",
    "get_cells": "dsmagic.tracking",
    "compare_runs": "dsmagic.tracking",
    "reproduce": "dsmagic.tracking",
    "group_runs": "dsmagic.tracking",
    "import_mlflow": "dsmagic.tracking",
    "list_experiments": "dsmagic.tracking",
    "flush": "dsmagic.tracking",
    "Run": "dsmagic.tracking",
    "TrackingClient": "dsmagic.tracking",
    # tuning, explanations, model registry and cards
    "tune": "dsmagic.tuning",
    "TuneResult": "dsmagic.tuning",
    "explain": "dsmagic.explain",
    "Explanation": "dsmagic.explain",
    "model_card": "dsmagic.models",
    "ModelCard": "dsmagic.models",
    "log_model": "dsmagic.models",
    "register_model": "dsmagic.models",
    "load_model": "dsmagic.models",
    "get_model_version": "dsmagic.models",
    "model_versions": "dsmagic.models",
    "set_alias": "dsmagic.models",
    "delete_alias": "dsmagic.models",
    "list_models": "dsmagic.models",
    "autolog": "dsmagic.models",
    # pipelines
    "Pipeline": "dsmagic.pipeline",
    "Canvas": "dsmagic.widget",
    # data versioning, lineage and drift
    "track_data": "dsmagic.data",
    "load_data": "dsmagic.data",
    "get_version": "dsmagic.data",
    "list_datasets": "dsmagic.data",
    "list_versions": "dsmagic.data",
    "lineage": "dsmagic.data",
    "run_datasets": "dsmagic.data",
    "drift": "dsmagic.data",
    "fingerprint": "dsmagic.data",
    "DatasetVersion": "dsmagic.data",
    "DriftReport": "dsmagic.data",
    # exploratory analysis
    "eda": "dsmagic.eda",
    "EDAReport": "dsmagic.eda",
}

__all__ = [
    "DsmagicError",
    "DsmagicWarning",
    "FilterError",
    "NotFoundError",
    "SchemaError",
    "StatementTimeoutError",
    "StoreUnavailableError",
    "__version__",
    "load_ipython_extension",
    "unload_ipython_extension",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dsmagic' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def load_ipython_extension(shell: Any) -> None:
    """Called by ``%load_ext dsmagic``: register the magics and the kernel hooks."""
    from dsmagic.magics import load

    load(shell)


def unload_ipython_extension(shell: Any) -> None:
    from dsmagic.magics import unload

    unload(shell)
