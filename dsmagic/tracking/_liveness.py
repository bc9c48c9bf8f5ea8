"""Is the process that owns a running run still there?"""

from __future__ import annotations

import os
import socket
import time
from functools import cache

_HEARTBEAT_SECONDS = 10.0


def heartbeat_interval() -> float:
    return float(os.environ.get("DSMAGIC_HEARTBEAT_SECONDS", _HEARTBEAT_SECONDS))


def stale_after() -> float:
    """Seconds without a heartbeat after which a run on another host counts as crashed."""
    return float(os.environ.get("DSMAGIC_STALE_SECONDS", max(6 * heartbeat_interval(), 30.0)))


@cache
def hostname() -> str:
    return socket.gethostname()


def _boot_time() -> float | None:
    try:
        with open("/proc/stat") as handle:
            for line in handle:
                if line.startswith("btime "):
                    return float(line.split()[1])
    except OSError:
        return None
    return None


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state first), on Linux."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            stat = handle.read()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2 :].split()


def process_start_time(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), where the OS tells."""
    fields = _proc_stat(pid)
    boot = _boot_time()
    if fields is None or boot is None:
        return None
    return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")


@cache
def own_start_time() -> float:
    return process_start_time(os.getpid()) or time.time()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def is_alive(host: str, pid: int, started: float, heartbeat: float, now: float) -> bool:
    """Decide from the pid on this host, from the heartbeat's age elsewhere."""
    if host == hostname():
        if pid == os.getpid():
            return abs(started - own_start_time()) < 2.0
        if not _pid_alive(pid):
            return False
        fields = _proc_stat(pid)
        if fields is not None and fields[0] in ("Z", "X"):
            return False  # exited, waiting to be reaped by its parent
        actual = process_start_time(pid)
        # A recycled pid belongs to a process that started later than ours did.
        return actual is None or abs(actual - started) < 2.0
    return now - heartbeat < stale_after()
