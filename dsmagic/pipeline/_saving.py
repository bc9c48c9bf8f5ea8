"""Saving a ``.dspipe.json`` without losing someone else's save.

A pipeline remembers the digest of what it loaded from, or last saved to, each file. A
save first checks that the file still holds that: if another process (or an editor) wrote
it in between, the save is refused instead of silently dropping their changes. The check
and the write happen under a lock on the folder, so two dsmagic processes cannot both pass
the check and overwrite each other.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from dsmagic._files import write_atomic
from dsmagic.errors import DsmagicError


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: the check still runs, without the lock
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def save(path: Path, text: str, on_disk: dict[Path, str], overwrite: bool) -> None:
    """Write ``text`` to ``path`` unless the file changed since ``on_disk`` saw it."""
    target = path.resolve()
    data = text.encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    with _folder_lock(target.parent):
        known = on_disk.get(target)
        if known is not None and not overwrite:
            try:
                current: str | None = digest(target.read_bytes())
            except FileNotFoundError:
                current = None
            except OSError as exc:
                raise DsmagicError(f"cannot read {str(path)!r} before saving: {exc}") from None
            if current is not None and current != known:
                raise DsmagicError(
                    f"{str(path)!r} changed on disk since this pipeline loaded or saved it "
                    "(another process or an editor wrote it), so nothing was written: load it "
                    "again with Pipeline.load(), or save(..., overwrite=True) to replace it"
                )
        write_atomic(target, data)
    on_disk[target] = digest(data)
