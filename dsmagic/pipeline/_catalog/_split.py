"""Train/test split and cross-validation."""

from __future__ import annotations

from dsmagic.pipeline._catalog._spec import (
    DATASET_IN,
    METRICS_OUT,
    MODEL_IN,
    Port,
    StepSpec,
    boolean,
    choice,
    integer,
    nullable,
    number,
)

SCORINGS = [None, "accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "r2",
            "neg_mean_absolute_error", "neg_root_mean_squared_error"]  # fmt: skip


def _split(c) -> str:
    X, y = c.i("features"), c.i("target")
    stratify = y if c.params["stratify"] else "None"
    names = ", ".join(c.out(v) for v in ("X_train", "X_test", "y_train", "y_test"))
    return (
        f"{names} = train_test_split(\n"
        f"    {X},\n    {y},\n    test_size={c.p('test_size')},\n"
        f"    random_state=SEED,\n    stratify={stratify},\n)"
    )


def _cv(c) -> str:
    folds = "StratifiedKFold" if c.params["stratified"] else "KFold"
    scores = c.out("scores")
    return (
        f"{scores} = cross_val_score(\n"
        f"    clone({c.i('model', 'model')}),\n"
        f"    {c.i('X_train', 'model')},\n"
        f"    {c.i('y_train', 'model')},\n"
        f"    cv={folds}(n_splits={c.p('folds')}, shuffle=True, random_state=SEED),\n"
        f"    scoring={c.p('scoring')},\n"
        ")\n"
        f'{c.out("metrics")} = {{"cv_mean": float({scores}.mean()), '
        f'"cv_std": float({scores}.std())}}'
    )


SPECS = [
    StepSpec(
        type="train_test_split",
        category="split",
        title="Train/test split",
        doc="Hold out part of the rows for testing; stratified on the target by default.",
        short="split",
        inputs=(DATASET_IN,),
        outputs=(Port("data", "split", doc="train and test rows"),),
        params={
            "test_size": number(
                0.25, "fraction of rows held out", exclusiveMinimum=0, exclusiveMaximum=1
            ),
            "stratify": boolean(True, "keep class proportions (classification only)"),
        },
        imports=("from sklearn.model_selection import train_test_split",),
        requires=("scikit-learn",),
        code=_split,
    ),
    StepSpec(
        type="cross_validate",
        category="split",
        title="Cross-validation",
        doc="Score a fresh copy of the model by k-fold cross-validation on the training rows.",
        short="cv",
        inputs=(MODEL_IN,),
        outputs=(METRICS_OUT,),
        params={
            "folds": integer(5, "number of folds", minimum=2, maximum=50),
            "stratified": boolean(True, "stratified folds (classification only)"),
            "scoring": nullable(choice(SCORINGS, None, "scorer name; empty: the model's score")),
        },
        imports=lambda p: (
            "from sklearn.base import clone",
            "from sklearn.model_selection import cross_val_score",
            "from sklearn.model_selection import "
            + ("StratifiedKFold" if p["stratified"] else "KFold"),
        ),
        requires=("scikit-learn",),
        code=_cv,
    ),
]
