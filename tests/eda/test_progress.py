"""The report's progress bar: nothing loaded for a quick report, a real bar for a slow one."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from dsmagic.eda._progress import ProgressBar
bar = ProgressBar(5, enabled=True, delay=float(sys.argv[1]))
for _ in range(5):
    bar.update()
bar.close()
print("tqdm" in sys.modules)
"""


def _run(delay: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", PROBE, str(delay)], capture_output=True,
                          text=True, check=True)  # fmt: skip


def test_a_report_faster_than_the_delay_never_imports_tqdm():
    result = _run(3600)
    assert result.stdout.strip() == "False"
    assert "eda" not in result.stderr


def test_a_slow_report_shows_a_tqdm_bar_with_the_steps_done_so_far():
    result = _run(0)
    assert result.stdout.strip() == "True"
    assert "eda:" in result.stderr and "1/5 [" in result.stderr
