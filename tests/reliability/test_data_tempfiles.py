"""``kill -9`` during ``track_data`` leaves a temporary file; the next open removes it, and
never a live writer's. Real processes, SIGKILL and SIGSTOP, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dsmagic as dm
from dsmagic.data import _tempfiles

ROOT = Path(__file__).parents[2]
_WRITER = """
import sys
import numpy as np, pandas as pd
import dsmagic as dm
values = np.random.default_rng(int(sys.argv[1])).random((2_000_000, 4))
frame = pd.DataFrame(values, columns=list("abcd"))
print("ready", flush=True)
version = dm.track_data(frame, sys.argv[2])
print(version.ref, version.fingerprint, flush=True)
"""


def _temporaries(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp")) if folder.exists() else []


def _writer(seed: int, name: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(seed), name],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready", process.stderr.read()
    return process


def _wait_for_temporary(folder: Path, process: subprocess.Popen, ignore=()) -> Path:
    """The writer's temporary file, as soon as it holds data (the writer is mid-write)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        for path in _temporaries(folder):
            try:
                if path not in ignore and path.stat().st_size > 0:
                    return path
            except FileNotFoundError:
                continue
        time.sleep(0.002)
    raise AssertionError(f"no temporary file seen while the writer ran: {process.communicate()}")


def test_kill_9_mid_track_data_leaves_nothing_after_the_next_open(dsmagic_home):
    folder = dsmagic_home / "artifacts" / "data"
    dm.list_datasets()  # the schema exists, as in a notebook that tracked before
    victim = _writer(1, "big")
    leftover = _wait_for_temporary(folder, victim)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert leftover.exists()  # what the bug report saw: a temporary file nothing removes
    assert leftover.stat().st_size > 0

    live = _writer(2, "concurrent")  # a writer that is busy right now
    live_temporary = _wait_for_temporary(folder, live, ignore={leftover})
    live.send_signal(signal.SIGSTOP)  # hold it mid-write while the folder is opened
    try:
        small = pd.DataFrame({"x": np.arange(10)})
        dm.load_data(dm.track_data(small, "small").ref)  # the next open of the files
        assert not leftover.exists()
        assert live_temporary.exists()
    finally:
        live.send_signal(signal.SIGCONT)
    out, err = live.communicate(timeout=300)
    assert live.returncode == 0, err
    ref, digest = out.split()
    expected = pd.DataFrame(np.random.default_rng(2).random((2_000_000, 4)), columns=list("abcd"))
    back = dm.load_data(ref)
    pd.testing.assert_frame_equal(back, expected, check_exact=True)
    assert dm.fingerprint(back) == digest
    assert _temporaries(folder) == []
    assert [v for v in dm.list_datasets()["name"]] == ["concurrent", "small"]  # nothing of "big"


# -- which temporary files are a dead writer's: real files, real processes ---------------
def _temporary(folder: Path, host: str | None, pid: int | None, age: float = 0.0) -> Path:
    writer = f"{host}.{pid}." if host is not None else ""
    path = folder / f".{'a' * 32}.{writer}{os.urandom(8).hex()}.tmp"
    path.write_bytes(b"partial parquet")
    if age:
        then = time.time() - age
        os.utime(path, (then, then))
    return path


def _exited_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_sweep_removes_only_files_whose_writer_is_gone(tmp_path):
    host = _tempfiles.host_token()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 30
        while _tempfiles._process_start(zombie.pid) != "zombie" and time.monotonic() < deadline:
            time.sleep(0.01)  # exited, not yet reaped
        dead = _temporary(tmp_path, host, _exited_pid())
        reaped_zombie = _temporary(tmp_path, host, zombie.pid)
        reused = _temporary(tmp_path, host, sleeper.pid, age=600)  # older than its pid's process
        alive = _temporary(tmp_path, host, sleeper.pid)
        mine = _temporary(tmp_path, host, os.getpid(), age=10 * _tempfiles.STALE_SECONDS)
        foreign_fresh = _temporary(tmp_path, "0badc0de", 1)
        foreign_stale = _temporary(tmp_path, "0badc0de", 1, age=_tempfiles.STALE_SECONDS + 60)
        legacy_fresh = _temporary(tmp_path, None, None)
        legacy_stale = _temporary(tmp_path, None, None, age=_tempfiles.STALE_SECONDS + 60)
        others = [tmp_path / "notes.tmp", tmp_path / f"{'b' * 32}.parquet", tmp_path / ".hidden"]
        for path in others:
            path.write_bytes(b"x")
            os.utime(path, (0, 0))
        removed = set(_tempfiles.sweep(tmp_path))
    finally:
        sleeper.kill()
        sleeper.wait()
        zombie.wait()
    assert removed == {dead, reaped_zombie, reused, foreign_stale, legacy_stale}
    for kept in (alive, mine, foreign_fresh, legacy_fresh, *others):
        assert kept.exists()


def test_a_refused_frame_leaves_no_temporary_file(dsmagic_home):
    frame = pd.DataFrame([[1, 2]], columns=[True, False])  # refused after the read-back
    with pytest.raises(dm.DsmagicError, match="column labels"):
        dm.track_data(frame, "refused")
    folder = dsmagic_home / "artifacts" / "data"
    assert _temporaries(folder) == [] and not [p for p in folder.glob("*") if p.is_file()]
