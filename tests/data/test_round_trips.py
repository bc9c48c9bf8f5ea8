"""``load_data(track_data(df, name).ref)`` is ``df``, or ``track_data`` refuses and writes
nothing: every dtype a pandas user can build, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import dsmagic as dm
from tests.data._round_trip_cases import CASES, Case


def _stored_files(home: Path) -> list[Path]:
    folder = home / "artifacts" / "data"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_round_trip_is_exact_or_refused_before_writing(dsmagic_home, case: Case):
    frame = case.build()
    before = dm.fingerprint(frame)
    if case.refused is not None:
        with pytest.raises(dm.DsmagicError) as info:
            dm.track_data(frame, "t")
        message = str(info.value)
        assert re.search(case.refused, message), message
        assert "\n" not in message and len(message) < 400
        assert dm.list_datasets().empty  # no row
        assert _stored_files(dsmagic_home) == []  # no file, no temporary file
        return
    version = dm.track_data(frame, "t")
    back = dm.load_data(version.ref)
    pd.testing.assert_frame_equal(back, frame)
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    assert back.flags.allows_duplicate_labels == frame.flags.allows_duplicate_labels
    assert dm.fingerprint(back) == version.fingerprint == before
    again = dm.track_data(back, "t")  # what came back is the same content
    assert (again.version, again.created) == (1, False)
    assert [p.suffix for p in _stored_files(dsmagic_home)] == [".parquet"]


def test_the_reported_losses_are_exact_now(dsmagic_home):
    """The frame of the issue: each of these came back changed without a word."""
    from decimal import Decimal

    frame = pd.DataFrame(
        {
            "cat_int": pd.Categorical([1, 2, 1], categories=[3, 1, 2]),
            "cat_float": pd.Categorical([0.5, 1.5, 0.5]),
            "cat_date": pd.Categorical(
                pd.to_datetime(["2024-01-01", "2024-01-02"] * 1 + ["2024-01-01"])
            ),
            "text": pd.array(["a", None, "c"], dtype="string[python]"),
            "price": [Decimal("2"), Decimal("2.50"), None],
        },
        index=pd.date_range("2024-01-01", periods=3, freq="D", name="day"),
    )
    back = dm.load_data(dm.track_data(frame, "issue").ref)
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    assert back.index.freq == "D"
    assert back["text"].dtype.storage == "python"
    assert str(back["price"].iloc[0]) == "2"
    assert back["cat_int"].cat.categories.tolist() == [3, 1, 2]


def test_none_and_nan_in_one_object_column_are_refused_as_the_docs_say(dsmagic_home):
    frame = pd.DataFrame({"x": pd.Series(["a", None, np.nan], dtype=object)})
    with pytest.raises(dm.DsmagicError, match=r"column 'x' marks missing values in several ways"):
        dm.track_data(frame, "mixed_missing")
    # either marker alone is kept exactly
    for marker, kind in ((None, type(None)), (np.nan, float)):
        one = pd.DataFrame({"x": pd.Series(["a", marker], dtype=object)})
        back = dm.load_data(dm.track_data(one, "one_marker").ref)
        assert type(back["x"].iloc[1]) is kind
        assert dm.fingerprint(back) == dm.fingerprint(one)


def test_mixed_column_labels_are_one_line_without_a_pyarrow_warning(dsmagic_home, recwarn):
    frame = pd.DataFrame([[1, 2]], columns=[1, "b"])
    with pytest.raises(dm.DsmagicError, match=r"^the column labels mix types \(int, str\)"):
        dm.track_data(frame, "labels")
    assert not [w for w in recwarn if "mixed type" in str(w.message)]


def test_same_content_same_fingerprint_whatever_path_it_took(dsmagic_home):
    rng = np.random.default_rng(1)
    values = rng.random((1000, 3))
    direct = pd.DataFrame(values, columns=list("abc"))  # one row-major block
    by_column = pd.DataFrame({c: values[:, i].copy() for i, c in enumerate("abc")})
    by_chunks = pd.concat([direct.iloc[:400], direct.iloc[400:]])
    by_chunks.index = pd.RangeIndex(1000)
    first = dm.track_data(direct, "paths")
    loaded = dm.load_data(first.ref)
    prints = {dm.fingerprint(f) for f in (direct, by_column, by_chunks, loaded, direct.copy())}
    assert prints == {first.fingerprint}
    for frame in (by_column, by_chunks, loaded):
        assert dm.track_data(frame, "paths").version == 1
    text = pd.DataFrame({"s": pd.array(["x", None, "y"] * 100, dtype="string[pyarrow]")})
    chunked = pd.DataFrame(
        {
            "s": pd.arrays.ArrowExtensionArray(
                pa.chunked_array(
                    [
                        text["s"].array._pa_array.combine_chunks()[:150],
                        text["s"].array._pa_array.combine_chunks()[150:],
                    ]
                )
            )
        }
    ).astype(text.dtypes)
    assert dm.fingerprint(chunked) == dm.fingerprint(text)
    assert dm.fingerprint(dm.load_data(dm.track_data(chunked, "chunks").ref)) == dm.fingerprint(
        text
    )
    # the same content under another name shares the file
    dm.track_data(text, "chunks_copy")
    assert len([p for p in _stored_files(dsmagic_home) if p.suffix == ".parquet"]) == 2


def test_dtypes_that_look_alike_are_different_versions(dsmagic_home):
    """What assert_frame_equal tells apart, the fingerprint tells apart too."""
    values = ["a", "b"]
    frames = [
        pd.DataFrame({"x": pd.Series(values, dtype=object)}),
        pd.DataFrame({"x": pd.array(values, dtype="string[python]")}),
        pd.DataFrame({"x": pd.array(values, dtype="string[pyarrow]")}),
        pd.DataFrame({"x": pd.Series(values, dtype=pd.StringDtype("python", na_value=np.nan))}),
        pd.DataFrame({"x": pd.Series(values)}),
    ]
    with_freq = pd.DataFrame({"v": [1, 2]}, index=pd.date_range("2024", periods=2, freq="D"))
    frames += [with_freq, with_freq.set_axis(with_freq.index._with_freq(None))]
    frames.append(with_freq.set_flags(allows_duplicate_labels=False))
    versions = [dm.track_data(f, "alike") for f in frames]
    assert [v.version for v in versions] == list(range(1, len(frames) + 1))
    for version, frame in zip(versions, frames):
        pd.testing.assert_frame_equal(dm.load_data(version.ref), frame, check_exact=True)


def test_files_stay_plain_parquet_for_other_tools(dsmagic_home):
    frame = pd.DataFrame(
        {
            "n": [1, 2],
            "s": ["a", "b"],
            "c": pd.Categorical(["x", "y"]),
            "t": pd.to_datetime(["2024-01-01", "2024-01-02"]),
        }
    )
    version = dm.track_data(frame, "plain")
    path = dsmagic_home / "artifacts" / version.path
    other = pd.read_parquet(path)  # no dsmagic needed to read the values
    assert other["n"].tolist() == [1, 2] and other["s"].tolist() == ["a", "b"]
    assert other["c"].astype(str).tolist() == ["x", "y"]


def _write_like_an_earlier_dsmagic(frame: pd.DataFrame, path: Path, plan: dict) -> None:
    import json

    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame)
    metadata = {**(table.schema.metadata or {}), b"dsmagic": json.dumps(plan).encode()}
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table.replace_schema_metadata(metadata), path)


def test_files_of_an_earlier_dsmagic_are_read_and_rewritten_when_tracked(dsmagic_home):
    from dsmagic.data import _storage

    old = pd.DataFrame({"o": pd.Series(["x", None], dtype=object), "n": [1.5, 2.5]})
    plan = {"object_columns": {"0": "none"}, "columns_range": None, "index_object": False}
    path = dsmagic_home / "artifacts" / "data" / "old.parquet"
    _write_like_an_earlier_dsmagic(old, path, plan)
    pd.testing.assert_frame_equal(_storage.read_file(path), old, check_exact=True)
    # an earlier file of lossy content (int categories) is written again, exactly, on tracking
    lossy = pd.DataFrame({"c": pd.Categorical([1, 2], categories=[2, 1, 3])})
    target = _storage.version_path(dm.fingerprint(lossy))
    _write_like_an_earlier_dsmagic(lossy, target, {"object_columns": {}})
    version = dm.track_data(lossy, "rewritten")
    pd.testing.assert_frame_equal(dm.load_data(version.ref), lossy, check_exact=True)
