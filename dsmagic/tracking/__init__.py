"""Experiment tracking: runs with params, metrics, tags, artifacts and the cells
that produced them.

Three layers, as in MLflow: the fluent functions here act on the active run;
:class:`TrackingClient` does the same for any run id in any store;
:class:`dsmagic.store.TrackingStore` reads and writes rows and holds no state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dsmagic.errors import FilterError
from dsmagic.tracking._client import TrackingClient
from dsmagic.tracking._entities import Run
from dsmagic.tracking._fluent import (
    ActiveRun,
    active_run,
    default_client,
    end_run,
    flush,
    log_artifact,
    log_metric,
    log_metrics,
    log_param,
    log_params,
    log_text,
    set_experiment,
    set_tag,
    set_tags,
    start_run,
)

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from dsmagic.tracking._compare import RunComparison
    from dsmagic.tracking._groups import RunGroups
    from dsmagic.tracking._mlflow_import import ImportReport

__all__ = [
    "ActiveRun",
    "FilterError",
    "Run",
    "TrackingClient",
    "active_run",
    "compare_runs",
    "delete_run",
    "end_run",
    "flush",
    "get_cells",
    "get_environment",
    "get_metric_history",
    "get_run",
    "group_runs",
    "import_mlflow",
    "list_experiments",
    "log_artifact",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "log_text",
    "reproduce",
    "search_runs",
    "set_experiment",
    "set_tag",
    "set_tags",
    "start_run",
]


def get_run(run_id: str) -> Run:
    """A stored run by id (or a unique id prefix of at least 4 characters)."""
    flush()
    return default_client().get_run(run_id)


def search_runs(
    filter: str | None = None,
    order_by: str | list[str] | None = None,
    experiment: str | list[str] | None = None,
    max_results: int | None = None,
    group_by: str | list[str] | None = None,
    page_token: str | None = None,
) -> pd.DataFrame:
    """Runs matching an MLflow-style filter (with ``or`` and parentheses) as a DataFrame.

    ``group_by=["params.model"]`` aggregates runs that differ only in other keys (say the
    seed): one row a group with ``runs``, ``run_ids``, each metric's mean, std (ddof=1), min
    and max, and ``varied``, the params that differ inside the group.

    With ``max_results``, ``frame.attrs["next_page_token"]`` continues the same search on
    its next page (``page_token=``); it is ``None`` on the last page."""
    flush()
    return default_client().search_runs(
        filter, order_by, experiment, max_results, group_by, page_token
    )


def get_metric_history(run_id: str, key: str) -> pd.DataFrame:
    """Every logged point of metric ``key``: columns ``step``, ``value``, ``timestamp``."""
    flush()
    return default_client().get_metric_history(run_id, key)


def compare_runs(run_ids: list[Any], pivot: str | None = None) -> RunComparison:
    """The params that differ, each metric at its last and best step, metric curves; with
    ``pivot="params.lr"`` the latest metrics by that param; for two runs, what else differs
    (interpreter, platform, packages, git state, cells)."""
    flush()
    ids = [getattr(run, "id", run) for run in run_ids]
    return default_client().compare_runs(ids, pivot)


def group_runs(
    group_by: str | list[str],
    filter: str | None = None,
    order_by: str | list[str] | None = None,
    experiment: str | list[str] | None = None,
    max_results: int | None = None,
) -> RunGroups:
    """Runs grouped by ``group_by`` as a display: ``mean ± std [min, max]`` per metric, what
    varied inside each group, and each group's mean curve with a ± std band (``.plot()``);
    ``.frame`` is ``search_runs(..., group_by=...)``."""
    flush()
    return default_client().group_runs(group_by, filter, order_by, experiment, max_results)


def reproduce(run_id: Any, into: str | Path = ".", *, overwrite: bool = False) -> Path:
    """Write a notebook of the run's cells (after loading the data versions it read) and a
    requirements.txt of its packages into folder ``into``; returns the notebook's path."""
    from dsmagic.tracking._reproduce import reproduce as write

    flush()
    return write(run_id, into, overwrite=overwrite)


def import_mlflow(uri: str, *, artifacts: bool = True) -> ImportReport:
    """Copy an MLflow store (database URI, server URL or mlruns folder) into this store:
    experiments, runs with their MLflow ids, params, tags, full metric histories and
    artifacts. Runs imported before are skipped; the report says what was not carried."""
    from dsmagic.tracking._mlflow_import import import_mlflow as copy

    return copy(uri, artifacts=artifacts)


def list_experiments() -> pd.DataFrame:
    return default_client().list_experiments()


def get_environment(run_id: str) -> dict[str, Any] | None:
    """Interpreter, platform, packages and git state recorded when the run started."""
    return default_client().environment(run_id)


def get_cells(run_id: str) -> list[dict[str, Any]]:
    """Cells executed while the run was active: source, execution count, times, success."""
    flush()
    return default_client().cells(run_id)


def delete_run(run_id: str) -> None:
    default_client().delete_run(run_id)
