"""Sixteen processes logging into one store at once: dsmagic on SQLite and PostgreSQL, and
MLflow on SQLite beside it. Every call's latency is measured in the logging process; after
the run, the rows in the database are counted.

Run:  .venv-bench/bin/python benchmarks/concurrency.py [--quick]

Writes the section "## Concurrent writers" of benchmarks/RESULTS.md (--quick prints it).
PostgreSQL is a fresh server started for the run (the one the test suite uses,
tests/_postgres.py), on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from _results import write_section  # noqa: E402

WORK = HERE / ".work" / "concurrency"
WRITERS = 16


def child(tool: str, uri: str, count: int, start_file: str, out: str) -> None:
    """One writer: wait for the start, log ``count`` points timing each call, end the run."""
    latencies = np.empty(count, dtype=np.int64)
    if tool == "mlflow":
        import mlflow

        mlflow.set_tracking_uri(uri)
        run = mlflow.start_run(run_name=f"w{os.getpid()}")
        log = mlflow.log_metric
    else:
        import dsmagic as dm

        run = dm.start_run(f"w{os.getpid()}")
        log = dm.log_metric
    Path(f"{out}.ready").touch()
    while not os.path.exists(start_file):
        time.sleep(0.002)
    started = time.perf_counter()
    for step in range(count):
        before = time.perf_counter_ns()
        log("x", step * 0.5, step=step)
        latencies[step] = time.perf_counter_ns() - before
    if tool == "mlflow":
        mlflow.end_run()
    else:
        dm.end_run()  # returns once every point is stored
    seconds = time.perf_counter() - started
    np.save(out, latencies)
    print(json.dumps({"seconds": seconds, "run": getattr(run, "id", None) or run.info.run_id}))


def measure(tool: str, uri: str, count: int, folder: Path, env: dict[str, str]) -> dict:
    start = folder / "go"
    children = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--child",
                tool,
                "--uri",
                uri,
                "--count",
                str(count),
                "--start",
                str(start),
                "--out",
                str(folder / f"lat{index}.npy"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
        )
        for index in range(WRITERS)
    ]
    deadline = time.monotonic() + 600
    while len(list(folder.glob("*.ready"))) < WRITERS:  # every writer inside its run
        if any(process.poll() is not None for process in children):
            raise SystemExit(f"a {tool} writer ended before the start: {children[0].stderr}")
        if time.monotonic() > deadline:
            raise SystemExit(f"the {tool} writers did not start within 600 s")
        time.sleep(0.05)
    began = time.perf_counter()
    start.touch()
    failures = []
    for process in children:
        _, err = process.communicate(timeout=1800)
        if process.returncode != 0:
            failures.append(err.strip().splitlines()[-1] if err.strip() else "failed")
    wall = time.perf_counter() - began
    latencies = np.concatenate(
        [np.load(path) for path in sorted(folder.glob("lat*.npy"))] or [np.empty(0)]
    )
    return {
        "wall": wall,
        "calls": int(latencies.size),
        "p50_us": float(np.percentile(latencies, 50) / 1000) if latencies.size else None,
        "p99_us": float(np.percentile(latencies, 99) / 1000) if latencies.size else None,
        "max_ms": float(latencies.max() / 1e6) if latencies.size else None,
        "failures": failures,
    }


def _count_mlflow_points(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM metrics").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points, for a smoke test")
    parser.add_argument("--child", choices=["dsmagic", "mlflow"], help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--start", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.uri, args.count, args.start, args.out)
        return

    points = 2_000 if args.quick else 20_000
    mlflow_points = 100 if args.quick else 500
    shutil.rmtree(WORK, ignore_errors=True)
    results = {}
    from tests._postgres import PostgresServer

    server = PostgresServer().start()
    try:
        for backend in ("sqlite", "postgresql"):
            folder = WORK / f"dsmagic-{backend}"
            folder.mkdir(parents=True)
            uri = (f"sqlite:///{folder / 'dsmagic.db'}" if backend == "sqlite"
                   else server.create_database())  # fmt: skip
            env = {"DSMAGIC_URI": uri, "DSMAGIC_HOME": str(folder / "home")}
            result = measure("dsmagic", uri, points, folder, env)
            result["stored"] = _stored_points(uri)
            result["expected"] = points * WRITERS
            results[f"dsmagic {backend}"] = result
            print(f"dsmagic {backend}: {result}", flush=True)
    finally:
        server.stop()
    folder = WORK / "mlflow-sqlite"
    folder.mkdir(parents=True)
    db = folder / "mlflow.db"
    uri = f"sqlite:///{db}"
    subprocess.run([sys.executable, "-c", f"import mlflow; mlflow.set_tracking_uri({uri!r}); "
                    "mlflow.search_experiments()"], check=True, capture_output=True)  # fmt: skip
    result = measure("mlflow", uri, mlflow_points, folder, {})
    result["stored"] = _count_mlflow_points(db)
    result["expected"] = mlflow_points * WRITERS
    results["MLflow sqlite"] = result
    print(f"MLflow sqlite: {result}", flush=True)
    shutil.rmtree(WORK, ignore_errors=True)
    text = report(results, points, mlflow_points)
    if args.quick:
        print(text)
    else:
        write_section("Concurrent writers", text)


def _stored_points(uri: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(uri)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM metrics")).scalar() or 0)
    finally:
        engine.dispose()


def report(results: dict, points: int, mlflow_points: int) -> str:
    from _results import _version

    lines = [
        f"`.venv-bench/bin/python benchmarks/concurrency.py` — {os.cpu_count()} CPUs, "
        f"dsmagic {_version('dsmagic')}, MLflow {_version('mlflow')}. {WRITERS} processes start "
        f"logging at the same moment, each in its own run: {points:,} points each with "
        f"`dm.log_metric`, {mlflow_points:,} each with `mlflow.log_metric` (its calls are "
        "synchronous and slow; more would take hours). Latency is each call's time in the "
        "logging process; stored is the rows counted in the database after every process "
        "ended. Load average when the run ended: "
        + ", ".join(f"{value:.1f}" for value in os.getloadavg())
        + ".",
        "",
        "| store | stored / logged | wall (start to last run ended) | points stored/s "
        "| p50 call | p99 call | slowest call | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        errors = "; ".join(sorted(set(r["failures"])))[:120] or "none"
        lines.append(
            f"| {name} | {r['stored']:,} / {r['expected']:,} | {r['wall']:.1f} s "
            f"| {r['stored'] / r['wall']:,.0f} | {_time(r['p50_us'])} | {_time(r['p99_us'])} "
            f"| {_time(r['max_ms'] * 1000)} | {errors} |"
        )
    dsm = results["dsmagic sqlite"]
    theirs = results["MLflow sqlite"]
    lines += [
        "",
        f"p99 call latency on SQLite: dsmagic {_time(dsm['p99_us'])}, MLflow "
        f"{_time(theirs['p99_us'])} (**{theirs['p99_us'] / dsm['p99_us']:,.0f}x** lower); "
        "dsmagic's calls only append to a buffer that a background writer stores, so the "
        "slowest calls are the ones that waited for the writer to catch up.",
    ]
    return "\n".join(lines)


def _time(microseconds: float) -> str:
    if microseconds >= 1_000_000:
        return f"{microseconds / 1e6:.2f} s"
    if microseconds >= 1_000:
        return f"{microseconds / 1e3:.1f} ms"
    return f"{microseconds:.1f} µs"


if __name__ == "__main__":
    main()
