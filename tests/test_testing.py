"""``dsmagic.testing.reset()``: every module-level registry back to a fresh process's state."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

import dsmagic
import dsmagic as dm
from dsmagic import testing

ROOT = Path(dsmagic.__file__).parent
_CONTAINERS = {"dict", "set", "list", "OrderedDict", "defaultdict", "deque", "Queue", "_State",
               "WeakValueDictionary", "WeakKeyDictionary", "WeakSet"}  # fmt: skip


def module_state(root: Path = ROOT) -> set[tuple[str, str]]:
    """(module, name) of every module-level mutable container (not CONSTANT_CASE tables)."""
    found = set()
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            call = value.func if isinstance(value, ast.Call) else None
            called = getattr(call, "id", None) or getattr(call, "attr", None)
            mutable = isinstance(value, ast.Dict | ast.Set | ast.List) or called in _CONTAINERS
            for target in targets:
                if not isinstance(target, ast.Name) or target.id.lstrip("_").isupper():
                    continue
                if mutable and not target.id.startswith("__"):
                    found.add((module, target.id))
    return found


def test_every_module_level_registry_is_reset():
    covered = {(module, name) for module, names, _ in testing.STATE for name in names}
    missing = module_state() - covered
    assert not missing, f"module state dsmagic.testing.reset() leaves alone: {sorted(missing)}"
    for module, name in covered:  # and nothing listed that no longer exists
        assert hasattr(importlib.import_module(module), name), f"{module}.{name}"


def test_reset_imports_nothing(tmp_path):
    probe = (
        "import sys, json, dsmagic.testing\n"
        "before = set(sys.modules)\n"
        "dsmagic.testing.reset()\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == []


def test_reset_forgets_runs_caches_lineage_patches_and_databases(dsmagic_home):
    from sklearn.linear_model import LogisticRegression

    from dsmagic import store
    from dsmagic.data import _kernel
    from dsmagic.eda import cache_info

    original_fit = LogisticRegression.__dict__["fit"]
    frame = pd.DataFrame({"x": range(50), "y": [i % 3 for i in range(50)]})
    run = dm.start_run("open at reset", experiment="resets")
    dm.log_metric("acc", 0.5)
    dm.track_data(frame, "frame")
    dm.eda(frame)
    dm.autolog()
    assert LogisticRegression.__dict__["fit"] is not original_fit
    assert cache_info()["entries"] > 0 and _kernel._registry and store._databases

    testing.reset()

    assert dm.active_run() is None
    assert LogisticRegression.__dict__["fit"] is original_fit
    assert cache_info()["entries"] == 0
    assert not _kernel._registry and not store._databases
    ended = dm.get_run(run.id)  # the store opens again on first use
    assert (ended.status, ended.metrics) == ("finished", {"acc": 0.5})


@pytest.mark.kernel
def test_reset_ends_running_and_queued_pipeline_runs(dsmagic_home, tmp_path, monkeypatch):
    from dsmagic.pipeline import Pipeline
    from tests.pipeline.test_runs import sleeper

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # own cache key
    started = threading.Event()

    def on_event(event):
        if event.get("step") == "wait" and event.get("type") == "log":
            started.set()

    slow = sleeper(600, "slow").run(wait=False, allow_custom_code=True, on_event=on_event)
    queued = Pipeline.from_template("regression").run(wait=False)
    assert started.wait(120), slow.summary()
    testing.reset()
    assert (slow.done, slow.status) == (True, "killed")
    assert (queued.done, queued.status) == (True, "killed")
