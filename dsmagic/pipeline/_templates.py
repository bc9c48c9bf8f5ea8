"""Ready-made pipelines: classification, regression, imbalanced classification."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from dsmagic.errors import NotFoundError

if TYPE_CHECKING:
    from dsmagic.pipeline._pipeline import Pipeline

TEMPLATES = {
    "classification": "breast cancer data -> impute -> scale -> split -> random forest -> "
    "metrics, ROC, saved model",
    "regression": "diabetes data -> impute -> scale -> split -> ridge -> metrics, saved model",
    "imbalanced": "breast cancer data (37% minority) -> impute -> scale -> SMOTE inside the "
    "model Pipeline -> stratified split -> logistic regression -> balanced metrics",
}


def templates() -> dict[str, str]:
    return dict(TEMPLATES)


def build(p: Pipeline, name: str) -> None:
    if name not in TEMPLATES:
        raise NotFoundError(f"no template {name!r}: use one of {', '.join(TEMPLATES)}")

    def chain(*ids: str) -> None:
        for source, target in pairwise(ids):
            p.connect(source, target)

    def at(column: int, row: int = 0) -> tuple[float, float]:
        return (column * 240.0, row * 140.0)

    with p.batch(f"template {name}"):
        if name == "regression":
            p.add_step("sklearn_dataset", "data", name="diabetes", position=at(0))
        else:
            p.add_step("sklearn_dataset", "data", name="breast_cancer", position=at(0))
        p.add_step("select_target", "target", target="target", position=at(2))
        p.add_step("impute", "impute", strategy="median", position=at(3))
        p.add_step("standard_scale", "scale", position=at(4))
        chain("data", "target", "impute", "scale")
        last = "scale"
        if name == "imbalanced":
            p.add_step("smote", "smote", position=at(5))
            chain("scale", "smote")
            last = "smote"
        p.add_step("train_test_split", "split", stratify=name != "regression", position=at(6))
        chain(last, "split")
        if name == "regression":
            p.add_step("ridge", "model", alpha=1.0, position=at(7))
            p.add_step("regression_metrics", "metrics", position=at(8, -1))
        elif name == "imbalanced":
            p.add_step("logistic_regression", "model", position=at(7))
            p.add_step("classification_metrics", "metrics", position=at(8, -1))
        else:
            p.add_step("random_forest_classifier", "model", n_estimators=100, position=at(7))
            p.add_step("classification_metrics", "metrics", position=at(8, -1))
            p.add_step("roc_curve", "roc", position=at(8, 1))
            p.connect("model", "roc")
        p.add_step("save_model", "save", position=at(8, 0))
        chain("split", "model", "metrics")
        p.connect("model", "save")
