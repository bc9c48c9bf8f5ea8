"""Which way a metric improves, judged from its name (one rule for every display)."""

from __future__ import annotations

import re

__all__ = ["lower_is_better"]

# Losses, errors, costs and durations are best when smallest; every other metric when largest.
_LOWER_IS_BETTER = re.compile(
    r"loss|error|err\b|mae|mse|rmse|mape|logloss|perplexity|brier|time|seconds", re.I
)


def lower_is_better(key: str) -> bool:
    return bool(_LOWER_IS_BETTER.search(key))
