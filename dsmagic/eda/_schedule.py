"""A few threads running the report's jobs, the most urgent queued job first.

A job added while others run (work that has just become possible, such as the
correlations once every numeric column is known) can go ahead of the jobs already
queued, so it overlaps with the remaining column work instead of waiting for it.
Each thread picks its next job itself when it is free: no thread waits for the
caller to hand it one.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any


class Jobs:
    """``add`` jobs (lower ``priority`` runs first, then in the order added); iterate
    :meth:`finished` for their results as they come. Use as a context manager."""

    def __init__(self, workers: int) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=max(1, workers))
        self._queued: list[tuple[int, int, Any, Callable[[], Any]]] = []
        self._order = itertools.count()
        self._lock = threading.Lock()
        self._finished: queue.SimpleQueue = queue.SimpleQueue()
        self._open = 0

    def add(self, key: Any, job: Callable[[], Any], priority: int = 1) -> None:
        """Queue ``job``; jobs may add jobs (before they return, so none is missed)."""
        with self._lock:
            heapq.heappush(self._queued, (priority, next(self._order), key, job))
            self._open += 1
        self._pool.submit(self._run_next)

    def _run_next(self) -> None:
        with self._lock:
            _, _, key, job = heapq.heappop(self._queued)
        try:
            self._finished.put((key, job(), None))
        except BaseException as exc:  # handed to the caller, who raises it
            self._finished.put((key, None, exc))

    def finished(self) -> Iterator[tuple[Any, Any]]:
        """``(key, result)`` of each job as it ends, until none is left, including jobs
        added meanwhile; a job's exception is raised here."""
        while self._open:
            key, result, exc = self._finished.get()
            with self._lock:
                self._open -= 1
            if exc is not None:
                raise exc
            yield key, result

    def __enter__(self) -> Jobs:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # after an error the queued jobs are dropped; running ones end on their own
        self._pool.shutdown(wait=True, cancel_futures=True)
