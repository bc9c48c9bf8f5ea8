"""Pipelines that together use every step type, and the small data files they read."""

from __future__ import annotations

import itertools
from pathlib import Path

from dsmagic.pipeline import Pipeline


def write_data(folder: Path) -> None:
    """A CSV with missing values, duplicates and two categorical columns; a Parquet file."""
    import numpy as np
    from sklearn.datasets import load_breast_cancer, load_diabetes

    frame = load_breast_cancer(as_frame=True).frame.iloc[:, [*list(range(8)), -1]].copy()
    frame.columns = [f"f{i}" for i in range(8)] + ["label"]
    rng = np.random.default_rng(0)
    frame["color"] = rng.choice(["red", "green", "blue"], len(frame))
    frame["size"] = rng.choice(["s", "m", "l"], len(frame))
    frame["unused"] = 1.0
    frame["f7_copy"] = frame["f0"] * 2.0  # perfectly correlated: the filter drops it
    frame.loc[::17, "f1"] = np.nan
    frame.loc[::29, "f2"] = np.nan
    frame = frame.copy()
    frame.loc[len(frame)] = frame.iloc[0]  # one duplicate row
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "patients.csv", index=False)
    load_diabetes(as_frame=True).frame.to_parquet(folder / "diabetes.parquet")


def classification_all() -> Pipeline:
    p = Pipeline("coverage-classification")
    with p.batch():
        p.add_step("read_csv", "csv", path="patients.csv")
        p.add_step("drop_columns", "drop", columns=["unused"])
        p.add_step("drop_missing", "dropna", subset=["f2"])
        p.add_step("deduplicate", "dedup")
        p.add_step("custom_code", "custom", code='df = df.assign(f3=df["f3"].clip(lower=0))')
        p.add_step("correlation_filter", "corr", threshold=0.99, exclude=["label"])
        p.add_step("select_target", "target", target="label")
        p.add_step("impute", "impute", strategy="mean")
        p.add_step("one_hot_encode", "onehot", columns=["color"])
        p.add_step("ordinal_encode", "ordinal", columns=["size"])
        p.add_step("standard_scale", "scale")
        p.add_step("variance_threshold", "variance", threshold=0.0)
        p.add_step("select_k_best", "kbest", k=8)
        p.add_step("smote", "smote")
        p.add_step("train_test_split", "split", test_size=0.3)
        for kind, step_id, params in [
            ("logistic_regression", "lr", {}),
            ("random_forest_classifier", "rf", {"n_estimators": 15, "max_depth": 4}),
            ("gradient_boosting_classifier", "gb", {"n_estimators": 15}),
            ("hist_gradient_boosting_classifier", "hgb", {"max_iter": 15}),
            ("decision_tree_classifier", "dt", {"max_depth": 3}),
            ("knn_classifier", "knn", {}),
            ("svc", "svc", {}),
            ("gaussian_nb", "nb", {}),
        ]:
            p.add_step(kind, step_id, **params)
            p.connect("split", step_id)
        p.add_step("voting_classifier", "vote")
        p.add_step("stacking_classifier", "stack", folds=3)
        p.add_step("optuna_tune", "tune", n_trials=3, folds=2)
        p.add_step("classification_metrics", "eval_vote")
        p.add_step("classification_metrics", "eval_tune")
        p.add_step("classification_metrics", "eval_hgb")
        p.add_step("confusion_matrix", "confusion")
        p.add_step("roc_curve", "roc")
        p.add_step("cross_validate", "cv", folds=3)
        p.add_step("shap_explain", "shap", samples=5, background=10)
        p.add_step("save_model", "save", filename="vote.joblib")
        chain = ["csv", "drop", "dropna", "dedup", "custom", "corr", "target", "impute", "onehot",
                 "ordinal", "scale", "variance", "kbest", "smote", "split"]  # fmt: skip
        for source, target in itertools.pairwise(chain):
            p.connect(source, target)
        for member in ("lr", "rf", "nb"):
            p.connect(member, "vote")
        for member in ("dt", "knn", "svc"):
            p.connect(member, "stack")
        p.connect("lr", "tune")
        p.connect("vote", "eval_vote")
        p.connect("tune", "eval_tune")
        p.connect("stack", "confusion")
        p.connect("rf", "roc")
        p.connect("gb", "cv")
        p.connect("hgb", "eval_hgb")
        p.connect("dt", "shap")
        p.connect("vote", "save")
    return p


def classification_more() -> Pipeline:
    """The other scalers, samplers and RFE, on a bundled dataset."""
    p = Pipeline("coverage-classification-2")
    with p.batch():
        p.add_step("sklearn_dataset", "data", name="breast_cancer")
        p.add_step("select_target", "target")
        p.add_step("minmax_scale", "minmax")
        p.add_step("rfe", "rfe", n_features_to_select=6, step=5)
        p.add_step("adasyn", "adasyn")
        p.add_step("train_test_split", "split_a")
        p.add_step("decision_tree_classifier", "tree", max_depth=4)
        p.add_step("classification_metrics", "eval_a")
        p.add_step("robust_scale", "robust")
        p.add_step("borderline_smote", "border")
        p.add_step("train_test_split", "split_b", test_size=0.2)
        p.add_step("knn_classifier", "knn", n_neighbors=7)
        p.add_step("classification_metrics", "eval_b", average="weighted")
        for chain in (["data", "target", "minmax", "rfe", "adasyn", "split_a", "tree", "eval_a"],
                      ["target", "robust", "border", "split_b", "knn", "eval_b"]):  # fmt: skip
            for source, target in itertools.pairwise(chain):
                p.connect(source, target)
    return p


def regression_all() -> Pipeline:
    p = Pipeline("coverage-regression")
    with p.batch():
        p.add_step("read_parquet", "parquet", path="diabetes.parquet")
        p.add_step("dataframe", "frame", variable="extra")
        p.add_step("select_target", "target")
        p.add_step("select_target", "target_extra")
        p.add_step("impute", "impute", strategy="constant", fill_value=0)
        p.add_step("train_test_split", "split", stratify=False)
        p.add_step("train_test_split", "split_extra", stratify=False)
        models = [
            ("linear_regression", "linear", {}),
            ("ridge", "ridge", {}),
            ("lasso", "lasso", {"alpha": 0.1}),
            ("random_forest_regressor", "rf", {"n_estimators": 10, "max_depth": 4}),
            ("gradient_boosting_regressor", "gb", {"n_estimators": 15}),
            ("decision_tree_regressor", "dt", {"max_depth": 4}),
            ("knn_regressor", "knn", {}),
            ("svr", "svr", {"C": 10.0}),
        ]
        for kind, step_id, params in models:
            p.add_step(kind, step_id, **params)
            p.connect("split", step_id)
        p.add_step("ridge", "ridge_extra")
        p.add_step("voting_regressor", "vote")
        p.add_step("stacking_regressor", "stack", folds=3)
        p.add_step("optuna_tune", "tune", n_trials=3, folds=2, scoring="r2")
        p.add_step("cross_validate", "cv", folds=3, stratified=False, scoring="r2")
        for step_id in ("eval_vote", "eval_stack", "eval_tune", "eval_extra", "eval_gb"):
            p.add_step("regression_metrics", step_id)
        for chain in (
            ["parquet", "target", "impute", "split"],
            ["frame", "target_extra", "split_extra", "ridge_extra", "eval_extra"],
        ):
            for source, target in itertools.pairwise(chain):
                p.connect(source, target)  # fmt: skip
        for member in ("linear", "ridge", "lasso", "rf"):
            p.connect(member, "vote")
        for member in ("dt", "knn", "svr"):
            p.connect(member, "stack")
        p.connect("ridge", "tune")
        p.connect("linear", "cv")
        p.connect("gb", "eval_gb")
        p.connect("vote", "eval_vote")
        p.connect("stack", "eval_stack")
        p.connect("tune", "eval_tune")
    return p


def extra_frame():
    from sklearn.datasets import load_diabetes

    return load_diabetes(as_frame=True).frame.iloc[:200]


ALL = {
    "coverage-classification": classification_all,
    "coverage-classification-2": classification_more,
    "coverage-regression": regression_all,
}
