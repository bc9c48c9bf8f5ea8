"""Example notebooks: valid, stored without outputs, and each runs in place leaving git clean."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from tests._kernels import unix_socket_config

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def execute(path: Path, workdir: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    with unix_socket_config() as config:
        NotebookClient(
            notebook, timeout=600, kernel_name="python3", config=config,
            resources={"metadata": {"path": str(workdir)}},
        ).execute()  # fmt: skip
    return notebook


def test_there_are_examples():
    assert EXAMPLES.joinpath("quickstart.ipynb") in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_valid_and_output_stripped(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {index} carries outputs: run nbstripout"
            assert cell.execution_count is None, f"{path.name} cell {index} has an execution count"


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    for who in ("AUTHOR", "COMMITTER"):
        env[f"GIT_{who}_NAME"], env[f"GIT_{who}_EMAIL"] = "dsmagic tests", "tests@example.org"
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def checkout(folder: Path) -> Path:
    """A git repository holding this checkout's .gitignore and examples/, all committed."""
    folder.mkdir()
    shutil.copy(ROOT / ".gitignore", folder / ".gitignore")
    (folder / "examples").mkdir()
    listed = git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "examples")
    for name in listed.split():  # the files git would commit, as they are in the work tree
        shutil.copy(ROOT / name, folder / name)
    git(folder, "init", "-q")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "examples")
    return folder / "examples"


def printed(notebook: nbformat.NotebookNode) -> str:
    return "\n".join(
        output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


@pytest.mark.kernel
def test_every_example_runs_in_place_and_leaves_git_clean(tmp_path, monkeypatch):
    """Run All on every example, as from `make lab`: each in examples/ with the default store
    (examples/.dsmagic/), one after the other; then the canvas notebook once more."""
    monkeypatch.delenv("DSMAGIC_HOME", raising=False)
    monkeypatch.delenv("DSMAGIC_URI", raising=False)
    examples = checkout(tmp_path / "repo")
    order = sorted(NOTEBOOKS, key=lambda p: p.name != "pipelines.ipynb")  # pipelines first
    executed = {path.name: execute(examples / path.name, examples) for path in order}
    again = execute(examples / "pipeline_canvas.ipynb", examples)  # a second Run All

    assert git(examples.parent, "status", "--porcelain", "--untracked-files=all") == ""

    # each pipeline example has its own file: the canvas shows its template, not pipelines'
    from dsmagic import store
    from dsmagic.pipeline import Pipeline

    monkeypatch.setenv("DSMAGIC_HOME", str(examples / ".dsmagic"))  # read the examples' store
    store.reset()

    mine = Pipeline.load(examples / "pipeline_canvas" / "churn.dspipe.json")
    theirs = Pipeline.load(examples / "pipelines" / "churn.dspipe.json")
    assert "confusion_matrix" in {step.type for step in theirs.steps.values()}
    assert "confusion_matrix" not in {step.type for step in mine.steps.values()}
    assert mine.id != theirs.id
    assert mine.steps["impute"].params["strategy"] == "median"  # the version cell's undo
    for notebook in (executed["pipeline_canvas.ipynb"], again):
        assert "done" in printed(notebook)
    assert [v.name for v in mine.versions()] == ["v1", "v2"]

    text = printed(executed["quickstart.ipynb"])
    assert "started run 'baseline'" in text
    assert "logged artifact 'model.pkl'" in text
    assert "In [" in text and "python 3." in text
    from dsmagic.tracking import TrackingClient

    client = TrackingClient(f"sqlite:///{examples / '.dsmagic' / 'dsmagic.db'}")
    runs = client.search_runs(experiment="quickstart")
    assert set(runs["run_name"]) == {
        "baseline", "boosting", "depth-sweep", "depth-2", "depth-4", "depth-8",
    }  # fmt: skip
    assert (runs["status"] == "finished").all()
    assert runs.set_index("run_name").loc["baseline", "metrics.acc"] > 0.9
    assert len(client.search_runs(experiment="pipelines")) == 4  # 2 from pipelines, 2 canvas
