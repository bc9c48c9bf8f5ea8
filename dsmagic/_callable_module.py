"""Let ``dm.<name>(...)`` work when ``<name>`` is both a subpackage and its main function.

Importing ``dsmagic.eda`` binds the attribute ``dsmagic.eda`` to the subpackage, hiding
the lazily exported function of the same name; calling the subpackage calls it instead.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any


def make_callable(module_name: str, function: Callable[..., Any]) -> None:
    """Calling the module ``module_name`` calls ``function``."""

    class _CallableModule(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return function(*args, **kwargs)

    _CallableModule.__call__.__doc__ = function.__doc__
    sys.modules[module_name].__class__ = _CallableModule
