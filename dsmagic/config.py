"""Where dsmagic keeps its state.

By default everything lives in ``./.dsmagic/`` next to the notebook: the SQLite
database ``dsmagic.db`` and the ``artifacts/`` folder. ``DSMAGIC_HOME`` moves that
folder; ``DSMAGIC_URI`` points the database at any SQLAlchemy URL (for example a
PostgreSQL server) while artifacts stay under the home folder.
``DSMAGIC_SEARCH_TIMEOUT`` bounds how long one run search may run (seconds, default 30;
``0`` for no bound).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SEARCH_TIMEOUT_VARIABLE", "Settings", "current_settings", "search_timeout"]

SEARCH_TIMEOUT_VARIABLE = "DSMAGIC_SEARCH_TIMEOUT"
_DEFAULT_SEARCH_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Settings:
    home: Path
    uri: str

    @property
    def artifact_root(self) -> Path:
        return self.home / "artifacts"


def current_settings() -> Settings:
    """Read the settings from the environment as it is now."""
    home = Path(os.environ.get("DSMAGIC_HOME") or Path.cwd() / ".dsmagic").resolve()
    uri = os.environ.get("DSMAGIC_URI") or f"sqlite:///{home / 'dsmagic.db'}"
    return Settings(home=home, uri=uri)


def search_timeout() -> float | None:
    """Seconds one run search may take before the database stops it (``None``: no bound)."""
    text = os.environ.get(SEARCH_TIMEOUT_VARIABLE, "").strip()
    if not text:
        return _DEFAULT_SEARCH_TIMEOUT_S
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        from dsmagic.errors import DsmagicError

        raise DsmagicError(
            f"{SEARCH_TIMEOUT_VARIABLE}={text!r} is not a number of seconds: set it to e.g. 30, "
            "or 0 for no bound"
        )
    return seconds or None
