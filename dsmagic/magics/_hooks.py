"""Kernel hooks: remember the cells run while a run is active, and flush after each."""

from __future__ import annotations

import sys
import time
from typing import Any

from dsmagic.errors import DsmagicError


class CellRecorder:
    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.started = time.time()
        self.runs: list[Any] = []
        self.source = ""

    def pre_run_cell(self, info: Any) -> None:
        self.started = time.time()
        fluent = sys.modules.get("dsmagic.tracking._fluent")
        if fluent is not None:
            fluent.take_started_runs()
            self.runs = fluent.active_runs()
        self.source = getattr(info, "raw_cell", "") or ""

    def post_run_cell(self, result: Any) -> None:
        fluent = sys.modules.get("dsmagic.tracking._fluent")
        if fluent is None:  # tracking never used in this kernel: nothing to do
            return
        runs = list(self.runs)
        for run in fluent.take_started_runs() + fluent.active_runs():
            if run not in runs:
                runs.append(run)
        if runs:
            count = getattr(result, "execution_count", None)
            fluent.record_cell(
                runs, self.source, count, self.started, time.time(), bool(result.success)
            )
        try:
            fluent.flush()
        except DsmagicError as exc:  # a run whose values the store refused: now failed
            print(f"dsmagic: {exc}", file=sys.stderr)
        except Exception as exc:
            print(
                f"dsmagic: could not save what this cell logged ({exc}); it is kept and "
                "retried after the next cell",
                file=sys.stderr,
            )
        self.runs = []

    def register(self) -> None:
        self.shell.events.register("pre_run_cell", self.pre_run_cell)
        self.shell.events.register("post_run_cell", self.post_run_cell)

    def unregister(self) -> None:
        for event, callback in (
            ("pre_run_cell", self.pre_run_cell),
            ("post_run_cell", self.post_run_cell),
        ):
            try:
                self.shell.events.unregister(event, callback)
            except ValueError:
                pass


def current_cell_source(shell: Any) -> str | None:
    """Source of the cell running in ``shell`` (as seen by pre_run_cell), or None."""
    from dsmagic.magics import _recorders

    recorder = _recorders.get(id(shell))
    return recorder.source if recorder is not None else None
