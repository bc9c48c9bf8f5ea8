"""Every kind of frame a pandas user can build, and what ``track_data`` promises for it.

Each case is either *exact* (``load_data`` gives a frame equal by
``pd.testing.assert_frame_equal`` and by fingerprint) or *refused* before anything is
written, with a one-line reason matching ``refused``. Used by test_round_trips.py and by
round_trip_table.py (the table in docs/data.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal as D

import numpy as np
import pandas as pd
import pyarrow as pa


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[], pd.DataFrame]
    refused: str | None = None  # a regex of the one-line reason; None: exact


def _x(values, dtype=None) -> Callable[[], pd.DataFrame]:
    return lambda: pd.DataFrame({"x": pd.Series(values, dtype=dtype)})


def _with_index(index: Callable[[], pd.Index]) -> Callable[[], pd.DataFrame]:
    return lambda: pd.DataFrame({"v": np.arange(len(index()))}, index=index())


def _labels(labels: Callable[[], object]) -> Callable[[], pd.DataFrame]:
    return lambda: pd.DataFrame([[1, 2]], columns=labels())


NUMPY = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
NUMPY += ["float16", "float32", "float64", "bool"]
NULLABLE = ["Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64"]
NULLABLE += ["Float32", "Float64", "boolean"]

CASES: list[Case] = [
    *(Case(f"numpy-{w}", _x(np.array([0, 1, 1]).astype(w))) for w in NUMPY),
    Case("float-nan-inf-negative-zero", _x([np.nan, np.inf, -0.0, 1e-310])),
    Case("uint64-max", _x(np.array([2**64 - 1, 0], dtype="uint64"))),
    Case("complex", _x(np.array([1 + 2j])), refused="complex numbers"),
    *(Case(f"nullable-{w}", _x(pd.array([1, None, 0], dtype=w))) for w in NULLABLE),
    Case("nullable-all-missing", lambda: pd.DataFrame({"n": pd.array([None], dtype="Int64")})),
    # categoricals: ordered or not, every kind of categories, unused categories kept
    *(
        Case(f"category-{kind}-{'ordered' if ordered else 'unordered'}", build)
        for ordered in (False, True)
        for kind, build in [
            ("str", lambda o=ordered: _cat(["lo", "hi", None], ["lo", "mid", "hi"], o)),
            ("int", lambda o=ordered: _cat([1, 2, 1], [3, 1, 2], o)),
            ("float", lambda o=ordered: _cat([1.5, 2.5, np.nan], [2.5, 1.5, 9.0], o)),
            ("date", lambda o=ordered: _cat(pd.to_datetime(["2024-01-02", "2024-01-01"]), None, o)),
        ]
    ),
    Case("category-int8-categories", lambda: _cat([1, 2], pd.Index([1, 2, 3], dtype="int8"))),
    Case("category-object-categories", lambda: _cat(["a"], pd.Index(["a", "b"], dtype=object))),
    Case("category-bool-categories", lambda: _cat([True, False], None)),
    Case("category-tz-categories", lambda: _cat(pd.date_range("2024", periods=2, tz="UTC"), None)),
    Case("category-interval-categories", lambda: pd.DataFrame({"x": pd.cut([1, 5], [0, 3, 6])})),
    Case("category-period-categories", lambda: _cat(pd.period_range("2024-01", periods=2), None)),
    Case("category-no-rows", lambda: _cat([], [1, 2])),
    # text
    Case("string-python", _x(pd.array(["a", None, "é"], dtype="string[python]"))),
    Case("string-pyarrow", _x(pd.array(["a", None, "é"], dtype="string[pyarrow]"))),
    Case("str-default", _x(["a", None, "é"])),
    Case("str-python-storage", _x(["a", None], pd.StringDtype("python", na_value=np.nan))),
    Case("object-text-none", _x(["a", None], object)),
    Case("object-text-nan", _x(["a", np.nan], object)),
    Case("object-text-pd-na", _x(["a", pd.NA], object)),
    Case("object-text-nat", _x(["a", pd.NaT], object)),
    Case("object-text-nul-and-emoji", _x(["a\x00b", "😀", ""], object)),
    Case("object-text-none-and-nan", _x(["a", None, np.nan], object), refused="several ways"),
    Case("object-lone-surrogate", _x(["a\ud800"], object), refused="column 'x' cannot be stored"),
    Case("object-all-missing", _x([None, None], object)),
    # other objects
    Case("object-int-with-none", _x([1, None, 2**62], object)),
    Case("object-bool-with-nan", _x([True, np.nan], object)),
    Case("object-float", _x([1.5, np.nan], object)),
    Case("object-int-and-float", _x([1, 2.5], object), refused=r"several .* types \(float, int\)"),
    Case("object-int-beyond-64-bits", _x([2**70], object), refused="wider than 64 bits"),
    Case("object-mixed", _x([1, "two", 3.0], object), refused=r"\(float, int, str\)"),
    Case("object-lists", _x([[1], [2, 3]], object), refused=r"\(list\)"),
    Case("object-text-and-bytes", _x(["a", b"b"], object), refused=r"\(bytes, str\)"),
    Case("object-datetime", _x([dt.datetime(2024, 1, 1)], object), refused="pd.to_datetime"),
    Case("object-time", _x([dt.time(1, 2)], object), refused=r"\(time\)"),
    Case("object-date", _x([dt.date(2024, 1, 1), None], object)),
    Case("bytes", _x([b"x", None, b"\x00\xff"], object)),
    Case("decimal-one-scale", _x([D("1.50"), D("2.25"), None], object)),
    Case("decimal-mixed-scales", _x([D("2"), D("2.00"), D("-0"), None], object)),
    Case("decimal-nan-infinity-tiny", _x([D("NaN"), D("Infinity"), D("1e-40")], object)),
    Case("sparse", _x(pd.arrays.SparseArray([0, 1])), refused="sparse"),
    # dates and times
    Case("datetime-ns", _x(pd.to_datetime(["2024-01-01 00:00:00.000000001", None]))),
    *(
        Case(f"datetime-{u}", _x(pd.to_datetime(["2024-01-01", None]).astype(f"M8[{u}]")))
        for u in ["s", "ms", "us"]
    ),
    *(
        Case(f"timedelta-{u}", _x(pd.to_timedelta([1, None], unit="s").astype(f"m8[{u}]")))
        for u in ["s", "ms", "us", "ns"]
    ),
    Case("datetime-tz", _x(pd.date_range("2024-03-31", periods=3, freq="h", tz="Europe/Paris"))),
    Case("datetime-fixed-offset", _x(pd.to_datetime(["2024-01-01T00:00+05:30"]))),
    Case("datetime-index-freq", _with_index(lambda: pd.date_range("2024", periods=3, freq="D"))),
    Case(
        "datetime-index-freq-tz",
        _with_index(lambda: pd.date_range("2024", periods=3, freq="15min", tz="UTC", name="t")),
    ),
    Case(
        "datetime-index-business-freq", _with_index(lambda: pd.bdate_range("2024-01-05", periods=3))
    ),
    Case(
        "datetime-index-custom-business-freq",
        _with_index(
            lambda: pd.date_range(
                "2024-01-01", periods=2, freq=pd.offsets.CustomBusinessDay(holidays=["2024-01-02"])
            )
        ),
        refused=r"freq <CustomBusinessDay>, which cannot be written down",
    ),
    Case("datetime-index-nat", _with_index(lambda: pd.DatetimeIndex(["2024-01-01", None]))),
    Case("timedelta-index-freq", _with_index(lambda: pd.timedelta_range(0, periods=2, freq="s"))),
    Case("period", _x(pd.period_range("2024-01", periods=2, freq="M"))),
    Case("period-index", _with_index(lambda: pd.period_range("2024Q1", periods=2, freq="Q"))),
    Case("interval", _x(pd.interval_range(0, 2))),
    Case(
        "interval-closed-left-float",
        _x(pd.arrays.IntervalArray.from_breaks([0.0, 0.5, 1.0], closed="left")),
    ),
    Case("interval-datetime", _x(pd.interval_range(pd.Timestamp("2024"), periods=2, freq="D"))),
    Case("interval-index", _with_index(lambda: pd.interval_range(0.0, 2.0, closed="both"))),
    # pyarrow-backed
    Case("arrow-int64", _x(pd.array([1, None], dtype="int64[pyarrow]"))),
    Case(
        "arrow-timestamp-s",
        _x(pd.array([pd.Timestamp("2024")], dtype=pd.ArrowDtype(pa.timestamp("s")))),
    ),
    Case("arrow-list", _x(pd.array([[1], None], dtype=pd.ArrowDtype(pa.list_(pa.int64()))))),
    # rows
    Case("index-int-unsorted-uint16", _with_index(lambda: pd.Index([3, 1, 2], dtype="uint16"))),
    Case("index-float-nan-duplicates", _with_index(lambda: pd.Index([1.5, np.nan, 1.5]))),
    Case("index-range-named", _with_index(lambda: pd.RangeIndex(10, 14, 2, name="row"))),
    Case("index-object-text", _with_index(lambda: pd.Index(["a", "b"], dtype=object))),
    Case("index-str", _with_index(lambda: pd.Index(["a", "b"]))),
    Case(
        "index-categorical-int",
        _with_index(lambda: pd.CategoricalIndex([1, 2], [2, 1, 3], name="k")),
    ),
    Case(
        "index-categorical-periods",
        _with_index(lambda: pd.CategoricalIndex(pd.period_range("2024-01", periods=2), name="k")),
        refused="the index cannot be written to Parquet",
    ),
    Case(
        "index-decimal-mixed-scales",
        _with_index(lambda: pd.Index([D("2"), D("2.5")], dtype=object)),
        refused=r"the index \(\[Decimal\('2'\), Decimal\('2.5'\)\]\) would come back",
    ),
    Case(
        "index-mixed-objects",
        _with_index(lambda: pd.Index([1, "b"], dtype=object)),
        refused="the index holds",
    ),
    Case(
        "multiindex-rows",
        _with_index(lambda: pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["k", "j"])),
    ),
    Case(
        "multiindex-rows-dates-and-categories",
        _with_index(
            lambda: pd.MultiIndex.from_arrays(
                [pd.to_datetime(["2024-01-01", "2024-01-02"]), pd.Categorical([3, 4])]
            )
        ),
    ),
    Case(
        "index-named-like-a-column",
        lambda: pd.DataFrame({"a": [1, 2]}, index=pd.Index([5, 6], name="a")),
    ),
    Case(
        "column-named-like-pyarrows-index",
        lambda: pd.DataFrame({"__index_level_0__": [1, 2]}, index=[5, 6]),
    ),
    # column labels
    Case("labels-range", _labels(lambda: pd.RangeIndex(2))),
    Case("labels-int", _labels(lambda: [5, 7])),
    Case("labels-float", _labels(lambda: [0.5, 1.5])),
    Case("labels-dates-with-freq", _labels(lambda: pd.date_range("2024", periods=2, freq="D"))),
    Case("labels-object-text", _labels(lambda: pd.Index(["a", "b"], dtype=object))),
    Case("labels-named-axis", lambda: pd.DataFrame({"a": [1]}).rename_axis(columns="attr")),
    Case(
        "labels-unicode-spaces-empty-control",
        lambda: pd.DataFrame(
            {"prix €": [1], "名前": ["é"], " lead": [1.0], "": [2], "tab\tnew\nline": [3]}
        ),
    ),
    Case(
        "labels-multiindex",
        _labels(lambda: pd.MultiIndex.from_tuples([("a", 1), ("a", 2)], names=["top", "sub"])),
    ),
    Case(
        "labels-multiindex-numbers",
        _labels(lambda: pd.MultiIndex.from_tuples([(1, 2.5), (2, 3.5)])),
    ),
    Case(
        "labels-mixed-types",
        _labels(lambda: [1, "b"]),
        refused=r"column labels mix types \(int, str\)",
    ),
    Case(
        "labels-equal-as-text",
        _labels(lambda: pd.Index([1, "1"], dtype=object)),
        refused="read the same as text",
    ),
    Case("labels-duplicate", _labels(lambda: ["a", "a"]), refused="duplicate column names"),
    Case("labels-none", lambda: pd.DataFrame({None: [1]}), refused="labels are NoneType"),
    Case(
        "labels-tuples",
        _labels(lambda: pd.Index([("a", 1), ("b", 2)], tupleize_cols=False)),
        refused="labels are tuple",
    ),
    Case(
        "labels-bool",
        _labels(lambda: [True, False]),
        refused=r"labels \(\[True, False\]\) would come back .* as \[True, True\]",
    ),
    # shapes and flags
    Case(
        "no-rows",
        lambda: pd.DataFrame(
            {
                "i": pd.Series([], dtype="int8"),
                "c": pd.Categorical([], categories=["a"]),
                "s": pd.Series([], dtype=object),
                "t": pd.Series([], dtype="M8[s]"),
            }
        ),
    ),
    Case(
        "one-row",
        lambda: pd.DataFrame({"i": [1], "s": ["a"], "c": pd.Categorical([2.5]), "d": [D("1.0")]}),
    ),
    Case("no-columns", lambda: pd.DataFrame(index=[1, 2]), refused="no columns"),
    Case(
        "flag-no-duplicate-labels",
        lambda: pd.DataFrame({"v": [1]}).set_flags(allows_duplicate_labels=False),
    ),
    Case(
        "mixed-frame",
        lambda: pd.DataFrame(
            {
                f"c{i}": pd.Series([i, i + 1], dtype=d)
                for i, d in enumerate(
                    ["int8", "Int64", "category", "string[python]", "float32", "str"]
                )
            }
        ),
    ),
]


def _cat(values, categories, ordered: bool = False) -> pd.DataFrame:
    return pd.DataFrame({"x": pd.Categorical(values, categories=categories, ordered=ordered)})
