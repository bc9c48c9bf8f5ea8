"""dm.compare_runs explains: the params that differ, metrics at their last and best step, a
pivot by one param, and for two runs the environment and code that changed."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import dsmagic as dm
from dsmagic.cli import main as cli
from dsmagic.tracking._differences import differences
from dsmagic.tracking._environment import capture
from tests.tracking.test_magics import run


def _curves() -> list[str]:
    ids = []
    for seed, lr in enumerate((0.1, 0.01, 0.1)):
        with dm.start_run(f"lr-{lr}-{seed}") as active:
            dm.log_params({"lr": lr, "depth": 3, "seed": seed})
            for step, acc in enumerate([0.5, 0.7, 0.9 - seed / 10, 0.6]):
                dm.log_metric("acc", acc, step=step)
                dm.log_metric("val_loss", 1.0 - acc, step=step)
        ids.append(active.id)
    return ids


def test_only_the_params_that_differ_and_metrics_at_last_and_best_step(dsmagic_home):
    ids = _curves()
    comparison = dm.compare_runs(ids)
    assert comparison.differing_params == ["lr", "seed"]
    assert list(comparison.params.index) == ["depth", "lr", "seed"]  # .params keeps every one
    text = comparison._repr_mimebundle_()["text/plain"]
    assert "depth" not in text and "1 param(s) the same in every run" in text
    assert list(comparison.metrics.loc["acc"]) == [0.6, 0.6, 0.6]  # the last step
    assert list(comparison.best.loc["acc"]) == pytest.approx([0.9, 0.8, 0.7])
    assert list(comparison.best_step.loc["acc"]) == [2, 2, 1]  # a tie: the first best step
    assert list(comparison.best.loc["val_loss"]) == pytest.approx([0.1, 0.2, 0.3])  # lowest
    assert "acc (best, highest @ step)" in text and "0.9 @ 2" in text
    assert "val_loss (best, lowest @ step)" in text
    data = comparison._repr_mimebundle_()["application/vnd.dsmagic.comparison.v1+json"]
    assert data["best"]["acc"][0] == {"step": 2, "value": pytest.approx(0.9)}
    html = comparison._repr_mimebundle_()["text/html"]
    assert "parameters that differ" in html and "<td>depth</td>" not in html


def test_a_pivot_by_one_param(dsmagic_home, capsys):
    ids = _curves()
    pivot = dm.compare_runs(ids).pivot("params.lr")
    assert list(pivot.index) == ["0.01", "0.1"]  # numeric order
    assert list(pivot["runs"]) == [1, 2]
    assert pivot.loc["0.1", "acc"] == pytest.approx(0.6)
    shown = dm.compare_runs(ids, pivot="lr")._repr_mimebundle_()["text/plain"]
    assert "latest metrics by params.lr:" in shown
    assert cli(["runs", "compare", *ids, "--pivot", "params.lr"]) == 0
    assert "latest metrics by params.lr:" in capsys.readouterr().out
    with pytest.raises(dm.DsmagicError, match=r"cannot pivot by 'params.alpha': no run compared "
                       r"has it \(params: params.depth, params.lr, params.seed\)"):  # fmt: skip
        dm.compare_runs(ids, pivot="params.alpha")


def test_two_runs_show_the_cells_that_changed(ipython):
    for code in ("x = 1\ny = 2", "x = 1\ny = 3"):
        run(ipython, "%start_run trial")
        run(ipython, code)
        run(ipython, "%log_metric acc=0.5")
        run(ipython, "%end_run")
    first, second = dm.search_runs(order_by="attributes.start_time ASC")["run_id"]
    comparison = dm.compare_runs([first, second])
    lines = comparison.differences.lines()
    assert "    -y = 2" in lines and "    +y = 3" in lines
    assert not comparison.differences.environment  # one interpreter, one machine
    assert "environment and code:" in comparison._repr_mimebundle_()["text/plain"]
    assert dm.compare_runs([first, second, first]).differences is None  # two runs only


GIT_RUN = """
    import dsmagic as dm
    with dm.start_run("in-git"):
        dm.log_metric("acc", 0.5)
"""


def _git(folder, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=folder, check=True, capture_output=True,
    )  # fmt: skip


def test_two_runs_at_two_commits_show_the_commits(dsmagic_home, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    for content in ("one", "two"):
        (repo / "train.py").write_text(content)
        _git(repo, "add", "train.py")
        _git(repo, "commit", "-q", "-m", content)
        subprocess.run([sys.executable, "-c", textwrap.dedent(GIT_RUN)], cwd=repo, check=True)
    first, second = dm.search_runs(order_by="attributes.start_time ASC")["run_id"]
    found = dm.compare_runs([first, second]).differences
    old, new = found.git["commit"]
    assert old != new and len(old) == len(new) == 40
    assert any(line.startswith("  git commit: ") for line in found.lines())


def test_package_versions_that_differ_are_listed():
    before = capture(None)
    after = json.loads(json.dumps(before))
    name = next(iter(after["packages"]))
    after["packages"][name] = "0.0.0-other"
    after["packages"]["only-after"] = "1.0"
    found = differences(("a", "b"), (before, after), ([], []))
    assert found.packages == {name: (before["packages"][name], "0.0.0-other"),
                              "only-after": (None, "1.0")}  # fmt: skip
    assert "  package only-after: (absent) -> 1.0" in found.lines()
