"""The explicit client: every tracking operation on a given store, unbuffered."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, select

from dsmagic._files import file_sha256
from dsmagic.config import current_settings
from dsmagic.errors import DsmagicError, NotFoundError
from dsmagic.store import TrackingStore, get_database
from dsmagic.store._tracking_store import SEARCH_COLUMNS, experiments_t, runs_t
from dsmagic.tracking import _liveness, _validation
from dsmagic.tracking._entities import Run
from dsmagic.tracking._search import compile_filter, compile_order_by

if TYPE_CHECKING:
    import pandas as pd

    from dsmagic.tracking._compare import RunComparison
    from dsmagic.tracking._groups import RunGroups

__all__ = ["TrackingClient"]

DEFAULT_EXPERIMENT = "Default"


class TrackingClient:
    """Runs in one store. ``uri`` defaults to ``DSMAGIC_URI`` or ``./.dsmagic/``."""

    def __init__(self, uri: str | None = None, artifact_root: str | Path | None = None) -> None:
        settings = current_settings()
        self.store = TrackingStore(get_database(uri or settings.uri))
        self.artifact_root = Path(artifact_root or settings.artifact_root).resolve()

    # -- runs -----------------------------------------------------------------------------
    def create_run(
        self,
        name: str | None = None,
        experiment: str | None = None,
        *,
        parent_id: str | None = None,
        tags: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        notebook_path: str | None = None,
    ) -> Run:
        run_id = uuid.uuid4().hex
        name = _validation.validate_name(name) if name is not None else f"run-{run_id[:6]}"
        experiment = _validation.validate_name(experiment or DEFAULT_EXPERIMENT, "experiment name")
        clean_tags = {_validation.validate_key(k, "tag key"): _validation.format_tag(k, v)
                      for k, v in (tags or {}).items()}  # fmt: skip
        clean_params = {_validation.validate_key(k, "param key"): _validation.format_param(k, v)
                        for k, v in (params or {}).items()}  # fmt: skip
        if parent_id is not None:
            parent_id = self.get_run(parent_id).id
        now = time.time()
        self.store.create_run(
            {
                "id": run_id,
                "experiment_id": self.store.experiment_id(experiment),
                "name": name,
                "status": "running",
                "start_time": now,
                "end_time": None,
                "heartbeat": now,
                "parent_id": parent_id,
                "host": _liveness.hostname(),
                "pid": os.getpid(),
                "process_started": _liveness.own_start_time(),
                "notebook_path": notebook_path,
            },
            clean_params,
            clean_tags,
        )
        return self.get_run(run_id)

    def end_run(self, run_id: str, status: str = "finished") -> None:
        self.store.set_status(run_id, _validation.validate_end_status(status), time.time())

    def reap_crashed(self) -> int:
        """Mark runs whose owning process is gone as crashed; return how many."""
        now = time.time()
        dead = [
            (row["id"], row["heartbeat"])
            for row in self.store.running_runs()
            if not _liveness.is_alive(
                row["host"], row["pid"], row["process_started"], row["heartbeat"], now
            )
        ]
        if dead:
            self.store.mark_crashed(dead)
        return len(dead)

    def get_run(self, run_id: str) -> Run:
        """A run by id, or by a unique prefix of at least 4 characters of its id."""
        if not isinstance(run_id, str) or not run_id:
            raise DsmagicError(f"run id must be a non-empty string, got {run_id!r}")
        self.reap_crashed()
        records = self.store.get_runs([run_id])
        if not records and len(run_id) >= 4:
            matches = self.store.find_run_ids(run_id)
            if len(matches) > 1:
                raise DsmagicError(
                    f"run id prefix {run_id!r} matches several runs: give more of it"
                )
            records = self.store.get_runs(matches)
        if not records:
            raise NotFoundError(f"no run with id {run_id!r}: list runs with `dsmagic runs list`")
        return Run.from_record(records[0])

    def get_runs(self, run_ids: list[str]) -> list[Run]:
        return [self.get_run(run_id) for run_id in run_ids]

    def delete_run(self, run_id: str) -> None:
        run = self.get_run(run_id)
        self.store.delete_run(run.id)
        shutil.rmtree(self.artifact_root / run.id, ignore_errors=True)

    # -- logging (unbuffered) ----------------------------------------------------------
    def log_params(self, run_id: str, params: dict[str, Any]) -> None:
        clean = {_validation.validate_key(k, "param key"): _validation.format_param(k, v)
                 for k, v in params.items()}  # fmt: skip
        self.store.write_batch(params={run_id: clean})

    def set_tags(self, run_id: str, tags: dict[str, Any]) -> None:
        clean = {_validation.validate_key(k, "tag key"): _validation.format_tag(k, v)
                 for k, v in tags.items()}  # fmt: skip
        self.store.write_batch(tags={run_id: clean})

    def log_metrics(self, run_id: str, metrics: dict[str, Any], step: int = 0) -> None:
        now = time.time()
        points = []
        for key, value in metrics.items():
            _validation.validate_key(key, "metric key")
            points.append(
                (run_id, key, _validation.validate_step(key, step),
                 _validation.validate_metric_value(key, value), now)
            )  # fmt: skip
        self.store.write_batch(metrics=points)

    def log_artifact(
        self, run_id: str, path: str | os.PathLike[str], name: str | None = None
    ) -> str:
        """Copy a file or folder into the run's artifacts; return the stored name."""
        source = Path(path)
        if not source.exists():
            raise DsmagicError(f"cannot log artifact {str(path)!r}: no such file or folder")
        name = _validation.validate_artifact_name(name if name is not None else source.name)
        run_root = (self.artifact_root / run_id).resolve()
        target = (run_root / name).resolve()
        if run_root not in target.parents:
            raise DsmagicError(f"artifact name {name!r} escapes the run's artifact folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        # Copy next to the target, then rename: a failure never leaves a partial artifact.
        # Checked before copying: a refusal leaves nothing behind.
        links = _folder_links(source) if source.is_dir() else {}
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
        try:
            staged = staging / "item"
            if source.is_dir():
                # Links are kept as links (each checked to stay inside the folder), never
                # followed: a link to /etc/passwd is refused, a link loop is never walked.
                shutil.copytree(source, staged, symlinks=True)
                for relative, pointing in links.items():
                    (staged / relative).unlink()
                    (staged / relative).symlink_to(pointing)
                files = sorted(p for p in staged.rglob("*") if p.is_file() and not p.is_symlink())
                size = sum(p.stat().st_size for p in files)
                manifest = "\n".join(
                    [f"{p.relative_to(staged)} {file_sha256(p)}" for p in files]
                    + [f"{name} -> {pointing}" for name, pointing in sorted(links.items())]
                )
                digest = hashlib.sha256(manifest.encode()).hexdigest()
            else:
                shutil.copyfile(source, staged)
                size = staged.stat().st_size
                digest = file_sha256(staged)
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(staged, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        try:
            self.store.add_artifact(
                {
                    "run_id": run_id,
                    "name": name,
                    "path": str(target),
                    "size": size,
                    "sha256": digest,
                    "created_at": time.time(),
                }
            )
        except Exception:
            if target.is_dir():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
            raise
        return name

    def log_text(self, run_id: str, text: str, name: str) -> str:
        """Store ``text`` as an artifact file called ``name``."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "text"
            path.write_text(text, encoding="utf-8")
            return self.log_artifact(run_id, path, name)

    def artifact_path(self, run_id: str, name: str) -> Path:
        run = self.get_run(run_id)
        for artifact in run.artifacts:
            if artifact["name"] == _validation.validate_artifact_name(name):
                return Path(artifact["path"])
        raise NotFoundError(f"run {run.name!r} has no artifact {name!r}")

    # -- reproducibility --------------------------------------------------------------
    def environment(self, run_id: str) -> dict[str, Any] | None:
        data = self.store.environment(self.get_run(run_id).id)
        return json.loads(data) if data else None

    def cells(self, run_id: str) -> list[dict[str, Any]]:
        return self.store.cells(self.get_run(run_id).id)

    # -- search -----------------------------------------------------------------------
    def search_runs(
        self,
        filter: str | None = None,
        order_by: str | list[str] | None = None,
        experiment: str | list[str] | None = None,
        max_results: int | None = None,
        group_by: str | list[str] | None = None,
        page_token: str | None = None,
    ) -> pd.DataFrame:
        """Runs matching ``filter`` as a DataFrame: one row a run, ``run_id`` first; with
        ``group_by``, one row a group of runs (see :mod:`dsmagic.tracking._groups`).

        With ``max_results``, ``frame.attrs["next_page_token"]`` is the token of the next
        page (``None`` on the last); pass it as ``page_token`` to the same search."""
        from dsmagic.tracking._frames import runs_frame

        keys = None
        if group_by is not None:
            from dsmagic.tracking._groups import group_keys

            keys = group_keys(group_by)
        _check_max_results(max_results)
        search = (filter, _hashable(order_by), _hashable(experiment))
        offset = 0
        if page_token is not None:
            from dsmagic.tracking._pages import decode_token

            if max_results is None:
                raise DsmagicError("page_token needs max_results: the page size it was made with")
            offset = decode_token(search, page_token)
        self.reap_crashed()
        query = _search_query(filter, order_by, experiment, None)
        if max_results is not None:
            query = query.offset(offset).limit(max_results + 1)
        rows, summaries = self.store.search(query)
        more = max_results is not None and len(rows) > max_results
        if more:
            rows, summaries = rows[:max_results], summaries[:max_results]
        frame = runs_frame(rows, summaries)
        if max_results is not None:
            from dsmagic.tracking._pages import encode_token

            following = encode_token(search, offset + max_results) if more else None
            frame.attrs["next_page_token"] = following
        if keys is None:
            return frame
        from dsmagic.tracking._groups import group_runs

        return group_runs(frame, keys)

    def search_run_objects(self, filter=None, order_by=None, experiment=None, max_results=None):
        self.reap_crashed()
        rows, summaries = self.store.search(
            _search_query(filter, order_by, experiment, max_results)
        )
        return [Run.from_search(row, summary) for row, summary in zip(rows, summaries)]

    def group_runs(
        self,
        group_by: str | list[str],
        filter: str | None = None,
        order_by: str | list[str] | None = None,
        experiment: str | list[str] | None = None,
        max_results: int | None = None,
    ) -> RunGroups:
        """Runs grouped for display: the grouped frame and each run's metric curves."""
        from dsmagic.tracking._groups import RunGroups, group_keys

        keys = group_keys(group_by)
        frame = self.search_runs(filter, order_by, experiment, max_results, keys)
        histories: dict[str, dict[str, list[tuple]]] = {}
        metrics = [c.removesuffix(" mean") for c in frame.columns if c.endswith(" mean")]
        for run_ids in frame["run_ids"]:
            for run_id in run_ids:
                histories[run_id] = {
                    key.removeprefix("metrics."): self.store.metric_history(
                        run_id, key.removeprefix("metrics.")
                    )
                    for key in metrics
                }
        return RunGroups(frame, keys, filter, histories)

    def get_metric_history(self, run_id: str, key: str) -> pd.DataFrame:
        import pandas as pd

        run = self.get_run(run_id)
        rows = self.store.metric_history(run.id, key)
        frame = pd.DataFrame(rows, columns=["step", "value", "timestamp"])
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], unit="s")
        return frame.astype({"step": "int64", "value": "float64"})

    def list_experiments(self) -> pd.DataFrame:
        import pandas as pd

        frame = pd.DataFrame(
            self.store.list_experiments(), columns=["id", "name", "created_at", "runs"]
        )
        frame["created_at"] = pd.to_datetime(frame["created_at"], unit="s")
        return frame

    def compare_runs(self, run_ids: list[str], pivot: str | None = None) -> RunComparison:
        """Runs side by side; for exactly two, also what else differs (environment, cells)."""
        from dsmagic.tracking._compare import RunComparison

        if isinstance(run_ids, str) or len(run_ids) < 1:
            raise DsmagicError("compare_runs needs a list of run ids, e.g. [run_a.id, run_b.id]")
        runs = self.get_runs(list(run_ids))
        histories = {
            run.id: {key: self.store.metric_history(run.id, key) for key in run.metrics}
            for run in runs
        }
        found = None
        if len(runs) == 2:
            from dsmagic.tracking._differences import differences

            first, second = runs
            found = differences(
                (first.name, second.name) if first.name != second.name
                else (first.id[:8], second.id[:8]),
                (self.environment(first.id), self.environment(second.id)),
                (self.cells(first.id), self.cells(second.id)),
            )  # fmt: skip
        return RunComparison(runs, histories, differences=found, pivot=pivot)


def _folder_links(folder: Path) -> dict[str, str]:
    """Each symlink inside ``folder`` (relative name -> its target, relative to the link),
    refusing links that point outside the folder, to nothing, or round in a loop."""
    root = folder.resolve()
    links: dict[str, str] = {}
    for parent, dirs, files in os.walk(folder):  # does not enter linked folders
        for name in [*dirs, *files]:
            path = Path(parent, name)
            if not path.is_symlink():
                continue
            relative = path.relative_to(folder).as_posix()
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):
                raise DsmagicError(
                    f"cannot log artifact {str(folder)!r}: the link {relative!r} points to "
                    "nothing or round a loop of links; remove it"
                ) from None
            if target != root and root not in target.parents:
                raise DsmagicError(
                    f"cannot log artifact {str(folder)!r}: the link {relative!r} points "
                    f"outside the folder, to {str(target)!r}; copy that file in, or remove the link"
                )
            links[relative] = os.path.relpath(target, path.parent.resolve())
    return links


def _search_query(filter, order_by, experiment, max_results) -> Select:
    """The query for a search; built once per distinct search (parsing and building the
    SQLAlchemy statement cost more than running it on SQLite)."""
    if filter is not None and not isinstance(filter, str):
        raise DsmagicError(f'filter must be a string such as "metrics.acc > 0.9", got {filter!r}')
    _check_max_results(max_results)
    return _build_search_query(filter, _hashable(order_by), _hashable(experiment), max_results)


def _check_max_results(max_results) -> None:
    if max_results is not None and (
        isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 0
    ):
        raise DsmagicError(f"max_results must be a whole number >= 0, got {max_results!r}")


def _hashable(value):
    # The query cache needs hashable arguments; a set of experiment names is accepted too.
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(value))
    return value


@functools.lru_cache(maxsize=256)
def _build_search_query(filter, order_by, experiment, max_results) -> Select:
    condition = compile_filter(filter)
    query = select(*SEARCH_COLUMNS).join(
        experiments_t, experiments_t.c.id == runs_t.c.experiment_id
    )
    if condition is not None:
        query = query.where(condition)
    if experiment is not None:
        names = [experiment] if isinstance(experiment, str) else list(experiment)
        # A subquery, not a filter on the joined name: SQLite without statistics would
        # otherwise walk every run of the experiment instead of starting from the filter.
        query = query.where(
            runs_t.c.experiment_id.in_(
                select(experiments_t.c.id).where(experiments_t.c.name.in_(names))
            )
        )
    query = query.order_by(
        *compile_order_by(list(order_by) if isinstance(order_by, tuple) else order_by)
    )
    if max_results is not None:
        query = query.limit(max_results)
    return query
