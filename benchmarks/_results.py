"""Write one section of benchmarks/RESULTS.md, leaving the other sections as they are.

Usage from a benchmark script (benchmarks/ is on sys.path when it runs):

    from _results import write_section
    write_section("Experiment tracking", markdown_body)
"""

from __future__ import annotations

import os
import platform
import re
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def header() -> str:
    return "\n".join(
        [
            "# Benchmark results",
            "",
            "Written by `make bench` (benchmarks/run.py); each `## ` section belongs to one "
            "benchmarks/<area>.py script and is replaced when that script runs again.",
            "",
            f"- Machine: {os.cpu_count()} CPU(s) (`nproc`), {platform.machine()}, {_cpu_model()}",
            f"- Python {platform.python_version()}; dsmagic {_version('dsmagic')}, "
            f"MLflow {_version('mlflow')}, SQLAlchemy {_version('SQLAlchemy')}",
            f"- Date: {time.strftime('%Y-%m-%d', time.gmtime())}",
            "",
        ]
    )


def write_section(title: str, body: str, path: Path = RESULTS) -> None:
    """Replace (or append) the section ``## title`` of RESULTS.md with ``body``."""
    text = path.read_text(encoding="utf-8") if path.exists() else header()
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}[ \t]*\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staging.write_text(text, encoding="utf-8")
    os.replace(staging, path)
    print(f"{Path(sys.argv[0]).name}: wrote '## {title}' in {path}", file=sys.stderr)
