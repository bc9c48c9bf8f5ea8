"""A pipeline run prints nothing of the kernel's own into the user's output."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.kernel

RUN = """
import pandas as pd
from dsmagic.pipeline import Pipeline

pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [0, 1, 0, 1]}).to_csv("d.csv", index=False)
p = Pipeline("quiet")
p.add_step("read_csv", "csv", path="d.csv")
p.data_dir = "."
run = p.run(cache=False)
print("STATUS", run.status)
print("LOGS", repr("".join(step.logs for step in run.steps.values())))
"""


def test_a_pipeline_run_shows_no_kernel_transport_warning(tmp_path):
    env = {**os.environ, "DSMAGIC_HOME": str(tmp_path / ".dsmagic")}
    env.pop("DSMAGIC_URI", None)
    result = subprocess.run(
        [sys.executable, "-c", RUN], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert "STATUS done" in result.stdout, result.stderr[-2000:]
    everything = result.stdout + result.stderr
    assert "Kernel is running over TCP" not in everything
    assert "WARNING" not in everything
    leftovers = [p.name for p in tmp_path.iterdir() if "ipc" in p.name]
    assert leftovers == []
