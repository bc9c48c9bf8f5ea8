"""Files the pipeline code writes: atomically, with the mode a plain ``open()`` would give
(the existing file's mode, else ``0666 & ~umask``), and paths that stay under their root."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from dsmagic.errors import DsmagicError

__all__ = ["atomic_file", "inside", "new_file_mode", "write_atomic"]


def _umask() -> int:
    try:  # Linux: read it without changing it (os.umask() would, for every thread)
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode(path: Path) -> int:
    """The mode ``path`` keeps when it is replaced: its own, else what the umask gives."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` in one step when the block ends without error
    (a reader sees the old file or the new one, never half of one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(handle, new_file_mode(path))  # mkstemp makes 0600 files
        with os.fdopen(handle, "wb") as file:
            yield file
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write text (UTF-8, ``\\n`` line ends) or bytes to ``path`` atomically."""
    with atomic_file(path) as file:
        file.write(data.encode("utf-8") if isinstance(data, str) else data)


def inside(root: Path, relative: str | os.PathLike[str], what: str = "path") -> Path:
    """``root / relative`` resolved, refused unless it stays under ``root`` (links too)."""
    base = Path(root).resolve()
    target = (base / relative).resolve()
    if target != base and base not in target.parents:
        raise DsmagicError(
            f"{what} {str(relative)!r} leads outside {str(base)!r}; use a path inside it"
        )
    return target
