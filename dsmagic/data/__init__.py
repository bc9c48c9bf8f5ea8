"""Data versioning, lineage and drift.

``track_data`` stores a DataFrame once per content (Parquet, content-addressed) with
its statistics and lineage; ``load_data`` gives the identical frame back; ``drift``
compares two frames or versions column by column.
"""

from __future__ import annotations

from typing import Any

from dsmagic.data._drift import ColumnDrift, DriftReport, drift
from dsmagic.data._lineage import Edge, LineageGraph, lineage
from dsmagic.data._versions import (
    DatasetVersion,
    list_datasets,
    list_versions,
    load_data,
    resolve_version,
    run_datasets,
    track_data,
)

__all__ = [
    "ColumnDrift",
    "DatasetVersion",
    "DriftReport",
    "Edge",
    "LineageGraph",
    "drift",
    "fingerprint",
    "get_version",
    "lineage",
    "list_datasets",
    "list_versions",
    "load_data",
    "run_datasets",
    "track_data",
]


def fingerprint(frame: Any) -> str:
    """The content fingerprint of a DataFrame (32 hex characters, xxh3-128)."""
    from dsmagic.data._fingerprint import fingerprint as compute

    return compute(frame)


def get_version(ref: Any) -> DatasetVersion:
    """A stored version (with statistics and parents) from ``"name@3"`` and friends."""
    return resolve_version(ref)
