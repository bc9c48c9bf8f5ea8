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


STORE = ["sqlalchemy", "alembic", "dsmagic.store", "dsmagic.tracking"]

FIRST_EDA = """
import json, sys
import numpy as np, pandas as pd
from IPython.core.interactiveshell import InteractiveShell
rng = np.random.default_rng(0)
n = 3000
df = pd.DataFrame({
    "x": rng.normal(size=n), "n": rng.integers(0, 9, n), "flag": rng.random(n) < 0.3,
    "plan": rng.choice(["free", "pro", None], n), "city": [f"c{i % 300}" for i in range(n)],
    "when": pd.date_range("2024-01-01", periods=n, freq="h"),
    "kind": pd.Categorical(rng.choice(["a", "b"], n)), "y": rng.integers(0, 2, n),
})
shell = InteractiveShell.instance()
shell.user_ns.update(df=df, other=df.sample(frac=0.5, random_state=1))
shell.run_line_magic("load_ext", "dsmagic")
shell.run_line_magic("eda", "df --target y --html " + sys.argv[1])
shell.run_line_magic("eda", "df --compare other")
import dsmagic as dm
dm.eda(df, target="y", progress=False).to_html()
df.to_csv("frame.csv", index=False)
from dsmagic.cli import main
try:
    main(["eda", "frame.csv", "--json", "stats.json"])
except SystemExit as exit:
    assert not exit.code, exit.code
print(json.dumps(sorted(m for m in STORE if m in sys.modules)))
"""


def test_first_eda_in_a_fresh_kernel_never_imports_the_store(tmp_path):
    """No run active, nothing to write to the store: %eda and dm.eda (with --compare and
    --html) and ``dsmagic eda FILE`` leave SQLAlchemy, alembic and the tracking store
    unimported."""
    probe = f"STORE = {STORE!r}\n{FIRST_EDA}"
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "report.html")],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
    assert (tmp_path / "report.html").stat().st_size > 0
    assert (tmp_path / "stats.json").stat().st_size > 0


FIRST_REPORT = """
import json, sys
import numpy as np, pandas as pd
rng = np.random.default_rng(0)
n = 3000
df = pd.DataFrame({
    "x": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)), "n": rng.integers(0, 9, n),
    "flag": rng.random(n) < 0.3, "plan": rng.choice(["free", "pro", None], n),
    "when": pd.date_range("2024-01-01", periods=n, freq="h"), "y": rng.integers(0, 2, n),
})
import dsmagic as dm
before = set(sys.modules)
dm.eda(df, target="y", progress=False).to_html()
print(json.dumps(sorted({name.split(".")[0] for name in set(sys.modules) - before})))
"""


def test_first_report_imports_only_dsmagic_and_xxhash():
    """A first report costs its own modules and the fingerprint's xxhash, nothing else
    (no html entity table, no difflib: only a misspelt target needs it)."""
    result = subprocess.run([sys.executable, "-c", FIRST_REPORT], capture_output=True, text=True,
                            check=True)  # fmt: skip
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["dsmagic", "xxhash"]
