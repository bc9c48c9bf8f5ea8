"""Content fingerprints: sensitive to every part of the content, stable across processes."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc

import numpy as np
import pandas as pd
import pytest

import dsmagic as dm


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "i": [1, 2, 3],
            "f": [0.5, np.nan, 2.5],
            "s": ["a", "b", None],
            "o": pd.Series(["x", None, "z"], dtype=object),
            "c": pd.Categorical(["lo", "hi", "lo"], categories=["lo", "hi"]),
            "n": pd.array([1, None, 3], dtype="Int64"),
            "t": pd.date_range("2024-01-01", periods=3, tz="UTC"),
            "b": [True, False, True],
            "m": pd.Series([1, "two", 3.0], dtype=object),
        },
        index=pd.Index(["p", "q", "r"], name="key"),
    )


def test_same_content_same_fingerprint_and_copies_agree():
    frame = _frame()
    assert dm.fingerprint(frame) == dm.fingerprint(frame.copy(deep=True))
    assert len(dm.fingerprint(frame)) == 32


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.iloc[::-1],  # row order
        lambda f: f[list(f.columns[::-1])],  # column order
        lambda f: f.rename(columns={"i": "j"}),  # a column name
        lambda f: f.astype({"i": "int32"}),  # a dtype
        lambda f: f.set_axis(["p", "q", "x"], axis=0),  # an index label
        lambda f: f.rename_axis("other"),  # the index name
        lambda f: f.assign(f=[0.5, np.nan, 2.6]),  # one float
        lambda f: f.assign(s=["a", "b", "c"]),  # a missing string filled
        lambda f: f.assign(o=pd.Series(["x", np.nan, "z"], dtype=object, index=f.index)),
        lambda f: f.assign(c=pd.Categorical(["lo", "hi", "lo"], categories=["hi", "lo"])),
        lambda f: f.assign(n=pd.array([1, 2, 3], dtype="Int64")),
        lambda f: f.assign(m=pd.Series([1, "two", 3], dtype=object, index=f.index)),
    ],
)
def test_every_part_of_the_content_changes_the_fingerprint(change):
    frame = _frame()
    assert dm.fingerprint(change(frame)) != dm.fingerprint(frame)


def test_masked_values_do_not_leak_into_the_fingerprint():
    a = pd.array([1, 2, 3], dtype="Int64")
    b = pd.array([1, 9, 3], dtype="Int64")
    a[1] = pd.NA
    b[1] = pd.NA
    assert dm.fingerprint(pd.DataFrame({"n": a})) == dm.fingerprint(pd.DataFrame({"n": b}))


def test_arrow_chunking_and_slicing_do_not_matter():
    whole = pd.DataFrame({"s": pd.array(["a", "bb", None, "ccc"] * 5, dtype="string[pyarrow]")})
    glued = pd.concat([whole.iloc[:7], whole.iloc[7:]], ignore_index=True)
    assert dm.fingerprint(glued) == dm.fingerprint(whole)
    sliced = whole.iloc[3:9].reset_index(drop=True)
    rebuilt = pd.DataFrame({"s": pd.array(list(whole["s"].iloc[3:9]), dtype="string[pyarrow]")})
    assert dm.fingerprint(sliced) == dm.fingerprint(rebuilt)


def test_stable_across_processes_with_different_hash_seeds():
    code = (
        "import sys; sys.path.insert(0, '.');"
        "from tests.data.test_fingerprint import _frame; import dsmagic as dm;"
        "print(dm.fingerprint(_frame()))"
    )
    seen = set()
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        )
        seen.add(result.stdout.strip())
    assert seen == {dm.fingerprint(_frame())}


def test_numeric_columns_are_hashed_without_copying_the_frame():
    frame = pd.DataFrame(np.random.default_rng(0).random((1_000_000, 8)))
    tracemalloc.start()
    dm.fingerprint(frame)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < frame.memory_usage().sum() / 20  # 64 MB frame, well under 3 MB


def test_objects_without_a_stable_text_form_are_refused():
    class Thing:
        pass

    with pytest.raises(dm.DsmagicError, match="no stable text form"):
        dm.fingerprint(pd.DataFrame({"x": [Thing()]}))
    with pytest.raises(dm.DsmagicError, match="needs a pandas DataFrame"):
        dm.fingerprint([1, 2])


def test_unhashable_cells_fingerprint_by_value():
    a = pd.DataFrame({"x": [[1, 2], {"k": {1, 2}}]})
    b = pd.DataFrame({"x": [[1, 2], {"k": {2, 1}}]})
    c = pd.DataFrame({"x": [[1, 3], {"k": {1, 2}}]})
    assert dm.fingerprint(a) == dm.fingerprint(b) != dm.fingerprint(c)
