"""What goes into a model card, gathered from the store (and the model, when given)."""

from __future__ import annotations

import math
from typing import Any

from dsmagic.errors import DsmagicError, NotFoundError
from dsmagic.tracking._direction import lower_is_better

SMALL_GROUP = 30
GAP_WARNING = 0.05


def resolve_subject(subject: Any):
    """(run, registered version or None) for a run, run id, version or ``"name@ref"``."""
    from dsmagic.models._registry import RegisteredVersion, get_model_version
    from dsmagic.tracking import default_client, flush

    flush()
    client = default_client()
    if isinstance(subject, RegisteredVersion):
        version = subject
    elif isinstance(subject, str) and "@" in subject:
        version = get_model_version(subject)
    elif isinstance(subject, str):
        try:
            return client.get_run(subject), None
        except NotFoundError:
            try:
                version = get_model_version(subject)
            except NotFoundError:
                raise NotFoundError(
                    f"{subject!r} is neither a run id nor a registered model name"
                ) from None
    elif hasattr(subject, "id"):
        return client.get_run(subject.id), None
    else:
        raise DsmagicError(
            f"model_card needs a run, a run id or a registered model such as 'churn@3', "
            f"got {type(subject).__name__}"
        )
    if version.run_id is None:
        raise NotFoundError(f"model {version.uri} has lost its run (deleted): no card can be made")
    return client.get_run(version.run_id), version


def metric_comparison(run) -> list[dict[str, Any]]:
    """Each metric of ``run`` against the best earlier top-level run of its experiment."""
    from dsmagic.tracking import default_client

    client = default_client()
    earlier = [
        r
        for r in client.search_run_objects(experiment=run.experiment)
        if r.id != run.id
        and r.start_time < run.start_time
        and r.parent_id is None
        and r.status == "finished"
    ]
    rows = []
    for key, value in sorted(run.metrics.items()):
        lower = lower_is_better(key)
        candidates = [
            (r.metrics[key], r)
            for r in earlier
            if key in r.metrics and not math.isnan(r.metrics[key])
        ]
        best = (min if lower else max)(candidates, key=lambda c: c[0]) if candidates else None
        row = {
            "metric": key,
            "value": value,
            "better": "lower" if lower else "higher",
            "previous_best": None,
            "previous_run": None,
            "change": None,
            "verdict": "first",
        }
        if best is not None:
            previous, other = best
            change = value - previous
            improved = change < 0 if lower else change > 0
            row.update(
                previous_best=previous,
                previous_run=other.name,
                change=change,
                verdict="better" if improved else ("same" if change == 0 else "worse"),
            )
        rows.append(row)
    return rows


def shap_importance(run, model=None, X=None, explanation=None, top: int = 10):
    """Global SHAP importance: from ``explanation``, the model on ``X``, or the run's artifact."""
    import pandas as pd

    if explanation is not None:
        return explanation.importance().head(top)
    if model is not None and X is not None:
        from dsmagic.explain import explain

        return explain(model, X, log=False).importance().head(top)
    for artifact in run.artifacts:
        if artifact["name"] == "shap":
            from pathlib import Path

            path = Path(artifact["path"]) / "importance.csv"
            if path.is_file():
                frame = pd.read_csv(path, index_col=0)
                return frame.iloc[:, 0].head(top)
    return None


def model_features(model, X, sensitive):
    """X as the model needs it: without the sensitive column when it was not a feature."""
    columns = getattr(X, "columns", None)
    fitted = getattr(model, "feature_names_in_", None)
    if (
        isinstance(sensitive, str)
        and columns is not None
        and sensitive in columns
        and fitted is not None
        and sensitive not in {str(c) for c in fitted}
    ):
        return X.drop(columns=[sensitive])
    return X


def _score(task: str, y_true, y_pred) -> dict[str, float]:
    from sklearn import metrics

    if task == "classification":
        return {
            "accuracy": float(metrics.accuracy_score(y_true, y_pred)),
            "f1_macro": float(metrics.f1_score(y_true, y_pred, average="macro", zero_division=0)),
        }
    return {
        "mae": float(metrics.mean_absolute_error(y_true, y_pred)),
        "r2": float(metrics.r2_score(y_true, y_pred)) if len(y_true) > 1 else math.nan,
    }


def performance_by_group(model, X, y, sensitive: Any) -> dict[str, Any]:
    """Metrics per value of the sensitive column, the gap between groups, and warnings."""
    import pandas as pd

    if model is None or X is None or y is None:
        raise DsmagicError("performance by group needs model=, X= and y= as well as sensitive=")
    if isinstance(sensitive, str):
        if not isinstance(X, pd.DataFrame) or sensitive not in X.columns:
            columns = list(X.columns)[:15] if isinstance(X, pd.DataFrame) else "X is not a frame"
            raise DsmagicError(f"sensitive column {sensitive!r} is not in X (columns: {columns})")
        groups = X[sensitive]
        name = sensitive
    else:
        groups = pd.Series(sensitive)
        name = getattr(sensitive, "name", None) or "group"
        if len(groups) != len(X):
            raise DsmagicError(f"sensitive has {len(groups)} values for {len(X)} rows of X")
        groups.index = getattr(X, "index", groups.index)
    if len(y) != len(X):
        raise DsmagicError(f"y has {len(y)} values for {len(X)} rows of X")
    try:
        predictions = model.predict(model_features(model, X, sensitive))
    except Exception as exc:
        raise DsmagicError(
            f"the {type(model).__name__} could not predict on X ({type(exc).__name__}: {exc})"
        ) from exc
    from dsmagic.explain._choose import is_classifier

    task = "classification" if is_classifier(model) else "regression"
    truth = pd.Series(list(y), index=groups.index)
    predicted = pd.Series(list(predictions), index=groups.index)
    rows = []
    for value, members in groups.groupby(groups.astype(str), sort=True).groups.items():
        scores = _score(task, truth.loc[members], predicted.loc[members])
        rows.append({"group": value, "rows": len(members), **scores})
    overall = _score(task, truth, predicted)
    main = "accuracy" if task == "classification" else "mae"
    values = [r[main] for r in rows]
    gap = (max(values) - min(values)) if values else 0.0
    warnings = [
        f"group {r['group']!r} has only {r['rows']} rows: its figures are unreliable"
        for r in rows
        if r["rows"] < SMALL_GROUP
    ]
    if task == "classification" and gap > GAP_WARNING:
        warnings.append(f"accuracy differs by {gap:.3f} between groups of {name!r}")
    return {
        "column": name,
        "task": task,
        "main": main,
        "rows": rows,
        "overall": overall,
        "gap": gap,
        "warnings": warnings,
    }
