"""What a run needs to be reproduced: interpreter, platform, packages and git state."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any


@cache
def installed_packages() -> dict[str, str]:
    from importlib import metadata

    packages: dict[str, str] = {}
    for distribution in metadata.distributions():
        name = distribution.metadata["Name"]
        if name:
            packages[name] = distribution.version
    return dict(sorted(packages.items(), key=lambda item: item[0].lower()))


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", "replace")


def git_state(cwd: Path) -> dict[str, Any] | None:
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if top is None:
        return None
    commit = _git(["rev-parse", "HEAD"], cwd)
    branch = _git(["rev-parse", "--abbrev-ref", "HEAD"], cwd)
    status = _git(["status", "--porcelain"], cwd) or ""
    diff = _git(["diff", "HEAD"], cwd) if commit else _git(["diff"], cwd)
    remote = _git(["config", "--get", "remote.origin.url"], cwd)
    return {
        "root": top.strip(),
        "commit": commit.strip() if commit else None,
        "branch": branch.strip() if branch else None,
        "dirty": bool(status.strip()),
        "changed_files": len(status.splitlines()),
        "diff_sha256": hashlib.sha256((diff or "").encode()).hexdigest()
        if status.strip()
        else None,
        "remote": remote.strip() if remote else None,
    }


def capture(notebook_path: str | None) -> dict[str, Any]:
    cwd = Path.cwd()
    return {
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "platform": {
            "system": platform.system(),
            "release": platform.release(),
            "machine": platform.machine(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "cwd": str(cwd),
        "notebook_path": notebook_path,
        "argv": list(sys.argv),
        "packages": installed_packages(),
        "git": git_state(cwd),
    }
