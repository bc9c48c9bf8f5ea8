"""``dm.import_mlflow(uri)``: experiments, runs, params, tags, metric histories and
artifacts of an MLflow store (a database, a tracking server or an ``mlruns`` folder), read
with MLflow's own client and written into the dsmagic store.

Imported runs keep their MLflow run id, so a second import of the same store skips them:
importing is idempotent. What cannot be carried over is counted in the report.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsmagic.errors import DsmagicError

__all__ = ["ImportReport", "import_mlflow"]

SOURCE_TAG = "dsmagic.imported_from"
_STATUSES = {"FINISHED": "finished", "FAILED": "failed", "KILLED": "killed"}
_PAGE = 1000


@dataclass
class ImportReport:
    source: str
    experiments: list[str] = field(default_factory=list)
    runs: int = 0
    skipped: int = 0  # already imported earlier
    points: int = 0
    artifacts: int = 0
    not_carried: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [
            f"imported {self.runs} run(s) from {self.source} into "
            f"{len(self.experiments)} experiment(s): {self.points:,} metric points, "
            f"{self.artifacts} artifact file(s)",
        ]
        if self.skipped:
            lines.append(f"skipped {self.skipped} run(s) imported before")
        lines += [f"not carried over: {item}" for item in self.not_carried]
        return "\n".join(lines)

    __repr__ = __str__


def import_mlflow(uri: str, *, artifacts: bool = True) -> ImportReport:
    """Copy an MLflow store into the dsmagic store; runs imported before are skipped."""
    try:
        from mlflow.tracking import MlflowClient
    except ImportError:
        raise DsmagicError(
            "importing from MLflow needs MLflow's client: pip install mlflow-skinny"
        ) from None
    from dsmagic.tracking._fluent import default_client

    tracking_uri = _tracking_uri(uri)
    with _file_store_allowed(tracking_uri):
        source = MlflowClient(tracking_uri=tracking_uri)
        return _copy(source, default_client(), ImportReport(uri), artifacts)


@contextmanager
def _file_store_allowed(tracking_uri: str) -> Iterator[None]:
    """MLflow 3 refuses to open an mlruns folder unless told: reading one is what an
    import is for."""
    if not tracking_uri.startswith("file:") or "MLFLOW_ALLOW_FILE_STORE" in os.environ:
        yield
        return
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
    try:
        yield
    finally:
        os.environ.pop("MLFLOW_ALLOW_FILE_STORE", None)


def _copy(source: Any, target: Any, report: ImportReport, artifacts: bool) -> ImportReport:
    deleted = 0
    for experiment in source.search_experiments(view_type=3):  # ViewType.ALL
        runs = _all_runs(source, experiment.experiment_id)
        live = [run for run in runs if run.info.lifecycle_stage != "deleted"]
        deleted += len(runs) - len(live)
        if experiment.lifecycle_stage == "deleted":
            deleted += len(live)
            continue
        if live:
            report.experiments.append(experiment.name)
        known = {r["id"] for r in target.store.get_runs([run.info.run_id for run in live])}
        # Parents before their children, so a child can point at its parent's new row.
        ordered = sorted(live, key=lambda run: ("mlflow.parentRunId" in run.data.tags,
                                                run.info.start_time or 0))  # fmt: skip
        for run in ordered:
            if run.info.run_id in known:
                report.skipped += 1
                continue
            _import_run(source, target, experiment.name, run, report, artifacts)
            known.add(run.info.run_id)
    if deleted:
        report.not_carried.append(f"{deleted} deleted run(s) (MLflow keeps them until gc)")
    return report


def _tracking_uri(uri: str) -> str:
    if not isinstance(uri, str) or not uri.strip():
        raise DsmagicError(
            "give the MLflow store: a database URI, a server URL or an mlruns folder"
        )
    folder = Path(uri)
    if "://" not in uri:
        if not folder.is_dir():
            raise DsmagicError(f"no MLflow store at {uri!r}: give a database URI or a folder")
        return folder.resolve().as_uri()
    scheme = uri.split("://", 1)[0].split("+", 1)[0]
    if scheme in ("sqlite", "postgresql", "mysql", "mssql"):
        _check_schema(uri)
    return uri


def _check_schema(uri: str) -> None:
    import mlflow
    from alembic.script import ScriptDirectory

    from dsmagic.store._mlflow import mlflow_schema_revision

    revision = mlflow_schema_revision(uri)
    scripts = ScriptDirectory(
        os.path.join(os.path.dirname(mlflow.__file__), "store", "db_migrations")
    )
    known = {script.revision for script in scripts.walk_revisions()}
    if revision is not None and revision not in known:
        raise DsmagicError(
            f"the MLflow store {uri!r} has schema version {revision!r}, which MLflow "
            f"{mlflow.__version__} (installed) does not know: it was written by a newer "
            "MLflow; upgrade mlflow-skinny and import again"
        )
    if revision is not None and revision != scripts.get_current_head():
        raise DsmagicError(
            f"the MLflow store {uri!r} has the older schema version {revision!r}: upgrade a copy "
            "of it with `mlflow db upgrade <uri>`, then import the copy"
        )


def _all_runs(source: Any, experiment_id: str) -> list[Any]:
    runs, token = [], None
    while True:
        page = source.search_runs([experiment_id], run_view_type=3, max_results=_PAGE,
                                  page_token=token)  # fmt: skip
        runs += list(page)
        token = page.token
        if not token:
            return runs


def _import_run(source, target, experiment: str, run, report: ImportReport, artifacts: bool):
    from dsmagic.tracking import _liveness, _validation

    info, data = run.info, run.data
    tags: dict[str, str] = {}
    params: dict[str, str] = {}
    for kind, values, out, check in (
        ("tag", data.tags, tags, _validation.format_tag),
        ("param", data.params, params, _validation.format_param),
    ):
        for key, value in values.items():
            try:
                out[_validation.validate_key(key, f"{kind} key")] = check(key, value)
            except DsmagicError as exc:
                report.not_carried.append(f"run {info.run_id[:8]}: {exc}")
    tags[SOURCE_TAG] = "mlflow"
    start = (info.start_time or 0) / 1000
    end = info.end_time / 1000 if info.end_time else None
    parent = data.tags.get("mlflow.parentRunId")
    if parent and not target.store.get_runs([parent]):
        report.not_carried.append(f"run {info.run_id[:8]}: its parent {parent[:8]} (not found)")
        parent = None
    try:
        name = _validation.validate_name((info.run_name or f"run-{info.run_id[:6]}")[:250])
    except DsmagicError:
        name = f"run-{info.run_id[:6]}"
        report.not_carried.append(f"run {info.run_id[:8]}: its name {info.run_name!r}")
    target.store.create_run(
        {
            "id": info.run_id,
            "experiment_id": target.store.experiment_id(_validation.validate_name(
                experiment, "experiment name")),
            "name": name,
            "status": "running",
            "start_time": start,
            "end_time": None,
            "heartbeat": end or start,
            "parent_id": parent,
            "host": _liveness.hostname(),
            "pid": 0,
            "process_started": 0.0,
            "notebook_path": None,
        },
        params,
        tags,
    )  # fmt: skip
    points = []
    for key in data.metrics:
        for metric in source.get_metric_history(info.run_id, key):
            points.append((info.run_id, key, int(metric.step), float(metric.value),
                           metric.timestamp / 1000))  # fmt: skip
    if points:
        target.store.write_batch(metrics=points)
    report.points += len(points)
    if artifacts:
        report.artifacts += _copy_artifacts(source, target, info.run_id)
    status = _STATUSES.get(info.status)
    if status is None:  # RUNNING or SCHEDULED: its process is not ours to follow
        status = "crashed"
        report.not_carried.append(
            f"run {info.run_id[:8]} was {info.status.lower()} in MLflow: imported as crashed"
        )
    target.store.set_status(info.run_id, status, end or (points[-1][4] if points else start))
    report.runs += 1


def _copy_artifacts(source, target, run_id: str) -> int:
    if not source.list_artifacts(run_id):
        return 0
    with tempfile.TemporaryDirectory(prefix="dsmagic-mlflow-") as folder:
        local = Path(source.download_artifacts(run_id, "", folder))
        count = 0
        for entry in sorted(local.iterdir()):
            target.log_artifact(run_id, entry, entry.name)
            count += sum(1 for p in entry.rglob("*") if p.is_file()) if entry.is_dir() else 1
        return count
