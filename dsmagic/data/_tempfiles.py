"""Temporary version files: named after their writer, removed once that writer is gone.

A version file is written to ``.<fingerprint>.<host>.<pid>.<random>.tmp`` and moved into
place. A writer killed in between (``kill -9``, a crashed kernel) leaves that file behind;
:func:`sweep` removes it the next time a process opens the folder. A temporary file is
removed only when its writer is certainly gone: on this machine, when no process has its
pid or the process with that pid started after the file was last written (the pid was
reused); from another machine or an older dsmagic (no writer in the name), when it has not
been written to for :data:`STALE_SECONDS`. A live writer's file is never touched.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import time
import uuid
from pathlib import Path

STALE_SECONDS = 3600.0
_NAME = re.compile(
    r"^\.[0-9a-f]{32}\.(?:(?P<host>[0-9a-f]{8})\.(?P<pid>[0-9]{1,10})\.)?[0-9a-f]{12,32}\.tmp\Z"
)
_swept: set[str] = set()


def host_token() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def temporary_path(target: Path) -> Path:
    """Where ``target`` is written before it is moved into place."""
    return target.with_name(f".{target.stem}.{host_token()}.{os.getpid()}.{uuid.uuid4().hex}.tmp")


def sweep_once(folder: Path) -> None:
    """:func:`sweep` the first time this process opens ``folder``."""
    key = str(folder)
    if key not in _swept:
        _swept.add(key)
        sweep(folder)


def sweep(folder: Path) -> list[Path]:
    """Remove the temporary files in ``folder`` whose writers are gone; return them."""
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return []
    removed = []
    host = host_token()
    now = time.time()
    for entry in entries:
        match = _NAME.match(entry.name)
        if match is None:
            continue
        try:
            modified = entry.stat(follow_symlinks=False).st_mtime
        except FileNotFoundError:  # its writer moved it into place meanwhile
            continue
        if match["host"] == host:
            gone = _writer_gone(int(match["pid"]), modified)
        else:
            gone = now - modified > STALE_SECONDS
        if gone:
            try:
                os.unlink(entry.path)
            except FileNotFoundError:
                continue
            removed.append(Path(entry.path))
    return removed


def _writer_gone(pid: int, modified: float) -> bool:
    if pid == os.getpid():
        return False
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process there
        return time.time() - modified > STALE_SECONDS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's live process
        pass
    except OverflowError:
        return True
    started = _process_start(pid)
    if started is None:
        return False
    # A zombie is dead; a process younger than the file's last write is a reused pid.
    return started == "zombie" or (isinstance(started, float) and started > modified + 1.0)


def _process_start(pid: int) -> float | str | None:
    """The start time (epoch seconds) of ``pid`` from /proc, ``"zombie"``, or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(
            float(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (OSError, StopIteration, ValueError, IndexError):
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    if fields[0] in ("Z", "X"):
        return "zombie"
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    return boot + int(fields[19]) / ticks
