"""Version files: one Parquet file per fingerprint under ``<artifacts>/data/``.

A file is written to a temporary name in the same folder and moved into place with
``os.replace``, so a reader never sees half a file and two writers of the same
content simply replace one complete file with an identical one.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dsmagic.config import current_settings
from dsmagic.errors import DsmagicError

_FINGERPRINT = re.compile(r"^[0-9a-f]{32}$")
_META_KEY = b"dsmagic"
_STORABLE_OBJECTS = {"string", "empty", "bytes", "integer", "floating", "boolean", "decimal"}


def data_root() -> Path:
    return current_settings().artifact_root / "data"


def version_path(fingerprint: str) -> Path:
    if not _FINGERPRINT.match(fingerprint):  # never build a path from anything else
        raise DsmagicError(f"not a fingerprint: {fingerprint!r}")
    return data_root() / f"{fingerprint}.parquet"


def check_storable(frame: pd.DataFrame) -> None:
    """Refuse, in one line, frames that Parquet cannot give back identically."""
    if frame.shape[1] == 0:
        raise DsmagicError("the DataFrame has no columns: there is nothing to track")
    if frame.columns.has_duplicates:
        dups = frame.columns[frame.columns.duplicated()].unique().tolist()
        raise DsmagicError(
            f"the DataFrame has duplicate column names {dups}: rename them before tracking "
            "(e.g. df.columns = [...])"
        )
    labels = [str(c) for c in frame.columns]
    if len(set(labels)) != len(labels):
        raise DsmagicError(
            "two column labels read the same as text (e.g. 1 and '1'): Parquet stores names as "
            "text, so rename them before tracking"
        )
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        if series.dtype != object:
            continue
        kind = pd.api.types.infer_dtype(series, skipna=True)
        if kind not in _STORABLE_OBJECTS:
            present = series.dropna()
            kinds = sorted({type(v).__name__ for v in present.iloc[:1000]})
            raise DsmagicError(
                f"column {frame.columns[position]!r} holds values of several or unstorable "
                f"types ({', '.join(kinds)}): convert it first, e.g. df[col].astype(str)"
            )


def _restore_plan(frame: pd.DataFrame) -> dict[str, Any]:
    objects = {}
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        if series.dtype == object:
            missing = series[series.isna()]
            none = any(value is None for value in missing.iloc[:1000])
            objects[str(position)] = "none" if none else "nan"
    columns = frame.columns
    return {
        "object_columns": objects,
        "columns_range": [columns.start, columns.stop, columns.step]
        if isinstance(columns, pd.RangeIndex)
        else None,
        "index_object": (not isinstance(frame.index, pd.MultiIndex))
        and frame.index.dtype == object,
    }


def _restore(frame: pd.DataFrame, plan: dict[str, Any]) -> pd.DataFrame:
    if plan.get("columns_range") is not None:
        frame.columns = pd.RangeIndex(*plan["columns_range"])
    for position, missing in plan.get("object_columns", {}).items():
        index = int(position)
        series = frame.iloc[:, index]
        restored = series.astype(object)
        gaps = restored.isna()
        if gaps.any():  # Parquet keeps "missing", not which marker: put the original back
            restored = restored.where(~gaps, None if missing == "none" else np.nan)
        frame.isetitem(index, restored)
    if plan.get("index_object") and frame.index.dtype != object:
        frame.index = frame.index.astype(object)
    return frame


def _identical(original: pd.DataFrame, loaded: pd.DataFrame) -> bool:
    try:
        pd.testing.assert_frame_equal(
            original, loaded, check_exact=True, check_freq=False, check_flags=False
        )
    except AssertionError:
        return False
    return True


def _needs_check(frame: pd.DataFrame) -> bool:
    # Numeric and pandas-typed columns round-trip exactly; object data is checked.
    return (
        any(pd.api.types.is_object_dtype(dtype) for dtype in frame.dtypes)
        or pd.api.types.is_object_dtype(frame.index.dtype)
        or not all(isinstance(c, str) for c in frame.columns)
    )


def write_version(frame: pd.DataFrame, fingerprint: str) -> tuple[str, int]:
    """Store ``frame`` once under its fingerprint; return (relative path, size in bytes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = version_path(fingerprint)
    relative = f"data/{target.name}"
    if target.exists():
        return relative, target.stat().st_size
    target.parent.mkdir(parents=True, exist_ok=True)
    plan = _restore_plan(frame)
    temporary = target.with_name(f".{target.stem}.{uuid.uuid4().hex}.tmp")
    try:
        try:
            table = pa.Table.from_pandas(frame)
        except (pa.ArrowException, TypeError, ValueError) as exc:
            raise DsmagicError(
                f"Parquet cannot store this DataFrame ({str(exc).splitlines()[0][:200]}): "
                "convert the offending column first"
            ) from None
        metadata = dict(table.schema.metadata or {})
        metadata[_META_KEY] = json.dumps(plan).encode()
        pq.write_table(table.replace_schema_metadata(metadata), temporary)
        if _needs_check(frame) and not _identical(frame, read_file(temporary)):
            raise DsmagicError(
                "Parquet would not give this DataFrame back identically (an object column "
                "mixes missing markers or types, or the index holds mixed values): convert "
                "those columns, e.g. df[col].astype(str), or reset_index()"
            )
        os.replace(temporary, target)
    finally:
        if temporary.exists():
            temporary.unlink()
    return relative, target.stat().st_size


def read_file(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    plan = json.loads(metadata.get(_META_KEY, b"{}"))
    return _restore(pd.read_parquet(path, engine="pyarrow"), plan)


def read_version(relative: str) -> pd.DataFrame:
    root = current_settings().artifact_root.resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise DsmagicError(f"stored path {relative!r} points outside the artifact folder")
    if not path.exists():
        raise DsmagicError(
            f"the file of this version is missing ({path}): was the artifact folder moved or "
            "cleaned? Set DSMAGIC_HOME to the folder that holds it"
        )
    return read_file(path)
