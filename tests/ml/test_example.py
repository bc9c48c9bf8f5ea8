"""examples/tuning_and_explaining.ipynb runs end to end in a real kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).parents[2] / "examples" / "tuning_and_explaining.ipynb"


@pytest.mark.kernel
def test_tuning_and_explaining_notebook_runs(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("DSMAGIC_HOME", str(tmp_path / ".dsmagic"))
    monkeypatch.delenv("DSMAGIC_URI", raising=False)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    text = "".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs
    )
    assert "Study tune-" in html and "<svg" in html
    assert "SHAP explanation of" in html and "TreeExplainer" in html
    assert "Model card: cancer-forest@1" in html and "cancer-train" in html
    assert "cancer-forest@1 True" in text
    assert (tmp_path / "model_card.html").read_text().startswith("<!DOCTYPE html>")
    from dsmagic.tracking import TrackingClient

    client = TrackingClient(f"sqlite:///{tmp_path / '.dsmagic' / 'dsmagic.db'}")
    runs = client.search_runs(experiment="cancer")
    assert (runs["status"] == "finished").all()
    tuning = runs[runs["tags.dsmagic.kind"] == "tuning"]
    assert len(tuning) == 2  # dm.tune and %tune
    assert len(runs[runs["run_name"].str.startswith("GridSearchCV-candidate")]) == 3
