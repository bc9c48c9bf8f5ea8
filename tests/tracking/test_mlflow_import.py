"""dsmagic import mlflow: a store made by real MLflow during the test, copied with its full
history and artifacts, idempotently; on SQLite and PostgreSQL dsmagic stores."""

from __future__ import annotations

import math
import shutil
import sqlite3

import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

import dsmagic as dm
from dsmagic.cli import main as cli
from dsmagic.tracking import TrackingClient


def _fill(client: MlflowClient, tmp_path) -> dict[str, str]:
    """Two experiments; a parent with a child, a failed run, a deleted run, an artifact."""
    churn = client.create_experiment("churn")
    other = client.create_experiment("other")
    parent = client.create_run(churn, run_name="sweep", tags={"owner": "ana"}).info.run_id
    child = client.create_run(churn, run_name="trial-1",
                              tags={"mlflow.parentRunId": parent}).info.run_id  # fmt: skip
    for run_id in (parent, child):
        client.log_param(run_id, "lr", "0.010")  # text, kept exactly as MLflow has it
    for step in range(5):
        client.log_metric(child, "loss", 1.0 / (step + 1), timestamp=1_700_000_000_000 + step,
                          step=step)  # fmt: skip
    client.log_metric(child, "acc", math.nan, timestamp=1_700_000_000_000, step=0)
    (tmp_path / "model.txt").write_text("weights")
    client.log_artifact(child, str(tmp_path / "model.txt"))
    client.set_terminated(child, "FINISHED")
    client.set_terminated(parent, "FINISHED")
    failed = client.create_run(other, run_name="broken").info.run_id
    client.set_terminated(failed, "FAILED")
    gone = client.create_run(other, run_name="gone").info.run_id
    client.set_terminated(gone, "FINISHED")
    client.delete_run(gone)
    return {"parent": parent, "child": child, "failed": failed, "gone": gone}


@pytest.fixture(scope="module")
def mlflow_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    ids = _fill(MlflowClient(tracking_uri=uri), folder)
    return uri, ids


def test_an_mlflow_store_is_copied_with_history_and_artifacts(dsmagic_home, mlflow_store, capsys):
    uri, ids = mlflow_store
    assert cli(["import", "mlflow", "--uri", uri]) == 0
    out = capsys.readouterr().out
    assert (
        out.startswith("imported 3 run(s) from") and "into 2 experiment(s): 6 metric points" in out
    )
    assert "1 artifact file(s)" in out and "not carried over: 1 deleted run(s)" in out

    client = TrackingClient()
    child = dm.get_run(ids["child"])  # the MLflow run id is the dsmagic run id
    assert child.name == "trial-1" and child.status == "finished" and child.experiment == "churn"
    assert child.params == {"lr": "0.010"}
    assert child.tags["dsmagic.imported_from"] == "mlflow"
    history = client.get_metric_history(child.id, "loss")
    assert list(history["step"]) == [0, 1, 2, 3, 4]
    assert list(history["value"]) == [1.0 / (s + 1) for s in range(5)]
    assert history["timestamp"].iloc[0] == pd.Timestamp(1_700_000_000, unit="s")
    assert math.isnan(child.metrics["acc"])
    assert (client.artifact_path(child.id, "model.txt")).read_text() == "weights"
    frame = dm.search_runs(order_by="attributes.run_name")
    assert list(frame["run_name"]) == ["broken", "sweep", "trial-1"]
    assert frame.set_index("run_name").loc["trial-1", "parent_id"] == ids["parent"]
    assert dm.get_run(ids["failed"]).status == "failed"

    assert cli(["import", "mlflow", "--uri", uri]) == 0  # again: nothing twice
    assert "imported 0 run(s)" in capsys.readouterr().out
    assert len(dm.search_runs()) == 3
    assert len(client.get_metric_history(child.id, "loss")) == 5


def test_an_mlruns_folder_is_imported_too(dsmagic_home, tmp_path, monkeypatch):
    folder = tmp_path / "mlruns"
    with monkeypatch.context() as writing:  # MLflow 3 writes folders only when told to
        writing.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
        ids = _fill(MlflowClient(tracking_uri=folder.as_uri()), tmp_path)
    report = dm.import_mlflow(str(folder))
    assert report.runs == 3 and report.skipped == 0
    assert dm.get_run(ids["child"]).params == {"lr": "0.010"}


def test_unknown_schema_missing_store_and_no_store_are_one_line(dsmagic_home, mlflow_store,
                                                                   tmp_path):  # fmt: skip
    uri, _ = mlflow_store
    copy = tmp_path / "newer.db"
    shutil.copy(uri.removeprefix("sqlite:///"), copy)
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00dfeed1234'")
    before = copy.read_bytes()
    with pytest.raises(dm.DsmagicError, match="has schema version 'f00dfeed1234', which MLflow"):
        dm.import_mlflow(f"sqlite:///{copy}")
    assert copy.read_bytes() == before  # the user's MLflow store is never written
    with pytest.raises(dm.DsmagicError, match="no MLflow store at"):
        dm.import_mlflow(f"sqlite:///{tmp_path / 'typo.db'}")
    assert not (tmp_path / "typo.db").exists()
    with pytest.raises(dm.DsmagicError, match="no MLflow store at"):
        dm.import_mlflow(str(tmp_path / "nothing-here"))
    assert dm.search_runs().empty
