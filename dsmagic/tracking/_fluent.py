"""The fluent API: one active run (and its nested children) per kernel.

Logged values go to an in-memory buffer (``_writer``) that a background thread writes
every quarter second and whenever it fills, and that is written at once when a cell
finishes, a run ends or the process exits. A ``kill -9`` loses at most the values logged
in the last second. Values the store could not take make their run fail: the next call
on the run raises, and ends it as ``failed``.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from dsmagic._display import RichDisplay
from dsmagic.errors import DsmagicError
from dsmagic.tracking import _environment, _liveness, _validation, _writer
from dsmagic.tracking._client import TrackingClient
from dsmagic.tracking._entities import Run
from dsmagic.tracking._writer import FLUSH_SECONDS, Writer

_known_keys = _validation._valid_keys  # keys that passed validate_key


class ActiveRun(RichDisplay):
    """The run being logged to. Reading its fields shows what is stored, buffer included."""

    _display_kind = "run"

    def __init__(self, client: TrackingClient, run: Run, writer: Writer) -> None:
        self.client = client
        self.id = run.id
        self._writer = writer
        self._next_step: dict[str, int] = {}
        self._capture: threading.Thread | None = None
        self.ended = False

    # -- a live view of the stored run ------------------------------------------------
    def snapshot(self) -> Run:
        self._writer.flush()
        return self.client.get_run(self.id)

    name = property(lambda self: self.snapshot().name)
    status = property(lambda self: self.snapshot().status)
    params = property(lambda self: self.snapshot().params)
    metrics = property(lambda self: self.snapshot().metrics)
    tags = property(lambda self: self.snapshot().tags)
    artifacts = property(lambda self: self.snapshot().artifacts)
    experiment = property(lambda self: self.snapshot().experiment)
    parent_id = property(lambda self: self.snapshot().parent_id)

    def __repr__(self) -> str:
        return repr(self.snapshot())

    def _display_target(self) -> Run:
        return self.snapshot()

    def __enter__(self) -> ActiveRun:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if self.ended:
            return
        if kind is None:
            status = "finished"
        elif issubclass(kind, KeyboardInterrupt):
            status = "killed"
        else:
            status = "failed"
        _end(self, status)

    # -- buffered logging --------------------------------------------------------------
    def log_metric(self, key: str, value: Any, step: int | None = None) -> None:
        # The hot path of logging in a loop: a key already seen and a plain float skip
        # the validation calls; anything else gets the full checks.
        writer = self._writer
        if writer.failures:
            _report(self)
        if key not in _known_keys:
            _validation.validate_key(key, "metric key")
        if value.__class__ is not float:
            value = _validation.validate_metric_value(key, value)
        next_step = self._next_step
        if step is None:
            step = next_step.get(key, 0)
            next_step[key] = step + 1
        else:
            step = _validation.validate_step(key, step)
            if step >= next_step.get(key, 0):
                next_step[key] = step + 1
        point = (self.id, key, step, value, time.time())
        with writer.lock:
            metrics = writer.metrics
            metrics.append(point)
            full = len(metrics) >= writer.room_left
        if full:  # the writer is behind: wait until it has taken the buffer
            writer.make_room()

    def log_params(self, params: dict[str, Any]) -> None:
        clean = _clean_params(params)
        _report(self)
        with self._writer.lock:
            self._writer.params.setdefault(self.id, {}).update(clean)

    def set_tags(self, tags: dict[str, Any]) -> None:
        clean = _clean_tags(tags)
        _report(self)
        with self._writer.lock:
            self._writer.tags.setdefault(self.id, {}).update(clean)


class _State:
    def __init__(self) -> None:
        self.stack: list[ActiveRun] = []
        # Runs started since the kernel hook last asked: a run started and ended inside
        # one cell still gets that cell recorded.
        self.started: list[ActiveRun] = []
        self.writers: dict[str, Writer] = {}
        self.clients: dict[str, TrackingClient] = {}
        self.experiment: str | None = None
        self.lock = threading.RLock()
        self.thread: threading.Thread | None = None
        self.stop = threading.Event()
        self.wake = threading.Event()  # a buffer filled: flush now
        self.last_heartbeat = 0.0


_state = _State()


def _reset_after_fork() -> None:
    # A forked child must not write the parent's buffer or end the parent's runs.
    global _state
    _state = _State()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def reset() -> None:
    """End the active runs (finished), write what is buffered, stop the writer thread and
    forget the clients and the experiment: a fresh process's state (``dsmagic.testing``)."""
    global _state
    state = _state
    for run in reversed(list(state.stack)):
        try:
            _end(run, "finished")
        except Exception:  # values the store refused: nothing more to do with them here
            pass
    for writer in list(state.writers.values()):
        try:
            writer.flush()
        except Exception:
            pass
    state.stop.set()
    state.wake.set()
    if state.thread is not None:
        state.thread.join(timeout=30)
    _state = _State()


def _client() -> TrackingClient:
    from dsmagic.config import current_settings

    settings = current_settings()
    key = f"{settings.uri}|{settings.artifact_root}"
    client = _state.clients.get(key)
    if client is None:
        client = _state.clients[key] = TrackingClient(settings.uri, settings.artifact_root)
    return client


def _writer_for(client: TrackingClient) -> Writer:
    key = f"{client.store.db.uri}|{client.artifact_root}"
    writer = _state.writers.get(key)
    if writer is None:
        writer = _state.writers[key] = Writer(client)
        writer.wake = _wake
    return writer


def _wake() -> None:
    _ensure_thread()
    _state.wake.set()


def _background() -> None:
    state = _state
    took = 0.0
    while True:
        # Every FLUSH_SECONDS from the start of the last flush, or at once when woken.
        state.wake.wait(max(0.0, FLUSH_SECONDS - took))
        state.wake.clear()
        if state.stop.is_set():
            return
        started = time.monotonic()
        now = time.time()
        if now - state.last_heartbeat >= _liveness.heartbeat_interval():
            state.last_heartbeat = now
            for run in list(state.stack):
                with run._writer.lock:
                    run._writer.heartbeats[run.id] = now
        for writer in list(state.writers.values()):
            try:
                writer.flush()
            except Exception:
                pass  # the writer records what it could not store; the next call reports it
        took = time.monotonic() - started


def _ensure_thread() -> None:
    if _state.thread is None or not _state.thread.is_alive():
        _state.stop.clear()
        _state.thread = threading.Thread(target=_background, name="dsmagic-writer", daemon=True)
        _state.thread.start()


def _notebook_path() -> str | None:
    try:
        from IPython import get_ipython
    except ImportError:
        return os.environ.get("JPY_SESSION_NAME")
    shell = get_ipython()
    namespace = getattr(shell, "user_ns", {}) or {}
    for name in ("__session__", "__vsc_ipynb_file__"):
        value = namespace.get(name)
        if isinstance(value, str) and value:
            return value
    return os.environ.get("JPY_SESSION_NAME")


def _note(message: str) -> None:
    print(f"dsmagic: {message}", file=sys.stderr)


def _capture_environment(run: ActiveRun, notebook_path: str | None) -> None:
    def work() -> None:
        try:
            data = _environment.capture(notebook_path)
            run.client.store.set_environment(run.id, json.dumps(data, default=str))
        except Exception as exc:  # capture is best effort; logging must go on
            _note(f"could not record the environment of run {run.id[:8]}: {exc}")

    run._capture = threading.Thread(target=work, name="dsmagic-capture", daemon=True)
    run._capture.start()


# -- public functions ---------------------------------------------------------------------
def start_run(
    name: str | None = None,
    experiment: str | None = None,
    *,
    nested: bool = False,
    tags: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
) -> ActiveRun:
    """Start a run and make it the active one.

    Starting a run while another is active ends the active run as ``finished``
    first (and says so), unless ``nested=True``, which starts a child of it.
    Use it as a context manager to end it as ``finished`` or ``failed``.
    The experiment given is remembered for later runs in this process.
    """
    with _state.lock:
        parent: ActiveRun | None = None
        if nested:
            if not _state.stack:
                raise DsmagicError("nested=True needs an active run to nest under: start one first")
            parent = _state.stack[-1]
        elif _state.stack:
            ended = [run.id[:8] for run in reversed(_state.stack)]
            for run in reversed(list(_state.stack)):
                _end(run, "finished")
            _note(f"ended active run(s) {', '.join(ended)} (finished) before starting a new one")
        if experiment is not None:
            experiment = _validation.validate_name(experiment, "experiment name")
        chosen = experiment or (parent.experiment if parent else None) or _state.experiment
        client = parent.client if parent else _client()
        notebook_path = _notebook_path()
        stored = client.create_run(
            name,
            chosen,
            parent_id=parent.id if parent else None,
            tags=tags,
            params=params,
            notebook_path=notebook_path,
        )
        if experiment is not None:
            _state.experiment = experiment
        active = ActiveRun(client, stored, _writer_for(client))
        _state.stack.append(active)
        _state.started.append(active)
        _ensure_thread()
        _capture_environment(active, notebook_path)
        return active


def _end(run: ActiveRun, status: str) -> None:
    """End ``run`` and its children; raise if some of their values could not be stored."""
    status = _validation.validate_end_status(status)
    with _state.lock:
        failures = []
        # Children end with their parent.
        while _state.stack and run in _state.stack and _state.stack[-1] is not run:
            failures.append(_finish(_state.stack[-1], status))
        failures.append(_finish(run, status))
    found = [message for message in failures if message]
    if found:
        raise DsmagicError(found[0])


def _finish(run: ActiveRun, status: str) -> str | None:
    """End one run; the message saying what of it could not be stored, if anything."""
    try:
        run._writer.flush()
    finally:
        if run._capture is not None:
            run._capture.join(timeout=30)
        lost = run._writer.failures.pop(run.id, None)
        run.ended = True
        if run in _state.stack:
            _state.stack.remove(run)
        marked = "is marked failed"
        try:
            run.client.end_run(run.id, "failed" if lost else status)
        except Exception as exc:
            if lost is None:
                raise DsmagicError(
                    f"run {run.id[:8]} could not be ended as {status}: {_writer.reason(exc)}"
                ) from exc
            marked = "failed (the store refused to mark it so: it reads crashed once this ends)"
    if lost is None:
        return None
    return f"run {run.id[:8]} {marked}: {lost}"


def _report(run: ActiveRun) -> None:
    """Raise what of ``run`` could not be stored, ending it as failed."""
    if run.id in run._writer.failures:
        _end(run, "failed")


def end_run(status: str = "finished") -> Run | None:
    """End the active run (and its nested children); return it, or None if none was active."""
    status = _validation.validate_end_status(status)
    with _state.lock:
        if not _state.stack:
            return None
        run = _state.stack[-1]
        _end(run, status)
        return run.client.get_run(run.id)


def active_run() -> ActiveRun | None:
    return _state.stack[-1] if _state.stack else None


def active_runs() -> list[ActiveRun]:
    return list(_state.stack)


def take_started_runs() -> list[ActiveRun]:
    """Runs started since the last call (for the kernel's cell recorder)."""
    started, _state.started = _state.started, []
    return started


def _require_run() -> ActiveRun:
    if _state.stack:
        run = _state.stack[-1]
        if run.id not in run._writer.failures:
            return run
        _report(run)
    run = start_run()
    _note(f"no active run: started {run.id[:8]}; end it with dm.end_run() or %end_run")
    return run


def _clean_params(params: dict[str, Any]) -> dict[str, str]:
    return {_validation.validate_key(k, "param key"): _validation.format_param(k, v)
            for k, v in params.items()}  # fmt: skip


def _clean_tags(tags: dict[str, Any]) -> dict[str, str]:
    return {_validation.validate_key(k, "tag key"): _validation.format_tag(k, v)
            for k, v in tags.items()}  # fmt: skip


# Each function checks its input before touching the run, so bad input writes nothing
# (not even the run that logging without an active run would start).
def log_metric(key: str, value: Any, step: int | None = None) -> None:
    """Log one metric point. Without ``step`` the run's next step for that key is used."""
    stack = _state.stack
    if stack:
        stack[-1].log_metric(key, value, step)
        return
    _validation.validate_key(key, "metric key")
    _validation.validate_metric_value(key, value)
    if step is not None:
        _validation.validate_step(key, step)
    _require_run().log_metric(key, value, step)


def log_metrics(metrics: dict[str, Any], step: int | None = None) -> None:
    for key, value in metrics.items():
        _validation.validate_key(key, "metric key")
        _validation.validate_metric_value(key, value)
        if step is not None:
            _validation.validate_step(key, step)
    run = _require_run()
    for key, value in metrics.items():
        run.log_metric(key, value, step)


def log_param(key: str, value: Any) -> None:
    log_params({key: value})


def log_params(params: dict[str, Any]) -> None:
    clean = _clean_params(params)
    _require_run().log_params(clean)


def set_tag(key: str, value: Any) -> None:
    set_tags({key: value})


def set_tags(tags: dict[str, Any]) -> None:
    clean = _clean_tags(tags)
    _require_run().set_tags(clean)


def log_artifact(path: str | os.PathLike[str], name: str | None = None) -> str:
    """Copy a file or folder into the active run's artifacts; return its stored name."""
    if not Path(path).exists():
        raise DsmagicError(f"cannot log artifact {str(path)!r}: no such file or folder")
    _validation.validate_artifact_name(name if name is not None else Path(path).name)
    run = _require_run()
    return run.client.log_artifact(run.id, path, name)


def log_text(text: str, name: str) -> str:
    _validation.validate_artifact_name(name)
    run = _require_run()
    return run.client.log_text(run.id, text, name)


def set_experiment(name: str) -> None:
    """Use experiment ``name`` for runs started from now on in this process."""
    _state.experiment = _validation.validate_name(name, "experiment name")


def flush() -> None:
    """Write everything buffered now; raise if some of it could not be stored."""
    for writer in list(_state.writers.values()):
        writer.flush()
    for run in list(_state.stack):
        _report(run)


def record_cell(
    runs: list[ActiveRun],
    source: str,
    execution_count: int | None,
    started_at: float,
    finished_at: float,
    success: bool,
) -> None:
    """Buffer the source of a cell for each of the runs active while it ran."""
    for run in runs:
        row = {
            "run_id": run.id,
            "execution_count": execution_count,
            "source": _validation.storable_text(source),
            "started_at": started_at,
            "finished_at": finished_at,
            "success": success,
        }
        with run._writer.lock:
            run._writer.cells.append(row)


def _shutdown() -> None:
    """At interpreter exit: write the buffer and end open runs cleanly."""
    _state.stop.set()
    _state.wake.set()
    for run in reversed(list(_state.stack)):
        try:
            run.set_tags({"dsmagic.ended_by": "process exit"})
            _end(run, "finished")
        except DsmagicError as exc:  # values the store refused: the last chance to say so
            _note(str(exc))
        except Exception:
            pass
    for writer in list(_state.writers.values()):
        try:
            writer.flush()
        except Exception:
            pass


atexit.register(_shutdown)


def default_client() -> TrackingClient:
    return _client()
