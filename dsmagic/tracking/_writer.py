"""The fluent API's buffer of logged values and how it reaches the store.

Values wait in memory until a background thread writes them: every quarter second, and
at once when the buffer fills. The writer measures how fast the store takes points and
writes them in transactions of about 0.15 s each. A logging call that finds more points
waiting than the store writes in 0.4 s waits until there is room again, so the values
never fall further behind than that: a ``kill -9`` loses at most the values logged in
the last second (``WINDOW_SECONDS``; tests/reliability/test_tracking_kill.py), and a
short burst of logging still runs at the full speed of the call.

A batch the store refuses is written again piece by piece, so one value it cannot take
costs that value only; what could not be stored is recorded against its run, which the
next call on that run reports (see ``_fluent``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from dsmagic.tracking._client import TrackingClient

FLUSH_SECONDS = 0.25
WINDOW_SECONDS = 1.0  # the promise: what was logged earlier than this before a kill is stored
_CHUNK_SECONDS = 0.15  # one transaction of points takes about this long
_BEHIND_SECONDS = 0.4  # points waiting (buffered or being written) never exceed this much
_MIN_CHUNK, _MAX_CHUNK = 2_000, 200_000
_PIECE_POINTS = 5_000  # metric points per transaction when a batch is written piece by piece
_PIECE_BUDGET = 200  # refused transactions one batch may spend finding what the store refuses
_WAIT_SECONDS = 5.0  # a full buffer waits this long for the writer thread, then writes itself

Point = tuple[str, str, int, float, float]
Batch = tuple[
    list[Point], dict[str, dict[str, str]], dict[str, dict[str, str]], list[dict], dict[str, float]
]


def reason(exc: BaseException) -> str:
    """The first line of what the database said (SQLAlchemy adds the SQL on more lines)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0]


class Loss:
    """What of one run the store refused: counts by kind, and the first reason given."""

    def __init__(self, first: str) -> None:
        self.first = first
        self.counts: dict[str, int] = {}

    def add(self, kind: str, count: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + count

    def __str__(self) -> str:
        what = ", ".join(f"{count:,} {kind}(s)" for kind, count in self.counts.items())
        return f"{what} could not be stored ({self.first})"


class Writer:
    """Buffered writes to one store."""

    def __init__(self, client: TrackingClient) -> None:
        self.client = client
        self.lock = threading.Lock()
        self.room = threading.Condition(self.lock)  # notified as points are written
        self.flush_lock = threading.Lock()
        self.metrics: list[Point] = []
        self.params: dict[str, dict[str, str]] = {}
        self.tags: dict[str, dict[str, str]] = {}
        self.cells: list[dict[str, Any]] = []
        self.heartbeats: dict[str, float] = {}
        # Points per transaction, and points allowed to wait: adapted to the store's speed,
        # from a cautious start (a slow server must not start seconds behind).
        self.chunk = 5_000
        self.limit = 20_000
        self.room_left = self.limit  # what the buffer may hold while points are in flight
        # Run id -> what of it could not be stored (read by the next call on that run).
        self.failures: dict[str, Loss] = {}
        self.wake: Callable[[], None] = lambda: None  # starts the writer thread's next flush

    def pending(self) -> bool:
        return bool(self.metrics or self.params or self.tags or self.cells or self.heartbeats)

    def make_room(self) -> None:
        """Called by a logging call that filled the buffer: wait until there is room."""
        self.wake()
        with self.room:
            room = self.room.wait_for(lambda: len(self.metrics) < self.room_left, _WAIT_SECONDS)
        if not room:  # no writer thread (or a stalled one): write here
            self.flush()

    def flush(self) -> None:
        """Write everything buffered. What the store refuses is recorded in ``failures``."""
        with self.flush_lock:
            with self.lock:
                if not self.pending():
                    return
                batch: Batch = (self.metrics, self.params, self.tags, self.cells, self.heartbeats)
                self.metrics, self.params, self.tags, self.cells = [], {}, {}, []
                self.heartbeats = {}
                in_flight = len(batch[0])
                self.room_left = self.limit - in_flight
            metrics, params, tags, cells, heartbeats = batch
            start = 0
            while True:
                points = metrics[start : start + self.chunk]
                began = time.perf_counter()
                self._write((points, params, tags, cells, heartbeats))
                took = time.perf_counter() - began
                params, tags, cells, heartbeats = {}, {}, [], {}  # sent with the first chunk
                start += len(points)
                if len(points) >= 1_000:
                    self._adapt(len(points) / max(took, 1e-6))
                with self.lock:
                    in_flight -= len(points)
                    self.room_left = self.limit - in_flight
                    self.room.notify_all()
                if start >= len(metrics):
                    return

    def _adapt(self, rate: float) -> None:
        """Size transactions and the allowed backlog to the store's measured rate."""
        self.chunk = max(_MIN_CHUNK, min(_MAX_CHUNK, int(rate * _CHUNK_SECONDS)))
        self.limit = max(2 * _MIN_CHUNK, int(rate * _BEHIND_SECONDS))

    # -- writing, and isolating what the store refuses --------------------------------
    def _write(self, batch: Batch) -> None:
        try:
            self.client.store.write_batch(*batch)
        except Exception:
            _Pieces(self, batch).write()

    def _failed(self, run_id: str, kind: str, count: int, exc: BaseException) -> None:
        with self.lock:
            loss = self.failures.get(run_id)
            first = loss is None
            if loss is None:
                loss = self.failures[run_id] = Loss(reason(exc))
            loss.add(kind, count)
        if first:
            try:  # say so in the store too, in case the process ends before the next call
                self.client.store.mark_failed(run_id, f"some values could not be stored: {loss}")
            except Exception:
                pass  # the store takes no writes at all; the next call still reports it


class _Pieces:
    """A refused batch, written again in small transactions: what the store takes is
    stored, each refused value is dropped and recorded against its run."""

    def __init__(self, writer: Writer, batch: Batch) -> None:
        self.writer = writer
        self.store = writer.client.store
        self.batch = batch
        self.budget = _PIECE_BUDGET  # refused transactions left before giving up
        self.stored = 0
        self.error: BaseException | None = None

    def _try(self, **values: Any) -> BaseException | None:
        """Write one piece; the store's error if it refused it."""
        if self.budget <= 0:
            return self.error
        try:
            self.store.write_batch(**values)
        except Exception as exc:
            self.error = exc
            self.budget -= 1
            # Nothing taken after a few tries: the store refuses everything (full disk,
            # read-only, gone). Do not spend one transaction per value finding that out.
            if self.stored == 0 and _PIECE_BUDGET - self.budget >= 16:
                self.budget = 0
            return exc
        self.stored += 1
        return None

    def write(self) -> None:
        metrics, params, tags, cells, heartbeats = self.batch
        for field, values in (("param", params), ("tag", tags)):
            for run_id, items in values.items():
                for key, value in items.items():
                    exc = self._try(**{field + "s": {run_id: {key: value}}})
                    if exc is not None:
                        self.writer._failed(run_id, field, 1, exc)
        for cell in cells:
            exc = self._try(cells=[cell])
            if exc is not None:
                self.writer._failed(cell["run_id"], "cell source", 1, exc)
        for start in range(0, len(metrics), _PIECE_POINTS):
            self._metrics(metrics[start : start + _PIECE_POINTS])
        if heartbeats:
            self._try(heartbeats=heartbeats)  # a missed heartbeat loses nothing

    def _metrics(self, points: list[Point]) -> None:
        exc = self._try(metrics=points)
        if exc is None:
            return
        if len(points) > 1 and self.budget > 0 and self.stored > 0:
            middle = len(points) // 2
            self._metrics(points[:middle])
            self._metrics(points[middle:])
            return
        dropped: dict[str, int] = {}
        for point in points:
            dropped[point[0]] = dropped.get(point[0], 0) + 1
        for run_id, count in dropped.items():
            self.writer._failed(run_id, "metric point", count, exc)
