"""Content fingerprints of DataFrames: xxh3-128 over the column buffers.

What is hashed: a format tag, the shape, every column label and dtype, the index
(labels, dtype, names) and every column's values, in order. Numeric columns are
hashed straight from their memory (no copy); strings as their UTF-8 bytes plus
lengths; categoricals as categories plus codes; nullable arrays as values plus
mask. Nothing uses Python's ``hash()`` (salted per process), so a fingerprint is the
same in every process and on every run.
"""

from __future__ import annotations

import os
import struct
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import xxhash

from dsmagic.errors import DsmagicError

__all__ = ["fingerprint"]

_FORMAT = b"dsmagic-fingerprint/1"
_PARALLEL_BYTES = 64 << 20  # below this, threads cost more than they save
_NUMERIC_KINDS = "biufc"
# pandas' wrapper of a plain NumPy array (named PandasArray before pandas 2.1).
_NUMPY_BACKED = getattr(pd.arrays, "NumpyExtensionArray", None) or pd.arrays.PandasArray
_CHUNK_BYTES = 4 << 20  # strided data is copied this much at a time


def _length(n: int) -> bytes:
    return struct.pack("<q", n)


def _token(value: Any) -> bytes:
    """A stable text form of one Python value, with its type."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        text = "s:" + value
    elif isinstance(value, bytes):
        return b"b:" + value
    elif value is None:
        text = "none"
    elif isinstance(value, bool | int | float | complex):
        text = f"{type(value).__name__}:{value!r}"
    elif isinstance(value, tuple | list):
        inner = b"".join(_length(len(t)) + t for t in map(_token, value))
        return type(value).__name__.encode() + b":" + inner
    elif isinstance(value, set | frozenset):
        inner = b"".join(_length(len(t)) + t for t in sorted(map(_token, value)))
        return type(value).__name__.encode() + b":" + inner
    elif isinstance(value, dict):
        inner = b"".join(
            _length(len(k)) + k + _length(len(v)) + v
            for k, v in ((_token(k), _token(v)) for k, v in value.items())
        )
        return b"dict:" + inner
    else:
        text = f"{type(value).__module__}.{type(value).__qualname__}:{value!r}"
        if " at 0x" in text:
            raise DsmagicError(
                f"cannot fingerprint a {type(value).__name__} object: it has no stable text form "
                "(its repr shows a memory address); convert the column, e.g. with .astype(str)"
            )
    return text.encode("utf-8", "surrogatepass")


def _update_tokens(h: Any, values: Any) -> None:
    for value in values:
        token = _token(value)
        h.update(_length(len(token)))
        h.update(token)


def _update_numpy(h: Any, array: np.ndarray) -> None:
    if array.dtype.kind in "mM":
        array = array.view("int64")
    h.update(_length(array.size))
    if array.flags.c_contiguous:
        h.update(memoryview(array).cast("B"))
        return
    # A strided view (a column of a row-major block): copy a slice at a time, never all.
    step = max(1, _CHUNK_BYTES // max(array.itemsize, 1))
    flat = array.reshape(-1) if array.ndim > 1 else array
    for start in range(0, flat.size, step):
        h.update(memoryview(np.ascontiguousarray(flat[start : start + step])).cast("B"))


def _block_digests(frame: pd.DataFrame) -> list[bytes] | None:
    """Digests of all columns of a frame backed by one row-major numeric block.

    Such columns are strided in memory; reading the block once in row slices and
    feeding every column's hasher gives the same digests as hashing column by
    column, at one pass over memory instead of one per column.
    """
    if frame.shape[1] < 2 or len(set(frame.dtypes)) != 1:
        return None
    dtype = frame.dtypes.iloc[0]
    if not isinstance(dtype, np.dtype) or dtype.kind not in _NUMERIC_KINDS:
        return None
    values = frame.to_numpy()
    first = frame.iloc[:, 0].to_numpy()
    if not values.flags.c_contiguous or not np.may_share_memory(values, first):
        return None
    hashers = [xxhash.xxh3_128() for _ in range(values.shape[1])]
    for h in hashers:
        h.update(str(dtype).encode())
        h.update(_length(values.shape[0]))
    step = max(1, _CHUNK_BYTES // (values.shape[1] * values.itemsize))
    starts = list(range(0, values.shape[0], step))

    def transpose(start: int) -> np.ndarray:
        return np.ascontiguousarray(values[start : start + step].T)

    workers = min(os.cpu_count() or 1, 4)
    with ThreadPoolExecutor(workers) as pool:
        # A few slices at a time (copies release the GIL), hashed in order.
        for batch in range(0, len(starts), workers):
            for chunk in pool.map(transpose, starts[batch : batch + workers]):
                for h, row in zip(hashers, chunk):
                    h.update(memoryview(row).cast("B"))
    return [h.digest() for h in hashers]


def _update_arrow(h: Any, chunked: Any) -> None:
    import pyarrow as pa

    kind = chunked.type
    h.update(str(kind).encode())
    array = chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)
    nulls = array.is_null().to_numpy(zero_copy_only=False)
    _update_numpy(h, nulls)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind):
        width = "int64" if pa.types.is_large_string(kind) else "int32"
        buffers = array.buffers()
        offsets = np.frombuffer(buffers[1], dtype=width)[
            array.offset : array.offset + len(array) + 1
        ]
        start, end = int(offsets[0]), int(offsets[-1]) if len(offsets) else 0
        _update_numpy(h, (offsets - start).astype(np.int64, copy=False))
        if buffers[2] is not None and end > start:
            h.update(memoryview(buffers[2])[start:end])
    elif pa.types.is_large_binary(kind) or pa.types.is_string_view(kind):
        _update_tokens(h, array.to_pylist())
    elif pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        filled = array.fill_null(
            pa.scalar(0, type=kind) if not pa.types.is_boolean(kind) else False
        )
        _update_numpy(h, filled.to_numpy(zero_copy_only=False))
    else:
        _update_tokens(h, array.to_pylist())


def _update_objects(h: Any, values: np.ndarray) -> None:
    """Object arrays: plain strings take the fast Arrow path, anything else goes by value."""
    import pyarrow as pa

    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "empty"):
        # None and NaN both mean "missing" here; they differ in the value tokens below.
        missing = pd.isna(values)
        h.update(b"objstr")
        _update_numpy(h, missing)
        if missing.any():
            _update_tokens(h, (v for v in values[missing]))
        try:
            array = pa.array(values, type=pa.large_string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeError):
            _update_tokens(h, values)
        else:
            _update_arrow(h, pa.chunked_array([array]))
        return
    h.update(b"objval")
    _update_tokens(h, values)


def _update_values(h: Any, values: Any) -> None:
    """Hash one column (or index level) given as a pandas array."""
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "python":
        # NumPy-backed strings would otherwise hash like an object column of the same text.
        h.update(b"python-storage:" + str(dtype).encode())
    if isinstance(values, _NUMPY_BACKED):
        values = np.asarray(values)
    dtype = values.dtype
    h.update(str(dtype).encode())
    if isinstance(dtype, np.dtype):
        array = np.asarray(values)
        if dtype.kind in _NUMERIC_KINDS or dtype.kind in "mM":
            _update_numpy(h, array)
        else:
            _update_objects(h, array.astype(object, copy=False))
        return
    if isinstance(dtype, pd.CategoricalDtype):
        h.update(b"ordered" if dtype.ordered else b"unordered")
        _update_values(h, dtype.categories.array)
        _update_numpy(h, np.asarray(values.codes))
        return
    if isinstance(dtype, pd.DatetimeTZDtype):
        _update_numpy(h, np.asarray(values.asi8))
        return
    if hasattr(values, "_pa_array"):
        _update_arrow(h, values._pa_array)
        return
    data, mask = getattr(values, "_data", None), getattr(values, "_mask", None)
    if isinstance(data, np.ndarray) and isinstance(mask, np.ndarray):
        if mask.any():  # values under the mask are arbitrary: zero them
            data = np.where(mask, np.zeros((), dtype=data.dtype), data)
        _update_numpy(h, mask)
        _update_numpy(h, data)
        return
    _update_objects(h, np.asarray(values, dtype=object))


def _column_digest(values: Any) -> bytes:
    h = xxhash.xxh3_128()
    _update_values(h, values)
    return h.digest()


def _update_index(h: Any, index: pd.Index) -> None:
    h.update(type(index).__name__.encode())
    _update_tokens(h, list(index.names))
    freq = getattr(index, "freq", None)
    if freq is not None and not isinstance(index, pd.PeriodIndex):  # a period's is its dtype
        h.update(b"freq:" + _token(freq))
    if isinstance(index, pd.RangeIndex):
        h.update(struct.pack("<qqq", index.start, index.stop, index.step))
    elif isinstance(index, pd.MultiIndex):
        for level in range(index.nlevels):
            h.update(_column_digest(index.get_level_values(level).array))
    else:
        h.update(_column_digest(index.array))


def fingerprint(frame: Any) -> str:
    """The content fingerprint of a DataFrame: 32 hex characters (xxh3-128).

    Equal values, dtypes, column labels (in order) and index give an equal
    fingerprint in any process; any change to one of them changes it.
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise DsmagicError(f"fingerprint needs a pandas DataFrame, got {type(frame).__name__}")
    h = xxhash.xxh3_128(_FORMAT)
    rows, width = frame.shape
    h.update(struct.pack("<qq", rows, width))
    if not frame.flags.allows_duplicate_labels:
        h.update(b"flags:no-duplicate-labels")
    _update_index(h, frame.columns)
    _update_index(h, frame.index)
    blocked = _block_digests(frame)
    if blocked is not None:
        h.update(b"".join(blocked))
        return h.hexdigest()
    columns = [frame.iloc[:, position].array for position in range(width)]
    total = int(frame.memory_usage(index=False, deep=False).sum()) if width else 0
    if total >= _PARALLEL_BYTES and width > 1:
        # xxhash releases the GIL on large buffers, so columns hash in parallel.
        workers = min(width, os.cpu_count() or 1, 8)
        with ThreadPoolExecutor(workers) as pool:
            digests = list(pool.map(_column_digest, columns))
    else:
        digests = [_column_digest(values) for values in columns]
    h.update(b"".join(digests))
    return h.hexdigest()
