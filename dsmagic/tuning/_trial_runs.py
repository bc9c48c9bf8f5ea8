"""Trial runs written straight to the store: one row at the start, one batch at the end.

A trial run skips what the fluent API does for a run a person starts (environment
capture, cell recording, buffering thread): its parent run has all that, and a
trial must cost milliseconds. Safe to use from several threads (``n_jobs``).

Trials in flight do get heartbeats, from one thread per study: a worker on another
machine is judged by its heartbeat's age, so a long trial would otherwise read as
crashed while it is still running.
"""

from __future__ import annotations

import math
import os
import threading
import time
import uuid
from typing import Any

from sqlalchemy import update

from dsmagic.store import _summaries
from dsmagic.store._models import is_negative_zero
from dsmagic.store._tracking_store import (
    latest_t,
    metrics_t,
    numeric_value,
    params_t,
    runs_t,
    tags_t,
)
from dsmagic.tracking import TrackingClient, _liveness, _validation


class TrialRuns:
    """Writes of trial runs. A trial run is new, so every row is a plain INSERT (no upsert):
    the statements compile once and are cached, which keeps a trial near a millisecond."""

    def __init__(self, client: TrackingClient, parent_id: str, experiment: str) -> None:
        self.client = client
        self.store = client.store
        self.parent_id = parent_id
        self.experiment_id = self.store.experiment_id(experiment)
        self.host = _liveness.hostname()
        self.pid = os.getpid()
        self.started = _liveness.own_start_time()
        self._in_flight: set[str] = set()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._beats: threading.Thread | None = None

    def start(self, name: str, params: dict[str, Any], tags: dict[str, Any]) -> str:
        run_id = uuid.uuid4().hex
        now = time.time()
        row = {
            "id": run_id,
            "experiment_id": self.experiment_id,
            "name": name,
            "status": "running",
            "start_time": now,
            "end_time": None,
            "heartbeat": now,
            "parent_id": self.parent_id,
            "host": self.host,
            "pid": self.pid,
            "process_started": self.started,
            "notebook_path": None,
        }
        cleaned = clean_params(params)
        param_rows = _param_rows(run_id, cleaned)
        tag_rows = _tag_rows(run_id, tags)
        # A new run holds exactly these values: its search summary needs no read back.
        summary = _summaries.flat(cleaned, {r["key"]: r["value"] for r in tag_rows}, {})

        def work(connection) -> None:
            connection.execute(runs_t.insert(), row)
            if param_rows:
                connection.execute(params_t.insert(), param_rows)
            if tag_rows:
                connection.execute(tags_t.insert(), tag_rows)
            _summaries.write(connection, {run_id: summary})

        self.store.db.run_with_retry(work)
        with self._lock:
            self._in_flight.add(run_id)
            if self._beats is None and not self._closed.is_set():
                self._beats = threading.Thread(
                    target=self._beat, name="dsmagic-trial-heartbeat", daemon=True
                )
                self._beats.start()
        return run_id

    def _beat(self) -> None:
        while not self._closed.wait(_liveness.heartbeat_interval()):
            with self._lock:
                live = list(self._in_flight)
            if live:
                now = time.time()
                try:
                    self.store.write_batch(heartbeats={run_id: now for run_id in live})
                except Exception:
                    pass  # the next beat tries again; a trial must not fail over a heartbeat

    def close(self) -> None:
        """Stop the heartbeat thread (the study is over in this process)."""
        self._closed.set()
        thread = self._beats
        if thread is not None:
            thread.join(timeout=5)

    def finish(
        self,
        run_id: str,
        status: str,
        *,
        metrics: dict[str, float] | None = None,
        history: dict[str, dict[int, float]] | None = None,
        params: dict[str, Any] | None = None,
        tags: dict[str, Any] | None = None,
    ) -> None:
        """Values and end status in one transaction. ``tags`` and ``params`` must not repeat
        keys given to :meth:`start`."""
        with self._lock:
            self._in_flight.discard(run_id)
        now = time.time()
        points: list[dict[str, Any]] = []
        latest: dict[str, dict[str, Any]] = {}
        for key, series in (history or {}).items():
            for step, value in sorted(series.items()):
                point = _point(run_id, key, int(step), value, now)
                points.append(point)
                latest[key] = point
        for key, value in (metrics or {}).items():
            point = _point(run_id, key, 0, value, now)
            points.append(point)
            latest[key] = point
        param_rows = _param_rows(run_id, clean_params(params))
        tag_rows = _tag_rows(run_id, tags or {})

        def work(connection) -> None:
            _summaries.lock(connection, [run_id])
            if param_rows:
                connection.execute(params_t.insert(), param_rows)
            if tag_rows:
                connection.execute(tags_t.insert(), tag_rows)
            if points:
                connection.execute(metrics_t.insert(), points)
                connection.execute(latest_t.insert(), list(latest.values()))
            connection.execute(
                update(runs_t)
                .where(runs_t.c.id == run_id)
                .values(status=status, end_time=now, heartbeat=now)
            )
            _summaries.refresh(connection, [run_id])

        self.store.db.run_with_retry(work)


def _point(run_id: str, key: str, step: int, value: Any, now: float) -> dict[str, Any]:
    """A metrics row (and latest_metrics row): NaN and infinities as NULL, -0.0 signed."""
    number = float(value)
    return {
        "run_id": run_id,
        "key": key,
        "step": step,
        "value": number if math.isfinite(number) else None,
        "timestamp": now,
        "negative_zero": is_negative_zero(number) or None,
    }


def _param_rows(run_id: str, params: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"run_id": run_id, "key": k, "value": v, "value_num": numeric_value(v)}
        for k, v in params.items()
    ]


def _tag_rows(run_id: str, tags: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "run_id": run_id,
            "key": _validation.validate_key(k, "tag key"),
            "value": _validation.format_tag(k, v),
        }
        for k, v in tags.items()
    ]


def clean_params(params: dict[str, Any] | None) -> dict[str, str]:
    return {
        _validation.validate_key(k, "param key"): _validation.format_param(k, v)
        for k, v in (params or {}).items()
    }


def finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
