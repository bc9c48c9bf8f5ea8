"""examples/pipelines.ipynb runs end to end in a fresh kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

EXAMPLE = Path(__file__).parents[2] / "examples" / "pipelines.ipynb"


@pytest.mark.kernel
def test_pipelines_example_runs(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("DSMAGIC_HOME", str(tmp_path / ".dsmagic"))
    monkeypatch.delenv("DSMAGIC_URI", raising=False)
    notebook = nbformat.read(EXAMPLE, as_version=4)
    nbformat.validate(notebook)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # fmt: skip
    text = "\n".join(
        output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "step 'split': input 'data' expects features + target" not in text  # wired fine
    assert "input 'data' (a pandas DataFrame) is not connected" in text
    assert "~ step model: n_estimators 100 -> 50" in text
    assert "pipeline run" in text and ": done" in text
    assert "'metrics': 'done'" in text and "'model': 'cached'" in text
    out = tmp_path / "pipelines"  # the example writes into a folder of its own
    assert (out / "churn.dspipe.json").is_file() and (out / "churn.py").is_file()
    assert (out / "churn-bundle" / "Dockerfile").is_file()
