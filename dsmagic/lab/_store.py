"""Which store the Jupyter server reads: the kernel's, resolved against the server's root."""

from __future__ import annotations

import os
from pathlib import Path


def store_location(root_dir: str) -> tuple[Path, str]:
    """(home folder, database URL) for a server whose notebooks live under ``root_dir``."""
    root = Path(root_dir).expanduser()
    configured = os.environ.get("DSMAGIC_HOME")
    home = Path(configured).expanduser() if configured else Path(".dsmagic")
    if not home.is_absolute():
        home = root / home
    home = home.resolve()
    uri = os.environ.get("DSMAGIC_URI") or f"sqlite:///{home / 'dsmagic.db'}"
    return home, uri
