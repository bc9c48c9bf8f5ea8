"""Exploratory data analysis: ``dm.eda(df)`` and ``%eda df``.

Per-column statistics equal to pandas' (cached by column content), dataset checks,
relations (Pearson, Spearman, Cramér's V, η), a target section, alerts with
recommendations, and a self-contained HTML report. See docs/eda.md.
"""

from __future__ import annotations

from dsmagic._callable_module import make_callable
from dsmagic.eda._alerts import Alert
from dsmagic.eda._cache import cache_info, clear_cache
from dsmagic.eda._report import EDAReport, eda
from dsmagic.eda._thresholds import ALERT_RULES

__all__ = ["ALERT_RULES", "Alert", "EDAReport", "cache_info", "clear_cache", "eda"]


# `dm.eda(df)` must work even after `import dsmagic.eda` bound the name.
make_callable(__name__, eda)
