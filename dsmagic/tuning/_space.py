"""Search spaces written as a dict, checked up front and turned into Optuna suggestions.

``{"n": (50, 500)}`` is an int range, ``{"lr": (1e-4, 1e-1, "log")}`` a float range on a
log scale, ``{"depth": (2, 12, 2)}`` an int range with a step, ``{"kind": ["a", "b"]}``
a choice. A dict ``{"low": .., "high": .., "log": True, "step": ..}`` says the same
at length.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dsmagic.errors import DsmagicError

_CHOICE_TYPES = (type(None), bool, int, float, str)
_GRID_MAX_INT_VALUES = 1000
_EXAMPLE = '{"n_estimators": (50, 500), "lr": (1e-4, 0.1, "log"), "criterion": ["gini", "entropy"]}'


@dataclass(frozen=True)
class Dimension:
    name: str
    kind: str  # "int" | "float" | "categorical"
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: tuple[Any, ...] = ()

    def _bounds(self) -> tuple[float, float]:
        if self.low is None or self.high is None:
            raise DsmagicError(f"parameter {self.name!r} needs a low and a high bound")
        return self.low, self.high

    def suggest(self, trial) -> Any:
        if self.kind == "categorical":
            return trial.suggest_categorical(self.name, list(self.choices))
        low, high = self._bounds()
        if self.kind == "int":
            return trial.suggest_int(
                self.name, int(low), int(high), step=int(self.step or 1), log=self.log
            )
        return trial.suggest_float(self.name, low, high, step=self.step, log=self.log)

    def grid_values(self) -> list[Any]:
        if self.kind == "categorical":
            return list(self.choices)
        low, high = self._bounds()
        if self.kind == "int" and not self.log:
            step = int(self.step or 1)
            count = (int(high) - int(low)) // step + 1
            if count > _GRID_MAX_INT_VALUES:
                raise DsmagicError(
                    f"grid search over {self.name!r} would try {count} values: give a step, "
                    f"e.g. ({int(low)}, {int(high)}, 10), or a list of values"
                )
            return list(range(int(low), int(high) + 1, step))
        if self.kind == "float" and self.step:
            count = math.floor((high - low) / self.step + 1e-9) + 1
            return [low + i * self.step for i in range(count)]
        raise DsmagicError(
            f"grid search needs a list of values for {self.name!r} (a continuous or log range "
            f"has no grid): write e.g. {self.name!r}: [0.001, 0.01, 0.1]"
        )


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _range(name: str, low: Any, high: Any, log: bool, step: Any) -> Dimension:
    if not (_number(low) and _number(high)):
        raise DsmagicError(
            f"range of {name!r} needs two numbers (low, high), got ({low!r}, {high!r})"
        )
    if not (math.isfinite(low) and math.isfinite(high)):
        raise DsmagicError(f"range of {name!r} must be finite, got ({low!r}, {high!r})")
    if low >= high:
        raise DsmagicError(f"range of {name!r} is empty: low {low!r} must be below high {high!r}")
    if log and low <= 0:
        raise DsmagicError(f"log-scale range of {name!r} must start above 0, got low={low!r}")
    if step is not None and (not _number(step) or step <= 0):
        raise DsmagicError(f"step of {name!r} must be a number above 0, got {step!r}")
    if log and step is not None:
        raise DsmagicError(f"{name!r} cannot have both a step and a log scale: choose one")
    integer = (
        isinstance(low, int) and isinstance(high, int) and (step is None or isinstance(step, int))
    )
    return Dimension(name, "int" if integer else "float", low, high, log, step)


def _dimension(name: Any, spec: Any) -> Dimension:
    if not isinstance(name, str) or not name.strip():
        raise DsmagicError(f"search space keys must be parameter names (text), got {name!r}")
    if isinstance(spec, list):
        if not spec:
            raise DsmagicError(f"choices for {name!r} are empty: list at least one value")
        bad = [v for v in spec if not isinstance(v, _CHOICE_TYPES)]
        if bad:
            raise DsmagicError(
                f"choices for {name!r} must be None, bool, int, float or text, got {bad[0]!r} "
                "(store objects in a dict and choose among its keys)"
            )
        if len(set(map(repr, spec))) != len(spec):
            raise DsmagicError(f"choices for {name!r} repeat a value: {spec!r}")
        return Dimension(name, "categorical", choices=tuple(spec))
    if isinstance(spec, tuple):
        if len(spec) == 2:
            return _range(name, spec[0], spec[1], False, None)
        if len(spec) == 3:
            third = spec[2]
            if third == "log":
                return _range(name, spec[0], spec[1], True, None)
            if _number(third):
                return _range(name, spec[0], spec[1], False, third)
        raise DsmagicError(
            f"range of {name!r} must be (low, high), (low, high, 'log') or (low, high, step), "
            f"got {spec!r}"
        )
    if isinstance(spec, dict):
        unknown = set(spec) - {"low", "high", "log", "step"}
        if unknown or not {"low", "high"} <= set(spec):
            raise DsmagicError(
                f"range of {name!r} as a dict takes low, high and optionally log, step; "
                f"got keys {sorted(map(str, spec))}"
            )
        return _range(name, spec["low"], spec["high"], bool(spec.get("log")), spec.get("step"))
    raise DsmagicError(
        f"search space entry {name!r} must be a tuple range or a list of choices, got "
        f"{type(spec).__name__} {spec!r}; e.g. {_EXAMPLE}"
    )


def parse_space(space: Any) -> list[Dimension]:
    """Check every entry of ``space`` before any trial runs."""
    if not isinstance(space, dict):
        raise DsmagicError(f"space must be a dict of parameter ranges, e.g. {_EXAMPLE}")
    if not space:
        raise DsmagicError(
            f"the search space is empty: give at least one parameter, e.g. {_EXAMPLE}"
        )
    return [_dimension(name, spec) for name, spec in space.items()]


def grid(dimensions: list[Dimension]) -> dict[str, list[Any]]:
    return {d.name: d.grid_values() for d in dimensions}


def describe(dimensions: list[Dimension]) -> dict[str, str]:
    """One line per parameter for the parent run's params."""
    out = {}
    for d in dimensions:
        if d.kind == "categorical":
            out[d.name] = "choice " + repr(list(d.choices))
        else:
            extra = " log" if d.log else (f" step {d.step}" if d.step else "")
            out[d.name] = f"{d.kind} [{d.low}, {d.high}]{extra}"
    return out
