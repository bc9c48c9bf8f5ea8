"""Child processes for the tracking reliability tests, run with ``python -c``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

# Logs metric "x" at `rate` points a second (step i has value i / 2), writing
# "<points logged> <time>" to the side file after each thousand.
STEADY_LOGGER = """
    import sys, time
    import dsmagic as dm
    rate, progress = float(sys.argv[1]), sys.argv[2]
    run = dm.start_run("kill-9")
    dm.flush()
    print(run.id, flush=True)
    with open(progress, "a", buffering=1) as side:
        start, step = time.time(), 0
        while True:
            for _ in range(1000):
                dm.log_metric("x", step / 2, step=step)
                step += 1
            now = time.time()
            side.write(f"{step} {now!r}\\n")
            ahead = start + step / rate - now
            if ahead > 0:
                time.sleep(ahead)
    """


def python(code: str, *args: str, cwd=None, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# Waits for the start file, then logs metric "x" at steps 0..count-1 as fast as it can, in its
# own run, and prints the run id.
BURST_LOGGER = """
    import os, sys, time
    import dsmagic as dm
    count, start_file = int(sys.argv[1]), sys.argv[2]
    with dm.start_run(f"burst-{os.getpid()}") as run:
        while not os.path.exists(start_file):
            time.sleep(0.005)
        for step in range(count):
            dm.log_metric("x", step * 0.5, step=step)
            if step % 500 == 0:
                dm.log_param(f"p{step}", step)
    print(run.id, flush=True)
    """
