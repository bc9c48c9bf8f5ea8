"""`%load_ext dsmagic` stays light: heavy libraries load only when a feature needs them."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["pandas", "numpy", "sqlalchemy", "alembic", "scipy", "sklearn", "matplotlib",
         "pyarrow", "xxhash", "optuna", "shap", "tqdm"]  # fmt: skip

PROBE = """
import json, sys
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
before = set(sys.modules)
shell.run_line_magic("load_ext", "dsmagic")
import dsmagic
dir(dsmagic)
loaded = sorted({name.split(".")[0] for name in set(sys.modules) - before})
print(json.dumps({"loaded": loaded, "magics": sorted(shell.magics_manager.magics["line"])}))
"""


def test_load_ext_imports_no_heavy_library(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert not set(HEAVY) & set(report["loaded"]), report["loaded"]
    assert {"start_run", "log_metric", "end_run", "runs"} <= set(report["magics"])
