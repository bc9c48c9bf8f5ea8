"""Pipeline engine speed: validation and export of a 500-step pipeline, runner overhead
over the exported script, and an incremental re-run.

Run:  .venv/bin/python benchmarks/pipeline.py      (also part of `make bench`)

The reference is the exported script itself, run with `python pipeline.py`: the runner
executes the same code in a fresh kernel, so the difference is the runner's overhead.
Writes the "## Pipelines" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import itertools

from _results import write_section

from dsmagic.pipeline import Pipeline


def big_pipeline(blocks: int = 50) -> Pipeline:
    """500 steps: 50 branches of source -> target -> impute -> scale -> split -> model ->
    metrics, ROC, cross-validation, saved model."""
    p = Pipeline("big")
    with p.batch():
        for b in range(blocks):
            ids = [
                p.add_step("sklearn_dataset", f"data_{b}", name="breast_cancer"),
                p.add_step("select_target", f"target_{b}"),
                p.add_step("impute", f"impute_{b}"),
                p.add_step("standard_scale", f"scale_{b}"),
                p.add_step("train_test_split", f"split_{b}"),
                p.add_step("random_forest_classifier", f"model_{b}", n_estimators=10),
            ]
            for source, target in itertools.pairwise(ids):
                p.connect(source, target)
            for kind in ("classification_metrics", "roc_curve", "cross_validate", "save_model"):
                p.connect(f"model_{b}", p.add_step(kind, f"{kind.split('_')[0]}_{b}"))
    assert len(p) == 10 * blocks
    return p


def timed(work, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="dsmagic-bench-pipeline-"))
    os.environ["DSMAGIC_HOME"] = str(work / "home")
    os.environ.pop("DSMAGIC_URI", None)

    big = big_pipeline()
    assert big.validate() == []
    validate = timed(big.validate, 21)
    script = timed(big.to_script, 7)
    notebook = timed(big.to_notebook, 7)
    export_all = timed(lambda: big.export(work / "big-export"), 5)

    # Runner overhead: the classification template, run vs its exported script.
    p = Pipeline.from_template("classification")
    p.to_script(work / "pipeline.py")
    direct, runs = [], []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, str(work / "pipeline.py"), "--output",
                        str(work / "out")], check=True, capture_output=True, cwd=work)  # fmt: skip
        direct.append(time.perf_counter() - started)
        started = time.perf_counter()
        run = p.run(cache=False)
        runs.append(time.perf_counter() - started)
        assert run.status == "done", run.summary()
    overhead = statistics.median(runs) - statistics.median(direct)

    # Incremental: training dominates; then only the last step's parameters change.
    slow = Pipeline("slow-training")
    with slow.batch():
        ids = [
            slow.add_step("sklearn_dataset", "data", name="breast_cancer"),
            slow.add_step("select_target", "target"),
            slow.add_step("impute", "impute"),
            slow.add_step("standard_scale", "scale"),
            slow.add_step("train_test_split", "split"),
            slow.add_step("gradient_boosting_classifier", "model", n_estimators=3000,
                          max_depth=2, learning_rate=0.05),
            slow.add_step("classification_metrics", "metrics"),
        ]  # fmt: skip
        for source, target in pairwise(ids):
            slow.connect(source, target)
    full = timed(lambda: slow.run(cache=False), 1)[0]
    slow.run()  # fills the cache
    slow.set_params("metrics", average="weighted")
    rerun_started = time.perf_counter()
    rerun = slow.run()
    incremental = time.perf_counter() - rerun_started
    cached = sorted(k for k, s in rerun.steps.items() if s.status == "cached")
    recomputed = sorted(k for k, s in rerun.steps.items() if s.status == "done")
    model_time = rerun.steps["model"].duration

    load_after = os.getloadavg()[0]
    ms = 1000

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    v, s, n, e = (statistics.median(x) for x in (validate, script, notebook, export_all))
    ratio = full / incremental
    rows = [
        ("validate a 500-step pipeline, median of 21", f"{v * ms:.1f} ms", "", "",
         f"< 20 ms: {verdict(v < 0.02)}"),
        ("export it: script / notebook, median of 7", f"{s * ms:.0f} ms / {n * ms:.0f} ms",
         "", "", f"< 0.5 s: {verdict(max(s, n) < 0.5)}"),
        ("export it: all formats to a folder, median of 5", f"{e * ms:.0f} ms", "", "", ""),
        ("classification template: `p.run(cache=False)` vs `python pipeline.py`, medians of 3",
         f"{statistics.median(runs):.2f} s", f"{statistics.median(direct):.2f} s",
         f"overhead {overhead:.2f} s", f"< 3 s: {verdict(overhead < 3)}"),
        ("full run vs re-run after changing the last step (training dominates)",
         f"{incremental:.2f} s re-run", f"{full:.2f} s full run", f"{ratio:.1f}x faster",
         f">= 5x: {verdict(ratio >= 5)}"),
    ]  # fmt: skip
    table = "\n".join("| " + " | ".join(row) + " |" for row in rows)
    body = f"""
Command: `.venv/bin/python benchmarks/pipeline.py`. dsmagic {version("dsmagic")},
scikit-learn {version("scikit-learn")}, nbclient {version("nbclient")}; {os.cpu_count()} CPUs
({os.uname().machine}); {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}; 1-minute load
average {load_before:.2f} before, {load_after:.2f} after (other work on the machine inflates
wall times). Reference for the runner: the exported script run directly with `python`.

| Measure | dsmagic | Reference | Ratio | Target |
|---|---|---|---|---|
{table}

How each figure is made:
- The 500-step pipeline is 50 branches of 10 steps (bundled dataset, target, impute, scale,
  split, random forest, metrics, ROC, cross-validation, save model); `p.validate()` checks
  schemas, ports, types, cycles, files and task consistency; export times cover code
  generation, `nbformat.validate` and, for "all formats", writing 8 files.
- Runner: wall time of `p.run(cache=False)` (fresh kernel, cell by cell, per-step events,
  tracked run with metrics, parameters, model and executed notebook logged) against the
  script's own wall time. Runs {", ".join(f"{t:.2f}" for t in runs)} s; script
  {", ".join(f"{t:.2f}" for t in direct)} s.
- Incremental: data, impute, scale, split, gradient boosting with 3,000 stages, metrics
  (the model step took {rerun.steps["model"].duration or 0:.2f} s to load from the cache in
  the re-run); the full run is `cache=False`; the re-run
  after changing the metrics step's `average` recomputed {", ".join(recomputed)} and loaded
  {", ".join(cached)} from the cache.
"""
    del model_time
    write_section("Pipelines", body)


if __name__ == "__main__":
    main()
