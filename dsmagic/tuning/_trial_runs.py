"""Trial runs written straight to the store: one row at the start, one batch at the end.

A trial run skips what the fluent API does for a run a person starts (environment
capture, cell recording, buffering thread): its parent run has all that, and a
trial must cost milliseconds. Safe to use from several threads (``n_jobs``).
"""

from __future__ import annotations

import math
import os
import time
import uuid
from typing import Any

from sqlalchemy import update

from dsmagic.store._tracking_store import runs_t
from dsmagic.tracking import TrackingClient, _liveness, _validation


class TrialRuns:
    def __init__(self, client: TrackingClient, parent_id: str, experiment: str) -> None:
        self.client = client
        self.store = client.store
        self.parent_id = parent_id
        self.experiment_id = self.store.experiment_id(experiment)
        self.host = _liveness.hostname()
        self.pid = os.getpid()
        self.started = _liveness.own_start_time()

    def start(self, name: str, params: dict[str, Any], tags: dict[str, Any]) -> str:
        run_id = uuid.uuid4().hex
        now = time.time()
        self.store.create_run(
            {
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
            },
            clean_params(params),
            {k: _validation.format_tag(k, v) for k, v in tags.items()},
        )
        return run_id

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
        now = time.time()
        points = []
        for key, series in (history or {}).items():
            points += [
                (run_id, key, int(step), float(value), now) for step, value in series.items()
            ]
        for key, value in (metrics or {}).items():
            points.append((run_id, key, 0, float(value), now))
        clean_tags = {k: _validation.format_tag(k, v) for k, v in (tags or {}).items()}
        clean = clean_params(params)
        store = self.store

        # Values and the end status in one transaction: a trial costs two commits in all.
        def work(connection) -> None:
            if clean:
                store._write_params(connection, run_id, clean)
            if clean_tags:
                store._write_tags(connection, run_id, clean_tags)
            if points:
                store._write_metrics(connection, points)
            connection.execute(
                update(runs_t)
                .where(runs_t.c.id == run_id)
                .values(status=status, end_time=now, heartbeat=now)
            )

        store.db.run_with_retry(work)


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
