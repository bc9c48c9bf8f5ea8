"""Sixteen processes logging into one store at once lose nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3

from dsmagic.tracking import TrackingClient
from tests.reliability._tracking_child import BURST_LOGGER, python

WRITERS = 16
POINTS = 2_000


def test_sixteen_writers_at_once_store_every_point(dsmagic_home, store_uri, tmp_path):
    start = tmp_path / "go"
    children = [python(BURST_LOGGER, str(POINTS), str(start), cwd=tmp_path)
                for _ in range(WRITERS)]  # fmt: skip
    start.touch()  # all of them at once, each already inside its run
    run_ids = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        run_ids.append(out.strip())
    assert len(set(run_ids)) == WRITERS

    client = TrackingClient()
    for run_id in run_ids:
        run = client.get_run(run_id)
        assert run.status == "finished", (run_id, run.status)
        history = client.store.metric_history(run_id, "x")
        assert [step for step, _, _ in history] == list(range(POINTS)), "points lost or doubled"
        assert [value for _, value, _ in history] == [step * 0.5 for step in range(POINTS)]
        assert run.params == {f"p{step}": str(step) for step in range(0, POINTS, 500)}
        assert run.metrics["x"] == (POINTS - 1) * 0.5
    if store_uri.startswith("sqlite"):
        with sqlite3.connect(store_uri.removeprefix("sqlite:///")) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
