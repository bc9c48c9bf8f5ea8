"""Run a pipeline: the generated notebook, cell by cell, in a fresh kernel (nbclient), so a
run and an export never disagree.

Around each step cell the runner may load the step's outputs from the cache instead of
running it, or save them after it ran; those helper cells are not part of the notebook.
Runs go through one queue and execute one at a time, in order.
"""

from __future__ import annotations

import json
import math
import os
import queue
import re
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsmagic._display import RichDisplay
from dsmagic._files import inside
from dsmagic.errors import DsmagicError
from dsmagic.pipeline import _cache
from dsmagic.pipeline._codegen._program import Program, build

# A cancelled run (and the step it interrupted) is "killed": the word tracked runs use.
STEP_STATUSES = ("queued", "running", "done", "failed", "cached", "killed", "skipped")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_MAX_LOG = 200_000


@dataclass
class StepStatus:
    status: str = "queued"
    started: float | None = None
    finished: float | None = None
    logs: str = ""
    error: str | None = None
    hash: str | None = None

    @property
    def duration(self) -> float | None:
        if self.started is None or self.finished is None:
            return None
        return self.finished - self.started

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "started": self.started, "finished": self.finished,
                "duration": self.duration, "logs": self.logs, "error": self.error,
                "hash": self.hash}  # fmt: skip


@dataclass
class PipelineRun(RichDisplay):
    """A queued, running or finished run. ``status``: queued, running, done, failed or
    killed (cancelled, as in ``%runs``); ``steps[id].status`` adds cached and skipped."""

    _display_kind = "pipeline-run"

    id: str
    pipeline: str
    version: str | None
    steps: dict[str, StepStatus]
    status: str = "queued"
    run_id: str | None = None  # the tracked run
    metrics: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    output_dir: Path | None = None
    notebook: Path | None = None
    started: float | None = None
    finished: float | None = None
    events: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _done: threading.Event = field(default_factory=threading.Event, repr=False)
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    _client: Any = field(default=None, repr=False)
    _listeners: list[Callable[[dict[str, Any]], None]] = field(default_factory=list, repr=False)

    def wait(self, timeout: float | None = None) -> PipelineRun:
        """Block until the run ends (or ``timeout`` seconds pass); return the run."""
        self._done.wait(timeout)
        return self

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def cancel(self) -> None:
        """Stop the run: a queued run never starts; a running one is interrupted."""
        self._cancel.set()
        # The kernel manager is async and owned by the runner thread: signal the kernel
        # process directly, as Jupyter's interrupt button does for local kernels.
        provisioner = getattr(getattr(self._client, "km", None), "provisioner", None)
        process = getattr(provisioner, "process", None)
        if process is not None:
            try:
                process.send_signal(signal.SIGINT)
            except (OSError, ValueError):
                pass

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "pipeline": self.pipeline, "version": self.version,
                "status": self.status, "run_id": self.run_id, "metrics": dict(self.metrics),
                "error": self.error, "started": self.started, "finished": self.finished,
                "steps": {k: v.to_dict() for k, v in self.steps.items()}}  # fmt: skip

    def summary(self) -> str:
        lines = [f"pipeline run {self.id[:8]} ({self.pipeline}): {self.status}"]
        for step_id, step in self.steps.items():
            took = f" {step.duration:.2f}s" if step.duration is not None else ""
            lines.append(f"  {step_id:<24} {step.status}{took}")
        if self.error:
            lines.append(f"  error: {self.error}")
        for key, value in sorted(self.metrics.items()):
            lines.append(f"  {key} = {value:.6g}")
        return "\n".join(lines)

    __str__ = summary

    def _display_data(self) -> dict[str, Any]:
        return self.to_dict()

    def _display_text(self) -> str:
        return self.summary()

    def _display_html(self) -> str:
        from dsmagic.pipeline._display import run_html

        return run_html(self)

    def _emit(self, event: dict[str, Any]) -> None:
        event = {"run": self.id, "time": time.time(), **event}
        self.events.append(event)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken UI callback must not break the run
                pass

    def _set_step(self, step_id: str, status: str, **extra: Any) -> None:
        step = self.steps[step_id]
        step.status = status
        now = time.time()
        if status == "running":
            step.started = now
        elif status in ("done", "failed", "cached", "killed"):
            step.started = step.started or now
            step.finished = now
        for key, value in extra.items():
            setattr(step, key, value)
        self._emit({"type": "step", "step": step_id, "status": status, **extra})


@dataclass
class _Job:
    run: PipelineRun
    program: Program
    pipeline_id: str
    version_id: int | None
    parents: dict[str, list[str]]
    fingerprints: dict[str, str]
    data_sources: dict[str, Path]  # relative name in the data folder -> real file
    frames: dict[str, Any]
    run_root: Path
    cache_dir: Path | None
    timeout: float
    tracking: Any
    experiment: str
    params: dict[str, Any]
    database: Any = None  # fixed at submit time, like the tracking client


_queue: queue.Queue[_Job] = queue.Queue()
_worker: threading.Thread | None = None
_worker_lock = threading.Lock()


def submit(
    pipeline,
    *,
    wait: bool = True,
    timeout: float = 1800.0,
    cache: bool = True,
    experiment: str = "pipelines",
    frames: dict[str, Any] | None = None,
    seed: int = 42,
    allow_custom_code: bool = False,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> PipelineRun:
    """Queue a run of ``pipeline`` (checked first); with ``wait`` return it finished."""
    from dsmagic.tracking import TrackingClient

    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise DsmagicError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if not pipeline._state.steps:
        raise DsmagicError(
            f"pipeline {pipeline.name!r} has no steps, so there is nothing to run: add steps "
            "(p.add_step(...)) or start from a template (Pipeline.from_template(...))"
        )
    pipeline.check(check_files=True)
    program = build(pipeline, seed=seed)
    if program.custom_code and not allow_custom_code:
        custom = [b.step_id for b in program.blocks if b.spec.custom_code]
        raise DsmagicError(
            f"pipeline has custom code step(s) {', '.join(custom)} that run as written: review "
            "them, then pass allow_custom_code=True"
        )
    frames = dict(frames or {})
    missing = [name for name in program.frames if name not in frames]
    if missing:
        frames.update(_frames_from_notebook(missing))
    state = pipeline._state
    data_dir = pipeline._data_dir().resolve()
    fingerprints: dict[str, str] = {}
    data_sources: dict[str, Path] = {}
    for block in program.blocks:
        params = state.steps[block.step_id]["params"]
        if block.spec.type in ("read_csv", "read_parquet"):
            path = inside(data_dir, params["path"], "data file")
            data_sources[params["path"]] = path
            fingerprints[block.step_id] = _cache.file_fingerprint(path)
        elif block.spec.type == "dataframe":
            fingerprints[block.step_id] = _cache.frame_fingerprint(frames[params["variable"]])
        elif block.spec.type == "sklearn_dataset":
            from importlib.metadata import version

            fingerprints[block.step_id] = version("scikit-learn")
    parents: dict[str, list[str]] = {}
    for edge in state.edges:
        parents.setdefault(edge.target, []).append(edge.source)
    version = _link_version(pipeline)
    run = PipelineRun(
        id=uuid.uuid4().hex,
        pipeline=state.name,
        version=version.name,
        steps={b.step_id: StepStatus() for b in program.blocks},
    )
    if on_event is not None:
        run._listeners.append(on_event)
    tracking = TrackingClient()
    job = _Job(
        run=run, program=program, pipeline_id=state.id, version_id=version.id,
        parents=parents, fingerprints=fingerprints, data_sources=data_sources, frames=frames,
        run_root=tracking.artifact_root / "pipeline-runs" / run.id,
        cache_dir=_cache.cache_dir(state.id) if cache else None,
        timeout=float(timeout), tracking=tracking, experiment=experiment,
        params=program.params, database=_database(),
    )  # fmt: skip
    job.database.run_with_retry(
        lambda c: c.execute(_table().insert().values(
            id=run.id, version_id=version.id, run_id=None, status="queued",
            started_at=time.time(), finished_at=None, steps="{}"))
    )  # fmt: skip
    run._emit({"type": "run", "status": "queued"})
    _ensure_worker()
    _queue.put(job)
    if wait:
        try:
            while not run._done.wait(0.2):
                pass
        except KeyboardInterrupt:  # the notebook's stop button stops the run too
            run.cancel()
            run.wait(30)
            raise
    return run


def _frames_from_notebook(names: list[str]) -> dict[str, Any]:
    """DataFrames for 'dataframe' steps, looked up in the notebook's namespace."""
    import pandas as pd

    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    namespace = getattr(shell, "user_ns", {}) or {}
    found = {}
    for name in names:
        value = namespace.get(name)
        if not isinstance(value, pd.DataFrame):
            raise DsmagicError(
                f"no DataFrame {name!r} in the notebook: define it or pass frames={{{name!r}: df}}"
            )
        found[name] = value
    return found


def _link_version(pipeline):
    """The saved version equal to the pipeline, or a new automatic one."""
    from dsmagic.pipeline import _versions

    found = _versions.version_for(pipeline._state)
    if found is not None:
        return found
    existing = {v.name for v in _versions.list_versions(pipeline.id)}
    n = len(existing) + 1
    while f"auto-{n}" in existing:
        n += 1
    version = pipeline.save_version(
        f"auto-{n}", description="saved automatically for a run", tags=["auto"]
    )
    return version


def _ensure_worker() -> None:
    global _worker
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="dsmagic-pipeline-runner", daemon=True)
            _worker.start()


def reset(timeout: float = 60.0) -> None:
    """Cancel every queued and running run and wait (up to ``timeout`` seconds) until the
    worker has ended them all (``dsmagic.testing``)."""
    with _queue.mutex:
        jobs = list(_queue.queue)
    running = _running
    for job in [*jobs, *([running] if running is not None else [])]:
        job.run.cancel()
    deadline = time.monotonic() + timeout
    while _queue.unfinished_tasks and time.monotonic() < deadline:
        time.sleep(0.02)


_running: _Job | None = None  # the job the worker is executing


def _work() -> None:
    global _running
    while True:
        job = _queue.get()
        _running = job
        try:
            _execute(job)
        except BaseException as exc:  # never let the worker die with runs still queued
            job.run.status = "failed"
            job.run.error = f"{type(exc).__name__}: {exc}"
        finally:
            _running = None
            job.run._done.set()
            _queue.task_done()


def _execute(job: _Job) -> None:
    run = job.run
    if run._cancel.is_set():
        _finish(job, "killed", "cancelled before it started")
        return
    run.status = "running"
    run.started = time.time()
    run._emit({"type": "run", "status": "running"})
    tracked = job.tracking.create_run(
        job.program.name, job.experiment,
        tags={"dsmagic.pipeline": job.pipeline_id, "dsmagic.pipeline_version": run.version,
              "dsmagic.pipeline_run": run.id},
        params={k: _param_text(v) for k, v in job.params.items()},
    )  # fmt: skip
    run.run_id = tracked.id
    try:
        status, error = _run_notebook(job)
    except Exception as exc:
        status, error = "failed", f"{type(exc).__name__}: {exc}"
    _finish(job, status, error)


def _param_text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 5000 else text[:4997] + "..."


def _prepare_folders(job: _Job) -> tuple[Path, Path]:
    data, output = job.run_root / "data", job.run_root / "output"
    output.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    for relative, source in job.data_sources.items():
        target = inside(data, relative, "data file")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            target.symlink_to(source)
        except OSError:
            shutil.copyfile(source, target)
    for name, frame in job.frames.items():
        frame.to_parquet(data / f"{name}.parquet")
    return data, output


def _local_kernel_config(owner: object):
    """Kernels the runner starts talk over Unix sockets in a private temporary folder.

    Over TCP, ipykernel warns into the user's cell that traffic is unencrypted; a kernel
    that only this process talks to has no reason to listen on a port at all. The socket
    paths are absolute (the kernel runs in another folder) and short (a Unix socket path
    holds at most 107 bytes); the folder goes when ``owner`` does.
    """
    import tempfile
    import weakref

    from traitlets.config import Config

    sockets = tempfile.mkdtemp(prefix="dsmagic-kernel-")
    weakref.finalize(owner, shutil.rmtree, sockets, True)
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = os.path.join(sockets, "k")
    return config


def _run_notebook(job: _Job) -> tuple[str, str | None]:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    from dsmagic.pipeline._codegen.notebook import build_notebook

    run = job.run
    data_dir, output_dir = _prepare_folders(job)
    run.output_dir = output_dir
    nb = build_notebook(job.program, str(data_dir), str(output_dir))
    hashes = _cache.step_hashes(job.program, job.parents, job.fingerprints)
    blocks = {b.step_id: b for b in job.program.blocks}
    current: list[str | None] = [None]

    class Client(NotebookClient):
        def output(self, outs, msg, display_id, cell_index):
            out = super().output(outs, msg, display_id, cell_index)
            step_id = current[0]
            if step_id and msg["msg_type"] == "stream":
                text = _ANSI.sub("", msg["content"].get("text", ""))
                step = run.steps[step_id]
                if len(step.logs) < _MAX_LOG:
                    step.logs += text
                run._emit({"type": "log", "step": step_id, "text": text})
            return out

    deadline = time.monotonic() + job.timeout
    client = Client(nb, timeout=int(job.timeout), kernel_name="python3",
                    resources={"metadata": {"path": str(job.run_root)}},
                    interrupt_on_timeout=True, shutdown_kernel="immediate",
                    config=_local_kernel_config(run))  # fmt: skip
    run._client = client
    status, error = "done", None

    cell_deadline = [deadline]

    def execute(cell, index) -> None:
        client.timeout = max(1, math.ceil(deadline - time.monotonic()))
        cell_deadline[0] = time.monotonic() + client.timeout
        client.execute_cell(cell, index)

    with client.setup_kernel(cwd=str(job.run_root)):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            step_id = cell.metadata.get("dsmagic", {}).get("step")
            if status != "done":
                if step_id:
                    run._set_step(step_id, "skipped")
                continue
            if run._cancel.is_set():
                status, error = "killed", "cancelled"
                if step_id:
                    run._set_step(step_id, "skipped")
                continue
            block = blocks.get(step_id) if step_id else None
            cached = None
            if block is not None:
                run.steps[step_id].hash = hashes[step_id]
                if job.cache_dir is not None and block.spec.cacheable and block.outputs:
                    cached = job.cache_dir / f"{hashes[step_id]}.pkl"
            current[0] = step_id
            try:
                digest = _cache.verified_digest(cached) if cached is not None else None
                if cached is not None and digest is not None:
                    run._set_step(step_id, "running")
                    execute(nbformat.v4.new_code_cell(_cache.load_code(cached, digest)), index)
                    run._set_step(step_id, "cached")
                    continue
                if step_id:
                    run._set_step(step_id, "running")
                execute(cell, index)
                if cached is not None:
                    cached.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                    partial = cached.with_suffix(f".{run.id}.part")
                    execute(nbformat.v4.new_code_cell(
                        _cache.save_code(block.outputs, partial)), index)  # fmt: skip
                    _cache.seal(partial, cached)
                if step_id:
                    run._set_step(step_id, "done")
            except CellTimeoutError:
                status, error = "failed", f"timed out after {job.timeout:g} s"
            except DeadKernelError as exc:
                status, error = "failed", f"the kernel died: {exc}"
            except CellExecutionError as exc:
                if run._cancel.is_set():
                    status, error = "killed", "cancelled"
                elif time.monotonic() >= cell_deadline[0]:  # nbclient interrupted it on timeout
                    status, error = "failed", f"timed out after {job.timeout:g} s"
                else:
                    status = "failed"
                    where = f"step {step_id!r}" if step_id else f"cell {cell.id!r}"
                    error = f"{where} failed: {exc.ename}: {_ANSI.sub('', exc.evalue)}"
                    if step_id:
                        run.steps[step_id].logs += _ANSI.sub("", str(exc))[-_MAX_LOG:]
            finally:
                current[0] = None
            if status != "done" and step_id:
                run._set_step(step_id, "killed" if status == "killed" else "failed",
                              error=error)  # fmt: skip
    run._client = None
    notebook_path = job.run_root / "pipeline.ipynb"
    nbformat.write(nb, str(notebook_path))
    run.notebook = notebook_path
    metrics_file = output_dir / "metrics.json"
    if status == "done" and metrics_file.is_file():
        run.metrics = json.loads(metrics_file.read_text())
    return status, error


def _finish(job: _Job, status: str, error: str | None) -> None:
    run = job.run
    run.status = status
    run.error = error if status != "done" else None
    run.finished = time.time()
    for step in run.steps.values():
        if step.status == "queued":
            step.status = "skipped"
    if run.run_id is not None:
        client = job.tracking
        try:
            if run.metrics:
                client.log_metrics(run.run_id, run.metrics)
            if run.output_dir is not None:
                for path in sorted(run.output_dir.iterdir()):
                    client.log_artifact(run.run_id, path)
            if run.notebook is not None:
                client.log_artifact(run.run_id, run.notebook)
        finally:
            ended = {"done": "finished", "killed": "killed"}.get(status, "failed")
            client.end_run(run.run_id, ended)
    steps = json.dumps({k: v.to_dict() for k, v in run.steps.items()})
    job.database.run_with_retry(
        lambda c: c.execute(
            _table().update().where(_table().c.id == run.id).values(
                status=status, run_id=run.run_id, finished_at=run.finished, steps=steps)
        )
    )  # fmt: skip
    run._emit({"type": "run", "status": status, "error": run.error, "metrics": run.metrics})


def _table():
    from dsmagic.store._models_pipeline import PipelineRun as Row

    return Row.__table__


def _database():
    from dsmagic.store import get_database

    return get_database()


def list_runs(pipeline_id: str) -> list[dict[str, Any]]:
    """Stored runs of a pipeline (newest last), each with its version name."""
    from sqlalchemy import select

    from dsmagic.store._models_pipeline import PipelineVersion

    versions, runs = PipelineVersion.__table__, _table()
    query = (
        select(runs, versions.c.name.label("version"))
        .join(versions, versions.c.id == runs.c.version_id)
        .where(versions.c.pipeline == pipeline_id)
        .order_by(runs.c.started_at)
    )
    with _database().read() as connection:
        rows = connection.execute(query).mappings().all()
    return [{"id": r["id"], "version": r["version"], "run_id": r["run_id"],
             "status": r["status"], "started_at": r["started_at"],
             "finished_at": r["finished_at"], "steps": json.loads(r["steps"])}
            for r in rows]  # fmt: skip
