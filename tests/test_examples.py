"""Example notebooks: valid, stored without outputs, and the quickstart runs end to end."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

EXAMPLES = Path(__file__).parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def execute(path: Path, workdir: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    ).execute()
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


@pytest.mark.kernel
def test_quickstart_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("DSMAGIC_HOME", str(tmp_path / ".dsmagic"))
    monkeypatch.delenv("DSMAGIC_URI", raising=False)
    notebook = execute(EXAMPLES / "quickstart.ipynb", tmp_path)
    text = "\n".join(
        output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "started run 'baseline'" in text
    assert "logged artifact 'model.pkl'" in text
    assert "In [" in text and "python 3." in text
    from dsmagic.tracking import TrackingClient

    client = TrackingClient(f"sqlite:///{tmp_path / '.dsmagic' / 'dsmagic.db'}")
    runs = client.search_runs(experiment="quickstart")
    assert set(runs["run_name"]) == {
        "baseline", "boosting", "depth-sweep", "depth-2", "depth-4", "depth-8",
    }  # fmt: skip
    assert (runs["status"] == "finished").all()
    assert runs.set_index("run_name").loc["baseline", "metrics.acc"] > 0.9
