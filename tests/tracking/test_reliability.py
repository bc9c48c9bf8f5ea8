"""Durability, concurrency and schema upgrades, with real processes and real databases."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import text

import dsmagic as dm
import dsmagic.store
from dsmagic.cli import main as cli
from dsmagic.store import _summaries, get_database
from tests.tracking import _legacy


def _python(code: str, cwd, **env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_eight_processes_logging_at_once_lose_nothing(sqlite_home, tmp_path):
    code = """
        import dsmagic as dm
        with dm.start_run("worker") as run:
            for step in range(5000):
                dm.log_metric("m", step * 0.5, step=step)
        print(run.id)
        """
    children = [_python(code, tmp_path) for _ in range(8)]
    outputs = [child.communicate(timeout=300) for child in children]
    for child, (_, err) in zip(children, outputs):
        assert child.returncode == 0, err
        assert "locked" not in err.lower()
    run_ids = [out.strip() for out, _ in outputs]
    with sqlite3.connect(sqlite_home / "dsmagic.db") as connection:
        (count,) = connection.execute("SELECT COUNT(*) FROM metrics").fetchone()
    assert count == 40_000
    for run_id in run_ids:
        run = dm.get_run(run_id)
        assert run.status == "finished" and run.metrics == {"m": 4999 * 0.5}


def _open_legacy(store_uri, tmp_path, monkeypatch):
    if store_uri.startswith("sqlite"):
        copy = tmp_path / "legacy.db"
        shutil.copy(_legacy.FIXTURE, copy)
        store_uri = f"sqlite:///{copy}"
    else:
        _legacy.build(store_uri)
    monkeypatch.setenv("DSMAGIC_URI", store_uri)
    return store_uri


def test_an_older_store_upgrades_with_its_data(
    dsmagic_home, store_uri, tmp_path, monkeypatch, capsys
):
    uri = _open_legacy(store_uri, tmp_path, monkeypatch)
    assert cli(["db", "status"]) == 0
    assert "older: run `dsmagic db upgrade`" in capsys.readouterr().out
    assert cli(["db", "upgrade"]) == 0
    assert "upgraded from 0001 to" in capsys.readouterr().out
    # the upgrade packed the old run's values into the summary that searches read
    with get_database(uri).engine.connect() as connection:
        summary = connection.execute(
            text("SELECT summary FROM runs WHERE id = :id"), {"id": _legacy.RUN_ID}
        ).scalar()
    assert _summaries.decode(summary) == {
        "params.lr": "0.01",
        "params.model": "rf",
        "tags.owner": "ana",
        "metrics.loss": 1 / 3,
    }
    run = dm.get_run(_legacy.RUN_ID)
    assert (run.name, run.experiment, run.status) == ("old-run", "legacy", "finished")
    assert run.params == {"lr": "0.01", "model": "rf"}
    assert run.tags == {"owner": "ana"}
    assert run.metrics["loss"] == pytest.approx(1 / 3)
    assert dm.get_metric_history(run.id, "loss")["step"].tolist() == [0, 1, 2]
    # the upgrade filled the numeric view of old params, so numeric filters work
    assert dm.search_runs("params.lr < 0.1")["run_id"].tolist() == [_legacy.RUN_ID]
    assert get_database(uri).current_revision() == dm.store.known_revisions()[-1]


def test_an_older_store_upgrades_itself_on_first_use(
    dsmagic_home, store_uri, tmp_path, monkeypatch
):
    _open_legacy(store_uri, tmp_path, monkeypatch)
    with dm.start_run("new-run", experiment="legacy"):
        dm.log_metric("loss", 0.1)
    assert set(dm.search_runs(experiment="legacy")["run_name"]) == {"old-run", "new-run"}


def test_a_newer_store_is_refused_with_the_command_to_run(dsmagic_home, store_uri, capsys):
    database = get_database(store_uri)
    database.ensure_schema()
    with database.transaction() as connection:
        connection.execute(text("UPDATE dsmagic_alembic_version SET version_num = '9999'"))
    dm.store.reset()
    with pytest.raises(dm.SchemaError, match=r"newer than this dsmagic.*pip install -U dsmagic"):
        dm.search_runs()
    assert cli(["runs", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dsmagic: ") and err.count("\n") == 1


def test_a_bad_database_url_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("DSMAGIC_URI", "not a url")
    dm.store.reset()
    with pytest.raises(dm.DsmagicError, match="is not a database URL"):
        dm.search_runs()
    dm.store.reset()
