"""The report's progress bar, which costs nothing until it shows.

tqdm's notebook bar imports asyncio and ipywidgets (a tenth of a second in a fresh
kernel). A report is shown with a bar only once it has taken ``DELAY`` seconds, so tqdm
is imported then, not before: a report that finishes sooner never loads it.
"""

from __future__ import annotations

import time
from typing import Any

DELAY = 1.0


class ProgressBar:
    """``total``, ``update()`` and ``close()`` like tqdm's, the bar made on first need."""

    def __init__(self, total: int, enabled: bool, delay: float = DELAY) -> None:
        self.total = total
        self.n = 0
        self._enabled = enabled
        self._due = time.monotonic() + delay
        self._bar: Any = None

    def update(self, steps: int = 1) -> None:
        self.n += steps
        if self._bar is None and self._enabled and time.monotonic() >= self._due:
            self._bar = _tqdm(self.total, self.n)
        elif self._bar is not None:
            self._bar.total = self.total
            self._bar.update(steps)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _tqdm(total: int, done: int) -> Any:
    """tqdm.auto's bar (a widget in a notebook), or the text bar without ipywidgets."""
    options = {"total": total, "initial": done, "desc": "eda", "unit": "step", "leave": False}
    try:
        from tqdm.auto import tqdm

        return tqdm(**options)
    except ImportError:
        from tqdm.std import tqdm as text_tqdm

        return text_tqdm(**options)
