"""What one run filter may ask is bounded, and a search never outlives its time limit.

Each case failed before the bounds: 400 nested parentheses raised RecursionError, 65 ANDed key
tests hit SQLite's 64-table join limit, and on PostgreSQL a search blocked by a lock went on
running on the server after its client was killed.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text

import dsmagic as dm
from dsmagic.cli import main as cli
from dsmagic.tracking import TrackingClient

MANY = 300
_COUNT_FOR_SECONDS = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000000) "
    "SELECT count(*) FROM c"
)


@pytest.fixture
def keyed_runs(dsmagic_home):
    """Run "all" has params k0..k299 = 'v'; run "most" lacks the last one; "none" has none."""
    with dm.start_run("all"):
        dm.log_params({f"k{i}": "v" for i in range(MANY)})
        dm.log_metric("acc", 0.9)
    with dm.start_run("most"):
        dm.log_params({f"k{i}": "v" for i in range(MANY - 1)})
        dm.log_metric("acc", 0.8)
    with dm.start_run("none"):
        dm.log_metric("acc", 0.1)
    return dsmagic_home


def _names(frame) -> set[str]:
    return set(frame["run_name"])


@pytest.mark.parametrize("count", [65, 256])
def test_many_anded_key_tests_find_exactly_the_runs_that_pass_all(keyed_runs, count):
    tests = [f"params.k{i} = 'v'" for i in range(MANY - count, MANY)]
    assert _names(dm.search_runs(" and ".join(tests))) == {"all"}
    assert _names(dm.search_runs(" and ".join(tests[:-1]))) == {"all", "most"}
    mixed = " and ".join([*tests[: count - 1], "metrics.acc > 0.85"])
    assert _names(dm.search_runs(mixed)) == {"all"}


def test_the_limits_themselves_are_accepted(keyed_runs):
    nested = "(" * 32 + "metrics.acc > 0.5" + ")" * 32
    assert _names(dm.search_runs(nested)) == {"all", "most"}
    either = " or ".join(["params.k299 = 'v'"] * 255 + ["metrics.acc < 0.2"])
    assert _names(dm.search_runs(either)) == {"all", "none"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("(" * 400 + "metrics.acc > 1" + ")" * 400, "nests parentheses more than 32 deep"),
        ("(" * 33 + "metrics.acc > 1" + ")" * 33, "nests parentheses more than 32 deep"),
        (" and ".join(["metrics.acc > 1"] * 257), "more than 256 comparisons"),
        ("params.x = '" + "a" * 10_000 + "'", "longer than 10,000 characters"),
        ("params.x = 'a\x00b'", "NUL character at column 14"),
        ("tags.x = 'a\ud800'", "lone surrogate"),
        ("params.n = 99999999999999999999", "more digits than a stored number can hold"),
        ("metrics.acc > 1e400", "too large for a float"),
        ("attributes.user_id = 'ana'", "does not record a user"),
        ("tags.x IS 'a'", "expected IS NULL or IS NOT NULL"),
        ("attributes.status IS NULL", "IS NULL applies to metrics, params and tags"),
    ],
)
def test_what_a_filter_may_not_ask_is_a_one_line_error(dsmagic_home, query, message):
    with pytest.raises(dm.FilterError) as caught:
        dm.search_runs(query)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_cli_prints_one_line_for_a_filter_too_deep(dsmagic_home, capsys):
    assert cli(["runs", "list", "(" * 400 + "metrics.acc > 1" + ")" * 400]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nests parentheses" in err


def _hold_latest_metrics(store_uri):
    """A PostgreSQL connection holding an exclusive lock on the latest-metrics table."""
    engine = create_engine(store_uri.replace("postgresql://", "postgresql+psycopg://", 1))
    connection = engine.connect()
    connection.execute(text("LOCK TABLE latest_metrics IN ACCESS EXCLUSIVE MODE"))
    return engine, connection


def test_a_search_over_its_time_limit_is_stopped_with_one_line(keyed_runs, store_uri, monkeypatch):
    if store_uri.startswith("sqlite"):
        # SQLite reads never wait on a writer (WAL), and a search over three runs is quick:
        # a statement that would count for many seconds stands for a slow search.
        database = TrackingClient().store.db
        started = time.monotonic()
        with (
            pytest.raises(dm.StatementTimeoutError) as caught,
            database.read(timeout=0.3) as connection,
        ):
            connection.exec_driver_sql(_COUNT_FOR_SECONDS).all()
        assert time.monotonic() - started < 3
    else:
        monkeypatch.setenv("DSMAGIC_SEARCH_TIMEOUT", "0.5")
        engine, lock = _hold_latest_metrics(store_uri)
        try:
            started = time.monotonic()
            with pytest.raises(dm.StatementTimeoutError) as caught:
                dm.search_runs("metrics.acc > 0.5")
            assert time.monotonic() - started < 10
        finally:
            lock.close()
            engine.dispose()
    message = str(caught.value)
    assert "ran for more than" in message and "DSMAGIC_SEARCH_TIMEOUT" in message
    assert "\n" not in message
    monkeypatch.delenv("DSMAGIC_SEARCH_TIMEOUT", raising=False)
    assert _names(dm.search_runs("metrics.acc > 0.5")) == {"all", "most"}  # nothing left broken


def test_a_bad_time_limit_setting_is_one_line(keyed_runs, monkeypatch):
    monkeypatch.setenv("DSMAGIC_SEARCH_TIMEOUT", "soon")
    with pytest.raises(dm.DsmagicError, match="is not a number of seconds"):
        dm.search_runs("metrics.acc > 0.5")
    monkeypatch.setenv("DSMAGIC_SEARCH_TIMEOUT", "0")  # no bound
    assert len(dm.search_runs("metrics.acc > 0.5")) == 2


_SEARCH_CHILD = "import dsmagic as dm; dm.search_runs('metrics.acc > 0.5')"
_SEARCHES_RUNNING = text(
    "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
    "AND query LIKE '%latest_metrics%' AND query NOT LIKE '%pg_stat_activity%'"
)


def test_a_killed_client_leaves_no_search_running_on_the_server(postgres_server, tmp_path):
    uri = postgres_server.create_database()
    env = {"DSMAGIC_URI": uri, "DSMAGIC_HOME": str(tmp_path / "home")}
    setup = "import dsmagic as dm\nwith dm.start_run('r'):\n    dm.log_metric('acc', 0.9)"
    subprocess.run([sys.executable, "-c", setup], env=_env(env), check=True, timeout=120)
    engine, lock = _hold_latest_metrics(uri)
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", _SEARCH_CHILD],
            env=_env({**env, "DSMAGIC_SEARCH_TIMEOUT": "2"}),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Autocommit: within one transaction pg_stat_activity keeps showing its first snapshot.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watcher:
            deadline = time.monotonic() + 60
            while not watcher.execute(_SEARCHES_RUNNING).all():
                assert time.monotonic() < deadline, "the child's search never started"
                if child.poll() is not None:
                    raise AssertionError(f"the child ended first: {child.communicate()[1]}")
                time.sleep(0.05)
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
            killed = time.monotonic()
            # The server stops the search at its time limit, although the lock is still held.
            while watcher.execute(_SEARCHES_RUNNING).all():
                assert time.monotonic() - killed < 15, "the search still runs on the server"
                time.sleep(0.1)
    finally:
        lock.close()
        engine.dispose()


def _env(extra: dict[str, str]) -> dict[str, str]:
    import os

    return {**os.environ, **extra}
