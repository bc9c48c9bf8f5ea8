"""%eda in a real IPython shell, the CLI, and logging to an active run (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from IPython.core.error import UsageError

import dsmagic as dm
from dsmagic.cli import main


def _frame(n: int = 500, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.normal(40, 10, n),
        "plan": rng.choice(["free", "pro"], n),
        "churned": rng.choice([0, 1], n),
    })  # fmt: skip


def test_magic_shows_the_report_writes_html_and_keeps_it_in_eda(ipython, tmp_path, capsys):
    ipython.user_ns["df"] = _frame()
    ipython.run_line_magic("eda", f"df --target churned --html {tmp_path / 'r.html'}")
    report = ipython.user_ns["_eda"]
    assert isinstance(report, dm.EDAReport)
    assert report.target["column"] == "churned"
    assert report.columns["age"]["count"] == 500
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Target: churned (classification)" in page
    assert f"wrote {tmp_path / 'r.html'}" in capsys.readouterr().out


def test_magic_compare_and_sample_options(ipython):
    ipython.user_ns["train"] = _frame(800, 1)
    ipython.user_ns["holdout"] = _frame(300, 2).assign(age=lambda f: f["age"] + 25)
    ipython.run_line_magic("eda", "train --compare holdout --sample 50%")
    report = ipython.user_ns["_eda"]
    assert report.sample == {"rows": 400, "of": 800, "reason": "requested"}
    assert report.compare.dataset["rows"] == 300
    assert "age" in report.drift.drifted_columns


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("dff", "no variable named 'dff' in the notebook; did you mean 'df'?"),
        ("df --target churn", "target 'churn' is not a column"),
        ("df --compare nothing", "no variable named 'nothing'"),
        ("df --sample lots", "--sample takes rows"),
        ("df[0]", "must be a variable name"),
        ("numbers", "needs a pandas DataFrame, got list"),
    ],
)
def test_magic_bad_input_is_one_line(ipython, line, message):
    ipython.user_ns["df"] = _frame(50)
    ipython.user_ns["numbers"] = [1, 2, 3]
    with pytest.raises(UsageError, match=message.replace("[", r"\[").replace("?", r"\?")):
        ipython.run_line_magic("eda", line)


def test_report_inside_an_active_run_is_logged_as_an_artifact(dsmagic_home):
    with dm.start_run("profiling") as run:
        dm.eda(_frame(), title="customers", progress=False)
    [artifact] = dm.get_run(run.id).artifacts
    assert artifact["name"] == "eda/customers.html"
    page = (dsmagic_home / "artifacts" / run.id / "eda" / "customers.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "EDA: customers" in page


def test_cli_profiles_csv_and_parquet(tmp_path, capsys):
    frame = _frame()
    frame.to_csv(tmp_path / "data.csv", index=False)
    frame.to_parquet(tmp_path / "data.parquet")
    assert main(["eda", str(tmp_path / "data.csv"), "--html", str(tmp_path / "out.html"),
                 "--target", "churned", "--json", str(tmp_path / "out.json")]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "EDAReport 'data.csv': 500 rows" in out and "wrote" in out
    assert (tmp_path / "out.html").read_text().startswith("<!DOCTYPE html>")
    assert json.loads((tmp_path / "out.json").read_text())["dataset"]["rows"] == 500
    assert main(["eda", str(tmp_path / "data.parquet"), "--compare",
                 str(tmp_path / "data.csv")]) == 0  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "no such file"),
        ("data.xlsx", b"x", "reads .csv, .tsv and .parquet"),
        ("broken.parquet", b"not parquet", "cannot read"),
    ],
)
def test_cli_bad_files_are_one_line(tmp_path, capsys, name, content, message):
    if content is not None:
        (tmp_path / name).write_bytes(content)
    assert main(["eda", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize("line", ["df --target typo", "df --sample lots", "df --compare nope"])
def test_a_bad_argument_shows_nothing_but_its_error(ipython, line):
    from IPython.utils.capture import capture_output

    ipython.user_ns["df"] = _frame(50)
    with capture_output() as captured:
        result = ipython.run_cell(f"%eda {line}")
    assert not result.success
    assert captured.outputs == []  # no "computing…" placeholder left above the error
    assert "computing" not in captured.stdout


def test_shell_quoting_and_a_trailing_comment(ipython, tmp_path):
    ipython.user_ns["df"] = _frame(60).rename(columns={"churned": "churned later"})
    target = tmp_path / "my report.html"
    result = ipython.run_cell(f"%eda df --target 'churned later' --html '{target}'  # first look")
    assert result.success, result.error_in_exec
    assert ipython.user_ns["_eda"].target["column"] == "churned later"
    assert target.is_file()
