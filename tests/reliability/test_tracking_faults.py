"""Writes the store refuses: the run fails, the next call says so, and nothing is reported
stored that is not. Real faults: a database trigger refusing a row, a file-size limit
(SQLite), a database turned read-only under a running process (PostgreSQL)."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import text

import dsmagic as dm
from dsmagic.store import get_database
from tests.reliability._tracking_child import python

_REFUSE = {
    "sqlite": [
        "CREATE TRIGGER refuse_param BEFORE INSERT ON params WHEN NEW.key = 'refused' "
        "BEGIN SELECT RAISE(ABORT, 'refused by the database'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_param() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.key = 'refused' THEN RAISE EXCEPTION 'refused by the database'; END IF; "
        "RETURN NEW; END $$",
        "CREATE TRIGGER refuse_param BEFORE INSERT ON params FOR EACH ROW "
        "EXECUTE FUNCTION refuse_param()",
    ],
}


def _refuse_a_param(store_uri: str) -> None:
    database = get_database(store_uri)
    database.ensure_schema()
    with database.transaction() as connection:
        for statement in _REFUSE[database.dialect]:
            connection.execute(text(statement))


def test_one_row_the_database_refuses_costs_that_row_only(dsmagic_home, store_uri):
    _refuse_a_param(store_uri)
    run = dm.start_run("poisoned")
    dm.log_param("refused", "x")  # valid, but the database will refuse it
    dm.log_param("kept", "y")
    for step in range(300):
        dm.log_metric("m", float(step))
    # The background writer meets the refusal; the next call on the run reports it.
    deadline = time.time() + 30
    with pytest.raises(dm.DsmagicError, match="could not be stored") as excinfo:
        while time.time() < deadline:
            dm.log_metric("later", 1.0)
            time.sleep(0.02)
    message = str(excinfo.value)
    assert "\n" not in message
    assert message.startswith(f"run {run.id[:8]} is marked failed: 1 param(s) could not be")
    assert "refused by the database" in message
    assert dm.active_run() is None  # the failed run was ended
    stored = dm.get_run(run.id)
    assert stored.status == "failed"
    assert stored.params == {"kept": "y"}
    assert stored.tags["dsmagic.error"].startswith("some values could not be stored: 1 param")
    assert len(dm.get_metric_history(run.id, "m")) == 300
    # the next run of the process writes normally
    with dm.start_run("next") as later:
        dm.log_param("kept", "z")
        dm.log_metric("m", 1.0)
    assert dm.get_run(later.id).status == "finished"
    assert dm.get_run(later.id).params == {"kept": "z"}


def test_a_refused_row_fails_end_run_too(dsmagic_home, store_uri):
    _refuse_a_param(store_uri)
    with pytest.raises(dm.DsmagicError, match="1 param"), dm.start_run("ends") as run:
        dm.log_param("refused", "x")
        dm.log_metric("m", 1.0)
    assert dm.get_run(run.id).status == "failed"
    assert dm.get_run(run.id).metrics == {"m": 1.0}


FULL_DISK = """
    import os, resource, signal, sys
    import dsmagic as dm
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
    database = sys.argv[1]
    run = dm.start_run("full")
    dm.log_param("p", 1)
    dm.flush()
    print(run.id, flush=True)
    sizes = [os.path.getsize(p) for p in (database, database + "-wal") if os.path.exists(p)]
    limit = max(sizes) + 256 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    step = 0
    try:
        for step in range(300_000):
            dm.log_metric("x", float(step), step=step)
        dm.end_run()
        print("no error", flush=True)
    except dm.DsmagicError as exc:
        print(f"error at step {step}: {exc}", flush=True)
    """


def test_a_full_disk_fails_the_run_at_the_next_call(sqlite_home, tmp_path):
    database = sqlite_home / "dsmagic.db"
    child = python(FULL_DISK, str(database), cwd=tmp_path)
    out, err = child.communicate(timeout=300)
    assert child.returncode == 0, err
    run_id, report = out.splitlines()
    assert report.startswith("error at step"), report
    assert int(report.split()[3].rstrip(":")) < 299_999, "reported only at end_run"
    assert "metric point(s) could not be stored (" in report, report
    assert "disk I/O error" in report and report.count("\n") == 0, report
    stored = dm.get_run(run_id)
    assert stored.status == "failed"
    history = dm.get_metric_history(run_id, "x")
    assert len(history) < 300_000
    if len(history):  # what reads as stored is there, and the latest value agrees
        assert stored.metrics["x"] == history["value"].iloc[history["step"].idxmax()]


READ_ONLY_LATER = """
    import sys
    import dsmagic as dm
    run = dm.start_run("read-only")
    dm.flush()
    print(run.id, flush=True)
    step = 0
    try:
        while True:
            dm.log_metric("x", float(step), step=step)
            step += 1
    except dm.DsmagicError as exc:
        print(f"error at step {step}: {exc}", flush=True)
    """


def test_a_database_turned_read_only_fails_the_run_at_the_next_call(
    dsmagic_home, store_uri, tmp_path
):
    if not store_uri.startswith("postgresql"):
        pytest.skip("a read-only database is PostgreSQL's; SQLite has the full-disk test")
    child = python(READ_ONLY_LATER, cwd=tmp_path)
    run_id = child.stdout.readline().strip()
    assert run_id, child.stderr.read()
    time.sleep(1.0)
    with psycopg.connect(store_uri.replace("postgresql+psycopg", "postgresql")) as admin:
        admin.autocommit = True
        name = admin.execute("SELECT current_database()").fetchone()[0]
        admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        out, err = child.communicate(timeout=120)
        admin.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
    assert child.returncode == 0, err
    assert out.startswith("error at step"), out + err
    assert out.count("\n") == 1 and "could not be stored" in out and "read-only" in out, out
    assert "reads crashed" in out
    dm.store.reset()
    stored = dm.get_run(run_id)
    assert stored.status == "crashed"  # never "finished"
    assert len(dm.get_metric_history(run_id, "x")) < int(out.split()[3].rstrip(":"))


EXIT_AFTER_REFUSAL = """
    import dsmagic as dm
    run = dm.start_run("exits")
    print(run.id, flush=True)
    dm.log_param("refused", "x")
    dm.log_metric("m", 1.0)
    """


def test_a_refusal_met_at_exit_is_printed_and_the_run_failed(sqlite_home, tmp_path):
    _refuse_a_param(f"sqlite:///{sqlite_home / 'dsmagic.db'}")
    child = python(EXIT_AFTER_REFUSAL, cwd=tmp_path)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    run_id = out.strip()
    assert f"dsmagic: run {run_id[:8]} is marked failed: 1 param(s) could not be stored" in err
    assert dm.get_run(run_id).status == "failed"
    assert dm.get_run(run_id).metrics == {"m": 1.0}


def test_a_dropped_database_connection_loses_nothing(dsmagic_home, store_uri):
    if not store_uri.startswith("postgresql"):
        pytest.skip("server connections are PostgreSQL's")
    url = store_uri.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(url, autocommit=True) as admin, dm.start_run("dropped") as run:
        for step in range(200_000):
            dm.log_metric("x", float(step), step=step)
            if step % 40_000 == 20_000:  # the server ends every other session, mid-write or not
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
    stored = dm.get_run(run.id)
    assert stored.status == "finished"
    steps = dm.get_metric_history(run.id, "x")["step"].tolist()
    assert steps == list(range(200_000))
