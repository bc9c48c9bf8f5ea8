"""Runs in real kernels: run, exported notebook and exported script agree; runs are linked
to versions and tracked; re-runs are incremental; failures, timeouts, cancel, queueing."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest

import dsmagic as dm
from dsmagic.pipeline import Pipeline
from tests.pipeline._pipelines import ALL, extra_frame, write_data

pytestmark = pytest.mark.kernel


def execute_notebook(path: Path, cwd: Path) -> None:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(cwd)}}).execute()  # fmt: skip


def run_script(path: Path, data: Path, out: Path) -> None:
    result = subprocess.run([sys.executable, str(path), "--data", str(data), "--output",
                             str(out)], capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.parametrize("name", [*ALL, "classification", "regression", "imbalanced"])
def test_run_notebook_and_script_give_identical_metrics(name, sqlite_home, tmp_path):
    data = tmp_path / "data"
    write_data(data)
    frames = {"extra": extra_frame()}
    p = ALL[name]() if name in ALL else Pipeline.from_template(name)
    p.data_dir = data

    run = p.run(frames=frames, allow_custom_code=True, cache=False)
    assert run.status == "done", run.summary()
    assert set(run.steps) == set(p.steps)
    assert all(step.status == "done" for step in run.steps.values())
    assert run.metrics

    # The export snapshots the frame into its data folder; the original files sit beside it.
    # (With cache=False the run above already executed the generated notebook cell by cell
    # under nbclient; one template also runs the exported notebook file itself.)
    export = tmp_path / "export"
    p.export(export, formats=["notebook", "script"], frames=frames, data_dir="data")
    (export / "data").mkdir(exist_ok=True)
    for item in data.iterdir():
        (export / "data" / item.name).write_bytes(item.read_bytes())
    run_script(export / "pipeline.py", export / "data", tmp_path / "script-out")
    from_script = json.loads((tmp_path / "script-out" / "metrics.json").read_text())
    assert run.metrics == from_script
    executed = nbformat.read(run.notebook, as_version=4)
    ran = [c for c in executed.cells if c.cell_type == "code"]
    exported = [c for c in p.to_notebook().cells if c.cell_type == "code"]
    assert [c.source for c in ran if c.id != "parameters"] == [
        c.source for c in exported if c.id != "parameters"
    ]  # the same code, other folders
    if name == "classification":
        execute_notebook(export / "pipeline.ipynb", export)
        from_notebook = json.loads((export / "output" / "metrics.json").read_text())
        assert from_notebook == from_script


def test_runs_are_tracked_linked_to_versions_and_incremental(dsmagic_home):
    p = Pipeline.from_template("classification", name="churn")
    p.save_version("v1", tags=["baseline"])
    events = []
    first = p.run(on_event=events.append)
    assert first.status == "done" and first.version == "v1"
    assert {s.status for s in first.steps.values()} == {"done"}
    statuses = [(e["step"], e["status"]) for e in events if e["type"] == "step"]
    assert statuses[:2] == [("data", "running"), ("data", "done")]
    assert any(e["type"] == "log" and "saved model" in e["text"] for e in events)
    assert events[-1]["type"] == "run" and events[-1]["status"] == "done"

    tracked = dm.get_run(first.run_id)
    assert tracked.status == "finished" and tracked.experiment == "pipelines"
    assert tracked.metrics == pytest.approx(first.metrics)
    assert tracked.params["model.n_estimators"] == "100"
    assert tracked.tags["dsmagic.pipeline_version"] == "v1"
    artifacts = {a["name"] for a in tracked.artifacts}
    assert {"model.joblib", "metrics.json", "pipeline.ipynb"} <= artifacts

    p.set_params("model", n_estimators=30)
    second = p.run()
    status = {k: s.status for k, s in second.steps.items()}
    assert status == {"data": "cached", "target": "cached", "impute": "cached",
                      "scale": "cached", "split": "cached", "model": "done",
                      "metrics": "done", "roc": "done", "save": "done"}  # fmt: skip
    assert second.version == "auto-2" and p.versions()[-1].parent == "v1"
    shown = second._repr_mimebundle_()
    assert "cached" in shown["text/html"] and "accuracy" in shown["text/html"]
    assert shown["text/plain"].splitlines()[0].endswith("(churn): done")
    assert p.diff("v1", "auto-2").changed[0].params == {"n_estimators": (100, 30)}
    stored = p.runs()
    assert [(r["version"], r["status"], r["run_id"]) for r in stored] == [
        ("v1", "done", first.run_id),
        ("auto-2", "done", second.run_id),
    ]
    assert stored[1]["steps"]["split"]["status"] == "cached"


def sleeper(seconds: float, name: str) -> Pipeline:
    p = Pipeline(name)
    p.add_step("sklearn_dataset", "data")
    p.add_step(
        "custom_code",
        "wait",
        code=f"import time\nprint('waiting', flush=True)\ntime.sleep({seconds})",
    )
    p.connect("data", "wait")  # fmt: skip
    return p


def test_timeout_cancel_failure_and_queue(sqlite_home, capsys):
    with pytest.raises(dm.DsmagicError, match="custom code step"):
        sleeper(1, "refused").run()

    started = threading.Event()

    def on_event(event):
        if event.get("step") == "wait" and event.get("type") == "log":
            started.set()

    slow = sleeper(600, "slow").run(wait=False, allow_custom_code=True, on_event=on_event)
    queued = Pipeline.from_template("regression").run(wait=False)
    doomed = Pipeline.from_template("regression").run(wait=False)
    assert queued.status == "queued"
    doomed.cancel()
    assert started.wait(120), slow.summary()
    assert slow.steps["wait"].logs.startswith("waiting")
    slow.cancel()
    assert slow.wait(60).status == "killed"  # the word %runs shows for it
    assert slow.steps["wait"].status == "killed"
    assert dm.get_run(slow.run_id).status == "killed"
    assert queued.wait(300).status == "done"
    assert doomed.wait(60).status == "killed" and doomed.run_id is None
    assert set(s.status for s in doomed.steps.values()) == {"skipped"}

    timed = sleeper(600, "timed").run(timeout=12, allow_custom_code=True)
    assert timed.status == "failed" and "timed out after 12 s" in timed.error

    broken = Pipeline("broken")
    with broken.batch():
        broken.add_step("sklearn_dataset", "data")
        broken.add_step("custom_code", "boom", code="raise ValueError('bad row 7')")
        broken.add_step("select_target", "target")
        broken.connect("data", "boom")
        broken.connect("boom", "target")
    path = broken.save(Path.cwd() / "broken.dspipe.json")
    from dsmagic.cli import main

    assert main(["pipeline", "run", str(path), "--allow-custom-code"]) == 1
    printed = capsys.readouterr().out
    assert "boom: failed" in printed and "target: skipped" in printed
    [stored] = Pipeline.load(path).runs()
    assert stored["status"] == "failed"
    boom = stored["steps"]["boom"]
    assert boom["status"] == "failed" and "ValueError" in boom["logs"]
    assert boom["error"] == "step 'boom' failed: ValueError: bad row 7"
    assert stored["steps"]["target"]["status"] == "skipped"
    assert dm.get_run(stored["run_id"]).status == "failed"
