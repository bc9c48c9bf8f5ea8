"""Which SHAP explainer fits a model, and the background sample it is given."""

from __future__ import annotations

from typing import Any

from dsmagic.errors import DsmagicError

_TREE_MODULES = ("xgboost", "lightgbm", "catboost")
_TREE_NAMES = (
    "DecisionTree",
    "ExtraTree",
    "RandomForest",
    "ExtraTrees",
    "GradientBoosting",
    "HistGradientBoosting",
    "IsolationForest",
)
_LINEAR_NAMES = (
    "LinearRegression",
    "LogisticRegression",
    "Ridge",
    "RidgeClassifier",
    "Lasso",
    "ElasticNet",
    "SGDClassifier",
    "SGDRegressor",
    "LinearSVC",
    "LinearSVR",
    "BayesianRidge",
    "HuberRegressor",
)


def kind_of(model: Any) -> str:
    """ "tree", "linear" or "other" (explained through its predict function)."""
    module = type(model).__module__.split(".")[0]
    name = type(model).__name__
    if module in _TREE_MODULES or (module == "sklearn" and name.startswith(_TREE_NAMES)):
        return "tree"
    if module == "sklearn" and name in _LINEAR_NAMES and hasattr(model, "coef_"):
        return "linear"
    return "other"


def is_classifier(model: Any) -> bool:
    try:
        from sklearn.base import is_classifier as sklearn_is_classifier

        if sklearn_is_classifier(model):
            return True
    except Exception:  # not a scikit-learn estimator
        pass
    return hasattr(model, "predict_proba") and hasattr(model, "classes_")


def predict_function(model: Any):
    """What a model-agnostic explainer explains: probabilities for a classifier."""
    if is_classifier(model) and hasattr(model, "predict_proba"):
        return model.predict_proba, "probability"
    if hasattr(model, "predict"):
        return model.predict, "prediction"
    if callable(model):
        return model, "output"
    raise DsmagicError(
        f"cannot explain a {type(model).__module__}.{type(model).__name__}: it has no predict() "
        "or predict_proba(); pass a fitted model or a prediction function"
    )


def make_explainer(model: Any, background, seed: int):
    """(explainer, kind, stated background) for ``model``."""
    from dsmagic.tuning._require import require

    shap = require("shap", "dm.explain")
    kind = kind_of(model)
    rows = len(background)
    name = f"{type(model).__module__}.{type(model).__name__}"
    try:
        if kind == "tree":
            explainer = shap.TreeExplainer(model, background, feature_perturbation="interventional")
            stated = f"TreeExplainer (interventional), background: {rows} rows sampled from X"
            output = "probability" if is_classifier(model) else "raw"
            if is_classifier(model) and type(model).__module__.split(".")[0] == "sklearn":
                output = "probability"
            return explainer, kind, stated, output
        if kind == "linear":
            explainer = shap.LinearExplainer(model, shap.maskers.Independent(background, rows))
            scale = " on the log-odds" if is_classifier(model) else ""
            stated = f"LinearExplainer{scale}, background: {rows} rows sampled from X"
            return explainer, kind, stated, "margin" if is_classifier(model) else "raw"
        function, output = predict_function(model)
        masker = shap.maskers.Independent(background, max_samples=rows)
        explainer = shap.PermutationExplainer(function, masker, seed=seed)
        stated = f"PermutationExplainer on {output}, background: {rows} rows sampled from X"
        return explainer, kind, stated, output
    except DsmagicError:
        raise
    except Exception as exc:
        raise DsmagicError(
            f"SHAP cannot explain a {name} "
            f"({type(exc).__name__}: {str(exc).splitlines()[0][:200]}); "
            "pass a fitted scikit-learn, XGBoost or LightGBM model or a prediction function"
        ) from exc
