"""Every public name of ``dsmagic`` resolves, whatever was imported first."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import importlib, json, pkgutil
import dsmagic as dm
# Import every subpackage first: this binds dsmagic.<subpackage> attributes.
for info in pkgutil.walk_packages(dm.__path__, "dsmagic."):
    if not info.name.split(".")[-1].startswith("_"):
        importlib.import_module(info.name)
broken = [n for n in dm._LAZY if not callable(getattr(dm, n))]
print(json.dumps(broken))
"""


def test_every_lazy_name_is_usable_after_importing_all_subpackages(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
