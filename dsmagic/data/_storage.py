"""Version files: one Parquet file per fingerprint under ``<artifacts>/data/``.

A file is written to a temporary name in the same folder (see ``_tempfiles``), read
back and compared with the frame, flushed to disk and renamed into place
(``dsmagic._files.atomic_path``), so a reader never sees half a file and two writers of
the same content simply replace one complete file with an identical one. What Parquet
does not keep is written beside the data (see ``_exact``).
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from dsmagic._files import atomic_path
from dsmagic.config import current_settings
from dsmagic.data import _exact, _tempfiles
from dsmagic.errors import DsmagicError

_FINGERPRINT = re.compile(r"\A[0-9a-f]{32}\Z")


def data_root() -> Path:
    return current_settings().artifact_root / "data"


def version_path(fingerprint: str) -> Path:
    if not _FINGERPRINT.match(fingerprint):  # never build a path from anything else
        raise DsmagicError(f"not a fingerprint: {fingerprint!r}")
    return data_root() / f"{fingerprint}.parquet"


def check_storable(frame: pd.DataFrame) -> None:
    """Refuse, in one line, frames that Parquet cannot give back identically."""
    _exact.check_storable(frame)


def write_version(frame: pd.DataFrame, fingerprint: str) -> tuple[str, int]:
    """Store ``frame`` once under its fingerprint; return (relative path, size in bytes).

    The file is read back before it is moved into place: unless the frame it gives has
    the same fingerprint (values, labels, index, dtype names, freq) and the same dtypes
    and axes by ``pd.testing.assert_frame_equal``, nothing is kept and the call fails
    naming the first difference.
    """
    target = version_path(fingerprint)
    relative = f"data/{target.name}"
    _tempfiles.sweep_once(target.parent)
    if target.exists() and _current_format(target):
        return relative, target.stat().st_size
    table = _to_arrow(frame)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target, _tempfiles.temporary_path(target)) as temporary:
        _write(table, temporary)
        del table
        _check_identical(frame, fingerprint, _read_back(temporary))
    return relative, target.stat().st_size


def _write(table: Any, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pq.write_table(table, path)
    except pa.ArrowException as exc:
        raise DsmagicError(
            f"{_unwritable(table)} cannot be written to Parquet ({_first_line(exc)}): convert "
            "it first, e.g. with .astype(...); nothing was stored"
        ) from None
    except OSError as exc:
        raise DsmagicError(f"cannot write {path.parent}: {exc.strerror or exc}") from None


def _unwritable(table: Any) -> str:
    """The first column (or index) of ``table`` that Parquet cannot hold, in words."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    pandas_meta = json.loads((table.schema.metadata or {}).get(b"pandas", b"{}"))
    index = {name for name in pandas_meta.get("index_columns", []) if isinstance(name, str)}
    for position, field in enumerate(table.schema):
        try:
            pq.write_table(table.select([position]).slice(0, 1), io.BytesIO())
        except pa.ArrowException:
            return "the index" if field.name in index else f"column {field.name!r}"
    return "this DataFrame"


def _to_arrow(frame: pd.DataFrame) -> Any:
    import pyarrow as pa

    stored, recipe = _exact.prepare(frame)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a lossy conversion is refused by the read-back
            table = pa.Table.from_pandas(stored)
    except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
        raise DsmagicError(
            f"{_culprit(stored)} cannot be stored in Parquet ({_first_line(exc)}): "
            "convert it first, e.g. with .astype(...)"
        ) from None
    return _exact.with_recipe(table, recipe)


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def _culprit(frame: pd.DataFrame) -> str:
    """The first column (or the index) that pyarrow cannot convert, in words."""
    import pyarrow as pa

    candidates = [(f"column {frame.columns[i]!r}", frame.iloc[:, i]) for i in range(frame.shape[1])]
    candidates.append(("the index", frame.index.to_frame(index=False)))
    for where, values in candidates:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if isinstance(values, pd.DataFrame):
                    pa.Table.from_pandas(values, preserve_index=False)
                else:
                    pa.array(values, from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            return where
    return "this DataFrame"


def _current_format(path: Path) -> bool:
    """Whether ``path`` carries this version's recipe (older files are written again)."""
    import pyarrow.parquet as pq

    try:
        return _exact.recipe_of(pq.read_schema(path)).get("format") == _exact.FORMAT
    except Exception:  # unreadable: write it again
        return False


def _read_back(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _exact.restore(pq.read_table(path))
    except Exception as exc:  # what pyarrow wrote but cannot read is what we cannot keep
        raise DsmagicError(
            f"Parquet would not give this DataFrame back ({_first_line(exc)}); nothing was "
            "stored: convert the columns of unusual types first (e.g. .astype(...))"
        ) from None


def _check_identical(original: pd.DataFrame, fingerprint: str, loaded: pd.DataFrame) -> None:
    from dsmagic.data._fingerprint import fingerprint as compute

    if compute(loaded) == fingerprint:  # every value, label, dtype name, index and freq
        try:  # and the dtypes, labels and index types themselves, on no rows (fast)
            pd.testing.assert_frame_equal(loaded.iloc[:0], original.iloc[:0], check_exact=True)
        except AssertionError:
            pass
        else:
            return
    raise DsmagicError(
        f"{_difference(original, loaded)}, so tracking it would not give it back "
        "identically; nothing was stored: convert it first (e.g. .astype(...))"
    )


def _difference(original: pd.DataFrame, loaded: pd.DataFrame) -> str:
    """The first thing Parquet would change, in words."""
    from dsmagic.data._fingerprint import _column_digest, _update_index

    def index_digest(index: pd.Index) -> bytes:
        import xxhash

        h = xxhash.xxh3_128()
        _update_index(h, index)
        return h.digest()

    if index_digest(original.columns) != index_digest(loaded.columns):
        return _axis_change("the column labels", original.columns, loaded.columns)
    for position in range(original.shape[1]):
        before, after = original.iloc[:, position], loaded.iloc[:, position]
        if _column_digest(before.array) != _column_digest(after.array):
            where = f"column {original.columns[position]!r}"
            if before.dtype != after.dtype:
                return f"{where} ({before.dtype}) would come back from Parquet as {after.dtype}"
            return f"{where} ({before.dtype}) would come back from Parquet with other values"
    if index_digest(original.index) != index_digest(loaded.index):
        return _axis_change("the index", original.index, loaded.index)
    return "the DataFrame would come back from Parquet changed"


def _axis_change(what: str, before: pd.Index, after: pd.Index) -> str:
    if type(before) is not type(after) or before.dtype != after.dtype:
        return (
            f"{what} ({type(before).__name__}, {before.dtype}) would come back from Parquet "
            f"as {type(after).__name__}, {after.dtype}"
        )
    if getattr(before, "freq", None) != getattr(after, "freq", None):
        return f"{what} (freq {before.freq}) would come back from Parquet with freq {after.freq}"
    return (
        f"{what} ({_sample(before)}) would come back from Parquet as {_sample(after)}"
        if len(before)
        else f"{what} would come back from Parquet changed"
    )


def _sample(index: pd.Index) -> str:
    text = repr(index[:3].tolist())
    return text[:-1] + ", ...]" if len(index) > 3 else text


def read_file(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            recipe = _exact.recipe_of(pq.read_schema(path))
            if recipe.get("format") == _exact.FORMAT:
                return _exact.restore(pq.read_table(path))
            # a file of an earlier dsmagic: read as it was written
            return _exact.restore_format_1(pd.read_parquet(path, engine="pyarrow"), recipe)
    except (OSError, ValueError, TypeError) as exc:
        raise DsmagicError(
            f"the stored file {path.name} cannot be read ({str(exc).splitlines()[0][:200]}): "
            "it may be damaged; track the frame again"
        ) from None


def read_version(relative: str) -> pd.DataFrame:
    root = current_settings().artifact_root.resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise DsmagicError(f"stored path {relative!r} points outside the artifact folder")
    _tempfiles.sweep_once(path.parent)
    if not path.exists():
        raise DsmagicError(
            f"the file of this version is missing ({path}): was the artifact folder moved or "
            "cleaned? Set DSMAGIC_HOME to the folder that holds it"
        )
    return read_file(path)
