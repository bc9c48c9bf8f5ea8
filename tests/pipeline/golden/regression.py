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
import sklearn
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.datasets import load_diabetes
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

log = logging.getLogger("pipeline")

PIPELINE = "regression"
STEPS = [
    "data",
    "target",
    "impute",
    "scale",
    "split",
    "model",
    "metrics",
    "save",
]
DATA_FILES = []


def run(DATA_DIR, OUTPUT_DIR, SEED):
    """Run every step; return the metrics (also written to OUTPUT_DIR/metrics.json)."""
    Path(OUTPUT_DIR).mkdir(parents=True, exist_ok=True)
    sklearn.set_config(transform_output="pandas")
    # --- data: Bundled dataset ---
    log.info("step %s", "data: Bundled dataset")
    df_data = load_diabetes(as_frame=True).frame
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
        stratify=None,
    )
    # --- model: Ridge regression ---
    log.info("step %s", "model: Ridge regression")
    model_model = Pipeline(
        [
            ("impute", prep_impute),
            ("scale", prep_scale),
            ("model", Ridge(alpha=1.0, random_state=SEED)),
        ]
    )
    model_model.fit(X_train_split, y_train_split)
    # --- metrics: Regression metrics ---
    log.info("step %s", "metrics: Regression metrics")
    pred_metrics = model_model.predict(X_test_split)
    metrics_metrics = {
        "r2": float(r2_score(y_test_split, pred_metrics)),
        "mae": float(mean_absolute_error(y_test_split, pred_metrics)),
        "rmse": float(root_mean_squared_error(y_test_split, pred_metrics)),
    }
    # --- save: Save model ---
    log.info("step %s", "save: Save model")
    path_save = Path(OUTPUT_DIR) / "model.joblib"
    joblib.dump(model_model, path_save)
    print("saved model to", path_save)
    # --- results ---
    metrics = {}
    metrics.update(metrics_metrics)
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
