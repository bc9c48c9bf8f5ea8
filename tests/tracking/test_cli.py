"""The `dsmagic` command for runs, experiments and the schema."""

from __future__ import annotations

import json
import subprocess
import sys

import dsmagic as dm
from dsmagic.cli import main as cli


def _runs():
    ids = []
    for model, acc in (("rf", 0.91), ("gbm", 0.95)):
        with dm.start_run(f"{model}-run", experiment="churn") as run:
            dm.log_param("model", model)
            dm.log_metric("acc", acc)
        ids.append(run.id)
    return ids


def test_runs_list_show_compare_and_experiments(dsmagic_home, capsys):
    ids = _runs()
    assert cli(["runs", "list", "metrics.acc > 0.92"]) == 0
    out = capsys.readouterr().out
    assert "gbm-run" in out and "rf-run" not in out
    assert cli(["runs", "list", "--json", "--order-by", "metrics.acc DESC"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["run_name"] for r in records] == ["gbm-run", "rf-run"]
    assert cli(["runs", "show", ids[0][:8], "--cells", "--env"]) == 0
    out = capsys.readouterr().out
    assert "rf-run" in out and "model='rf'" in out
    assert cli(["runs", "compare", *ids]) == 0
    out = capsys.readouterr().out
    assert "params that differ:" in out and "model" in out and "acc (best, highest @ step)" in out
    assert cli(["experiments", "list"]) == 0
    assert "churn" in capsys.readouterr().out


def test_runs_list_shows_the_filled_columns_and_every_one_on_demand(dsmagic_home, capsys):
    with dm.start_run("wide", experiment="churn", tags={"ticket": ""}):
        dm.log_params({"model": "rf", **{f"opt_{i}": "" for i in range(30)}})
        dm.log_metric("acc", 0.9)
    assert cli(["runs", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["run_id", "run_name", "experiment", "status", "start_time",
                                "end_time", "metrics.acc", "params.model"]  # fmt: skip
    assert lines[-1] == (
        "32 of 40 columns hidden (32 empty in the runs shown): "
        "`dsmagic runs list ... --all-columns` shows them"
    )
    assert cli(["runs", "list", "--all-columns"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()[1].split()) == 40 and "hidden" not in out
    assert "params.opt_29" in out and "tags.ticket" in out
    assert cli(["runs", "list", "--json"]) == 0  # for programs: every column, as before
    [record] = json.loads(capsys.readouterr().out)
    assert len(record) == 41 and record["params.opt_0"] == ""


def test_cli_errors_are_one_line_with_exit_code_2(dsmagic_home, capsys):
    assert cli(["runs", "show", "nope"]) == 2
    err = capsys.readouterr().err
    assert err == "dsmagic: no run with id 'nope': list runs with `dsmagic runs list`\n"
    assert cli(["runs", "list", "metrics.acc >"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_the_installed_command_runs(sqlite_home, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "dsmagic.cli", "db", "status"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "revision:" in result.stdout and str(sqlite_home) in result.stdout
