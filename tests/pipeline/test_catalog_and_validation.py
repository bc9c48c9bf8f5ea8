"""The step catalog as plain data, and validation issues as a person reads them."""

from __future__ import annotations

import json

import pytest

from dsmagic.pipeline import PORT_TYPES, Pipeline, catalog, catalog_json, get_spec
from dsmagic.pipeline._schema import check


def test_catalog_has_every_required_kind_of_step():
    types = {spec.type for spec in catalog()}
    assert len(types) >= 30
    required = {"read_csv", "read_parquet", "sklearn_dataset", "dataframe", "drop_columns",
                "drop_missing", "deduplicate", "impute", "one_hot_encode", "ordinal_encode",
                "standard_scale", "minmax_scale", "robust_scale", "variance_threshold",
                "select_k_best", "rfe", "correlation_filter", "smote", "adasyn",
                "borderline_smote", "train_test_split", "cross_validate", "voting_classifier",
                "stacking_classifier", "optuna_tune", "classification_metrics",
                "regression_metrics", "confusion_matrix", "roc_curve", "shap_explain",
                "save_model", "custom_code"}  # fmt: skip
    assert required <= types
    assert {s.type for s in catalog("model")} >= {"random_forest_classifier", "ridge"}


def test_every_spec_is_plain_data_with_valid_defaults_and_help():
    palette = catalog_json()
    json.dumps(palette)  # a front end gets it as is
    for spec in catalog():
        schema = spec.params_schema
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        assert spec.doc and spec.title
        for name, param in schema["properties"].items():
            assert param.get("description"), (spec.type, name)
            if "default" in param:
                assert check(param["default"], param) is None, (spec.type, name)
        for port in (*spec.inputs, *spec.outputs):
            assert port.type in PORT_TYPES
    custom = get_spec("custom_code")
    assert custom.custom_code and "CUSTOM CODE" in custom.doc
    assert sum(s["custom_code"] for s in palette["steps"]) == 1


def issues_of(p: Pipeline) -> set[tuple[str | None, str]]:
    return {(i.step, i.code) for i in p.validate()}


def test_validation_names_the_step_and_the_problem(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    doc = {
        "schema_version": 2,
        "id": "p1",
        "steps": {
            "csv": {"type": "read_csv", "params": {"path": "missing.csv"}},
            "target": {"type": "select_target", "params": {"target": 3}},
            "split": {"type": "train_test_split", "params": {"test_size": 2, "colour": "red"}},
            "model": {"type": "ridge", "params": {}},
            "metrics": {"type": "classification_metrics", "params": {}},
            "ghost": {"type": "teleport", "params": {}},
            "lonely": {"type": "impute", "params": {}},
            "a": {"type": "deduplicate", "params": {}},
            "b": {"type": "deduplicate", "params": {}},
            "nopath": {"type": "read_csv", "params": {}},
        },
        "edges": [
            {"source": "csv", "source_port": "data", "target": "target", "target_port": "data"},
            {"source": "csv", "source_port": "data", "target": "split", "target_port": "data"},
            {
                "source": "model",
                "source_port": "model",
                "target": "metrics",
                "target_port": "model",
            },
            {"source": "a", "source_port": "data", "target": "b", "target_port": "data"},
            {"source": "b", "source_port": "data", "target": "a", "target_port": "data"},
        ],
        "layout": {},
    }
    p = Pipeline.from_dict(doc)
    found = issues_of(p)
    assert found >= {
        ("csv", "missing-file"),
        ("target", "bad-param"),
        ("split", "bad-param"),
        ("split", "unknown-param"),
        ("split", "type-mismatch"),
        ("model", "unconnected-input"),
        ("ghost", "unknown-type"),
        ("lonely", "unconnected-input"),
        ("a", "cycle"),
        ("b", "cycle"),
        ("nopath", "missing-param"),
    }
    messages = {i.code: i.message for i in p.validate()}
    assert (
        "expects features + target (X, y) but 'csv' gives a pandas DataFrame"
        in (messages["type-mismatch"])
    )
    assert "add a 'select_target' step first" in messages["type-mismatch"]
    assert messages["missing-file"].startswith("data file 'missing.csv' not found")
    assert "must be less than 1, got 2" in messages["bad-param"] or any(
        "must be less than 1" in i.message for i in p.validate()
    )
    assert all(i.step for i in p.validate())
    with pytest.raises(Exception, match="is not valid"):
        p.to_script()


def test_semantic_checks_catch_task_mismatches():
    p = Pipeline()
    with p.batch():
        p.add_step("sklearn_dataset", "data", name="diabetes")
        p.add_step("select_target", "target")
        p.add_step("smote", "smote")
        p.add_step("train_test_split", "split", stratify=False)
        p.add_step("ridge", "model")
        p.add_step("classification_metrics", "metrics")
        p.add_step("gaussian_nb", "nb")
        p.add_step("optuna_tune", "tune")
        for a, b in [
            ("data", "target"),
            ("target", "smote"),
            ("smote", "split"),
            ("split", "model"),
            ("model", "metrics"),
            ("split", "nb"),
            ("nb", "tune"),
        ]:
            p.connect(a, b)  # fmt: skip
    found = issues_of(p)
    assert ("model", "task-mismatch") in found  # SMOTE before a regressor
    assert ("metrics", "task-mismatch") in found  # classification metrics on a regressor
    assert ("tune", "not-tunable") not in found  # naive Bayes has a search space


def test_custom_code_is_a_warning_not_an_error():
    p = Pipeline()
    p.add_step("custom_code", "custom", code="df = df.head()")
    p.add_step("sklearn_dataset", "data")
    p.connect("data", "custom")
    [issue] = p.validate()
    assert issue.severity == "warning" and issue.code == "custom-code"
    assert "runs as written" in str(issue)


def test_cli_validate_reports_the_same_issues(tmp_path, capsys):
    from dsmagic.cli import main

    p = Pipeline()
    p.add_step("select_target", "target")
    path = p.save(tmp_path / "p.dspipe.json")
    assert main(["pipeline", "validate", str(path), "--json"]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed == [i.to_dict() for i in Pipeline.load(path).validate()]
    good = Pipeline.from_template("regression").save(tmp_path / "good.dspipe.json")
    assert main(["pipeline", "validate", str(good)]) == 0
    assert "no issues" in capsys.readouterr().out
    (tmp_path / "bad.dspipe.json").write_text("{")
    assert main(["pipeline", "validate", str(tmp_path / "bad.dspipe.json")]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_a_500_step_pipeline_validates():
    p = Pipeline()
    with p.batch():
        previous = p.add_step("sklearn_dataset", "s0")
        for i in range(1, 500):
            current = p.add_step("deduplicate", f"s{i}")
            p.connect(previous, current)
            previous = current
    assert p.validate() == []
    assert len(p.order()) == 500


def test_validation_is_a_registry_of_rules_a_new_rule_joins(monkeypatch):
    from dsmagic.pipeline import _validate

    assert list(_validate.STEP_RULES) == ["unknown-type", "params", "custom-code"]
    assert list(_validate.EDGE_RULES) == ["self-loop", "ports"]
    assert list(_validate.PIPELINE_RULES) == ["inputs", "cycle", "data-files", "meaning"]
    p = Pipeline.from_template("classification")
    assert p.validate(check_files=False) == []

    def scratch(check, step_id, step):
        if step_id.startswith("tmp"):
            check.add(_validate.Issue(step_id, "scratch", "rename it before sharing", "warning"))

    monkeypatch.setitem(_validate.STEP_RULES, "scratch", scratch)
    p.add_step("drop_missing", "tmp_clean")
    found = [(i.step, i.code) for i in p.validate(check_files=False)]
    assert found[0] == ("tmp_clean", "scratch")
