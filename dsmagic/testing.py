"""Helpers for test suites that use dsmagic (dsmagic's own among them).

:func:`reset` puts dsmagic back in the state of a freshly started process: call it
between tests, after changing ``DSMAGIC_URI`` / ``DSMAGIC_HOME``, so that nothing one test
did (an open run, a cached statistic, a patched ``fit``, a queued pipeline run, an open
database) is seen by the next.

Only the modules already imported are touched, so calling :func:`reset` imports nothing:
it stays cheap, and a test that never used a feature does not pay for it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

__all__ = ["reset"]


def _unload_everywhere(module: ModuleType) -> None:
    for shell in module.installed():
        extensions = getattr(shell, "extension_manager", None)
        if extensions is not None and "dsmagic" in extensions.loaded:
            extensions.unload_extension("dsmagic")  # so a later %load_ext loads it again
        module.remove(shell)


def _clear(*names: str) -> Callable[[ModuleType], None]:
    def clear(module: ModuleType) -> None:
        for name in names:
            getattr(module, name).clear()

    return clear


def _call(function: str) -> Callable[[ModuleType], None]:
    return lambda module: getattr(module, function)()


# (module, the module-level state it keeps, how to reset it), in the order they run:
# shells first, then work in progress (pipeline runs, active runs) while the databases
# it writes to are still open, the databases last.
STATE: tuple[tuple[str, tuple[str, ...], Callable[[ModuleType], None]], ...] = (
    ("dsmagic.magics._hooks", ("_installed",), _unload_everywhere),
    ("dsmagic._cells", ("_sources",), _clear("_sources")),
    ("dsmagic.pipeline._runner", ("_queue", "_running"), _call("reset")),
    ("dsmagic.tracking._fluent", ("_state",), _call("reset")),
    ("dsmagic.models._autolog", ("_patched", "_depth", "_suspended", "_settings"), _call("reset")),
    ("dsmagic.data._kernel", ("_registry", "_cell_start"), _clear("_registry", "_cell_start")),
    ("dsmagic.data._tempfiles", ("_swept",), _clear("_swept")),
    ("dsmagic.eda._cache", ("_entries", "_counters"), _call("clear_cache")),
    ("dsmagic.pipeline._cache", ("_warned",), _clear("_warned")),
    ("dsmagic.tracking._validation", ("_valid_keys",), _clear("_valid_keys")),
    ("dsmagic.tuning._storage", ("_storages",), _call("reset")),
    ("dsmagic.store", ("_databases",), _call("reset")),
)


def reset() -> None:
    """Forget everything dsmagic keeps in memory, as a new process would start.

    Ends the active runs (as finished, writing what they buffered), cancels queued and
    running pipeline runs, puts back every ``fit`` that :func:`dsmagic.autolog` patched,
    removes ``%load_ext dsmagic`` from every shell it was loaded in, and empties the EDA
    statistics cache, the lineage registry of tracked frames and the other registries;
    finally closes the open databases, so the next call opens the store that
    ``DSMAGIC_URI`` / ``DSMAGIC_HOME`` name then.

    Example (pytest)::

        @pytest.fixture(autouse=True)
        def fresh_dsmagic(tmp_path, monkeypatch):
            monkeypatch.setenv("DSMAGIC_HOME", str(tmp_path / "dsmagic"))
            dsmagic.testing.reset()
            yield
            dsmagic.testing.reset()
    """
    for name, _state, resetter in STATE:
        module = sys.modules.get(name)
        if module is not None:
            resetter(module)
