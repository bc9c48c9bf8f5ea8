"""What ``%load_ext dsmagic`` adds to a shell, and ``%unload_ext dsmagic`` takes away.

:class:`KernelHooks` installs, for one shell: the magics, one ``pre_run_cell`` and one
``post_run_cell`` callback (the running cell's source for lineage, the data snapshot,
and the cells recorded for active runs) and a handler that shows a
:class:`~dsmagic.DsmagicError` as one line. :meth:`KernelHooks.remove` takes away exactly
those: another extension's callbacks, magics and exception handler stay as they are.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from typing import Any

from IPython.core.error import UsageError

from dsmagic import _cells
from dsmagic.errors import DsmagicError

__all__ = ["CellRecorder", "KernelHooks", "install", "installed", "remove"]


class CellRecorder:
    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.started = time.time()
        self.runs: list[Any] = []
        self.source = ""

    def pre_run_cell(self, info: Any) -> None:
        self.started = time.time()
        fluent = sys.modules.get("dsmagic.tracking._fluent")
        if fluent is not None:
            fluent.take_started_runs()
            self.runs = fluent.active_runs()
        self.source = getattr(info, "raw_cell", "") or ""

    def post_run_cell(self, result: Any) -> None:
        fluent = sys.modules.get("dsmagic.tracking._fluent")
        if fluent is None:  # tracking never used in this kernel: nothing to do
            return
        runs = list(self.runs)
        for run in fluent.take_started_runs() + fluent.active_runs():
            if run not in runs:
                runs.append(run)
        if runs:
            count = getattr(result, "execution_count", None)
            fluent.record_cell(
                runs, self.source, count, self.started, time.time(), bool(result.success)
            )
        try:
            fluent.flush()
        except DsmagicError as exc:  # a run whose values the store refused: now failed
            print(f"dsmagic: {exc}", file=sys.stderr)
        except Exception as exc:
            print(
                f"dsmagic: could not save what this cell logged ({exc}); it is kept and "
                "retried after the next cell",
                file=sys.stderr,
            )
        self.runs = []


def _one_line_errors(method: Callable[..., Any]) -> Callable[..., Any]:
    """Show a DsmagicError from a magic as one line (IPython's UsageError), no traceback."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except DsmagicError as exc:
            raise UsageError(str(exc)) from None

    return wrapper


class KernelHooks:
    """Everything dsmagic added to one shell, so that exactly that can be removed."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.recorder = CellRecorder(shell)
        self.magics: list[tuple[str, str, Any]] = []  # (kind, name, the callable we put)
        self.previous_exc: tuple[tuple[type[BaseException], ...], Any] | None = None
        self.custom_tb: Any = None
        self.active = False

    # -- the two cell callbacks ------------------------------------------------------
    def pre_run_cell(self, info: Any) -> None:
        _cells.started(self.shell, getattr(info, "raw_cell", "") or "")
        # Which names hold tracked frames when a cell starts, for automatic lineage; free
        # until data versioning is first used in this kernel.
        kernel = sys.modules.get("dsmagic.data._kernel")
        if kernel is not None:
            kernel.snapshot(self.shell)
        self.recorder.pre_run_cell(info)

    def post_run_cell(self, result: Any) -> None:
        self.recorder.post_run_cell(result)

    # -- one-line errors from dm.* calls in a cell -----------------------------------
    def _show_error(
        self, shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None
    ) -> Any:
        if self.active and issubclass(etype, DsmagicError):
            print(f"{etype.__name__}: {value}", file=sys.stderr)
            return [f"{etype.__name__}: {value}"]
        if self.previous_exc is not None:
            previous_types, previous_handler = self.previous_exc
            if previous_types and issubclass(etype, previous_types):
                return previous_handler(etype, value, tb, tb_offset)
        # No handler of ours or of the one before us: IPython's own traceback.
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None

    def _install_error_handler(self) -> None:
        shell = self.shell
        types_before = tuple(shell.custom_exceptions or ())
        self.previous_exc = (types_before, shell.CustomTB)
        shell.set_custom_exc((*types_before, DsmagicError), self._show_error)
        self.custom_tb = shell.CustomTB

    def _remove_error_handler(self) -> None:
        shell = self.shell
        if self.custom_tb is not None and shell.CustomTB is self.custom_tb:
            shell.custom_exceptions, shell.CustomTB = self.previous_exc or ((), shell.CustomTB)
        # Else another extension installed its handler after ours and may hand exceptions
        # on to ours: ours stays, inactive, passing everything on.

    # -- install / remove ------------------------------------------------------------
    def install(self, magic_classes: list[type]) -> None:
        for magic_class in magic_classes:
            instance = magic_class(self.shell)
            for kind in ("line", "cell"):
                for name, method in list(instance.magics[kind].items()):
                    instance.magics[kind][name] = wrapped = _one_line_errors(method)
                    self.magics.append((kind, name, wrapped))
            self.shell.register_magics(instance)
        self.shell.events.register("pre_run_cell", self.pre_run_cell)
        self.shell.events.register("post_run_cell", self.post_run_cell)
        self.active = True
        self._install_error_handler()

    def remove(self) -> None:
        self.active = False
        for event, callback in (
            ("pre_run_cell", self.pre_run_cell),
            ("post_run_cell", self.post_run_cell),
        ):
            try:
                self.shell.events.unregister(event, callback)
            except ValueError:
                pass
        table = self.shell.magics_manager.magics
        for kind, name, wrapped in self.magics:
            if table[kind].get(name) is wrapped:  # not when another extension took the name
                del table[kind][name]
        self._remove_error_handler()
        _cells.forget(self.shell)


_installed: dict[int, KernelHooks] = {}  # id(shell) -> what dsmagic added to it


def install(shell: Any, magic_classes: list[type]) -> None:
    """Add dsmagic's magics and hooks to ``shell`` (once: loading twice changes nothing)."""
    if id(shell) in _installed:
        return
    hooks = _installed[id(shell)] = KernelHooks(shell)
    hooks.install(magic_classes)


def remove(shell: Any) -> None:
    """Take away what :func:`install` added to ``shell``, and nothing else."""
    hooks = _installed.pop(id(shell), None)
    if hooks is not None:
        hooks.remove()


def installed() -> list[Any]:
    """The shells dsmagic is loaded in."""
    return [hooks.shell for hooks in _installed.values()]
