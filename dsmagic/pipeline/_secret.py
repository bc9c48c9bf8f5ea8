"""The per-user secret that signs cached step results.

It lives outside every dsmagic home (``$XDG_CONFIG_HOME/dsmagic/cache.key``, by default
``~/.config/dsmagic/cache.key``, mode 0600): the default home is ``./.dsmagic`` inside the
project, which a cloned repository can ship, key included. A cache entry signed with any
other key is never unpickled.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from dsmagic.errors import DsmagicError

_KEY_BYTES = 32


def key_path() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "dsmagic" / "cache.key"


def _read(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DsmagicError(
            f"cannot read the cache key {str(path)!r} ({exc.strerror}); delete it and run again"
        ) from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        text = file.read(4 * _KEY_BYTES)
    try:
        key = bytes.fromhex(text.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        key = b""
    if not stat.S_ISREG(info.st_mode) or len(key) != _KEY_BYTES:
        raise DsmagicError(f"the cache key {str(path)!r} is damaged; delete it and run again")
    return key


def secret_key() -> bytes:
    """The key, made (32 random bytes, mode 0600) the first time it is needed."""
    path = key_path()
    key = _read(path)
    if key is not None:
        return key
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(_KEY_BYTES) + "\n")
        try:
            os.link(temp, path)  # never replaces a key another process just made
        except FileExistsError:
            pass
    finally:
        temp.unlink(missing_ok=True)
    key = _read(path)
    assert key is not None
    return key


def sign(message: str) -> str:
    return hmac.new(secret_key(), message.encode("utf-8"), hashlib.sha256).hexdigest()
