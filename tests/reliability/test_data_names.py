"""Dataset names and references with newlines, control characters or huge version numbers
are one-line errors at the call: ``track_data``, ``load_data``, ``%drift``, ``dsmagic data``.
SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dsmagic as dm

ROOT = Path(__file__).parents[2]
BAD_NAMES = [
    "customers\n",
    "cust\nomers",
    "customers\r",
    "cus\ttomers",
    "nul\x00",
    "bell\x07",
    "del\x7f",
]
BAD_REFS = [
    ("customers@99999999999999999999", "customers has no version 99999999999999999999"),
    ("customers@2147483648", "customers has no version 2147483648"),
    ("customers@" + "9" * 5000, "(5000 digits)"),
    ("customers@v0000000000000000000001", None),  # version 1 with leading zeros: fine
    ("customers\n", "control character '\\n'"),
    ("customers@1\n", "control character '\\n'"),
    ("customers\x00@1", "control character '\\x00'"),
    ("customers@\u0661", "cannot read version '\u0661'"),  # Arabic-Indic digit one: no number
]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"x": np.arange(20), "g": list("ab") * 10})


def _one_line(message: str) -> None:
    assert "\n" not in message and len(message) < 300, message


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_track_data_refuses_names_with_control_characters(dsmagic_home, name):
    with pytest.raises(dm.DsmagicError, match="control character") as info:
        dm.track_data(_frame(), name)
    _one_line(str(info.value))
    assert dm.list_datasets().empty
    assert not (dsmagic_home / "artifacts" / "data").exists() or not list(
        (dsmagic_home / "artifacts" / "data").iterdir()
    )


@pytest.mark.parametrize(("ref", "message"), BAD_REFS, ids=[r[:40] for r, _ in BAD_REFS])
def test_load_data_and_get_version_refuse_bad_references_in_one_line(dsmagic_home, ref, message):
    dm.track_data(_frame(), "customers")
    if message is None:
        assert dm.get_version(ref).version == 1
        return
    for call in (dm.load_data, dm.get_version):
        with pytest.raises(dm.DsmagicError) as info:
            call(ref)
        assert message in str(info.value), str(info.value)
        _one_line(str(info.value))
    with pytest.raises(dm.DsmagicError, match="control character"):
        dm.list_versions("customers\n")


def test_drift_magic_refuses_a_huge_version_in_one_line(ipython, capsys):
    from dsmagic.data import track_data

    track_data(_frame(), "customers")
    result = ipython.run_cell("%drift customers@1 customers@99999999999999999999")
    assert not result.success
    error = str(result.error_in_exec or result.error_before_exec)
    assert "customers has no version 99999999999999999999" in error
    _one_line(error)
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["data", "show", "customers@99999999999999999999"], "no version 99999999999999999999"),
        (["data", "drift", "customers@1", "customers@99999999999999999999"], "no version 9999"),
        (["data", "lineage", "customers@1\n"], "control character '\\n'"),
        (["data", "versions", "customers\n"], "control character '\\n'"),
    ],
    ids=["show", "drift", "lineage", "versions"],
)
def test_cli_refuses_bad_references_in_one_line(dsmagic_home, args, message):
    dm.track_data(_frame(), "customers")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "dsmagic.cli", *args], capture_output=True, text=True, env=env
    )
    assert done.returncode == 2, done
    assert done.stderr.startswith("dsmagic: ") and message in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
