"""What differs between two runs besides their params: interpreter, platform, packages,
git state and the notebook cells each one ran."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RunDifferences", "differences"]

MAX_DIFF_LINES = 80  # of the cells' unified diff, in the displays


@dataclass
class RunDifferences:
    """Differences between run ``a`` and run ``b``; empty fields mean "the same" (or not
    recorded for both)."""

    labels: tuple[str, str]
    environment: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    packages: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    git: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    cells_diff: list[str] = field(default_factory=list)
    not_recorded: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.environment or self.packages or self.git or self.cells_diff)

    def lines(self) -> list[str]:
        """The differences as text, a line each (the cells' diff cut at MAX_DIFF_LINES)."""
        a, b = self.labels
        out = [f"  {key}: {old} -> {new}" for key, (old, new) in self.environment.items()]
        out += [f"  git {key}: {old} -> {new}" for key, (old, new) in self.git.items()]
        for name, (old, new) in self.packages.items():
            out.append(f"  package {name}: {old or '(absent)'} -> {new or '(absent)'}")
        if self.cells_diff:
            out.append(f"  cells ({a} -> {b}):")
            out += ["    " + line for line in self.cells_diff[:MAX_DIFF_LINES]]
            if len(self.cells_diff) > MAX_DIFF_LINES:
                out.append(f"    ... {len(self.cells_diff) - MAX_DIFF_LINES} more diff lines")
        out += [f"  not recorded: {what}" for what in self.not_recorded]
        return out


def differences(
    labels: tuple[str, str],
    environments: tuple[dict[str, Any] | None, dict[str, Any] | None],
    cells: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> RunDifferences:
    found = RunDifferences(labels)
    first, second = environments
    if first is None or second is None:
        missing = [label for label, env in zip(labels, environments) if env is None]
        found.not_recorded.append(f"the environment of {', '.join(missing)}")
    else:
        for key, path in _ENVIRONMENT_FIELDS.items():
            old, new = _at(first, path), _at(second, path)
            if old != new:
                found.environment[key] = (old, new)
        old_packages, new_packages = first.get("packages") or {}, second.get("packages") or {}
        for name in sorted(set(old_packages) | set(new_packages)):
            if old_packages.get(name) != new_packages.get(name):
                found.packages[name] = (old_packages.get(name), new_packages.get(name))
        old_git, new_git = first.get("git") or {}, second.get("git") or {}
        for key in ("commit", "branch", "dirty", "remote"):
            if old_git.get(key) != new_git.get(key):
                found.git[key] = (old_git.get(key), new_git.get(key))
    if cells[0] or cells[1]:
        found.cells_diff = list(
            difflib.unified_diff(
                _script(cells[0]), _script(cells[1]), labels[0], labels[1], lineterm="", n=1
            )
        )
    else:
        found.not_recorded.append("cells (the runs were not started from a notebook)")
    return found


_ENVIRONMENT_FIELDS = {
    "python": ("python", "version"),
    "implementation": ("python", "implementation"),
    "platform": ("platform", "platform"),
    "machine": ("platform", "machine"),
    "notebook": ("notebook_path",),
}


def _at(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _script(cells: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for cell in cells:
        lines.append("# %%")  # not the execution count: it differs between any two sessions
        lines += str(cell.get("source") or "").splitlines()
    return lines
