"""Per-column statistics cached by a fingerprint of the column's content.

Re-running a report after one column changed recomputes only that column: the key is
an xxh3-128 digest of the column's raw buffers (values, validity mask, dictionary),
so unchanged columns hit the cache even when the frame object is new.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

__all__ = ["cache_info", "clear_cache", "fingerprint"]

_MAX_ENTRIES = 2048
_lock = threading.Lock()
_entries: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
_counters = {"hits": 0, "misses": 0}


def _update_numpy(digest, values) -> None:
    import numpy as np

    array = np.ascontiguousarray(values)
    digest.update(str(array.dtype).encode())
    digest.update(memoryview(array.view(np.uint8).reshape(-1)))


def fingerprint(series) -> str | None:
    """A content digest of a Series (values and dtype, not its index or name).

    None when the content cannot be digested cheaply and safely (objects whose
    identity is not their value); such columns are simply not cached.
    """
    import numpy as np
    import pandas as pd
    import xxhash

    digest = xxhash.xxh3_128()
    digest.update(str(series.dtype).encode())
    digest.update(str(len(series)).encode())
    array = series.array
    try:
        if isinstance(array, pd.Categorical):
            _update_numpy(digest, array.codes)
            digest.update(str(array.ordered).encode())
            inner = fingerprint(pd.Series(array.categories))
            if inner is None:
                return None
            digest.update(inner.encode())
        elif hasattr(array, "_pa_array"):
            chunked = array._pa_array
            for chunk in chunked.chunks:
                digest.update(f"{chunk.offset}:{len(chunk)}".encode())
                for buffer in chunk.buffers():
                    digest.update(b"-" if buffer is None else memoryview(buffer))
        elif hasattr(array, "_data") and hasattr(array, "_mask"):
            _update_numpy(digest, array._data)
            _update_numpy(digest, array._mask)
        elif hasattr(array, "asi8"):
            _update_numpy(digest, array.asi8)
        else:
            values = series.to_numpy()
            if values.dtype == object:
                # codes and distinct values (one hash pass); the distinct values' types
                # are part of the key so 1 and "1" never share an entry
                codes, uniques = pd.factorize(values, use_na_sentinel=True)
                _update_numpy(digest, codes)
                inferred = pd.api.types.infer_dtype(uniques, skipna=True)
                digest.update(inferred.encode())
                if inferred != "string":
                    kinds = {type(v).__name__ for v in uniques}
                    digest.update("|".join(sorted(kinds)).encode())
                digest.update("\x00".join(map(str, uniques)).encode("utf-8", "surrogatepass"))
            else:
                _update_numpy(digest, np.asarray(values))
    except (TypeError, ValueError):
        return None
    return digest.hexdigest()


def get(key: tuple) -> dict[str, Any] | None:
    with _lock:
        value = _entries.get(key)
        if value is None:
            _counters["misses"] += 1
            return None
        _entries.move_to_end(key)
        _counters["hits"] += 1
        return value


def put(key: tuple, value: dict[str, Any]) -> None:
    with _lock:
        _entries[key] = value
        _entries.move_to_end(key)
        while len(_entries) > _MAX_ENTRIES:
            _entries.popitem(last=False)


def cache_info() -> dict[str, int]:
    """``hits`` and ``misses`` (= columns computed) since start or the last clear."""
    with _lock:
        return {**_counters, "entries": len(_entries)}


def clear_cache() -> None:
    with _lock:
        _entries.clear()
        _counters["hits"] = _counters["misses"] = 0
