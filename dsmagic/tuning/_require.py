"""A clear message when an optional ``ml`` dependency is missing."""

from __future__ import annotations

import importlib
from typing import Any

from dsmagic.errors import DsmagicError


def require(module: str, feature: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise DsmagicError(
            f"{feature} needs {module.split('.')[0]}, which is not installed: "
            "pip install 'dsmagic[ml]'"
        ) from exc
