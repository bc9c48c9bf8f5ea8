"""dm.reproduce / dsmagic reproduce: a notebook of a run's cells that, executed again in a
real kernel, gives the same metrics."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

import dsmagic as dm
from dsmagic.cli import main as cli
from tests.tracking.test_magics import run

DETERMINISTIC = """\
import numpy as np
frame = dm.load_data("customers@1")
acc = float(np.random.default_rng(7).random()) + float(frame["a"].sum())"""


def test_a_reproduced_run_executes_to_the_same_metrics(ipython, tmp_path):
    dm.track_data(pd.DataFrame({"a": [1, 2, 3]}), "customers")
    run(ipython, "import dsmagic as dm")  # before the run: the reproduction sets it up itself
    run(ipython, "%start_run deterministic")
    run(ipython, DETERMINISTIC)
    run(ipython, "dm.log_metric('acc', acc)")
    run(ipython, "1 / 0")  # a failed cell is not replayed
    run(ipython, "%end_run")
    [original] = dm.search_runs("attributes.run_name = 'deterministic'")["run_id"]
    assert dm.get_run(original).tags["dsmagic.input.customers"] == "customers@1"

    path = dm.reproduce(original, tmp_path / "again")
    assert path.name == f"deterministic-{original[:8]}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert "Reproduction of run" in notebook.cells[0].source
    assert "'customers@1': dm.load_data('customers@1')" in notebook.cells[1].source
    sources = [cell.source for cell in notebook.cells[2:]]
    assert DETERMINISTIC in sources and "1 / 0" not in sources
    requirements = (tmp_path / "again" / "requirements.txt").read_text().splitlines()
    assert any(line.startswith("pandas==") for line in requirements)

    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # fmt: skip
    again = dm.search_runs("attributes.run_name = 'deterministic'")
    assert len(again) == 2
    assert again["metrics.acc"].iloc[0] == again["metrics.acc"].iloc[1]


def test_a_run_without_cells_and_an_existing_file_are_one_line(dsmagic_home, tmp_path, capsys):
    with dm.start_run("scripted") as scripted:
        dm.log_metric("acc", 0.5)
    with pytest.raises(dm.DsmagicError, match="has no captured cells to reproduce") as caught:
        dm.reproduce(scripted.id, tmp_path)
    assert "\n" not in str(caught.value)
    assert cli(["reproduce", scripted.id[:8], "--into", str(tmp_path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_an_existing_reproduction_is_kept_unless_forced(ipython, tmp_path, capsys):
    run(ipython, "%start_run twice")
    run(ipython, "x = 1")
    run(ipython, "%end_run")
    [run_id] = dm.search_runs()["run_id"]
    assert cli(["reproduce", run_id[:8], "--into", str(tmp_path)]) == 0
    assert "wrote" in capsys.readouterr().out
    written = next(tmp_path.glob("twice-*.ipynb"))
    written.write_text("my edits")
    with pytest.raises(dm.DsmagicError, match="exists: choose another folder"):
        dm.reproduce(run_id, tmp_path)
    assert written.read_text() == "my edits"
    dm.reproduce(run_id, tmp_path, overwrite=True)
    assert "x = 1" in written.read_text()
