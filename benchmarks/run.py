"""Run every benchmark script in benchmarks/, one after another.

Run:  make bench                            (creates .venv-bench with the reference tools)
      .venv-bench/bin/python benchmarks/run.py [name ...]   (e.g. `tracking data`)

Each benchmarks/<area>.py (files starting with "_" are helpers, this file is the runner)
writes its own "## <Area>" section of benchmarks/RESULTS.md. A failing script is
reported and the others still run; the exit status is non-zero if any failed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts(names: list[str]) -> list[Path]:
    found = sorted(
        p for p in HERE.glob("*.py") if not p.name.startswith("_") and p.name != "run.py"
    )
    if not names:
        return found
    wanted = {name.removesuffix(".py") for name in names}
    unknown = wanted - {p.stem for p in found}
    if unknown:
        known = ", ".join(p.stem for p in found)
        raise SystemExit(f"no benchmark named {', '.join(sorted(unknown))}: choose from {known}")
    return [p for p in found if p.stem in wanted]


def main() -> int:
    failed = []
    for script in scripts(sys.argv[1:]):
        print(f"== {script.name}", flush=True)
        started = time.perf_counter()
        code = subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode
        took = time.perf_counter() - started
        print(f"== {script.name}: {'ok' if code == 0 else f'FAILED ({code})'} in {took:.0f} s")
        if code != 0:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"results: {HERE / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
