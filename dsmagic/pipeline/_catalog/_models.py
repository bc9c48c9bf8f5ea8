"""scikit-learn models and the voting/stacking ensembles. A model step fits a Pipeline made
of the preprocessing steps upstream of its split plus the estimator."""

from __future__ import annotations

from dsmagic.pipeline._catalog._spec import (
    MODEL_OUT,
    SPLIT_IN,
    Port,
    StepSpec,
    boolean,
    choice,
    integer,
    nullable,
    number,
)

_POS = {"exclusiveMinimum": 0}


def call(name: str, args: list[str], indent: int) -> str:
    """``name(args)`` on one line, or one argument per line when that would be long."""
    line = f"{name}({', '.join(args)})"
    if indent + len(line) <= 90 or not args:
        return line
    pad = " " * (indent + 4)
    return f"{name}(\n" + "".join(f"{pad}{a},\n" for a in args) + " " * indent + ")"


def _render_pipeline(c, estimator: str) -> str:
    rows = [f"        ({c.lit(name)}, {var}),\n" for name, var in c.chain]
    rows.append(f'        ("model", {estimator}),\n')
    model = c.out("model")
    return (
        f"{model} = {c.pipeline_class}(\n    [\n{''.join(rows)}    ]\n)\n"
        f"{model}.fit({c.i('X_train')}, {c.i('y_train')})"
    )


def _model(kind, cls, module, task, title, doc, params, tune, seeded=True, fixed=""):
    def code(c) -> str:
        args = [f"{k}={c.p(k)}" for k in params]
        if fixed:
            args.append(fixed)
        if seeded:
            args.append("random_state=SEED")
        return _render_pipeline(c, call(cls, args, 8))

    return StepSpec(
        type=kind,
        category="model",
        title=title,
        doc=doc,
        short="".join(w[0] for w in kind.split("_")),
        inputs=(SPLIT_IN,),
        outputs=(MODEL_OUT,),
        params=params,
        imports=(f"from {module} import {cls}",),
        requires=("scikit-learn",),
        role="model",
        task=task,
        tune=tune,
        code=code,
    )


_TREE = {
    "n_estimators": integer(100, "number of trees", minimum=1),
    "max_depth": nullable(integer(None, "maximum tree depth; empty: unlimited", minimum=1)),
    "min_samples_leaf": integer(1, "minimum rows in a leaf", minimum=1),
}
_TREE_TUNE = {"n_estimators": ("int", 10, 300, True), "max_depth": ("int", 2, 16, False),
              "min_samples_leaf": ("int", 1, 10, False)}  # fmt: skip
_GB = {
    "n_estimators": integer(100, "boosting stages", minimum=1),
    "learning_rate": number(0.1, "shrinkage of each stage", **_POS),
    "max_depth": integer(3, "depth of each tree", minimum=1),
}
_GB_TUNE = {"n_estimators": ("int", 20, 300, True), "learning_rate": ("float", 0.01, 0.3, True),
            "max_depth": ("int", 2, 6, False)}  # fmt: skip
_KNN = {
    "n_neighbors": integer(5, "neighbours that vote", minimum=1),
    "weights": choice(["uniform", "distance"], "uniform", "how neighbours are weighted"),
}
_KNN_TUNE = {"n_neighbors": ("int", 1, 30, False), "weights": ("cat", ["uniform", "distance"])}
_DT = {
    "max_depth": nullable(integer(None, "maximum depth; empty: unlimited", minimum=1)),
    "min_samples_leaf": integer(1, "minimum rows in a leaf", minimum=1),
}
_DT_TUNE = {"max_depth": ("int", 2, 20, False), "min_samples_leaf": ("int", 1, 20, False)}
_SV = {
    "C": number(1.0, "inverse regularisation strength", **_POS),
    "kernel": choice(["rbf", "linear", "poly", "sigmoid"], "rbf", "kernel function"),
}
_SV_TUNE = {"C": ("float", 0.01, 100.0, True), "kernel": ("cat", ["rbf", "linear"])}
_ALPHA = {"alpha": number(1.0, "regularisation strength", **_POS)}
_ALPHA_TUNE = {"alpha": ("float", 1e-4, 100.0, True)}

_C, _R = "classification", "regression"
SPECS = [
    _model("logistic_regression", "LogisticRegression", "sklearn.linear_model", _C,
           "Logistic regression", "A linear classifier with L2 regularisation.",
           {"C": number(1.0, "inverse regularisation strength", **_POS),
            "max_iter": integer(1000, "solver iterations", minimum=1)},
           {"C": ("float", 1e-3, 100.0, True)}),
    _model("random_forest_classifier", "RandomForestClassifier", "sklearn.ensemble", _C,
           "Random forest classifier", "Averages many decorrelated decision trees.",
           _TREE, _TREE_TUNE),
    _model("gradient_boosting_classifier", "GradientBoostingClassifier", "sklearn.ensemble",
           _C, "Gradient boosting classifier", "Trees added one by one to fix earlier errors.",
           _GB, _GB_TUNE),
    _model("hist_gradient_boosting_classifier", "HistGradientBoostingClassifier",
           "sklearn.ensemble", _C, "Histogram gradient boosting classifier",
           "Fast gradient boosting on binned features; handles missing values.",
           {"max_iter": integer(100, "boosting iterations", minimum=1),
            "learning_rate": number(0.1, "shrinkage", **_POS)},
           {"max_iter": ("int", 20, 300, True), "learning_rate": ("float", 0.01, 0.3, True)}),
    _model("decision_tree_classifier", "DecisionTreeClassifier", "sklearn.tree", _C,
           "Decision tree classifier", "A single tree of if/else rules.", _DT, _DT_TUNE),
    _model("knn_classifier", "KNeighborsClassifier", "sklearn.neighbors", _C,
           "k-nearest neighbours classifier", "Votes of the closest training rows.",
           _KNN, _KNN_TUNE, seeded=False),
    _model("svc", "SVC", "sklearn.svm", _C, "Support vector classifier",
           "Maximum-margin classifier with a kernel (no predict_proba: use it in hard voting, "
           "stacking or with classification metrics, not ROC).", _SV, _SV_TUNE),
    _model("gaussian_nb", "GaussianNB", "sklearn.naive_bayes", _C, "Gaussian naive Bayes",
           "Independent Gaussian features per class; very fast.",
           {"var_smoothing": number(1e-9, "added variance for stability", **_POS)},
           {"var_smoothing": ("float", 1e-12, 1e-6, True)}, seeded=False),
    _model("linear_regression", "LinearRegression", "sklearn.linear_model", _R,
           "Linear regression", "Ordinary least squares.",
           {"fit_intercept": boolean(True, "fit an intercept")}, {}, seeded=False),
    _model("ridge", "Ridge", "sklearn.linear_model", _R, "Ridge regression",
           "Least squares with L2 regularisation.", _ALPHA, _ALPHA_TUNE),
    _model("lasso", "Lasso", "sklearn.linear_model", _R, "Lasso regression",
           "Least squares with L1 regularisation (sparse coefficients).", _ALPHA, _ALPHA_TUNE),
    _model("random_forest_regressor", "RandomForestRegressor", "sklearn.ensemble", _R,
           "Random forest regressor", "Averages many decorrelated regression trees.",
           _TREE, _TREE_TUNE),
    _model("gradient_boosting_regressor", "GradientBoostingRegressor", "sklearn.ensemble", _R,
           "Gradient boosting regressor", "Trees added one by one to fix earlier errors.",
           _GB, _GB_TUNE),
    _model("decision_tree_regressor", "DecisionTreeRegressor", "sklearn.tree", _R,
           "Decision tree regressor", "A single regression tree.", _DT, _DT_TUNE),
    _model("knn_regressor", "KNeighborsRegressor", "sklearn.neighbors", _R,
           "k-nearest neighbours regressor", "Average of the closest training rows.",
           _KNN, _KNN_TUNE, seeded=False),
    _model("svr", "SVR", "sklearn.svm", _R, "Support vector regressor",
           "Kernel regression with an epsilon-insensitive loss.", _SV, _SV_TUNE,
           seeded=False),
]  # fmt: skip

_FOLDS = integer(5, "cross-validation folds for the final estimator", minimum=2, maximum=20)
MODELS_IN = Port("models", "model", multiple=True, doc="two or more fitted models")


def _ensemble(kind, cls, task, title, doc, params):
    def code(c) -> str:
        members = ", ".join(
            f"({c.lit(sid)}, {var})" for sid, var in c.inputs_list("models", "model")
        )
        args = "".join(f", {k}={c.p(k)}" for k in params)
        if cls.startswith("Stacking"):
            args = f", cv=KFold(n_splits={c.p('folds')}, shuffle=True, random_state=SEED)"
        model = c.out("model")
        return (
            f"{model} = {cls}([{members}]{args})\n"
            f"{model}.fit({c.i('X_train', 'models')}, {c.i('y_train', 'models')})"
        )

    imports = [f"from sklearn.ensemble import {cls}"]
    if cls.startswith("Stacking"):
        imports.append("from sklearn.model_selection import KFold")
    return StepSpec(
        type=kind,
        category="ensemble",
        title=title,
        doc=doc + " Members are refitted from fresh copies.",
        short="ens",
        inputs=(MODELS_IN,),
        outputs=(MODEL_OUT,),
        params=params,
        imports=tuple(imports),
        requires=("scikit-learn",),
        role="ensemble",
        task=task,
        code=code,
    )


SPECS += [
    _ensemble("voting_classifier", "VotingClassifier", _C, "Voting classifier",
              "Majority (hard) or averaged-probability (soft) vote of the models.",
              {"voting": choice(["hard", "soft"], "soft", "how votes combine")}),
    _ensemble("voting_regressor", "VotingRegressor", _R, "Voting regressor",
              "Average of the models' predictions.", {}),
    _ensemble("stacking_classifier", "StackingClassifier", _C, "Stacking classifier",
              "A logistic regression learns from the models' cross-validated predictions.",
              {"folds": _FOLDS}),
    _ensemble("stacking_regressor", "StackingRegressor", _R, "Stacking regressor",
              "A ridge regression learns from the models' cross-validated predictions.",
              {"folds": _FOLDS}),
]  # fmt: skip
