"""Runs follow the kernel: crashes, clean shutdowns, notebook paths, real kernels."""

from __future__ import annotations

import time

import pytest

import dsmagic as dm
from tests._kernels import execute, kernel

pytestmark = pytest.mark.kernel


def _env(tmp_path, store_uri):
    return {"DSMAGIC_HOME": str(tmp_path / "home"), "DSMAGIC_URI": store_uri}


def test_a_killed_kernel_leaves_a_crashed_run(dsmagic_home, tmp_path, store_uri):
    with kernel(tmp_path, **_env(tmp_path, store_uri)) as (manager, client):
        out, reply = execute(client, "%load_ext dsmagic\n%start_run doomed\n%log_metric acc=0.7")
        assert reply["status"] == "ok", out
        out, _ = execute(client, "import dsmagic as dm; print(dm.active_run().id)")
        run_id = out.strip().splitlines()[-1]
        client.execute("import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
        deadline = time.time() + 20
        while manager.is_alive() and time.time() < deadline:
            time.sleep(0.1)
        assert dm.get_run(run_id).status == "crashed"
        run = dm.get_run(run_id)
        assert run.metrics == {"acc": 0.7}  # flushed when its cell finished
        assert run.end_time is not None


def test_kernel_shutdown_ends_the_active_run_cleanly(dsmagic_home, tmp_path, store_uri):
    with kernel(tmp_path, **_env(tmp_path, store_uri), JPY_SESSION_NAME="/work/churn.ipynb") as (
        manager,
        client,
    ):
        execute(client, "%load_ext dsmagic\n%start_run open-at-exit")
        execute(client, "import dsmagic as dm\nfor i in range(100): dm.log_metric('loss', 1/(i+1))")
        out, _ = execute(client, "print(dm.active_run().id)")
        run_id = out.strip().splitlines()[-1]
        manager.shutdown_kernel(now=False)
    run = dm.get_run(run_id)
    assert run.status == "finished"
    assert run.tags["dsmagic.ended_by"] == "process exit"
    assert len(dm.get_metric_history(run_id, "loss")) == 100
    assert run.notebook_path == "/work/churn.ipynb"


def test_environment_is_captured(dsmagic_home, tmp_path, store_uri):
    import subprocess

    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "train.py").write_text("print('hi')\n")
    with kernel(tmp_path, **_env(tmp_path, store_uri)) as (_, client):
        execute(client, "%load_ext dsmagic\n%start_run env")
        out, _ = execute(client, "import dsmagic as dm; r = dm.end_run(); print(r.id)")
        run_id = out.strip().splitlines()[-1]
    environment = dm.get_environment(run_id)
    assert environment["python"]["version"].count(".") == 2
    assert "dsmagic" in environment["packages"]
    assert environment["platform"]["system"]
    git = environment["git"]
    assert git["root"] == str(tmp_path) and git["dirty"] is True and git["commit"] is None
