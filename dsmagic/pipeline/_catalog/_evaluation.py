"""Metrics, confusion matrix and ROC on the held-out rows."""

from __future__ import annotations

from dsmagic.pipeline._catalog._spec import (
    METRICS_OUT,
    MODEL_IN,
    Port,
    StepSpec,
    choice,
)

FIGURE_OUT = Port("figure", "figure", doc="path of the saved figure")


def _classification(c) -> str:
    pred, avg = c.out("pred"), c.p("average")
    y = c.i("y_test", "model")
    return (
        f"{pred} = {c.i('model', 'model')}.predict({c.i('X_test', 'model')})\n"
        f"{c.out('metrics')} = {{\n"
        f'    "accuracy": float(accuracy_score({y}, {pred})),\n'
        f'    "balanced_accuracy": float(balanced_accuracy_score({y}, {pred})),\n'
        f'    "f1": float(f1_score({y}, {pred}, average={avg})),\n'
        f'    "precision": float(\n'
        f"        precision_score({y}, {pred}, average={avg}, zero_division=0)\n"
        "    ),\n"
        f'    "recall": float(recall_score({y}, {pred}, average={avg}, zero_division=0)),\n'
        "}"
    )


def _regression(c) -> str:
    pred, y = c.out("pred"), c.i("y_test", "model")
    return (
        f"{pred} = {c.i('model', 'model')}.predict({c.i('X_test', 'model')})\n"
        f"{c.out('metrics')} = {{\n"
        f'    "r2": float(r2_score({y}, {pred})),\n'
        f'    "mae": float(mean_absolute_error({y}, {pred})),\n'
        f'    "rmse": float(root_mean_squared_error({y}, {pred})),\n'
        "}"
    )


def _confusion(c) -> str:
    display, fig = c.out("display"), c.out("figure")
    return (
        f"{display} = ConfusionMatrixDisplay.from_estimator(\n"
        f"    {c.i('model', 'model')}, {c.i('X_test', 'model')}, {c.i('y_test', 'model')}, "
        f"normalize={c.p('normalize')}\n"
        ")\n"
        f'{fig} = Path(OUTPUT_DIR) / "confusion_matrix_{c.id}.png"\n'
        f"{display}.figure_.savefig({fig})\n"
        f"plt.close({display}.figure_)\n"
        f'print("confusion matrix:", {display}.confusion_matrix.tolist())'
    )


def _roc(c) -> str:
    model, X, y = c.i("model", "model"), c.i("X_test", "model"), c.i("y_test", "model")
    proba, fig, display = c.out("proba"), c.out("figure"), c.out("display")
    return (
        f"{proba} = {model}.predict_proba({X})\n"
        f"if {proba}.shape[1] == 2:\n"
        f'    {c.out("metrics")} = {{"roc_auc": float(roc_auc_score({y}, {proba}[:, 1]))}}\n'
        f"    {display} = RocCurveDisplay.from_predictions(\n"
        f"        {y}, {proba}[:, 1], pos_label={model}.classes_[1]\n"
        "    )\n"
        "else:\n"
        f"    {c.out('metrics')} = {{\n"
        f'        "roc_auc": float(roc_auc_score({y}, {proba}, multi_class="ovr"))\n'
        "    }\n"
        f"    {display} = RocCurveDisplay.from_predictions(\n"
        f"        {y} == {model}.classes_[0], {proba}[:, 0]\n"
        "    )\n"
        f'{fig} = Path(OUTPUT_DIR) / "roc_{c.id}.png"\n'
        f"{display}.figure_.savefig({fig})\n"
        f"plt.close({display}.figure_)"
    )


SPECS = [
    StepSpec(
        type="classification_metrics",
        category="evaluation",
        title="Classification metrics",
        doc="Accuracy, balanced accuracy, F1, precision and recall on the test rows.",
        short="eval",
        inputs=(MODEL_IN,),
        outputs=(METRICS_OUT,),
        params={
            "average": choice(
                ["macro", "weighted", "micro"], "macro", "how per-class scores are averaged"
            )
        },
        imports=(
            "from sklearn.metrics import accuracy_score",
            "from sklearn.metrics import balanced_accuracy_score",
            "from sklearn.metrics import f1_score",
            "from sklearn.metrics import precision_score",
            "from sklearn.metrics import recall_score",
        ),
        requires=("scikit-learn",),
        task="classification",
        code=_classification,
    ),
    StepSpec(
        type="regression_metrics",
        category="evaluation",
        title="Regression metrics",
        doc="R², mean absolute error and root mean squared error on the test rows.",
        short="eval",
        inputs=(MODEL_IN,),
        outputs=(METRICS_OUT,),
        params={},
        imports=(
            "from sklearn.metrics import mean_absolute_error",
            "from sklearn.metrics import r2_score",
            "from sklearn.metrics import root_mean_squared_error",
        ),
        requires=("scikit-learn",),
        task="regression",
        code=_regression,
    ),
    StepSpec(
        type="confusion_matrix",
        category="evaluation",
        title="Confusion matrix",
        doc="Counts of true against predicted classes on the test rows, saved as a PNG.",
        short="confusion",
        inputs=(MODEL_IN,),
        outputs=(FIGURE_OUT,),
        params={
            "normalize": choice(
                [None, "true", "pred", "all"], None, "normalise counts over rows, columns or all"
            )
        },
        imports=(
            "from sklearn.metrics import ConfusionMatrixDisplay",
            "import matplotlib.pyplot as plt",
            "from pathlib import Path",
        ),
        requires=("scikit-learn", "matplotlib"),
        task="classification",
        cacheable=False,
        code=_confusion,
    ),
    StepSpec(
        type="roc_curve",
        category="evaluation",
        title="ROC curve",
        doc="ROC AUC on the test rows (one-vs-rest for several classes) and the ROC curve "
        "as a PNG.",
        short="roc",
        inputs=(MODEL_IN,),
        outputs=(METRICS_OUT, FIGURE_OUT),
        params={},
        imports=(
            "from sklearn.metrics import RocCurveDisplay",
            "from sklearn.metrics import roc_auc_score",
            "import matplotlib.pyplot as plt",
            "from pathlib import Path",
        ),
        requires=("scikit-learn", "matplotlib"),
        task="classification",
        cacheable=False,
        code=_roc,
    ),
]
