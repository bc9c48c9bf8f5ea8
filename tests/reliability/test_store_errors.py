"""A store that cannot be used is one line from the `dsmagic` command, never a traceback.

Each case is real: a damaged or empty SQLite file, files made immutable with ``chattr +i``
(root ignores file modes, not that flag), a closed port, a database missing on a real
PostgreSQL server, a version table changed by hand. The command runs as a subprocess, as
a person runs it, and the store is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import dsmagic as dm

COMMANDS = [["db", "status"], ["db", "upgrade"], ["runs", "list"], ["data", "list"]]


def dsmagic_cli(*args: str, home: Path, uri: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DSMAGIC_URI"}
    env["DSMAGIC_HOME"] = str(home)
    if uri:
        env["DSMAGIC_URI"] = uri
    return subprocess.run(
        [sys.executable, "-m", "dsmagic.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_line(result: subprocess.CompletedProcess, *needles: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and lines[0].startswith("dsmagic: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@contextlib.contextmanager
def immutable(*paths: Path):
    subprocess.run(["chattr", "+i", *map(str, paths)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


def make_store(home: Path) -> None:
    env = {**os.environ, "DSMAGIC_HOME": str(home)}
    env.pop("DSMAGIC_URI", None)
    code = "import dsmagic as dm\nwith dm.start_run('first-run'):\n    dm.log_metric('acc', 0.9)\n"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_damaged_sqlite_file_is_one_line_and_left_alone(tmp_path, command):
    home = tmp_path / "home"
    home.mkdir()
    (home / "dsmagic.db").write_bytes(b"PK\x03\x04 not a database " * 400)
    before = digest(home)
    line = assert_one_line(dsmagic_cli(*command, home=home), "not a dsmagic store", "backup")
    assert str(home / "dsmagic.db") in line
    assert digest(home) == before


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_an_empty_database_file_is_refused_not_taken_for_a_new_store(tmp_path, command):
    home = tmp_path / "home"
    home.mkdir()
    (home / "dsmagic.db").touch()
    assert_one_line(dsmagic_cli(*command, home=home), "empty file (0 bytes)", "delete it")
    assert (home / "dsmagic.db").stat().st_size == 0
    assert sorted(p.name for p in home.iterdir()) == ["dsmagic.db"]


def test_an_empty_database_file_is_refused_by_the_python_api(tmp_path, monkeypatch):
    monkeypatch.setenv("DSMAGIC_HOME", str(tmp_path))
    monkeypatch.delenv("DSMAGIC_URI", raising=False)
    from dsmagic import store

    store.reset()
    (tmp_path / "dsmagic.db").touch()
    with pytest.raises(dm.StoreUnavailableError, match=r"^the store .* is an empty file"):
        dm.start_run("r")
    store.reset()
    assert (tmp_path / "dsmagic.db").stat().st_size == 0


def test_a_read_only_store_reads_and_refuses_writes_in_one_line(tmp_path):
    home = tmp_path / "home"
    make_store(home)
    before = digest(home)
    with immutable(home / "dsmagic.db", *home.glob("dsmagic.db-*"), home):
        listed = dsmagic_cli("runs", "list", home=home)
        # Reading may work (SQLite's WAL files are there) or say why not; never a traceback.
        if listed.returncode == 0:
            assert "first-run" in listed.stdout
        else:
            assert_one_line(listed, "read-only")
        code = "import dsmagic as dm\ndm.start_run('second')\n"
        env = {**os.environ, "DSMAGIC_HOME": str(home)}
        env.pop("DSMAGIC_URI", None)
        wrote = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
        assert wrote.returncode != 0
        assert "StoreUnavailableError: the store" in wrote.stderr
        assert "read-only" in wrote.stderr.strip().splitlines()[-1]
    assert digest(home) == before


def test_a_home_under_a_read_only_folder_says_so_and_creates_nothing(tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir()
    home = parent / "home"
    with immutable(parent):
        status = dsmagic_cli("db", "status", home=home)
        assert status.returncode == 0, status.stderr
        assert "no store yet" in status.stdout and status.stderr == ""
        for command in (["runs", "list"], ["db", "upgrade"], ["data", "list"]):
            assert_one_line(
                dsmagic_cli(*command, home=home), f"cannot create the store's folder {home}"
            )
    assert list(parent.iterdir()) == []


def test_an_unreachable_postgresql_server_is_one_line(tmp_path):
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    uri = f"postgresql+psycopg://dsmagic@127.0.0.1:{port}/runs"
    for command in COMMANDS:
        assert_one_line(
            dsmagic_cli(*command, home=tmp_path, uri=uri), f"127.0.0.1:{port}", "is it running"
        )


def test_a_missing_postgresql_database_is_one_line_with_the_fix(tmp_path, postgres_server):
    uri = postgres_server.url("no_such_database")
    for command in COMMANDS:
        assert_one_line(
            dsmagic_cli(*command, home=tmp_path, uri=uri),
            '"no_such_database" does not exist',
            "createdb no_such_database",
        )


def _set_revision(path: Path, revision: str) -> None:
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE dsmagic_alembic_version SET version_num = ?", (revision,))


def test_an_unknown_revision_is_not_called_newer(tmp_path):
    home = tmp_path / "home"
    make_store(home)
    _set_revision(home / "dsmagic.db", "zz")
    status = dsmagic_cli("db", "status", home=home)
    assert status.returncode == 0 and "unknown revision 'zz'" in status.stdout
    assert "newer" not in status.stdout
    before = digest(home)
    for command in (["db", "upgrade"], ["runs", "list"]):
        line = assert_one_line(dsmagic_cli(*command, home=home), "'zz'", "backup")
        assert "newer" not in line
    assert digest(home) == before


def test_a_newer_revision_asks_for_an_upgrade_of_dsmagic(tmp_path):
    home = tmp_path / "home"
    make_store(home)
    _set_revision(home / "dsmagic.db", "9999")
    assert "newer than this dsmagic" in dsmagic_cli("db", "status", home=home).stdout
    assert_one_line(dsmagic_cli("db", "upgrade", home=home), "9999", "pip install -U dsmagic")


def test_debug_shows_the_traceback_as_well(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "dsmagic.db").write_bytes(b"garbage" * 1000)
    result = dsmagic_cli("--debug", "runs", "list", home=home)
    assert result.returncode == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("dsmagic: the store ")
