"""Bridge from a pipeline run's events to the canvas' ``run_status``, throttled so a chatty
run never floods the front end."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

_MARKS = {"done": "✓", "cached": "✓", "failed": "✗", "skipped": "-", "cancelled": "■"}
INTERVAL = 0.1  # seconds between two pushes of the run status
LOG_LINES = 200


class RunFeed:
    """Collects events from the runner thread; pushes a plain-data status at most every
    ``INTERVAL`` seconds (and at once when the run ends)."""

    def __init__(self, push: Callable[[dict[str, Any]], None], step_ids: list[str]) -> None:
        self._push = push
        self._lock = threading.Lock()
        self._log: deque[str] = deque(maxlen=LOG_LINES)
        self._partial = ""
        self._speaking: Any = None  # the step whose output the log shows last
        self._started: dict[str, float] = {}
        self._timer: threading.Timer | None = None
        self._last = 0.0
        self.run: Any = None
        self.status: dict[str, Any] = {
            "status": "queued", "steps": dict.fromkeys(step_ids, "queued"), "errors": {},
            "log": "", "metrics": {}, "run_id": None, "error": None, "notebook": None,
            "notebook_link": None,
        }  # fmt: skip

    def on_event(self, event: dict[str, Any]) -> None:
        with self._lock:
            kind = event.get("type")
            if kind == "step":
                self.status["steps"][event["step"]] = event["status"]
                if event.get("error"):
                    self.status["errors"][event["step"]] = event["error"]
                self._step_line(event)
            elif kind == "log":
                self._output(event.get("step"), event.get("text", ""))
            elif kind == "run":
                self.status["status"] = event["status"]
                if event["status"] in ("done", "failed", "cancelled"):
                    self._end_line()
                    self._log.append(f"run {event['status']}")
                if "error" in event:
                    self.status["error"] = event["error"]
                if event.get("metrics"):
                    self.status["metrics"] = dict(event["metrics"])
            run = self.run
            if run is not None:
                self.status["run_id"] = run.run_id
                if run.notebook is not None:
                    self.status["notebook"] = str(run.notebook)
                    self.status["notebook_link"] = _relative(run.notebook)
            final = kind == "run" and event["status"] in ("done", "failed", "killed")
        self._schedule(final)

    def _append(self, text: str) -> None:
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        self._log.extend(lines)

    def _end_line(self) -> None:
        if self._partial:
            self._log.append(self._partial)
            self._partial = ""

    def _output(self, step: Any, text: str) -> None:
        """A step's printed output, under that step's heading."""
        if step and step != self._speaking:
            self._end_line()
            self._log.append(f"  [{step}]")
            self._speaking = step
        self._append(text)

    def _step_line(self, event: dict[str, Any]) -> None:
        """One line per step as it starts and ends, so the tail shows where the run is."""
        step, status = event["step"], event["status"]
        now = event.get("time") or time.time()
        if status == "queued":
            return
        self._end_line()
        self._speaking = step
        if status == "running":
            self._started[step] = now
            self._log.append(f"▶ {step} running")
            return
        took = f" in {now - self._started[step]:.1f} s" if step in self._started else ""
        error = f": {event['error']}" if event.get("error") else ""
        mark = _MARKS.get(status, "·")
        self._log.append(f"{mark} {step} {status}{took}{error}")

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            status = {**self.status, "steps": dict(self.status["steps"]),
                      "errors": dict(self.status["errors"])}  # fmt: skip
            tail = list(self._log) + ([self._partial] if self._partial else [])
            status["log"] = "\n".join(tail[-LOG_LINES:])
            return status

    def _schedule(self, now: bool) -> None:
        wait = INTERVAL - (time.monotonic() - self._last)
        if now or wait <= 0:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._flush()
        elif self._timer is None:
            self._timer = threading.Timer(wait, self._flush)
            self._timer.daemon = True
            self._timer.start()

    def _flush(self) -> None:
        self._timer = None
        self._last = time.monotonic()
        self._push(self.snapshot())


def _relative(path: Any) -> str | None:
    """The path from the notebook's folder (the kernel's working directory), when the file
    is under it, so the view can link to it; else None."""
    from pathlib import Path

    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return None
