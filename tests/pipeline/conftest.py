"""Keep the per-user cache key of pipeline runs inside each test's folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_cache_key(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
