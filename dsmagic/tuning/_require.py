"""A clear message when an optional ``ml`` dependency is missing."""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from dsmagic.errors import DsmagicError


def require(module: str, feature: str) -> Any:
    try:
        with warnings.catch_warnings():
            # Some releases (shap with matplotlib 3.10) warn about their own internals at
            # import time; the user can do nothing about it, so don't show it in the notebook.
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            return importlib.import_module(module)
    except ImportError as exc:
        raise DsmagicError(
            f"{feature} needs {module.split('.')[0]}, which is not installed: "
            "pip install 'dsmagic[ml]'"
        ) from exc
