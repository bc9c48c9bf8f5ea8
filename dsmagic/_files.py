"""Files dsmagic writes: atomically, durably, with the mode a plain ``open()`` would give.

Every file dsmagic writes for the user (pipelines and their exports, reports, model cards,
data versions, cache signatures) goes through :func:`atomic_path`: the content is written
to a temporary file in the target's own folder (so the rename cannot cross file systems),
flushed to disk, given the mode the target would get from ``open()`` (a replaced file's
own mode, else ``0666 & ~umask``) and renamed over the target in one step. A reader sees
the old file or the new one, never half of one; a failure or an interrupt removes the
temporary file and leaves the target as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from dsmagic.errors import DsmagicError

__all__ = [
    "atomic_file",
    "atomic_path",
    "file_sha256",
    "inside",
    "new_file_mode",
    "write_atomic",
]


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable; not every system can open a folder (Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], temporary: Path | None = None) -> Iterator[Path]:
    """A temporary path next to ``path`` to write to; it replaces ``path`` when the block
    ends without error, and is removed when it raises.

    ``temporary`` names the temporary file (it must be in ``path``'s folder); by default a
    fresh ``.<name>.<random>.tmp`` is made there.
    """
    target = Path(path)
    if target.is_dir():
        raise DsmagicError(f"{str(target)!r} is a folder: give a file name inside it")
    target.parent.mkdir(parents=True, exist_ok=True)
    if temporary is None:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(handle)
        temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, new_file_mode(target))  # mkstemp makes 0600 files
        _fsync(temporary)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_folder(target.parent)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` in one step when the block ends without error."""
    with atomic_path(path) as temporary, open(temporary, "wb") as file:
        yield file


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write text (UTF-8, line ends as given) or bytes to ``path`` atomically."""
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
