"""Shared fixtures: a real SQLite file and a real PostgreSQL server for every store test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests._postgres import PostgresServer

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_server():
    server = PostgresServer().start()
    yield server
    server.stop()


def _reset_dsmagic() -> None:
    from dsmagic.testing import reset

    reset()


@pytest.fixture(params=BACKENDS)
def store_uri(request, tmp_path: Path) -> str:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'dsmagic.db'}"
    return request.getfixturevalue("postgres_server").create_database()


@pytest.fixture
def dsmagic_home(tmp_path: Path, store_uri: str, monkeypatch) -> Path:
    """Point dsmagic at a fresh store on each backend, with artifacts under tmp_path."""
    home = tmp_path / "home"
    monkeypatch.setenv("DSMAGIC_HOME", str(home))
    monkeypatch.setenv("DSMAGIC_URI", store_uri)
    monkeypatch.chdir(tmp_path)
    _reset_dsmagic()
    yield home
    _reset_dsmagic()


@pytest.fixture
def sqlite_home(tmp_path: Path, monkeypatch) -> Path:
    """dsmagic's default layout: ./.dsmagic/ in a fresh working folder, SQLite only."""
    monkeypatch.delenv("DSMAGIC_URI", raising=False)
    monkeypatch.delenv("DSMAGIC_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    _reset_dsmagic()
    yield tmp_path / ".dsmagic"
    _reset_dsmagic()


@pytest.fixture
def ipython(dsmagic_home):
    """A real IPython shell with the extension loaded."""
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    start_ipython()  # one shell per process; later calls return None
    shell = get_ipython()
    shell.run_line_magic("load_ext", "dsmagic")
    yield shell
    shell.run_line_magic("unload_ext", "dsmagic")


os.environ.setdefault("DSMAGIC_HEARTBEAT_SECONDS", "10")
