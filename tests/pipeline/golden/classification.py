"""A pipeline exported by dsmagic 0.1.0 (its name is in PIPELINE).

Run it with: python pipeline.py --data DATA_DIR --output OUTPUT_DIR [--seed N]
Exit codes: 0 success, 1 a step failed, 2 bad arguments or missing data files.
"""

import argparse
import json
import logging
import sys
from pathlib import Path

import joblib
import matplotlib.pyplot as plt
import sklearn
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.metrics import (
    RocCurveDisplay,
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

log = logging.getLogger("pipeline")

PIPELINE = "classification"
STEPS = [
    "data",
    "target",
    "impute",
    "scale",
    "split",
    "model",
    "metrics",
    "roc",
    "save",
]
DATA_FILES = []


def run(DATA_DIR, OUTPUT_DIR, SEED):
    """Run every step; return the metrics (also written to OUTPUT_DIR/metrics.json)."""
    Path(OUTPUT_DIR).mkdir(parents=True, exist_ok=True)
    sklearn.set_config(transform_output="pandas")
    # --- data: Bundled dataset ---
    log.info("step %s", "data: Bundled dataset")
    df_data = load_breast_cancer(as_frame=True).frame
    # --- target: Features and target ---
    log.info("step %s", "target: Features and target")
    features_target = df_data.drop(columns=["target"])
    target_target = df_data["target"]
    # --- impute: Impute missing values ---
    log.info("step %s", "impute: Impute missing values")
    prep_impute = ColumnTransformer(
        [
            (
                "impute",
                SimpleImputer(strategy="median"),
                make_column_selector(dtype_include="number"),
            )
        ],
        remainder="passthrough",
        verbose_feature_names_out=False,
    )
    # --- scale: Standard scaling ---
    log.info("step %s", "scale: Standard scaling")
    prep_scale = ColumnTransformer(
        [("scale", StandardScaler(with_mean=True), make_column_selector(dtype_include="number"))],
        remainder="passthrough",
        verbose_feature_names_out=False,
    )
    # --- split: Train/test split ---
    log.info("step %s", "split: Train/test split")
    X_train_split, X_test_split, y_train_split, y_test_split = train_test_split(
        features_target,
        target_target,
        test_size=0.25,
        random_state=SEED,
        stratify=target_target,
    )
    # --- model: Random forest classifier ---
    log.info("step %s", "model: Random forest classifier")
    model_model = Pipeline(
        [
            ("impute", prep_impute),
            ("scale", prep_scale),
            (
                "model",
                RandomForestClassifier(
                    n_estimators=100,
                    max_depth=None,
                    min_samples_leaf=1,
                    random_state=SEED,
                ),
            ),
        ]
    )
    model_model.fit(X_train_split, y_train_split)
    # --- metrics: Classification metrics ---
    log.info("step %s", "metrics: Classification metrics")
    pred_metrics = model_model.predict(X_test_split)
    metrics_metrics = {
        "accuracy": float(accuracy_score(y_test_split, pred_metrics)),
        "balanced_accuracy": float(balanced_accuracy_score(y_test_split, pred_metrics)),
        "f1": float(f1_score(y_test_split, pred_metrics, average="macro")),
        "precision": float(
            precision_score(y_test_split, pred_metrics, average="macro", zero_division=0)
        ),
        "recall": float(recall_score(y_test_split, pred_metrics, average="macro", zero_division=0)),
    }
    # --- roc: ROC curve ---
    log.info("step %s", "roc: ROC curve")
    proba_roc = model_model.predict_proba(X_test_split)
    if proba_roc.shape[1] == 2:
        metrics_roc = {"roc_auc": float(roc_auc_score(y_test_split, proba_roc[:, 1]))}
        display_roc = RocCurveDisplay.from_predictions(
            y_test_split, proba_roc[:, 1], pos_label=model_model.classes_[1]
        )
    else:
        metrics_roc = {"roc_auc": float(roc_auc_score(y_test_split, proba_roc, multi_class="ovr"))}
        display_roc = RocCurveDisplay.from_predictions(
            y_test_split == model_model.classes_[0], proba_roc[:, 0]
        )
    figure_roc = Path(OUTPUT_DIR) / "roc_roc.png"
    display_roc.figure_.savefig(figure_roc)
    plt.close(display_roc.figure_)
    # --- save: Save model ---
    log.info("step %s", "save: Save model")
    path_save = Path(OUTPUT_DIR) / "model.joblib"
    joblib.dump(model_model, path_save)
    print("saved model to", path_save)
    # --- results ---
    metrics = {}
    metrics.update(metrics_metrics)
    metrics.update(metrics_roc)
    report = json.dumps(metrics, indent=2, sort_keys=True) + "\n"
    (Path(OUTPUT_DIR) / "metrics.json").write_text(report)
    print(report)
    return metrics


def main(argv=None):
    parser = argparse.ArgumentParser(description=f"Run pipeline {PIPELINE}")
    parser.add_argument("--data", default=".", help="folder with the input data files")
    parser.add_argument("--output", default="output", help="folder for metrics and models")
    parser.add_argument("--seed", type=int, default=42, help="random seed")
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging")
    parser.add_argument(
        "--dry-run", action="store_true", help="check inputs and list the steps; run nothing"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    missing = [name for name in DATA_FILES if not (Path(args.data) / name).is_file()]
    if missing:
        log.error("missing data file(s) in %s: %s", args.data, ", ".join(missing))
        return 2
    if args.dry_run:
        log.info("dry run: %d steps: %s", len(STEPS), ", ".join(STEPS))
        return 0
    try:
        run(args.data, args.output, args.seed)
    except Exception:
        log.exception("pipeline failed")
        return 1
    log.info("done; results in %s", args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
