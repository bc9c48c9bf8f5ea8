"""Tracking, loading and finding versions, against SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dsmagic as dm


def _customers(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "age": rng.integers(18, 90, n),
            "income": rng.normal(50_000, 12_000, n),
            "segment": rng.choice(["a", "b", "c"], n),
        }
    )


def _files(home: Path) -> list[Path]:
    return sorted((home / "artifacts" / "data").glob("*"))


def test_track_stores_once_and_load_gives_the_identical_frame(dsmagic_home):
    frame = _customers()
    first = dm.track_data(frame, "customers")
    assert (first.name, first.version, first.created) == ("customers", 1, True)
    assert first.rows == 200 and first.columns == 4 and len(first.fingerprint) == 32
    assert first.stats["columns"][2]["name"] == "income"
    assert first.stats["columns"][2]["p50"] == pytest.approx(frame["income"].median())
    assert first.stats["columns"][3]["top"][0]["count"] == frame["segment"].value_counts().iloc[0]
    again = dm.track_data(frame.copy(), "customers")
    assert (again.version, again.created, again.id) == (1, False, first.id)
    assert len(_files(dsmagic_home)) == 1
    assert len(dm.list_versions("customers")) == 1
    changed = frame.assign(income=frame["income"] * 1.1)
    second = dm.track_data(changed, "customers")
    assert second.version == 2 and len(_files(dsmagic_home)) == 2
    pd.testing.assert_frame_equal(dm.load_data("customers@1"), frame, check_exact=True)
    pd.testing.assert_frame_equal(dm.load_data("customers@latest"), changed, check_exact=True)
    pd.testing.assert_frame_equal(dm.load_data(first.fingerprint[:8]), frame)
    pd.testing.assert_frame_equal(dm.load_data(f"customers@{second.fingerprint[:6]}"), changed)
    assert dm.get_version("customers").version == 2
    # the same content under another name is a new version but not a new file
    dm.track_data(frame, "customers_copy")
    assert len(_files(dsmagic_home)) == 2


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame(
            {
                "s": ["a", None, "c"],
                "o": pd.Series(["x", None, "z"], dtype=object),
                "on": pd.Series(["x", np.nan, "z"], dtype=object),
                "c": pd.Categorical(["lo", "hi", "lo"], ordered=True),
                "n": pd.array([1, None, 3], dtype="Int64"),
                "t": pd.date_range("2024-01-01", periods=3, tz="Europe/Paris"),
                "d": pd.to_timedelta([1, 2, 3], unit="s"),
                "b": [True, False, True],
                "u8": np.array([1, 2, 3], dtype="uint8"),
            },
        ).set_axis(pd.Index([10, 20, 30], name="row")),
        pd.DataFrame(
            {"v": [1.5, 2.5]},
            index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["k", "j"]),
        ),
        pd.DataFrame({0: [1, 2], 1: [3.0, 4.0]}),
        pd.DataFrame({"a": pd.Series([], dtype=float), "s": pd.Series([], dtype=str)}),
        pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")])),
        pd.DataFrame(
            {"all_nan": [np.nan, np.nan], "ints_as_objects": pd.Series([1, 2], dtype=object)}
        ),
    ],
    ids=["many-dtypes", "multiindex", "int-columns", "empty", "multi-columns", "nan-objects"],
)
def test_round_trip_is_exact_for_every_supported_kind_of_frame(dsmagic_home, frame):
    version = dm.track_data(frame, "kinds")
    back = dm.load_data(version.ref)
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    assert list(back.dtypes) == list(frame.dtypes)
    assert type(back.columns) is type(frame.columns) and type(back.index) is type(frame.index)
    for column in frame.columns:
        if frame[column].dtype == object:
            assert [type(v) for v in back[column]] == [type(v) for v in frame[column]]
    assert dm.fingerprint(back) == version.fingerprint


@pytest.mark.parametrize(
    ("frame", "name", "message"),
    [
        (pd.DataFrame({"a": [1]}), "a/b", "no '/'"),
        (pd.DataFrame({"a": [1]}), "..", "may only hold"),
        (pd.DataFrame({"a": [1]}), "x@1", "may only hold"),
        (pd.DataFrame(), "empty", "has no columns"),
        (pd.DataFrame([[1, 2]], columns=["a", "a"]), "dups", "duplicate column names"),
        (pd.DataFrame({"m": pd.Series([1, "x"], dtype=object)}), "mixed", "several or unstorable"),
        (pd.DataFrame({"l": [[1], [2]]}), "lists", "several or unstorable"),
        (pd.DataFrame({1: [1], "1": [2]}), "clash", "read the same as text"),
        ([1, 2, 3], "notaframe", "needs a pandas DataFrame"),
    ],
)
def test_bad_input_is_one_line_and_stores_nothing(dsmagic_home, frame, name, message):
    with pytest.raises(dm.DsmagicError, match=message) as info:
        dm.track_data(frame, name)
    assert "\n" not in str(info.value)
    assert dm.list_datasets().empty
    assert _files(dsmagic_home) == []


def test_references_that_do_not_resolve_say_what_exists(dsmagic_home):
    dm.track_data(_customers(), "customers")
    with pytest.raises(dm.NotFoundError, match="has no version 7: it has versions 1 to 1"):
        dm.load_data("customers@7")
    with pytest.raises(dm.NotFoundError, match="no dataset named 'orders' \\(known: customers\\)"):
        dm.load_data("orders@1")
    with pytest.raises(dm.NotFoundError, match="fingerprint starting with"):
        dm.load_data("customers@ffffff")
    with pytest.raises(dm.DsmagicError, match="use a number"):
        dm.load_data("customers@first")
    with pytest.raises(dm.DsmagicError, match="not tracked"):
        dm.track_data(_customers(seed=1), "child", parent=_customers(seed=2))


def test_explicit_lineage_upstream_and_downstream(dsmagic_home):
    raw = dm.track_data(_customers(), "raw")
    clean = dm.track_data(_customers().dropna(), "clean", parent=raw)
    features = dm.track_data(_customers().assign(x=1), "features", parent=["clean@1", "raw@1"])
    assert clean.parents == [] or clean.parents == ["raw@1"]
    graph = dm.lineage("features@1")
    assert sorted(graph.parents) == ["clean@1", "raw@1"]
    assert set(graph.ancestors) == {"clean@1", "raw@1"}
    down = dm.lineage(raw)
    assert set(down.descendants) == {"clean@1", "features@1"} or set(down.descendants) == {
        "features@1"
    }
    assert "features@1" in repr(down) and "Lineage of raw@1" in down._repr_html_()
    versions = dm.list_versions("features")
    assert versions.loc[0, "parents"] in ("clean@1, raw@1", "raw@1, clean@1")
    assert features.ref == "features@1"


def test_a_version_tracked_in_a_run_is_linked_both_ways(dsmagic_home):
    with dm.start_run("prep") as run:
        version = dm.track_data(_customers(), "customers")
    assert version.run_id == run.id
    linked = dm.run_datasets(run.id[:8])
    assert linked["ref"].tolist() == ["customers@1"]
    assert dm.get_run(run.id).tags["dsmagic.data.customers"].startswith("customers@1 ")
    outside = dm.track_data(_customers(seed=3), "customers")
    assert outside.run_id is None


def test_listing_datasets(dsmagic_home):
    assert dm.list_datasets().empty
    dm.track_data(_customers(), "b_set")
    dm.track_data(_customers(), "a_set")
    dm.track_data(_customers(seed=5), "a_set")
    listing = dm.list_datasets()
    assert listing["name"].tolist() == ["a_set", "b_set"]
    assert listing.set_index("name").loc["a_set", "versions"] == 2
    html = dm.get_version("a_set@2")._repr_html_()
    assert "a_set@2" in html and "income" in html


_WORKER = """
import sys, time
import numpy as np, pandas as pd
import dsmagic as dm
start = float(sys.argv[1])
frame = pd.DataFrame(np.random.default_rng(42).random((300_000, 4)), columns=list("abcd"))
while time.time() < start:
    time.sleep(0.001)
version = dm.track_data(frame, "shared")
print(version.version, version.created)
"""


def test_two_processes_tracking_the_same_frame_create_one_version(dsmagic_home):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    dm.list_datasets()  # create the schema first, as a notebook would
    start = time.time() + 3
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=120) for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    lines = sorted(out.strip() for out, _ in outputs)
    assert [line.split()[0] for line in lines] == ["1", "1"]
    assert len(dm.list_versions("shared")) == 1
    assert len(_files(dsmagic_home)) == 1
    assert not list((dsmagic_home / "artifacts" / "data").glob(".*.tmp"))
