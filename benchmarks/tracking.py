"""Experiment tracking: dsmagic and MLflow (SQLite backend) side by side.

Run:  make bench                      (every benchmark, in .venv-bench)
      .venv-bench/bin/python benchmarks/tracking.py [--quick]

Writes the section "## Experiment tracking" of benchmarks/RESULTS.md. Each measurement
runs in a fresh child process of this script, so neither tool sees the other's imports,
threads or caches; both write a SQLite file on the same disk under benchmarks/.work/.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _children import run_child
from _results import write_section

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "tracking"
FILTER = "metrics.acc > 0.9 and params.model = 'rf'"
MODELS = ["rf", "gbm", "lr", "svm", "knn"]
OWNERS = ["ana", "bo", "chen", "dee"]
SEARCH_REPEATS = 7
LOAD_REPEATS = 7


# -- shared data ----------------------------------------------------------------------------
def run_values(count: int) -> list[dict]:
    """The same runs for both tools: a few params, metrics and a tag each."""
    rng = random.Random(7)
    runs = []
    for i in range(count):
        runs.append(
            {
                "name": f"run-{i:05d}",
                "params": {
                    "model": rng.choice(MODELS),
                    "n_estimators": str(rng.choice([50, 100, 200, 400])),
                    "max_depth": str(rng.randint(2, 12)),
                    "learning_rate": repr(round(rng.uniform(0.01, 0.3), 3)),
                },
                "metrics": {
                    "acc": rng.uniform(0.5, 1.0),
                    "f1": rng.uniform(0.4, 1.0),
                    "loss": rng.uniform(0.0, 2.0),
                },
                "tags": {"owner": rng.choice(OWNERS)},
            }
        )
    return runs


def expected_matches(runs: list[dict]) -> int:
    return sum(1 for r in runs if r["metrics"]["acc"] > 0.9 and r["params"]["model"] == "rf")


def metric_values(count: int) -> list[float]:
    return [1.0 / (i + 1) for i in range(count)]


# -- children: one measurement each, in a fresh process ----------------------------------------
def child_dm_log(db: Path, count: int) -> dict:
    os.environ["DSMAGIC_URI"] = f"sqlite:///{db}"
    os.environ["DSMAGIC_HOME"] = str(db.parent)
    import dsmagic as dm

    values = metric_values(count)
    run = dm.start_run("log-bench", experiment="bench")
    dm.flush()
    log_metric = dm.log_metric
    started = time.perf_counter()
    for value in values:
        log_metric("loss", value)
    looped = time.perf_counter() - started
    dm.end_run()
    total = time.perf_counter() - started
    with sqlite3.connect(db) as connection:
        stored = connection.execute(
            "SELECT count(*) FROM metrics WHERE run_id = ? AND key = 'loss'", (run.id,)
        ).fetchone()[0]
    return {"calls": count, "loop_s": looped, "total_s": total, "stored": stored}


def child_mlflow_log(db: Path, count: int) -> dict:
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{db}")
    mlflow.set_experiment("bench")
    values = metric_values(count)
    with mlflow.start_run() as run:
        mlflow.log_metric("warmup", 0.0)  # schema creation and first-call costs, untimed
        started = time.perf_counter()
        for step, value in enumerate(values):
            mlflow.log_metric("loss", value, step=step)
        looped = time.perf_counter() - started
    total = time.perf_counter() - started
    with sqlite3.connect(db) as connection:
        stored = connection.execute(
            "SELECT count(*) FROM metrics WHERE run_uuid = ? AND key = 'loss'",
            (run.info.run_id,),
        ).fetchone()[0]
    return {"calls": count, "loop_s": looped, "total_s": total, "stored": stored}


def child_mlflow_log_batch(db: Path, count: int) -> dict:
    """MLflow's fastest synchronous path: ``MlflowClient.log_batch``, 1,000 points a call."""
    import mlflow
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    mlflow.set_tracking_uri(f"sqlite:///{db}")
    client = MlflowClient()
    experiment = client.create_experiment("bench")
    run_id = client.create_run(experiment).info.run_id
    client.log_metric(run_id, "warmup", 0.0)  # schema creation and first-call costs, untimed
    values = metric_values(count)
    now = int(time.time() * 1000)
    started = time.perf_counter()
    for first in range(0, count, 1000):
        batch = [
            Metric("loss", v, now, first + i) for i, v in enumerate(values[first : first + 1000])
        ]
        client.log_batch(run_id, metrics=batch)
    client.set_terminated(run_id)
    total = time.perf_counter() - started
    return {"calls": count, "loop_s": total, "total_s": total, "stored": _mlflow_rows(db, run_id)}


def child_mlflow_log_async(db: Path, count: int) -> dict:
    """MLflow with asynchronous logging: ``log_metric(..., synchronous=False)``; timed until
    ``end_run()`` returns, which waits for the queue to drain."""
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{db}")
    mlflow.set_experiment("bench")
    values = metric_values(count)
    run = mlflow.start_run()
    mlflow.log_metric("warmup", 0.0)
    started = time.perf_counter()
    for step, value in enumerate(values):
        mlflow.log_metric("loss", value, step=step, synchronous=False)
    looped = time.perf_counter() - started
    mlflow.end_run()
    total = time.perf_counter() - started
    return {"calls": count, "loop_s": looped, "total_s": total,
            "stored": _mlflow_rows(db, run.info.run_id)}  # fmt: skip


def _mlflow_rows(db: Path, run_id: str) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT count(*) FROM metrics WHERE run_uuid = ? AND key = 'loss'", (run_id,)
        ).fetchone()[0]


def _time_search(search, repeats: int) -> tuple[int, list[float], list[float]]:
    """Wall times, and CPU times of this process (steadier on a shared machine)."""
    rows = len(search())  # warm-up: lazy imports and the first query plan, untimed
    times, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        found = search()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert len(found) == rows
    return rows, times, cpu


def child_dm_search(db: Path, count: int) -> dict:
    os.environ["DSMAGIC_URI"] = f"sqlite:///{db}"
    os.environ["DSMAGIC_HOME"] = str(db.parent)
    from dsmagic.tracking import TrackingClient

    client = TrackingClient()
    runs = run_values(count)
    started = time.perf_counter()
    for values in runs:
        run = client.create_run(
            values["name"], "bench", params=values["params"], tags=values["tags"]
        )
        client.log_metrics(run.id, values["metrics"])
        client.end_run(run.id)
    created = time.perf_counter() - started
    rows, times, cpu = _time_search(
        lambda: client.search_runs(FILTER, experiment="bench"), SEARCH_REPEATS
    )
    return {
        "runs": count,
        "create_s": created,
        "create_api_runs": count,
        "matches": rows,
        "expected": expected_matches(runs),
        "times": times,
        "cpu": cpu,
    }


def _clone_mlflow_runs(db: Path, template_id: str, runs: list[dict]) -> None:
    """Copy the rows MLflow wrote for one API-created run, once per run, with new values."""
    connection = sqlite3.connect(db)
    columns = {
        table: [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
        for table in ("runs", "params", "metrics", "latest_metrics", "tags")
    }

    def rows(table: str) -> list[dict]:
        cursor = connection.execute(f"SELECT * FROM {table} WHERE run_uuid = ?", (template_id,))  # noqa: S608
        return [dict(zip(columns[table], row)) for row in cursor]

    template = {table: rows(table) for table in columns}
    inserts: dict[str, list[tuple]] = {table: [] for table in columns}
    now_ms = int(time.time() * 1000)
    for offset, values in enumerate(runs):
        run_id = uuid.uuid4().hex
        by_table = {"params": values["params"], "tags": values["tags"]}
        for table, template_rows in template.items():
            for row in template_rows:
                new = dict(row, run_uuid=run_id)
                if table == "runs":
                    new.update(name=values["name"], start_time=now_ms + offset)
                    new["end_time"] = now_ms + offset + 1
                    if new.get("artifact_uri"):
                        new["artifact_uri"] = new["artifact_uri"].replace(template_id, run_id)
                elif table in ("metrics", "latest_metrics"):
                    new["value"] = values["metrics"][row["key"]]
                elif row["key"] == "mlflow.runName":
                    new["value"] = values["name"]
                elif row["key"] in by_table.get(table, {}):
                    new["value"] = by_table[table][row["key"]]
                inserts[table].append(tuple(new[c] for c in columns[table]))
    with connection:
        for table in ("runs", "params", "metrics", "latest_metrics", "tags"):
            marks = ", ".join("?" * len(columns[table]))
            names = ", ".join(columns[table])
            connection.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                inserts[table],
            )
    connection.close()


def child_mlflow_search(db: Path, count: int) -> dict:
    import mlflow
    from mlflow.entities import Metric, Param, RunTag
    from mlflow.tracking import MlflowClient

    mlflow.set_tracking_uri(f"sqlite:///{db}")
    client = MlflowClient()
    experiment_id = client.create_experiment("bench")
    runs = run_values(count)
    # A share of the runs through the API (timed, for the record), the rest bulk-copied
    # from the rows MLflow wrote for the first one: the API alone takes too long here.
    api_count = min(100, count)
    started = time.perf_counter()
    first_id = None
    for values in runs[:api_count]:
        run = client.create_run(experiment_id, run_name=values["name"])
        now = int(time.time() * 1000)
        client.log_batch(
            run.info.run_id,
            metrics=[Metric(k, v, now, 0) for k, v in values["metrics"].items()],
            params=[Param(k, v) for k, v in values["params"].items()],
            tags=[RunTag(k, v) for k, v in values["tags"].items()],
        )
        client.set_terminated(run.info.run_id)
        first_id = first_id or run.info.run_id
    api_seconds = time.perf_counter() - started
    assert first_id is not None
    started = time.perf_counter()
    _clone_mlflow_runs(db, first_id, runs[api_count:])
    cloned = time.perf_counter() - started
    everything = mlflow.search_runs(experiment_ids=[experiment_id], max_results=count + 1)
    assert len(everything) == count, f"MLflow sees {len(everything)} of {count} runs"
    rows, times, cpu = _time_search(
        lambda: mlflow.search_runs(experiment_ids=[experiment_id], filter_string=FILTER),
        SEARCH_REPEATS,
    )
    return {
        "runs": count,
        "create_s": api_seconds + cloned,
        "create_api_runs": api_count,
        "create_api_s": api_seconds,
        "matches": rows,
        "expected": expected_matches(runs),
        "times": times,
        "cpu": cpu,
    }


CHILDREN = {
    "dm_log": child_dm_log,
    "mlflow_log": child_mlflow_log,
    "mlflow_log_batch": child_mlflow_log_batch,
    "mlflow_log_async": child_mlflow_log_async,
    "dm_search": child_dm_search,
    "mlflow_search": child_mlflow_search,
}


def in_child(name: str, count: int) -> dict:
    return run_child(
        __file__, name, count, WORK, lambda folder: ["--db", str(folder / "tracking.db")]
    )


# -- start-up time ------------------------------------------------------------------------------
def _wall(code: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DSMAGIC_")}
    env["DSMAGIC_HOME"] = str(WORK / "startup")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=WORK)
    return time.perf_counter() - started


def _inner(code: str) -> float:
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=WORK
    )
    return float(done.stdout.strip().splitlines()[-1])


def startup() -> dict:
    (WORK / "startup").mkdir(parents=True, exist_ok=True)
    shell = "from IPython.core.interactiveshell import InteractiveShell as S; s = S.instance()"
    load = "s.run_line_magic('load_ext', 'dsmagic')"
    timed_load = (
        f"{shell}\nimport time; t = time.perf_counter(); {load}; print(time.perf_counter() - t)"
    )
    timed_import = (
        "import time; t = time.perf_counter(); import mlflow; print(time.perf_counter() - t)"
    )
    cases = {
        "python": "pass",
        "ipython": shell,
        "ipython_load_ext": f"{shell}; {load}",
        "import_mlflow": "import mlflow",
    }
    for code in cases.values():  # warm the file cache
        _wall(code)
    walls = {name: statistics.median(_wall(code) for _ in range(LOAD_REPEATS))
             for name, code in cases.items()}  # fmt: skip
    return {
        "load_ext_wall": walls["ipython_load_ext"] - walls["ipython"],
        "load_ext_inner": statistics.median(_inner(timed_load) for _ in range(LOAD_REPEATS)),
        "mlflow_wall": walls["import_mlflow"] - walls["python"],
        "mlflow_inner": statistics.median(_inner(timed_import) for _ in range(LOAD_REPEATS)),
        "walls": walls,
    }


def _load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


# -- report ---------------------------------------------------------------------------------------
def versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("dsmagic", "mlflow", "SQLAlchemy")}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(results: dict, command: str) -> str:
    dm100, dm1m, ml = results["dm_log"], results["dm_log_1m"], results["mlflow_log"]
    ml_rate = ml["calls"] / ml["loop_s"]
    dm_loop_rate = dm100["calls"] / dm100["loop_s"]
    dm_e2e_rate = dm100["calls"] / dm100["total_s"]
    mb, ma = results["mlflow_log_batch"], results["mlflow_log_async"]
    mb_rate, ma_rate = mb["stored"] / mb["total_s"], ma["stored"] / ma["total_s"]
    best_ml = max(mb_rate, ma_rate)
    dm1m_rate = dm1m["stored"] / dm1m["total_s"]
    ds, ms = results["dm_search"], results["mlflow_search"]
    ds_med, ms_med = statistics.median(ds["times"]), statistics.median(ms["times"])
    ds_cpu, ms_cpu = statistics.median(ds["cpu"]), statistics.median(ms["cpu"])
    st = results["startup"]
    v = versions()
    lines = [
        f"Command: `{command}`. dsmagic {v['dsmagic']}, MLflow {v['mlflow']}, "
        f"SQLAlchemy {v['SQLAlchemy']}, SQLite {sqlite3.sqlite_version}; "
        "both tools on a SQLite file on the same disk; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; 1-minute load average "
        f"{results['load_before']} before, {results['load_after']} after, on "
        f"{os.cpu_count()} CPUs (other work on the machine inflates wall times, both tools').",
        "",
        "| Measure | dsmagic | MLflow | Ratio | Target |",
        "|---|---|---|---|---|",
        f"| `log_metric` one point a call, calls/s (loop only) | {dm_loop_rate:,.0f} "
        f"({dm100['calls']:,} calls) | {ml_rate:,.0f} ({ml['calls']:,} calls) | "
        f"{dm_loop_rate / ml_rate:,.0f}x | >= 100x: {_verdict(dm_loop_rate / ml_rate >= 100)} |",
        f"| same, points/s until `end_run()` returns (all stored) | {dm_e2e_rate:,.0f} | "
        f"{ml['calls'] / ml['total_s']:,.0f} | {dm_e2e_rate / (ml['calls'] / ml['total_s']):,.0f}x "
        f"| >= 100x: {_verdict(dm_e2e_rate / (ml['calls'] / ml['total_s']) >= 100)} |",
        f"| 1,000,000 points: loop / until `end_run()` returns | {dm1m['loop_s']:.2f} s / "
        f"{dm1m['total_s']:.2f} s ({dm1m['stored']:,} rows in the DB) | "
        f"~{dm1m['calls'] / ml_rate / 3600:.1f} h at its rate | | < 10 s: "
        f"{_verdict(dm1m['total_s'] < 10 and dm1m['stored'] == dm1m['calls'])} |",
        f"| points stored/s against MLflow's fastest paths: `log_batch` (1,000 a call; "
        f"{mb['calls']:,} points) and async `log_metric` ({ma['calls']:,}), until stored "
        f"| {dm1m_rate:,.0f} (1,000,000 points) | {mb_rate:,.0f} batch, {ma_rate:,.0f} async "
        f"| {dm1m_rate / best_ml:,.0f}x the faster | >= 100x: "
        f"{_verdict(dm1m_rate / best_ml >= 100)} |",
        f"| 1,000,000 points stored (until `end_run()` returns), SQLite | {dm1m['total_s']:.2f} s "
        f"| {dm1m['calls'] / best_ml:.1f} s at MLflow's faster rate | | < 1 s: "
        f"{_verdict(dm1m['total_s'] < 1 and dm1m['stored'] == dm1m['calls'])} |",
        f"| `search_runs` `{FILTER}` over {ds['runs']:,} runs, median of {SEARCH_REPEATS} "
        f"| {_ms(ds_med)} ({ds['matches']} runs) | {_ms(ms_med)} ({ms['matches']} runs) | "
        f"{ms_med / ds_med:,.1f}x | >= 20x and < 100 ms: "
        f"{_verdict(ms_med / ds_med >= 20 and ds_med < 0.1)} |",
        f"| same, CPU time of the process (`time.process_time`), median | {_ms(ds_cpu)} | "
        f"{_ms(ms_cpu)} | {ms_cpu / ds_cpu:,.1f}x | |",
        f"| start-up: `%load_ext dsmagic` / `import mlflow`, fresh process, median of "
        f"{LOAD_REPEATS} | {_ms(st['load_ext_wall'])} wall over bare IPython "
        f"({_ms(st['load_ext_inner'])} in-process) | {_ms(st['mlflow_wall'])} wall over bare "
        f"Python ({_ms(st['mlflow_inner'])} in-process) | "
        f"{st['mlflow_wall'] / st['load_ext_wall']:,.0f}x | < 300 ms: "
        f"{_verdict(st['load_ext_wall'] < 0.3 and st['load_ext_inner'] < 0.3)} |",
        "",
        "How each figure is made:",
        f"- `log_metric`: `dm.log_metric('loss', v)` in a loop after `dm.start_run()`; "
        f"`mlflow.log_metric('loss', v, step=i)` inside `mlflow.start_run()` with "
        f"`mlflow.set_tracking_uri('sqlite:///...')` (MLflow writes each call synchronously, "
        f"so it is timed on {ml['calls']:,} calls). dsmagic buffers and writes every 0.25 s "
        f"from a background thread; the second row includes the final flush, and the stored "
        f"row count is checked in the database.",
        f"- `search_runs`: the same {ds['runs']:,} runs in both (4 params, 3 metrics, 1 tag "
        f"each; seeded). dsmagic's were made with `TrackingClient` ({ds['create_s']:.0f} s, "
        f"{ds['create_s'] / ds['runs'] * 1000:.1f} ms a run); MLflow's first "
        f"{ms['create_api_runs']} through `MlflowClient.create_run/log_batch/set_terminated` "
        f"({ms['create_api_s'] / ms['create_api_runs'] * 1000:.1f} ms a run), the rest "
        f"bulk-copied from the rows MLflow wrote for its first run. Both return a pandas "
        f"DataFrame (`TrackingClient.search_runs`, `mlflow.search_runs(filter_string=...)`); "
        f"{ds['expected']} runs match and both found {ds['matches']} / {ms['matches']}. "
        f"Times (ms) dsmagic {', '.join(f'{t * 1000:.1f}' for t in ds['times'])}; "
        f"MLflow {', '.join(f'{t * 1000:.0f}' for t in ms['times'])}.",
        "- start-up: wall time of `python -c` with an IPython `InteractiveShell` plus "
        "`run_line_magic('load_ext', 'dsmagic')`, minus the same without it; `import mlflow` "
        "minus bare `python -c pass`; the in-process figure is `time.perf_counter()` around "
        "the call. Medians of "
        f"{LOAD_REPEATS} fresh processes. Bare IPython shell: {_ms(st['walls']['ipython'])}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](args.db, args.count)))
        return
    small = args.quick
    results: dict = {"load_before": _load_average()}
    steps = [
        ("mlflow_log", "mlflow_log", 200 if small else 2_000),
        ("mlflow_log_batch", "mlflow_log_batch", 10_000 if small else 100_000),
        ("mlflow_log_async", "mlflow_log_async", 2_000 if small else 20_000),
        ("dm_log", "dm_log", 10_000 if small else 100_000),
        ("dm_log_1m", "dm_log", 100_000 if small else 1_000_000),
        ("dm_search", "dm_search", 500 if small else 10_000),
        ("mlflow_search", "mlflow_search", 500 if small else 10_000),
    ]
    for key, child, count in steps:
        print(f"tracking: {key} ({count:,}) ...", flush=True)
        results[key] = in_child(child, count)
    print("tracking: start-up times ...", flush=True)
    results["startup"] = startup()
    results["load_after"] = _load_average()
    shutil.rmtree(WORK, ignore_errors=True)
    command = (
        "make bench` or `.venv-bench/bin/python benchmarks/tracking.py"
        if not small
        else ".venv-bench/bin/python benchmarks/tracking.py --quick"
    )
    section = report(results, command)
    if small:
        print(section)
        return
    write_section("Experiment tracking", section)
    print(section)


if __name__ == "__main__":
    main()
