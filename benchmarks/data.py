"""Data versioning and drift: dsmagic vs DVC, pandas and Evidently, side by side.

Run (DVC and Evidently live in the benchmark venv, not in the dev extra):

    .venv-bench/bin/pip install -e . dvc evidently
    .venv-bench/bin/python benchmarks/data.py            # full sizes (issue 3 targets)
    .venv-bench/bin/python benchmarks/data.py --quick    # 1/10 sizes, for a smoke run

Targets (issue 3):
- fingerprint of a 10,000,000 x 10 float64 frame (800 MB): >= 2 GB/s, >= 10x faster than
  `dvc add` of the same bytes and >= 5x faster than `pandas.util.hash_pandas_object`, with
  no full copy of the frame in memory;
- drift on 200,000 x 50 (40 numeric, 10 categorical): >= 10x faster than Evidently's
  DataDriftPreset with the same or better verdicts on the shifted columns;
- `track_data` of an unchanged, already stored 1,000,000-row frame: < 0.5 s.

Writes the "## Data versioning and drift" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import write_section

TITLE = "Data versioning and drift"


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _best(function, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


# -- fingerprint -------------------------------------------------------------------------------
def bench_fingerprint(rows: int, workdir: Path) -> dict:
    import dsmagic as dm

    rng = np.random.default_rng(0)
    # Built column by column, the layout pandas gives frames read from Parquet or CSV.
    frame = pd.DataFrame({f"c{i}": rng.random(rows) for i in range(10)})
    size = int(frame.memory_usage(index=False).sum())
    dm.fingerprint(frame)  # warm imports
    ours = _best(lambda: dm.fingerprint(frame), 3)
    # The same values as one row-major 2-D array (pandas 2 keeps such frames strided).
    row_major = pd.DataFrame(frame.to_numpy(), columns=frame.columns)
    assert dm.fingerprint(row_major) == dm.fingerprint(frame)
    row_major_time = _best(lambda: dm.fingerprint(row_major), 3)
    tracemalloc.start()
    dm.fingerprint(frame)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    pandas_time = _best(lambda: pd.util.hash_pandas_object(frame, index=True), 1)

    repo = workdir / "dvc-repo"
    repo.mkdir()
    dvc = shutil.which("dvc") or str(Path(sys.executable).with_name("dvc"))
    subprocess.run([dvc, "init", "--no-scm", "-q"], cwd=repo, check=True)
    np.save(repo / "frame.npy", frame.to_numpy())  # the same 800 MB of values, one file
    start = time.perf_counter()
    subprocess.run([dvc, "add", "-q", "frame.npy"], cwd=repo, check=True)
    dvc_time = time.perf_counter() - start
    return {
        "rows": rows,
        "bytes": size,
        "ours": ours,
        "row_major": row_major_time,
        "peak": peak,
        "pandas": pandas_time,
        "dvc": dvc_time,
    }


# -- drift -----------------------------------------------------------------------------------
def drift_frames(rows: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, set[str]]:
    rng = np.random.default_rng(seed)
    shifted: set[str] = set()

    def frame(current: bool) -> pd.DataFrame:
        data = {}
        for i in range(40):
            loc, scale = 0.0, 1.0
            if current and i < 4:
                loc = 0.5  # mean shift
            if current and 4 <= i < 8:
                scale = 1.6  # spread change
            if current and i < 8:
                shifted.add(f"num{i}")
            kind = i % 4
            if kind == 0:
                data[f"num{i}"] = rng.normal(loc, scale, rows)
            elif kind == 1:
                data[f"num{i}"] = rng.lognormal(loc, 0.5 * scale, rows)
            elif kind == 2:
                data[f"num{i}"] = rng.gamma(2.0, scale, rows) + loc
            else:
                data[f"num{i}"] = rng.standard_t(5, rows) * scale + loc
        for j in range(10):
            levels = [f"v{k}" for k in range(5 + j)]
            p = np.linspace(1, 2, len(levels))
            if current and j < 2:
                p = p[::-1] ** 3
                shifted.add(f"cat{j}")
            data[f"cat{j}"] = rng.choice(levels, rows, p=p / p.sum())
        return pd.DataFrame(data)

    reference = frame(False)
    current = frame(True)
    return reference, current, shifted


def _evidently_verdicts(snapshot) -> dict[str, bool]:
    verdicts = {}
    for metric in snapshot.dict()["metrics"]:
        config = metric.get("config", {})
        if not str(config.get("type", "")).endswith("ValueDrift"):
            continue
        value, threshold = float(metric["value"]), float(config["threshold"])
        method = str(config.get("method", "")).lower()
        p_value = "p_value" in method or "p-value" in method
        verdicts[config["column"]] = value < threshold if p_value else value >= threshold
    return verdicts


def bench_drift(rows: int) -> dict:
    from evidently import Report
    from evidently.presets import DataDriftPreset

    import dsmagic as dm

    reference, current, shifted = drift_frames(rows)
    dm.drift(reference.head(2000), current.head(2000))  # warm imports
    start = time.perf_counter()
    report = dm.drift(reference, current)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    snapshot = Report([DataDriftPreset()]).run(current, reference)
    theirs = time.perf_counter() - start
    evidently = _evidently_verdicts(snapshot)
    columns = list(reference.columns)
    ours_right = sum((c in report.drifted_columns) == (c in shifted) for c in columns)
    theirs_right = sum(evidently.get(c, False) == (c in shifted) for c in columns)
    return {
        "rows": rows,
        "ours": ours,
        "theirs": theirs,
        "ours_right": ours_right,
        "theirs_right": theirs_right,
        "columns": len(columns),
        "shifted": len(shifted),
        "ours_found": len(shifted & set(report.drifted_columns)),
        "theirs_found": sum(evidently.get(c, False) for c in shifted),
    }


# -- tracking an unchanged frame ------------------------------------------------------------
def bench_track(rows: int, workdir: Path) -> dict:
    os.environ["DSMAGIC_HOME"] = str(workdir / "home")
    os.environ.pop("DSMAGIC_URI", None)
    import dsmagic as dm

    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "id": np.arange(rows),
            "amount": rng.normal(100, 20, rows),
            "qty": rng.integers(0, 50, rows),
            "country": rng.choice(["fr", "de", "es", "it", "pt"], rows),
            "score": rng.random(rows),
        }
    )
    start = time.perf_counter()
    first = dm.track_data(frame, "orders")
    first_time = time.perf_counter() - start
    times = []
    for _ in range(5):
        start = time.perf_counter()
        again = dm.track_data(frame, "orders")
        times.append(time.perf_counter() - start)
        assert not again.created and again.version == first.version
    return {"rows": rows, "first": first_time, "again": float(np.median(times))}


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1/10 of the issue's sizes")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    workdir = Path(tempfile.mkdtemp(prefix="dsmagic-bench-data-"))
    try:
        fp = bench_fingerprint(10_000_000 // scale, workdir)
        dr = bench_drift(200_000 // scale)
        tr = bench_track(1_000_000 // scale, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    gbps = fp["bytes"] / fp["ours"] / 1e9
    vs_dvc, vs_pandas = fp["dvc"] / fp["ours"], fp["pandas"] / fp["ours"]
    vs_evidently = dr["theirs"] / dr["ours"]
    mb = fp["bytes"] / 1e6
    command = ".venv-bench/bin/python benchmarks/data.py" + (" --quick" if args.quick else "")
    cpu = os.cpu_count()
    body = f"""
Command: `{command}`. Machine: {cpu} CPU(s) (`nproc`), {platform.machine()}; Python \
{platform.python_version()}; dsmagic {_version("dsmagic")}, pandas {pd.__version__}, numpy \
{np.__version__}, xxhash {_version("xxhash")}, DVC {_version("dvc")}, Evidently \
{_version("evidently")}; {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}. Other jobs \
shared the machine, so absolute times vary; each pair ran back to back in one process.

| Measure | dsmagic | Reference | Ratio | Target |
|---|---|---|---|---|
| fingerprint {fp["rows"]:,} x 10 float64 ({mb:,.0f} MB), best of 3 | {fp["ours"]:.3f} s \
({gbps:.1f} GB/s) | `dvc add`: {fp["dvc"]:.2f} s | {vs_dvc:.0f}x | >= 2 GB/s and >= 10x: \
{_mark(gbps >= 2 and vs_dvc >= 10)} |
| same frame | {fp["ours"]:.3f} s | `pandas.util.hash_pandas_object`: {fp["pandas"]:.2f} s | \
{vs_pandas:.0f}x | >= 5x: {_mark(vs_pandas >= 5)} |
| same values built from one row-major 2-D array (`pd.DataFrame(array)`) | \
{fp["row_major"]:.3f} s ({fp["bytes"] / fp["row_major"] / 1e9:.1f} GB/s) | | | |
| peak memory allocated while fingerprinting (tracemalloc) | {fp["peak"] / 1e6:.2f} MB for \
a {mb:,.0f} MB frame | | | no full copy: {_mark(fp["peak"] < fp["bytes"] / 10)} |
| drift {dr["rows"]:,} x 50 (40 numeric, 10 categorical), {dr["shifted"]} shifted | \
{dr["ours"]:.2f} s | Evidently `DataDriftPreset`: {dr["theirs"]:.1f} s | {vs_evidently:.0f}x | \
>= 10x: {_mark(vs_evidently >= 10)} |
| columns judged right (of {dr["columns"]}); shifted columns found (of {dr["shifted"]}) | \
{dr["ours_right"]}; {dr["ours_found"]} | {dr["theirs_right"]}; {dr["theirs_found"]} | | \
same or better: {_mark(dr["ours_right"] >= dr["theirs_right"])} |
| `track_data` of an unchanged, stored {tr["rows"]:,}-row frame (5 columns), median of 5 | \
{tr["again"] * 1000:.0f} ms (first time, with the Parquet write: {tr["first"]:.2f} s) | | | \
< 0.5 s: {_mark(tr["again"] < 0.5)} |

How each figure is made:
- fingerprint: `dm.fingerprint(df)` (xxh3-128 over each column's buffer, columns hashed in \
threads; a frame backed by one row-major block is read once in row slices that feed every \
column's hash); `pd.util.hash_pandas_object(df, index=True)` on the same frame; `dvc add` of the \
same values saved as one `.npy` file in a `dvc init --no-scm` repository (default cache \
settings; the file was just written, so it is in the page cache). tracemalloc counts \
NumPy's allocations, so a copy of the frame would show as {mb:,.0f} MB.
- drift: `dm.drift(reference, current)` with its defaults (auto methods, Benjamini-Hochberg, \
effect thresholds) vs `Report([DataDriftPreset()]).run(current, reference)` with its \
defaults; a column is "judged right" when its verdict matches whether it was shifted \
(numeric: +0.5 in location or x1.6 spread on 8 columns; categorical: reversed, sharpened \
shares on 2 columns; normal, log-normal, gamma and t shapes).
- `track_data`: first call writes the Parquet file and the statistics; the timed calls find \
the fingerprint in the store and return the stored version (no file write, no statistics).
"""
    write_section(TITLE, body)
    print(body)


if __name__ == "__main__":
    main()
