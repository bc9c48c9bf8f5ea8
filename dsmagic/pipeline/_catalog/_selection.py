"""Feature selection: variance threshold, SelectKBest, RFE (in the Pipeline) and a
correlation filter on the table."""

from __future__ import annotations

from dsmagic.pipeline._catalog._spec import (
    DATASET_IN,
    DATASET_OUT,
    FRAME_IN,
    FRAME_OUT,
    StepSpec,
    choice,
    columns,
    integer,
    nullable,
    number,
)

_SCORES = ["mutual_info_classif", "mutual_info_regression", "f_classif", "f_regression"]
_RFE_ESTIMATORS = {
    "logistic_regression": ("LogisticRegression(max_iter=1000)",
                            "from sklearn.linear_model import LogisticRegression"),
    "linear_regression": ("LinearRegression()",
                          "from sklearn.linear_model import LinearRegression"),
    "decision_tree_classifier": ("DecisionTreeClassifier(random_state=SEED)",
                                 "from sklearn.tree import DecisionTreeClassifier"),
    "decision_tree_regressor": ("DecisionTreeRegressor(random_state=SEED)",
                                "from sklearn.tree import DecisionTreeRegressor"),
}  # fmt: skip


def _kbest(c) -> str:
    score = c.params["score_func"]
    func = f"partial({score}, random_state=SEED)" if score.startswith("mutual") else score
    return f"{c.out('prep')} = SelectKBest({func}, k={c.p('k')})"


def _kbest_imports(params) -> tuple[str, ...]:
    lines = ("from sklearn.feature_selection import SelectKBest",
             f"from sklearn.feature_selection import {params['score_func']}")  # fmt: skip
    return (*lines, "from functools import partial") if "mutual" in params["score_func"] else lines


def _correlation(c) -> str:
    df, out = c.i("df"), c.out("df")
    corr = c.out("corr")
    return (
        f'{corr} = {df}.drop(columns={c.p("exclude")}).select_dtypes("number").corr().abs()\n'
        f"{corr} = {corr}.where(np.triu(np.ones({corr}.shape, dtype=bool), k=1))\n"
        f"{out} = {df}.drop(\n"
        f"    columns=[name for name in {corr}.columns if ({corr}[name] > {c.p('threshold')})"
        ".any()]\n"
        ")"
    )


SPECS = [
    StepSpec(
        type="variance_threshold",
        category="feature_selection",
        title="Variance threshold",
        doc="Drop features whose variance is at or below a threshold (numeric features).",
        short="variance",
        inputs=(DATASET_IN,),
        outputs=(DATASET_OUT,),
        params={
            "threshold": number(0.0, "features with variance <= threshold are dropped", minimum=0)
        },
        imports=("from sklearn.feature_selection import VarianceThreshold",),
        requires=("scikit-learn",),
        role="prep",
        code=lambda c: f"{c.out('prep')} = VarianceThreshold(threshold={c.p('threshold')})",
    ),
    StepSpec(
        type="select_k_best",
        category="feature_selection",
        title="Select K best",
        doc="Keep the k features scoring highest against the target (mutual information by "
        "default).",
        short="kbest",
        inputs=(DATASET_IN,),
        outputs=(DATASET_OUT,),
        params={
            "k": integer(10, "how many features to keep", minimum=1),
            "score_func": choice(_SCORES, "mutual_info_classif", "the scoring function"),
        },
        imports=_kbest_imports,
        requires=("scikit-learn",),
        role="prep",
        code=_kbest,
    ),
    StepSpec(
        type="rfe",
        category="feature_selection",
        title="Recursive feature elimination",
        doc="Repeatedly fit an estimator and drop the weakest features.",
        short="rfe",
        inputs=(DATASET_IN,),
        outputs=(DATASET_OUT,),
        params={
            "estimator": choice(
                sorted(_RFE_ESTIMATORS), "logistic_regression", "the estimator that ranks features"
            ),
            "n_features_to_select": nullable(
                integer(None, "features to keep; empty: half", minimum=1)
            ),
            "step": integer(1, "features removed per iteration", minimum=1),
        },
        imports=lambda p: (
            "from sklearn.feature_selection import RFE",
            _RFE_ESTIMATORS[p["estimator"]][1],
        ),
        requires=("scikit-learn",),
        role="prep",
        code=lambda c: (
            f"{c.out('prep')} = RFE(\n"
            f"    {_RFE_ESTIMATORS[c.params['estimator']][0]},\n"
            f"    n_features_to_select={c.p('n_features_to_select')},\n"
            f"    step={c.p('step')},\n"
            ")"
        ),
    ),
    StepSpec(
        type="correlation_filter",
        category="feature_selection",
        title="Correlation filter",
        doc="Drop numeric columns highly correlated with an earlier column (exclude the target).",
        short="corr",
        inputs=(FRAME_IN,),
        outputs=(FRAME_OUT,),
        params={
            "threshold": number(
                0.95, "absolute correlation above which a column is dropped", minimum=0, maximum=1
            ),
            "exclude": columns("columns never dropped or compared, e.g. the target"),
        },
        imports=("import numpy as np",),
        requires=("pandas", "numpy"),
        code=_correlation,
    ),
]
