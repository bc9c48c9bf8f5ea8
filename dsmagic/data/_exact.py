"""What pandas loses in Parquet, written down beside the data and put back on reading.

pyarrow keeps most of a frame in its ``pandas`` schema metadata (index, column
labels, nullable and timezone-aware dtypes). It does not keep: a categorical's
categories when they are not text, the storage of ``string`` columns, an index's
``freq``, ``datetime64[s]`` (Parquet has no seconds unit), which missing marker an
object column used, or a ``Decimal``'s exponent when a column mixes exponents. The
*recipe* below records those, per column and per index level, in a small JSON blob
stored under the ``dsmagic`` key of the schema metadata; :func:`restore` applies it.
Whatever this misses is caught by the check in ``_storage`` that reads the file back.
"""

from __future__ import annotations

import base64
import decimal
import io
import math
from typing import Any

import numpy as np
import pandas as pd

from dsmagic.errors import DsmagicError

FORMAT = 2
META_KEY = b"dsmagic"
# Object columns whose values Parquet holds as one typed column (checked on reading back).
_OBJECT_KINDS = {"string", "empty", "bytes", "integer", "floating", "boolean", "decimal", "date"}
_OBJECT_HINTS = {
    "datetime": "pd.to_datetime(df[col])",
    "timedelta": "pd.to_timedelta(df[col])",
    "complex": "two float columns (.real and .imag)",
    "time": "df[col].astype(str)",
}
_MISSING = {"NoneType": None, "float": math.nan, "NAType": pd.NA, "NaTType": pd.NaT}


# -- refusals before anything is written --------------------------------------------------
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
    _check_labels(frame.columns)
    for position in range(frame.shape[1]):
        _check_values(frame.iloc[:, position], f"column {frame.columns[position]!r}")
    for level in range(frame.index.nlevels):
        values = frame.index.get_level_values(level)
        _check_values(pd.Series(values, copy=False), _level_text(frame.index, level))
    _check_freq("the index", "index", frame.index)
    _check_freq("the column labels", "columns", frame.columns)


def _check_freq(what: str, attribute: str, index: pd.Index) -> None:
    freq = getattr(index, "freq", None)
    if freq is None or isinstance(index, pd.PeriodIndex):
        return
    from pandas.tseries.frequencies import to_offset

    try:
        same = to_offset(freq.freqstr) == freq
    except ValueError:
        same = False
    if not same:
        raise DsmagicError(
            f"{what} has the freq {freq!r}, which cannot be written down by its name "
            f"{freq.freqstr!r} (holidays or other settings would be lost): drop it first "
            f"with df.{attribute}.freq = None"
        )


def _level_text(index: pd.Index, level: int) -> str:
    name = index.names[level]
    where = f"index level {name!r}" if name is not None else f"index level {level}"
    return where if index.nlevels > 1 else ("the index" if name is None else f"index {name!r}")


def _check_labels(columns: pd.Index) -> None:
    for level in range(columns.nlevels):
        values = columns.get_level_values(level)
        kind = pd.api.types.infer_dtype(values, skipna=False)
        if not _is_object(values.dtype) or not kind.startswith("mixed"):
            continue
        types = sorted({type(v).__name__ for v in values})
        where = "column labels" if columns.nlevels == 1 else f"column label level {level}"
        what = f"mix types ({', '.join(types)})" if len(types) > 1 else f"are {types[0]} objects"
        raise DsmagicError(
            f"the {where} {what}: Parquet stores labels as text, so make them text first, "
            "e.g. df.columns = df.columns.astype(str)"
        )


def _check_values(series: pd.Series, where: str) -> None:
    dtype = series.dtype
    if isinstance(dtype, pd.SparseDtype):
        raise DsmagicError(
            f"{where} is sparse, which Parquet cannot store: densify it first, e.g. "
            "df[col] = df[col].sparse.to_dense()"
        )
    if isinstance(dtype, np.dtype) and dtype.kind == "c":
        raise DsmagicError(
            f"{where} holds complex numbers, which Parquet cannot store: split it into two "
            "float columns (.real and .imag)"
        )
    if not _is_object(dtype):
        return
    present = series[series.notna()]
    kind = pd.api.types.infer_dtype(present, skipna=True)
    if kind not in _OBJECT_KINDS:
        kinds = sorted({type(v).__name__ for v in present.iloc[:1000]})
        hint = _OBJECT_HINTS.get(kind, "df[col].astype(str)")
        if "index" in where:
            hint = hint.replace("df[col]", "df.index")
        raise DsmagicError(
            f"{where} holds values of several or unstorable types ({', '.join(kinds)}) in an "
            f"object column: convert it first, e.g. with {hint}"
        )
    if kind == "integer" and len(present) and (present.min() < -(2**63) or present.max() >= 2**64):
        raise DsmagicError(
            f"{where} holds integers wider than 64 bits, which Parquet cannot store: "
            "convert it first, e.g. with df[col].astype(str) or to decimal.Decimal"
        )
    markers = _missing_markers(series)
    if len(markers) > 1:
        raise DsmagicError(
            f"{where} marks missing values in several ways ({', '.join(sorted(markers))}): "
            "Parquet keeps only 'missing', so pick one, e.g. df[col] = df[col].where("
            "df[col].notna(), None)"
        )


def _is_object(dtype: Any) -> bool:
    return isinstance(dtype, np.dtype) and dtype.kind == "O"


def _missing_markers(series: pd.Series) -> set[str]:
    values = np.asarray(series, dtype=object)
    missing = values[pd.isna(values)]
    # Decimal('NaN') is a value, kept by the decimal text form, not a missing marker.
    markers = {type(v).__name__ for v in missing if not isinstance(v, decimal.Decimal)}
    unknown = markers - set(_MISSING)
    if unknown:  # e.g. np.datetime64('NaT'): one more marker, never restored
        markers -= unknown
        markers.add("/".join(sorted(unknown)))
    return markers


# -- the recipe --------------------------------------------------------------------------
def prepare(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The frame to hand to pyarrow (a few columns replaced) and the recipe to store."""
    columns = []
    replaced: dict[int, Any] = {}
    for position in range(frame.shape[1]):
        spec, stored = _column_spec(frame.iloc[:, position])
        columns.append(spec)
        if stored is not None:
            replaced[position] = stored
    if replaced:
        frame = frame.copy(deep=False)
        for position, stored in replaced.items():
            frame.isetitem(position, stored)
    recipe = {
        "format": FORMAT,
        "columns": columns,
        "index": _index_spec(frame.index),
        "labels": _index_spec(frame.columns),
        "duplicate_labels": frame.flags.allows_duplicate_labels,
    }
    return frame, recipe


def _column_spec(series: pd.Series) -> tuple[dict[str, Any], Any]:
    """How one column (or index level) is put back, and what to store instead, if anything."""
    dtype = series.dtype
    spec = _dtype_spec(dtype)
    if _is_object(dtype):
        markers = _missing_markers(series)
        spec["missing"] = markers.pop() if markers else None
        if pd.api.types.infer_dtype(series, skipna=True) == "decimal":
            present = series[series.notna()]
            exponents = {v.as_tuple().exponent for v in present}
            if len(exponents) != 1 or not isinstance(next(iter(exponents)), int):
                # pyarrow would give every value the same scale (2 -> 2.00): keep the text.
                spec["text"] = "decimal"
                text = np.array([_decimal_text(v) for v in series], dtype=object)
                return spec, text
    elif isinstance(dtype, pd.CategoricalDtype):
        kind = dtype.categories.dtype
        if not isinstance(kind, np.dtype | pd.StringDtype | pd.DatetimeTZDtype):
            # Parquet cannot hold a dictionary of periods or intervals: store the codes.
            spec["codes"] = True
            return spec, np.asarray(series.cat.codes)
    return spec, None


def _decimal_text(value: Any) -> str | None:
    return str(value) if isinstance(value, decimal.Decimal) else None


def _dtype_spec(dtype: Any) -> dict[str, Any]:
    if isinstance(dtype, np.dtype):
        return {"numpy": dtype.str if dtype.kind in "mM" else dtype.name}
    if isinstance(dtype, pd.StringDtype):
        na = "nan" if dtype.na_value is np.nan else "NA"
        return {"string": dtype.storage, "na": na}
    if isinstance(dtype, pd.CategoricalDtype):
        categories = pd.DataFrame(index=dtype.categories)  # as an index, to keep its freq
        return {"category": _frame_bytes(categories), "ordered": bool(dtype.ordered)}
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        schema = pa.schema([pa.field("values", dtype.pyarrow_dtype)])
        return {"arrow": base64.b64encode(schema.serialize().to_pybytes()).decode("ascii")}
    try:
        same = pd.api.types.pandas_dtype(str(dtype)) == dtype
    except (TypeError, ValueError):
        same = False
    return {"pandas": str(dtype)} if same else {}


def _index_spec(index: pd.Index) -> dict[str, Any]:
    if isinstance(index, pd.RangeIndex):
        return {"range": [index.start, index.stop, index.step]}
    levels = []
    for level in range(index.nlevels):
        level_spec = _column_spec(pd.Series(index.get_level_values(level), copy=False))[0]
        # An index is stored by pyarrow as it is (no decimal text, no codes): the
        # read-back refuses what that would change.
        levels.append({k: v for k, v in level_spec.items() if k not in ("text", "codes")})
    freq = getattr(index, "freq", None)
    spec: dict[str, Any] = {"levels": levels}
    if freq is not None and not isinstance(index, pd.PeriodIndex):
        spec["freq"] = freq.freqstr
    return spec


def _frame_bytes(frame: pd.DataFrame) -> str:
    """A small frame as Parquet bytes (base64), for categories inside the recipe."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    stored, recipe = prepare(frame)
    table = pa.Table.from_pandas(stored)
    buffer = io.BytesIO()
    pq.write_table(with_recipe(table, recipe), buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _frame_from_bytes(text: str) -> pd.DataFrame:
    import pyarrow.parquet as pq

    return restore(pq.read_table(io.BytesIO(base64.b64decode(text))))


def with_recipe(table: Any, recipe: dict[str, Any]) -> Any:
    """``table`` with the recipe in its schema metadata."""
    import json

    metadata = dict(table.schema.metadata or {})
    metadata[META_KEY] = json.dumps(recipe).encode()
    pandas_meta = json.loads(metadata.get(b"pandas", b"{}"))
    levels = recipe["index"].get("levels", [])
    specs = recipe["columns"] + levels
    for entry, spec in zip(pandas_meta.get("columns", []), specs, strict=False):
        if "arrow" in spec:  # pyarrow cannot read back its own name of nested Arrow dtypes
            entry["numpy_type"] = "object"
    metadata[b"pandas"] = json.dumps(pandas_meta).encode()
    return table.replace_schema_metadata(metadata)


def recipe_of(schema: Any) -> dict[str, Any]:
    import json

    return json.loads((schema.metadata or {}).get(META_KEY, b"{}"))


# -- putting it back ----------------------------------------------------------------------
def restore(table: Any) -> pd.DataFrame:
    """The frame of a table read from one of our files, as it was tracked."""
    recipe = recipe_of(table.schema)
    frame = table.to_pandas()
    for position, spec in enumerate(recipe["columns"]):
        column = frame.iloc[:, position]
        restored = _restore_values(column, table.column(position), spec)
        if restored is not column:
            frame.isetitem(position, restored)
    frame.index = _restore_index(frame.index, table, recipe["index"])
    frame.columns = _restore_index(frame.columns, None, recipe["labels"])
    if not recipe.get("duplicate_labels", True):
        frame = frame.set_flags(allows_duplicate_labels=False)
    return frame


def _target_dtype(spec: dict[str, Any]) -> Any:
    if "numpy" in spec:
        return np.dtype(spec["numpy"])
    if "string" in spec:
        na_value = np.nan if spec["na"] == "nan" else pd.NA
        return pd.StringDtype(spec["string"], na_value=na_value)
    if "category" in spec:
        categories = _frame_from_bytes(spec["category"]).index
        return pd.CategoricalDtype(categories, ordered=spec["ordered"])
    if "arrow" in spec:
        import pyarrow as pa

        schema = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(spec["arrow"])))
        return pd.ArrowDtype(schema.field(0).type)
    if "pandas" in spec:
        return pd.api.types.pandas_dtype(spec["pandas"])
    return None


def _restore_values(values: Any, arrow: Any, spec: dict[str, Any]) -> Any:
    """One column or index level back to its tracked dtype and missing markers."""
    target = _target_dtype(spec)
    if target is None:
        return values
    if _is_object(target):
        return _restore_objects(values, arrow, spec)
    if isinstance(target, pd.ArrowDtype) and arrow is not None:
        array = pd.arrays.ArrowExtensionArray(arrow.cast(target.pyarrow_dtype))
        return _like(values, array)
    if spec.get("codes"):
        codes = np.asarray(values, dtype=np.int64)
        return pd.Series(pd.Categorical.from_codes(codes, dtype=target), index=values.index)
    if isinstance(target, pd.CategoricalDtype) and isinstance(values.dtype, pd.CategoricalDtype):
        # Unordered dtypes compare equal in any order: set the categories exactly.
        loaded = values.cat.categories
        same = loaded.equals(target.categories) and loaded.dtype == target.categories.dtype
        if same and values.dtype == target:
            return values
        return values.cat.set_categories(target.categories, ordered=target.ordered)
    if values.dtype == target:
        return values
    return values.astype(target)


def _restore_objects(values: Any, arrow: Any, spec: dict[str, Any]) -> Any:
    if arrow is not None:  # Python objects exactly as stored (ints stay ints beside None)
        items = arrow.to_pylist()
    else:
        items = [None if _is_missing(v) else v for v in np.asarray(values, dtype=object)]
    array = np.empty(len(items), dtype=object)
    array[:] = items
    if spec.get("text") == "decimal":
        array = np.array([None if v is None else decimal.Decimal(v) for v in items], dtype=object)
    marker = _MISSING.get(spec.get("missing") or "NoneType")
    if marker is not None:
        array[np.array([v is None for v in items], dtype=bool)] = marker
    return _like(values, array)


def _like(values: Any, array: Any) -> Any:
    """``array`` as a Series or Index like ``values`` (its index and name)."""
    if isinstance(values, pd.Series):
        return pd.Series(array, index=values.index, name=values.name, dtype=array.dtype, copy=False)
    return pd.Index(array, dtype=array.dtype, name=values.name)


def _is_missing(value: Any) -> bool:
    missing = pd.isna(value)
    return bool(missing) if isinstance(missing, bool | np.bool_) else False


def _restore_index(index: pd.Index, table: Any, spec: dict[str, Any]) -> pd.Index:
    if "range" in spec:
        if (
            isinstance(index, pd.RangeIndex)
            and [index.start, index.stop, index.step] == spec["range"]
        ):
            return index
        return pd.RangeIndex(*spec["range"], name=index.name)
    fields = _index_fields(table, index.nlevels)
    levels = []
    changed = False
    for level, level_spec in enumerate(spec["levels"]):
        values = index.get_level_values(level)
        restored = _restore_values(values, fields[level], level_spec)
        if isinstance(restored, pd.Series):
            restored = pd.Index(restored.array, name=values.name, dtype=restored.dtype)
        changed = changed or restored is not values
        levels.append(restored)
    if index.nlevels > 1:
        return pd.MultiIndex.from_arrays(levels, names=index.names) if changed else index
    result = levels[0]
    freq = spec.get("freq")
    if freq is not None and isinstance(result, pd.DatetimeIndex | pd.TimedeltaIndex):
        result = type(result)(result, freq=freq, name=result.name)
    return result


def _index_fields(table: Any, levels: int) -> list[Any]:
    """The Arrow columns holding the index levels (None where pyarrow keeps no column)."""
    if table is None:
        return [None] * levels
    import json

    pandas_meta = json.loads((table.schema.metadata or {}).get(b"pandas", b"{}"))
    fields = []
    for entry in pandas_meta.get("index_columns", [])[:levels]:
        fields.append(table.column(entry) if isinstance(entry, str) else None)
    return fields + [None] * (levels - len(fields))


def restore_format_1(frame: pd.DataFrame, plan: dict[str, Any]) -> pd.DataFrame:
    """Files written before the recipe (object markers and RangeIndex labels only)."""
    if plan.get("columns_range") is not None:
        frame.columns = pd.RangeIndex(*plan["columns_range"])
    for position, missing in plan.get("object_columns", {}).items():
        index = int(position)
        restored = frame.iloc[:, index].astype(object)
        gaps = restored.isna()
        if gaps.any():
            restored = restored.where(~gaps, None if missing == "none" else np.nan)
        frame.isetitem(index, restored)
    if plan.get("index_object") and frame.index.dtype != object:
        frame.index = frame.index.astype(object)
    return frame
