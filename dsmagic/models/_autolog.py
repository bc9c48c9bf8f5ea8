"""``dm.autolog()``: scikit-learn ``fit`` calls logged as runs, searches with a child run
per candidate. ``dm.autolog(False)`` puts every ``fit`` back as it was."""

from __future__ import annotations

import functools
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from dsmagic.errors import DsmagicError

_patched: dict[type[Any], Any] = {}
_lock = threading.Lock()
_depth = {"value": 0}  # fits in progress (any thread): inner fits are not logged
_suspended = {"value": 0}  # e.g. inside dm.tune trials, whose runs record the trial instead
_settings: dict[str, Any] = {"log_models": True, "max_tuning_runs": None, "metrics": True}
_MAX_PARAM = 500


def _note(message: str) -> None:
    print(f"dsmagic: {message}", file=sys.stderr)


def _param_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    text = repr(value)
    return text if len(text) <= _MAX_PARAM else text[: _MAX_PARAM - 1] + "…"


def _params(estimator) -> dict[str, Any]:
    try:
        params = estimator.get_params(deep=False)
    except Exception:
        return {}
    return {str(k): _param_value(v) for k, v in params.items()}


def _training_metrics(estimator, X, y) -> dict[str, float]:
    if y is None or not _settings["metrics"]:
        return {}
    from sklearn import metrics
    from sklearn.base import is_classifier, is_regressor

    kind = (
        "classifier"
        if is_classifier(estimator)
        else ("regressor" if is_regressor(estimator) else None)
    )
    try:
        predicted = estimator.predict(X)
    except Exception:
        return {}
    out: dict[str, float] = {}
    try:
        if kind == "classifier":
            out["training_accuracy"] = metrics.accuracy_score(y, predicted)
            average = (
                "binary" if len(set(map(str, predicted)) | set(map(str, y))) <= 2 else "weighted"
            )
            if average == "binary":
                labels = list(getattr(estimator, "classes_", []))
                positive = labels[-1] if labels else 1
                kwargs = {"average": "binary", "pos_label": positive, "zero_division": 0}
            else:
                kwargs = {"average": "weighted", "zero_division": 0}
            out["training_f1"] = metrics.f1_score(y, predicted, **kwargs)
            out["training_precision"] = metrics.precision_score(y, predicted, **kwargs)
            out["training_recall"] = metrics.recall_score(y, predicted, **kwargs)
        elif kind == "regressor":
            out["training_r2"] = metrics.r2_score(y, predicted)
            out["training_mae"] = metrics.mean_absolute_error(y, predicted)
            out["training_rmse"] = metrics.mean_squared_error(y, predicted) ** 0.5
    except Exception as exc:
        _note(f"autolog skipped some training metrics: {type(exc).__name__}: {exc}")
    return {k: float(v) for k, v in out.items()}


def _log_search(run, client, search) -> None:
    import pandas as pd

    results = pd.DataFrame(search.cv_results_)
    if getattr(search, "best_params_", None):
        run.log_params({f"best_{k}": _param_value(v) for k, v in search.best_params_.items()})
    if hasattr(search, "best_score_"):
        run.log_metric("best_cv_score", float(search.best_score_))
    order = results["rank_test_score"].argsort() if "rank_test_score" in results else results.index
    limit = _settings["max_tuning_runs"]
    chosen = list(order)[:limit] if limit is not None else list(order)
    for position in chosen:
        row = results.iloc[position]
        child = client.create_run(
            f"{run.name}-candidate-{position}",
            run.experiment,
            parent_id=run.id,
            params={str(k): _param_value(v) for k, v in row["params"].items()},
            tags={"dsmagic.autolog": "candidate"},
        )
        metrics = {
            str(k): float(v)
            for k, v in row.items()
            if str(k).startswith(("mean_", "std_", "rank_")) and isinstance(v, int | float)
        }
        client.log_metrics(child.id, metrics)
        client.end_run(child.id, "finished")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cv_results.csv"
        results.to_csv(path, index=False)
        client.log_artifact(run.id, path, "cv_results.csv")


def _record(estimator, X, y, run) -> None:
    from dsmagic.models._save import log_model

    run.log_params(_params(estimator))
    run.set_tags({"dsmagic.autolog": "sklearn", "estimator": type(estimator).__name__})
    for key, value in _training_metrics(estimator, X, y).items():
        run.log_metric(key, value)
    if hasattr(estimator, "cv_results_"):
        _log_search(run, run.client, estimator)
    if _settings["log_models"]:
        log_model(estimator, "model", run.id)


def _wrap(original):
    @functools.wraps(original)
    def fit(self, *args, **kwargs):
        from dsmagic.tracking import active_run, start_run

        with _lock:
            nested = _depth["value"] > 0 or _suspended["value"] > 0
            _depth["value"] += 1
        try:
            if nested:
                return original(self, *args, **kwargs)
            X = args[0] if args else kwargs.get("X")
            y = args[1] if len(args) > 1 else kwargs.get("y")
            current = active_run()
            own = current is None
            run = current if current is not None else start_run(type(self).__name__)
            try:
                result = original(self, *args, **kwargs)
            except BaseException:
                if own:
                    run.__exit__(RuntimeError, None, None)
                raise
            try:
                _record(self, X, y, run)
            except Exception as exc:  # logging must never break the user's fit
                _note(f"autolog could not record the {type(self).__name__} fit: {exc}")
            if own:
                run.__exit__(None, None, None)
            return result
        finally:
            with _lock:
                _depth["value"] -= 1

    fit._dsmagic_autolog = True  # type: ignore[attr-defined]
    return fit


def _estimator_classes() -> list[type]:
    from sklearn.model_selection._search import BaseSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.utils import all_estimators

    classes = [cls for _, cls in all_estimators()]
    classes += [BaseSearchCV, Pipeline]
    # fit often lives in a private base class (BaseForest.fit): patch where it is defined.
    owners: dict[type, None] = {}
    for cls in classes:
        for base in cls.__mro__:
            if "fit" in base.__dict__:
                owners[base] = None
                break
    return list(owners)


def autolog(
    enable: bool = True,
    *,
    log_models: bool = True,
    max_tuning_runs: int | None = None,
    training_metrics: bool = True,
) -> None:
    """Log every scikit-learn ``fit``: parameters, training metrics and the fitted model.

    Without an active run each fit gets its own run; with one, the fit is logged into it.
    A search (GridSearchCV, RandomizedSearchCV) also gets one child run per candidate
    (the ``max_tuning_runs`` best when set). ``autolog(False)`` switches it off.
    """
    if not isinstance(enable, bool):
        raise DsmagicError(f"autolog takes True or False, got {enable!r}")
    if max_tuning_runs is not None and (
        isinstance(max_tuning_runs, bool)
        or not isinstance(max_tuning_runs, int)
        or max_tuning_runs < 0
    ):
        raise DsmagicError(f"max_tuning_runs must be a whole number >= 0, got {max_tuning_runs!r}")
    _settings.update(
        log_models=bool(log_models), max_tuning_runs=max_tuning_runs, metrics=bool(training_metrics)
    )
    with _lock:
        if not enable:
            for cls, original in _patched.items():
                cls.fit = original
            _patched.clear()
            return
        if _patched:
            return
        try:
            classes = _estimator_classes()
        except ImportError as exc:
            raise DsmagicError("autolog needs scikit-learn: pip install 'dsmagic[ml]'") from exc
        for cls in classes:
            original = cls.__dict__["fit"]
            if getattr(original, "_dsmagic_autolog", False):
                continue
            _patched[cls] = original
            cls.fit = _wrap(original)


class suspended:
    """Within this block, fits are not logged (used around the trials of ``dm.tune``)."""

    def __enter__(self) -> None:
        with _lock:
            _suspended["value"] += 1

    def __exit__(self, *exc) -> None:
        with _lock:
            _suspended["value"] -= 1


def is_enabled() -> bool:
    return bool(_patched)


def reset() -> None:
    """Put every patched ``fit`` back and the settings to their defaults (``dsmagic.testing``)."""
    with _lock:
        for cls, original in _patched.items():
            cls.fit = original
        _patched.clear()
        _depth["value"] = _suspended["value"] = 0
        _settings.update(log_models=True, max_tuning_runs=None, metrics=True)
