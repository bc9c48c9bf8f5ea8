"""Hostile text in a pipeline: names and ids with line breaks are refused with one line at
load, in `dsmagic pipeline validate` and at the call; deep JSON is one line, not a
RecursionError; quotes, ``\"\"\"``, backslashes and unicode anywhere else stay data in the
script and notebook, which compile and run."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dsmagic.errors import DsmagicError
from dsmagic.pipeline import Pipeline
from tests.pipeline._hostile import HOSTILE

REPO = Path(__file__).resolve().parents[2]
# One line of everything that breaks naive code generation.
NAME = 'it\'s "q" \'\'\' """ \\ \\n {x} %s ünïcødé 名前 🙂 #'


def doc(**changes) -> dict:
    p = Pipeline("ok")
    p.add_step("sklearn_dataset", "data")
    p.add_step("select_target", "target")
    p.connect("data", "target")
    out = p.to_dict()
    out.update(changes)
    return out


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def with_deep(text: str, depth: int = 1000) -> str:
    """JSON text with the string "DEEP" replaced by lists nested ``depth`` deep."""
    return text.replace('"DEEP"', "[" * depth + "]" * depth)


def renamed_step(step_id: str) -> dict:
    out = doc()
    out["steps"][step_id] = out["steps"].pop("target")
    out["edges"][0]["target"] = step_id
    return out


DEEP_STEP = {"type": "sklearn_dataset", "params": {"x": "DEEP"}}
BAD_FILES = {
    "step id ending in a newline": (json.dumps(renamed_step("target\n")), "step id 'target\\n'"),
    "step id with a newline inside": (json.dumps(renamed_step("tar\nget")), "step id"),
    "name with a newline": (json.dumps(doc(name="churn\nmodel")), "contains '\\n'"),
    "name ending in a newline": (json.dumps(doc(name="churn\n")), "contains '\\n'"),
    "name with a carriage return": (json.dumps(doc(name="a\rb")), "contains '\\r'"),
    "name with a NUL": (json.dumps(doc(name="a\x00b")), "contains '\\x00'"),
    "name with a line separator": (json.dumps(doc(name="a\u2028b")), "contains '\\u2028'"),
    "id ending in a newline": (json.dumps(doc(id="abc\n")), "pipeline id"),
    "id with a slash": (json.dumps(doc(id="a/b")), "pipeline id"),
    "id that is '..'": (json.dumps(doc(id="..")), "pipeline id"),
    "params nested 1,000 deep": (
        with_deep(json.dumps(doc(steps={"data": DEEP_STEP}, edges=[]))),
        "nested more than 64 levels deep",
    ),
    "description nested 1,000 deep": (
        with_deep(json.dumps(doc(description="DEEP"))),
        "nested more than 64 levels deep",
    ),
    "JSON nested 100,000 deep": ("[" * 100_000 + "]" * 100_000, "nested more than 64 levels"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_one_line_at_load_and_in_validate(tmp_path, case):
    text, message = BAD_FILES[case]
    path = tmp_path / "bad.dspipe.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DsmagicError) as info:
        Pipeline.load(path)
    assert message in str(info.value) and "\n" not in str(info.value)
    result = subprocess.run([sys.executable, "-m", "dsmagic.cli", "pipeline", "validate",
                             str(path)], capture_output=True, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("dsmagic: ") and message in line


def test_deep_python_data_is_refused_too():
    with pytest.raises(DsmagicError, match="nested more than 64 levels deep"):
        Pipeline.from_dict(doc(description=nested(5000)))


def test_names_ids_and_identifiers_with_line_breaks_are_refused_at_the_call():
    p = Pipeline("fine")
    with pytest.raises(DsmagicError, match="contains '\\\\n'"):
        Pipeline("churn\n")
    with pytest.raises(DsmagicError, match="contains '\\\\n'"):
        p.rename("a\nb")
    with pytest.raises(DsmagicError, match="step id 'model\\\\n'"):
        p.add_step("logistic_regression", "model\n")
    p.add_step("dataframe", "frame", variable="df")
    with pytest.raises(DsmagicError, match="parameter 'variable'"):
        p.set_params("frame", variable="df\n")
    p.add_step("save_model", "save")
    with pytest.raises(DsmagicError, match="parameter 'filename'"):
        p.set_params("save", filename="model.joblib\n")
    assert p.name == "fine" and p.steps["frame"].params["variable"] == "df"


def test_validate_reports_an_identifier_parameter_with_a_newline(tmp_path):
    p = Pipeline("frames")
    p.add_step("dataframe", "frame", variable="df")
    bad = p.to_dict()
    bad["steps"]["frame"]["params"]["variable"] = "df\n"
    issues = Pipeline.from_dict(bad).validate(check_files=False)
    assert [(i.step, i.code, i.param) for i in issues] == [("frame", "bad-param", "variable")]


def hostile_pipeline() -> Pipeline:
    """Hostile text in the name, description, notes and every text parameter."""
    p = Pipeline(NAME, description=HOSTILE + '\n"""\n' + NAME)
    with p.batch():
        p.add_step("sklearn_dataset", "data", note=HOSTILE)
        p.add_step("drop_columns", "drop", columns=[HOSTILE], note='"""' + HOSTILE)
        p.add_step("select_target", "target", target="target", note="\\")
        p.add_step("impute", "impute", strategy="constant", fill_value=HOSTILE)
        p.add_step("train_test_split", "split")
        p.add_step("logistic_regression", "model", note=NAME)
        p.add_step("classification_metrics", "metrics")
        for a, b in zip(["data", "drop", "target", "impute", "split", "model"],
                        ["drop", "target", "impute", "split", "model", "metrics"]):  # fmt: skip
            p.connect(a, b)
    p.set_params("drop", columns=[HOSTILE + " (not a column)"])
    return p


def strings(code: str) -> list[str]:
    return [n.value for n in ast.walk(ast.parse(code))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)]  # fmt: skip


def test_hostile_text_compiles_as_data_in_script_and_notebook(tmp_path):
    p = hostile_pipeline()
    assert p.errors() == []
    for tracking in (False, True):
        script = p.to_script(tracking=tracking)
        compile(script, "pipeline.py", "exec")
        assert NAME in strings(script)  # the name is a string constant, nothing else
        nb = p.to_notebook(tracking=tracking)
        for cell in nb.cells:
            if cell.cell_type == "code":
                compile(cell.source, cell.id, "exec")
        names = {n.id for c in nb.cells if c.cell_type == "code"
                 for n in ast.walk(ast.parse(c.source)) if isinstance(n, ast.Name)}  # fmt: skip
        assert "__import__" not in names
    title = p.to_notebook().cells[0].source
    assert title.count("\n") == 2  # the name did not add lines to the markdown title
    # Round trip through the file: the same text comes back.
    again = Pipeline.load(p.save(tmp_path / "p.dspipe.json"))
    assert again.name == NAME and again.steps["data"].note == HOSTILE


def test_the_hostile_script_runs_and_only_reads_its_text(tmp_path):
    p = hostile_pipeline()
    p.set_params("drop", columns=["sepal width (cm)"])  # a column iris has: a real run
    p.set_params("impute", strategy="median")  # iris is numeric: a text fill would not fit
    script = tmp_path / "pipeline.py"
    p.to_script(script)
    out = tmp_path / "out"
    dry = subprocess.run([sys.executable, str(script), "--dry-run"], capture_output=True,
                         text=True, cwd=tmp_path, timeout=300)  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    assert "data, drop, target, impute, split, model, metrics" in dry.stderr
    result = subprocess.run([sys.executable, str(script), "--output", str(out)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (tmp_path / "PWNED").exists()
    assert 0.5 < json.loads((out / "metrics.json").read_text())["accuracy"] <= 1.0


def test_a_data_link_that_leads_out_of_the_data_folder_is_refused(sqlite_home, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("a,b\n1,2\n")
    data = tmp_path / "data"
    data.mkdir()
    (data / "table.csv").symlink_to(secret)  # what a cloned repository can ship
    p = Pipeline("links")
    p.add_step("read_csv", "csv", path="table.csv")
    p.data_dir = data
    [issue] = p.errors()
    assert issue.code == "outside-data" and "leads outside" in issue.message
    with pytest.raises(DsmagicError, match="leads outside"):
        p.run()
    with pytest.raises(DsmagicError, match="leads outside"):
        p.export(tmp_path / "out", include_data=True)
    assert not (tmp_path / "out" / "data" / "table.csv").exists()
