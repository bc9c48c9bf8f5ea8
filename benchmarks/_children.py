"""Run one measurement of a benchmark script in a fresh interpreter.

Each measurement starts from a cold process so imports, caches and connections of one
tool never help or hurt the other. The child prints a JSON line last.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def run_child(
    script: str, name: str, count: int, work: Path, folder_args: Callable[[Path], list[str]]
) -> dict:
    """``script --child NAME --count N <folder_args(folder)>`` in a scratch folder."""
    folder = work / f"{name}-{count}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        command = [sys.executable, script, "--child", name, "--count", str(count)]
        done = subprocess.run(
            command + folder_args(folder), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"{name} failed:\n{done.stdout}\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
