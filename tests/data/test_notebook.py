"""examples/data_versions.ipynb runs top to bottom in a real kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data_versions.ipynb"


@pytest.mark.kernel
def test_example_notebook_executes(tmp_path, monkeypatch):
    monkeypatch.setenv("DSMAGIC_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DSMAGIC_URI", raising=False)
    notebook = nbformat.read(EXAMPLE, as_version=4)
    nbformat.validate(notebook)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # fmt: skip
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "customers@1 new? False" in text
    assert "drifted: ['income', 'segment']" in text
    assert "identical: True" in text
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("Lineage of customers_clean@1" in h and "customers@1" in h for h in html)
    assert any("dsm-overlay" in h and "Benjamini-Hochberg" in h for h in html)
    assert len(list((tmp_path / "home" / "artifacts" / "data").glob("*.parquet"))) == 3
