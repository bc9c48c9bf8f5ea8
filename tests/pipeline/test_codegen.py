"""Exported code: golden files, determinism, ruff, nbformat, requirements, Docker, zip,
and parameters that are data, never code."""

from __future__ import annotations

import ast
import itertools
import json
import os
import re
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import nbformat
import pytest

from dsmagic.pipeline import Pipeline, catalog
from dsmagic.pipeline._schema import check
from tests.pipeline._hostile import HOSTILE, HOSTILE_LINE
from tests.pipeline._pipelines import ALL

GOLDEN = Path(__file__).with_name("golden")
RUFF = [str(Path(sys.executable).with_name("ruff")), "check", "--isolated", "--line-length",
        "100", "--select", "E,F,W,I,B,UP,SIM,RUF", "--target-version", "py310"]  # fmt: skip


def ruff(*paths: Path) -> None:
    result = subprocess.run([*RUFF, *map(str, paths)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("template", ["classification", "regression", "imbalanced"])
def test_templates_match_golden_files(template, tmp_path):
    p = Pipeline.from_template(template)
    script = p.to_script()
    notebook = nbformat.writes(p.to_notebook()) + "\n"
    if os.environ.get("DSMAGIC_UPDATE_GOLDEN"):
        (GOLDEN / f"{template}.py.golden").write_text(script)
        (GOLDEN / f"{template}.ipynb.golden").write_text(notebook)
    # ".golden", so that formatters leave the expected output alone
    assert script == (GOLDEN / f"{template}.py.golden").read_text()
    assert notebook == (GOLDEN / f"{template}.ipynb.golden").read_text()


def test_export_is_deterministic_valid_and_ruff_clean(tmp_path):
    paths = []
    for name, build in ALL.items():
        first, second = build(), build()
        assert first.to_script() == second.to_script()
        nb = first.to_notebook(tmp_path / f"{name}.ipynb")
        nbformat.validate(nb)
        assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
        [parameters] = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert "DATA_DIR" in parameters.source and "SEED = 42" in parameters.source
        step_cells = [c for c in nb.cells if c.metadata.get("dsmagic")]
        assert [c.metadata["dsmagic"]["step"] for c in step_cells] == first.order()
        headers = [c.source for c in nb.cells if c.cell_type == "markdown"]
        assert all(any(f"(`{s}`)" in h for h in headers) for s in first.order())
        first.to_script(tmp_path / f"{name}.py")
        paths += [tmp_path / f"{name}.ipynb", tmp_path / f"{name}.py"]
    ruff(*paths)


def test_generated_code_uses_a_sklearn_pipeline():
    script = Pipeline.from_template("classification").to_script()
    assert "model_model = Pipeline(" in script
    assert '("impute", prep_impute)' in script and "ColumnTransformer(" in script
    imbalanced = Pipeline.from_template("imbalanced").to_script()
    assert "from imblearn.pipeline import Pipeline as ImbPipeline" in imbalanced


def test_requirements_are_pinned_and_minimal():
    text = Pipeline.from_template("regression").to_requirements()
    lines = text.splitlines()
    assert f"scikit-learn=={metadata.version('scikit-learn')}" in lines
    assert f"pandas=={metadata.version('pandas')}" in lines
    assert not any(line.startswith(("shap", "optuna", "imbalanced-learn", "dsmagic"))
                   for line in lines)  # fmt: skip
    imbalanced = Pipeline.from_template("imbalanced").to_requirements()
    assert f"imbalanced-learn=={metadata.version('imbalanced-learn')}" in imbalanced
    tracked = Pipeline.from_template("regression").to_requirements(tracking=True)
    assert "dsmagic==" in tracked
    script = Pipeline.from_template("regression").to_script(tracking=True)
    assert "import dsmagic" in script and "dsmagic.log_metrics(metrics)" in script
    assert "dsmagic" not in Pipeline.from_template("regression").to_script().split('"""')[2]


def test_export_folder_docker_bundle_and_deterministic_zip(tmp_path):
    p = Pipeline.from_template("classification")
    written = p.export(tmp_path / "out")
    names = sorted(str(path.relative_to(tmp_path / "out")) for path in written)
    assert names == [".dockerignore", "Dockerfile", "README.md", "docker-compose.yml",
                     "pipeline.dspipe.json", "pipeline.ipynb", "pipeline.py",
                     "requirements.txt"]  # fmt: skip
    readme = (tmp_path / "out" / "README.md").read_text()
    assert "docker compose up --build" in readme and "pip install -r requirements.txt" in readme
    dockerfile = (tmp_path / "out" / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert Pipeline.load(tmp_path / "out" / "pipeline.dspipe.json").to_json() == p.to_json()
    first = p.export(tmp_path / "a.zip")[0].read_bytes()
    second = p.export(tmp_path / "b.zip")[0].read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a.zip") as z:
        assert "pipeline.py" in z.namelist()
    only = p.export(tmp_path / "just", formats=["script"])
    assert [path.name for path in only] == ["pipeline.py"]
    # A Docker-only export's README lists the files it holds, and only those.
    docker = p.export(tmp_path / "docker", formats=["docker"])
    held = {path.name for path in docker}
    listed = set(re.findall(r"^- `([^`/]+)`:", (tmp_path / "docker" / "README.md").read_text(),
                            re.M))  # fmt: skip
    assert listed and listed <= held and "pipeline.ipynb" not in listed
    with pytest.raises(Exception, match="unknown export format 'pdf'"):
        p.export(tmp_path / "bad", formats=["pdf"])
    assert not (tmp_path / "bad").exists() or not any((tmp_path / "bad").iterdir())


def test_cli_export(tmp_path, capsys):
    from dsmagic.cli import main

    path = Pipeline.from_template("regression").save(tmp_path / "r.dspipe.json")
    assert main(["pipeline", "export", str(path), "--out", str(tmp_path / "x.zip")]) == 0
    assert zipfile.ZipFile(tmp_path / "x.zip").namelist()
    assert main(["pipeline", "export", str(path), "-o", str(tmp_path / "s"), "-f", "script"]) == 0
    assert (tmp_path / "s" / "pipeline.py").is_file()


def free_text_params(spec) -> dict[str, object]:
    """Every parameter of a step that accepts hostile text, set to it."""
    values = {}
    for name, schema in spec.params.items():
        if check(HOSTILE, schema) is None:
            values[name] = HOSTILE
        elif check([HOSTILE], schema) is None:
            values[name] = [HOSTILE]
    return values


def test_hostile_parameters_become_literals_on_every_step_type():
    """Set every free-text parameter of every step type (custom code excepted: its code is
    code by design) to hostile text; the generated code holds it only as string constants."""
    covered = set()
    for build in ALL.values():
        p = build()
        for step_id, step in p.steps.items():
            spec = next(s for s in catalog() if s.type == step.type)
            if spec.custom_code:
                continue
            hostile = free_text_params(spec)
            if hostile:
                p.set_params(step_id, **hostile)
            covered.add(spec.type)
        for code in (p.to_script(), *[c.source for c in p.to_notebook().cells
                                      if c.cell_type == "code"]):  # fmt: skip
            tree = ast.parse(code)
            names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
            attributes = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
            assert "__import__" not in names and "system" not in attributes
        constants = [n.value for n in ast.walk(ast.parse(p.to_script()))
                     if isinstance(n, ast.Constant) and isinstance(n.value, str)]  # fmt: skip
        assert any(HOSTILE in value for value in constants)
    assert covered == {s.type for s in catalog()} - {"custom_code"}
    takes_text = {s.type for s in catalog() if free_text_params(s) and not s.custom_code}
    assert takes_text >= {"read_csv", "drop_columns", "select_target", "impute",
                          "one_hot_encode", "correlation_filter"}  # fmt: skip


def test_hostile_pipeline_runs_and_treats_text_as_data(tmp_path):
    """Hostile file and column names flow through a real run of the exported script."""
    import numpy as np
    import pandas as pd

    data = tmp_path / "data"
    data.mkdir()
    rng = np.random.default_rng(0)
    feature, category, target, dropped = (HOSTILE + " f", HOSTILE + " c", HOSTILE + " y",
                                          HOSTILE + " d")  # fmt: skip
    frame = pd.DataFrame({feature: rng.normal(size=120),
                          category: rng.choice([HOSTILE, "b"], 120),
                          dropped: 1.0, "z": rng.normal(size=120)})  # fmt: skip
    frame[target] = (frame[feature] + frame["z"] > 0).astype(int)
    frame.loc[::10, feature] = np.nan
    frame.loc[::7, category] = None
    file_name = HOSTILE.replace("/", "_") + ".csv"
    frame.to_csv(data / file_name, index=False)
    p = Pipeline(HOSTILE_LINE)  # a name is one line; everything else keeps the newline
    with p.batch():
        p.add_step("read_csv", "csv", path=file_name)
        p.add_step("drop_columns", "drop", columns=[dropped])
        p.add_step("deduplicate", "dedup", subset=[feature, "z", category])
        p.add_step("correlation_filter", "corr", exclude=[target])
        p.add_step("select_target", "target", target=target)
        p.add_step("impute", "imp_num", strategy="median", columns=[feature])
        p.add_step("impute", "imp_cat", strategy="constant", fill_value=HOSTILE,
                   columns=[category])  # fmt: skip
        p.add_step("one_hot_encode", "onehot", columns=[category])
        p.add_step("standard_scale", "scale", columns=[feature])
        p.add_step("train_test_split", "split")
        p.add_step("logistic_regression", "model")
        p.add_step("classification_metrics", "metrics")
        chain = ["csv", "drop", "dedup", "corr", "target", "imp_num", "imp_cat", "onehot",
                 "scale", "split", "model", "metrics"]  # fmt: skip
        for a, b in itertools.pairwise(chain):
            p.connect(a, b)
    p.data_dir = data
    assert p.errors() == []
    script = tmp_path / "pipeline.py"
    p.to_script(script)
    ruff(script)
    result = subprocess.run([sys.executable, str(script), "--data", str(data), "--output",
                             str(tmp_path / "out")], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (tmp_path / "PWNED").exists()
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert 0.5 < metrics["accuracy"] <= 1.0


def test_script_dry_run_and_exit_codes(tmp_path):
    pipeline = Pipeline("exit-codes")  # pandas only: the script starts fast
    with pipeline.batch():
        pipeline.add_step("read_csv", "csv", path="table.csv")
        pipeline.add_step("drop_columns", "drop", columns=["y"])
        pipeline.add_step("deduplicate", "dedup")
        pipeline.connect("csv", "drop")
        pipeline.connect("drop", "dedup")
    script = tmp_path / "pipeline.py"
    pipeline.to_script(script)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(script), "--data", str(tmp_path), *args],
                              capture_output=True, text=True, cwd=tmp_path)  # fmt: skip

    missing = run()
    assert missing.returncode == 2 and "missing data file(s)" in missing.stderr
    (tmp_path / "table.csv").write_text("not,the,right,columns\n1,2,3,4\n")
    dry = run("--dry-run")
    assert dry.returncode == 0 and "dry run: 3 steps: csv, drop, dedup" in dry.stderr
    failed = run("--output", str(tmp_path / "o"), "--verbose")
    assert failed.returncode == 1 and "pipeline failed" in failed.stderr
    assert "KeyError" in failed.stderr and "['y'] not found" in failed.stderr


def test_exported_script_with_tracking_logs_a_dsmagic_run(dsmagic_home, tmp_path):
    import dsmagic as dm

    script = tmp_path / "pipeline.py"
    Pipeline.from_template("regression").to_script(script, tracking=True)
    ruff(script)
    run_env = {**os.environ}
    result = subprocess.run([sys.executable, str(script), "--output", str(tmp_path / "out")],
                            capture_output=True, text=True, cwd=tmp_path, env=run_env)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    [row] = dm.search_runs(experiment="pipelines").itertuples(index=False)
    run = dm.get_run(row.run_id)
    assert run.name == "regression" and run.status == "finished"
    assert run.metrics == pytest.approx(metrics)
    assert run.params["model.alpha"] == "1.0"
    assert {a["name"] for a in run.artifacts} == {"metrics.json", "model.joblib"}
