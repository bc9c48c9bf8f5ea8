"""examples/eda.ipynb runs top to bottom in a real kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "eda.ipynb"


@pytest.mark.kernel
def test_example_notebook_executes(tmp_path, monkeypatch):
    monkeypatch.setenv("DSMAGIC_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DSMAGIC_URI", raising=False)
    notebook = nbformat.read(EXAMPLE, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # fmt: skip
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("Alerts" in h and "customer_id" in h for h in html)
    assert any("Compared with a second frame" in h for h in html)
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "columns recomputed: 1" in text
    assert "numbers_as_text alerts left: []" in text
    assert (tmp_path / "eda_report.html").stat().st_size < 3_000_000
