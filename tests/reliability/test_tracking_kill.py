"""kill -9 while logging at 100,000 points a second loses at most the last second.

Timing-sensitive: run under `flock /tmp/dsmagic-heavy.lock`.
"""

from __future__ import annotations

import signal
import sqlite3
import time

import pytest

import dsmagic as dm
from dsmagic.tracking import TrackingClient
from dsmagic.tracking._writer import WINDOW_SECONDS
from tests.reliability._tracking_child import STEADY_LOGGER, python

RATE = 100_000


def _progress(path) -> list[tuple[int, float]]:
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    return [(int(n), float(t)) for n, t in (line.split() for line in lines if line.count(" ") == 1)]


@pytest.mark.parametrize("seconds", [1.0, 3.0])
def test_kill_9_loses_at_most_the_last_second(dsmagic_home, store_uri, tmp_path, seconds):
    side = tmp_path / "progress.txt"
    child = python(STEADY_LOGGER, str(RATE), str(side), cwd=tmp_path)
    run_id = child.stdout.readline().strip()
    assert run_id, child.stderr.read()
    deadline = time.time() + 60
    while not _progress(side) and time.time() < deadline:
        time.sleep(0.01)
    first = _progress(side)[0][1]
    time.sleep(max(0.0, first + seconds - time.time()))
    killed_at = time.time()
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()
    child.stderr.close()
    logged = _progress(side)

    if store_uri.startswith("sqlite"):
        with sqlite3.connect(store_uri.removeprefix("sqlite:///")) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    history = TrackingClient().store.metric_history(run_id, "x")
    steps = [step for step, _, _ in history]
    # Stored: every point from the first on, each once, with its value.
    assert steps == list(range(len(steps))), "stored points have gaps or repeats"
    assert [value for _, value, _ in history] == [step / 2 for step in steps]
    # Every point logged earlier than the window before the kill is stored...
    due = max((count for count, stamp in logged if stamp <= killed_at - WINDOW_SECONDS), default=0)
    assert len(steps) >= due, f"{due - len(steps)} points logged over {WINDOW_SECONDS} s before "
    # ...so the newest stored point is within the window of the kill.
    newest = max(stamp for _, _, stamp in history)
    assert killed_at - newest <= WINDOW_SECONDS, f"lost the last {killed_at - newest:.2f} s"
    # The crashed run ends at its last sign of life: never before its last stored point.
    run = dm.get_run(run_id)
    assert run.status == "crashed"
    assert run.end_time is not None and run.end_time >= newest
