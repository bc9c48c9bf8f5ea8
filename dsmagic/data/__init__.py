"""Data versioning, lineage and drift.

``track_data`` stores a DataFrame once per content (Parquet, content-addressed) with
its statistics and lineage; ``load_data`` gives the identical frame back; ``drift``
compares two frames or versions column by column.
"""

from __future__ import annotations

from dsmagic.data._drift import ColumnDrift, DriftReport, drift

__all__ = ["ColumnDrift", "DriftReport", "drift"]
