"""Where dsmagic keeps its state.

By default everything lives in ``./.dsmagic/`` next to the notebook: the SQLite
database ``dsmagic.db`` and the ``artifacts/`` folder. ``DSMAGIC_HOME`` moves that
folder; ``DSMAGIC_URI`` points the database at any SQLAlchemy URL (for example a
PostgreSQL server) while artifacts stay under the home folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "current_settings"]


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
