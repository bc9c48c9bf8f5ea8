"""``dsmagic data list|versions|show|lineage|drift``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

import dsmagic as dm
from dsmagic.cli import main


def _track():
    rng = np.random.default_rng(0)
    raw = pd.DataFrame({"x": rng.normal(0, 1, 2000), "g": rng.choice(list("ab"), 2000)})
    dm.track_data(raw, "raw")
    dm.track_data(raw.assign(x=raw["x"] + 1), "raw")
    dm.track_data(raw.head(100), "sample", parent="raw@1")


def test_list_versions_show_and_lineage(dsmagic_home, capsys):
    assert main(["data", "list"]) == 0
    assert "no datasets tracked yet" in capsys.readouterr().out
    _track()
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "raw" in out and "sample" in out
    assert main(["data", "versions", "raw", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["ref"] for r in records] == ["raw@1", "raw@2"]
    assert main(["data", "show", "raw@2"]) == 0
    assert "raw@2: 2,000 rows x 2 columns" in capsys.readouterr().out
    assert main(["data", "lineage", "raw@1"]) == 0
    assert "raw@1 → sample@1 (explicit)" in capsys.readouterr().out


def test_drift_prints_a_report_and_can_fail_a_ci_check(dsmagic_home, capsys):
    _track()
    assert main(["data", "drift", "raw@1", "raw@2"]) == 0
    out = capsys.readouterr().out
    assert "x       DRIFT" in out or "DRIFT" in out
    assert main(["data", "drift", "raw@1", "raw@2", "--columns", "x", "--fail-on-drift"]) == 1
    capsys.readouterr()
    assert main(["data", "drift", "raw@1", "raw@2", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["correction"] == "Benjamini-Hochberg"
    assert [c["column"] for c in report["columns"] if c["drifted"]] == ["x"]


def test_errors_are_one_line_with_exit_code_2(dsmagic_home, capsys):
    assert main(["data", "versions", "ghost"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dsmagic: no dataset named 'ghost'") and err.count("\n") == 1
