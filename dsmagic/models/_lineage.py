"""Data versions a run used or produced (its lineage back to data)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select


def run_datasets(run_id: str) -> list[dict[str, Any]]:
    """``[{"dataset", "version", "fingerprint", "rows", "columns"}]`` linked to ``run_id``."""
    try:  # the data package's own view, when it offers one
        from dsmagic import data

        public = getattr(data, "run_datasets", None)
    except ImportError:
        public = None
    if public is not None:
        try:
            found = public(run_id)
            records = found.to_dict("records") if hasattr(found, "to_dict") else list(found)
            return [
                {
                    "dataset": r.get("name", r.get("dataset")),
                    "version": int(r["version"]),
                    "fingerprint": r.get("fingerprint"),
                    "rows": r.get("rows"),
                    "columns": r.get("columns"),
                    "parents": r.get("parents", ""),
                }
                for r in records
            ]
        except Exception:  # fall back to the table itself
            pass
    from dsmagic.store import get_database
    from dsmagic.store._models_data import Dataset, DatasetVersion

    versions = DatasetVersion.__table__
    datasets = Dataset.__table__
    query = (
        select(
            datasets.c.name.label("dataset"),
            versions.c.version,
            versions.c.fingerprint,
            versions.c.rows,
            versions.c.columns,
        )
        .join(datasets, datasets.c.id == versions.c.dataset_id)
        .where(versions.c.run_id == run_id)
        .order_by(datasets.c.name, versions.c.version)
    )
    with get_database().read() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]
