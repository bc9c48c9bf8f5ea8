"""Close Optuna's per-process storages between tests (each test has its own database)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _close_optuna_storages():
    yield
    from dsmagic.tuning import _storage

    _storage.reset()
