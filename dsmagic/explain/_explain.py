"""``dm.explain``: SHAP values of a model on a frame, global and per row, with plots."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Any

from dsmagic._display import RichDisplay
from dsmagic._html import esc, figure_svg, format_value, table
from dsmagic.errors import DsmagicError
from dsmagic.explain._choose import is_classifier, kind_of, make_explainer

DEFAULT_BACKGROUND = 100
DEFAULT_MAX_ROWS = 500
DEFAULT_AGNOSTIC_ROWS = 50
DEFAULT_AGNOSTIC_BACKGROUND = 50
TOP = 10


def _frame(X: Any, feature_names):
    import numpy as np
    import pandas as pd

    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, pd.Series):
        return X.to_frame().T
    try:
        array = np.asarray(X)
    except Exception as exc:
        raise DsmagicError(f"X must be a DataFrame or 2-D array, got {type(X).__name__}") from exc
    if array.ndim != 2:
        raise DsmagicError(f"X must be 2-D (rows x features), got shape {array.shape}")
    names = (
        list(feature_names)
        if feature_names is not None
        else [f"x{i}" for i in range(array.shape[1])]
    )
    if len(names) != array.shape[1]:
        raise DsmagicError(f"{len(names)} feature names for {array.shape[1]} columns of X")
    return pd.DataFrame(array, columns=names)


def explain(
    model: Any,
    X: Any,
    *,
    background: Any = None,
    n_background: int = DEFAULT_BACKGROUND,
    max_rows: int = DEFAULT_MAX_ROWS,
    target_class: Any = None,
    feature_names: list[str] | None = None,
    seed: int = 0,
    log: bool = True,
) -> Explanation:
    """Explain ``model`` on the rows of ``X`` with SHAP.

    The explainer follows the model: TreeExplainer for tree ensembles, LinearExplainer
    for linear models, a permutation explainer on ``predict_proba``/``predict`` for
    anything else. ``background`` (default: ``n_background`` rows sampled from ``X``)
    is the reference the contributions are measured against. At most ``max_rows`` rows
    are explained (a stated random sample beyond that). For a classifier the values
    are for ``target_class`` (default: the positive class of a binary model, else the
    first class). With an active run, values and plots are logged to it under ``shap/``.
    """
    frame = _frame(X, feature_names)
    if len(frame) == 0 or frame.shape[1] == 0:
        raise DsmagicError(
            f"X has {len(frame)} rows and {frame.shape[1]} columns: nothing to explain"
        )
    for value, what in ((n_background, "n_background"), (max_rows, "max_rows")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise DsmagicError(f"{what} must be a whole number >= 1, got {value!r}")
    frame = _match_columns(model, frame)
    model, frame, step_note = _unwrap_pipeline(model, frame)
    notes = [step_note] if step_note else []
    if kind_of(model) == "other":
        # A permutation explainer calls the model (rows x background) times per feature.
        if max_rows == DEFAULT_MAX_ROWS:
            max_rows = DEFAULT_AGNOSTIC_ROWS
        if n_background == DEFAULT_BACKGROUND:
            n_background = DEFAULT_AGNOSTIC_BACKGROUND
    if len(frame) > max_rows:
        notes.append(f"explained a random sample of {max_rows} of {len(frame)} rows (seed {seed})")
        frame = frame.sample(max_rows, random_state=seed)
    reference = _frame(background, frame.columns) if background is not None else frame
    if len(reference) > n_background:
        reference = reference.sample(n_background, random_state=seed)
    explainer, kind, stated, _ = make_explainer(model, reference, seed)
    name = f"{type(model).__module__}.{type(model).__name__}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "tree":
                # Interventional tree SHAP on probabilities can miss additivity by rounding.
                result = explainer(frame, check_additivity=False)
            elif kind == "other":
                result = explainer(frame, silent=True)
            else:
                result = explainer(frame)
    except Exception as exc:
        raise DsmagicError(
            f"SHAP could not explain the {name} on X ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:200] if str(exc) else ''}); check X has the columns the "
            "model was fitted on"
        ) from exc
    values, base, class_label = _pick_output(result, model, target_class)
    explanation = Explanation(
        values=values,
        base_value=base,
        data=frame,
        model_name=name,
        kind=kind,
        background=stated,
        class_label=class_label,
        notes=notes,
    )
    if log:
        explanation._log_to_active_run()
    return explanation


def _unwrap_pipeline(model: Any, frame):
    """A scikit-learn Pipeline ending in a tree or linear model is explained at its last
    step, on the features it sees (fast exact SHAP instead of a permutation estimate)."""
    steps = getattr(model, "steps", None)
    if not steps or kind_of(steps[-1][1]) == "other" or len(steps) < 2:
        return model, frame, None
    import pandas as pd

    head, last = model[:-1], model[-1]
    try:
        transformed = head.transform(frame)
        if hasattr(transformed, "toarray"):
            transformed = transformed.toarray()
        try:
            names = [str(n) for n in head.get_feature_names_out()]
        except Exception:
            names = [f"x{i}" for i in range(transformed.shape[1])]
        features = pd.DataFrame(transformed, columns=names, index=frame.index)
    except Exception:
        return model, frame, None
    note = f"explained the pipeline's last step ({type(last).__name__}) on its input features"
    return last, features, note


def _match_columns(model: Any, frame):
    """Check X against what the model was fitted on (SHAP's C code aborts the process on a
    mismatch rather than raising), and put columns in the fitted order."""
    expected = getattr(model, "feature_names_in_", None)
    name = type(model).__name__
    if expected is not None:
        expected = [str(c) for c in expected]
        columns = [str(c) for c in frame.columns]
        missing = [c for c in expected if c not in columns]
        if len(missing) == len(expected):  # an unnamed array: columns are by position
            if frame.shape[1] != len(expected):
                raise DsmagicError(
                    f"X has {frame.shape[1]} columns but the {name} was fitted on "
                    f"{len(expected)}; pass the same columns as in fit()"
                )
            return frame.set_axis(expected, axis=1)
        if missing:
            raise DsmagicError(
                f"X lacks columns the {name} was fitted on: {missing[:10]}; pass the same "
                "columns as in fit()"
            )
        if columns != expected:
            frame = frame.loc[:, [c for c in frame.columns if str(c) in set(expected)]]
            frame = frame[sorted(frame.columns, key=lambda c: expected.index(str(c)))]
        return frame
    count = getattr(model, "n_features_in_", None)
    if isinstance(count, int) and frame.shape[1] != count:
        raise DsmagicError(
            f"X has {frame.shape[1]} columns but the {name} was fitted on {count}; pass the same "
            "columns as in fit()"
        )
    return frame


def _pick_output(result, model, target_class):
    import numpy as np

    values = np.asarray(result.values, dtype=float)
    base = np.asarray(result.base_values, dtype=float)
    class_label = None
    if values.ndim == 3:
        classes = list(getattr(model, "classes_", range(values.shape[2])))
        if target_class is None:
            index = 1 if values.shape[2] == 2 else 0
        elif target_class in classes:
            index = classes.index(target_class)
        else:
            raise DsmagicError(f"target_class {target_class!r} is not one of the classes {classes}")
        values = values[:, :, index]
        base = base[:, index] if base.ndim == 2 else base
        class_label = classes[index] if index < len(classes) else index
        class_label = class_label.item() if hasattr(class_label, "item") else class_label
    elif is_classifier(model):
        classes = list(getattr(model, "classes_", []))
        class_label = classes[-1] if len(classes) == 2 else None
        if class_label is not None and hasattr(class_label, "item"):
            class_label = class_label.item()
    base_value = float(np.mean(base)) if base.size else 0.0
    return values, base_value, class_label


class Explanation(RichDisplay):
    """SHAP values for the explained rows: importance, plots, one row's story."""

    _display_kind = "explanation"

    def __init__(self, values, base_value, data, model_name, kind, background, class_label, notes):
        self.values = values
        self.base_value = base_value
        self.data = data
        self.model_name = model_name
        self.kind = kind
        self.background = background
        self.class_label = class_label
        self.notes = notes

    @property
    def feature_names(self) -> list[str]:
        return [str(c) for c in self.data.columns]

    def frame(self):
        """SHAP values as a DataFrame aligned with the explained rows."""
        import pandas as pd

        return pd.DataFrame(self.values, index=self.data.index, columns=self.feature_names)

    def importance(self):
        """Global importance: mean |SHAP| per feature, largest first (a Series)."""
        import numpy as np
        import pandas as pd

        series = pd.Series(np.abs(self.values).mean(axis=0), index=self.feature_names)
        return series.sort_values(ascending=False).rename("mean_abs_shap")

    def top_features(self, n: int = TOP):
        """The ``n`` most important features: feature, mean |SHAP|, direction of effect."""
        import numpy as np
        import pandas as pd

        importance = self.importance().head(n)
        rows = []
        for feature, value in importance.items():
            column = self.feature_names.index(feature)
            direction = _direction(self.data.iloc[:, column], self.values[:, column])
            rows.append({"feature": feature, "mean_abs_shap": float(value), "effect": direction})
        return pd.DataFrame(rows, columns=["feature", "mean_abs_shap", "effect"]).astype(
            {"mean_abs_shap": np.float64}
        )

    def explain_row(self, row: Any = 0):
        """One prediction: each feature's contribution, from the base value to the output.

        ``row`` is a position (0 = first explained row) or an index label of ``X``.
        """
        from dsmagic.explain._local import RowExplanation

        if isinstance(row, int) and not isinstance(row, bool) and 0 <= row < len(self.data):
            position = row
        elif row in self.data.index:
            position = self.data.index.get_loc(row)
        else:
            raise DsmagicError(
                f"row {row!r} is neither a position below {len(self.data)} nor an index label "
                "of the explained rows"
            )
        return RowExplanation(
            features=self.feature_names,
            values=self.values[position],
            data=self.data.iloc[position],
            base_value=self.base_value,
            label=self.data.index[position],
        )

    # -- plots ---------------------------------------------------------------------------
    def summary_plot(self, max_features: int = TOP):
        """Beeswarm: each dot a row, x its SHAP value, colour the feature's value."""
        from dsmagic.explain._plots import summary

        return summary(self, max_features)

    def importance_plot(self, max_features: int = TOP):
        from dsmagic.explain._plots import importance_bars

        return importance_bars(self.importance().head(max_features))

    def dependence_plot(self, feature: str):
        """The feature's value against its SHAP value, one dot per row."""
        from dsmagic.explain._plots import dependence

        if feature not in self.feature_names:
            raise DsmagicError(
                f"no feature {feature!r}; features: {', '.join(self.feature_names[:20])}"
            )
        return dependence(self, feature)

    # -- logging -------------------------------------------------------------------------
    def _log_to_active_run(self) -> str | None:
        from dsmagic.tracking import active_run

        run = active_run()
        if run is None:
            return None
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            self.frame().to_csv(folder / "values.csv")
            self.importance().to_csv(folder / "importance.csv", header=True)
            self.summary_plot().savefig(folder / "summary.png", dpi=100, bbox_inches="tight")
            self.importance_plot().savefig(folder / "importance.png", dpi=100, bbox_inches="tight")
            (folder / "explainer.txt").write_text(
                f"model: {self.model_name}\nexplainer: {self.background}\n"
                f"class: {self.class_label}\nbase value: {self.base_value}\n"
                + "".join(f"note: {n}\n" for n in self.notes)
            )
            run.client.log_artifact(run.id, folder, "shap")
        return run.id

    # -- display -------------------------------------------------------------------------
    def __repr__(self) -> str:
        return (
            f"<Explanation {self.model_name} rows={len(self.data)} "
            f"features={len(self.feature_names)} kind={self.kind}>"
        )

    def _display_text(self) -> str:
        lines = [
            f"SHAP explanation of {self.model_name} on {len(self.data)} rows",
            f"  {self.background}",
        ]
        if self.class_label is not None:
            lines.append(f"  values for class {self.class_label!r}")
        lines += [f"  note: {n}" for n in self.notes]
        for row in self.top_features().itertuples(index=False):
            lines.append(f"  {row.feature:<30} {row.mean_abs_shap:.4g}  {row.effect}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self._display_text())

    def _display_data(self) -> dict[str, Any]:
        top = self.top_features()
        return {"model": self.model_name, "rows": len(self.data), "kind": self.kind,
                "background": self.background, "class_label": self.class_label,
                "notes": list(self.notes), "base_value": self.base_value,
                "top_features": top.to_dict(orient="records")}  # fmt: skip

    def _display_css(self) -> str:
        return "#SCOPE .dsm-plot svg { max-width: 640px; height: auto; }"

    def _display_html(self) -> str:
        top = self.top_features()
        head = (
            f'<div class="dsm-title">SHAP explanation of {esc(self.model_name)}</div>'
            f'<div class="dsm-muted">{len(self.data)} rows · {esc(self.background)}'
            + (f" · class {esc(self.class_label)}" if self.class_label is not None else "")
            + "".join(f" · {esc(n)}" for n in self.notes)
            + "</div>"
        )
        rows = [(r.feature, r.mean_abs_shap, r.effect) for r in top.itertuples(index=False)]
        figures = figure_svg(self.summary_plot())
        return (
            head
            + table(["feature", "mean |SHAP|", "effect"], rows, numeric=[1])
            + f'<div class="dsm-plot">{figures}</div>'
        )


def _direction(column, shap_values) -> str:
    import numpy as np
    import pandas as pd

    numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    mask = np.isfinite(numbers)
    if mask.sum() < 3 or np.std(numbers[mask]) == 0 or np.std(shap_values[mask]) == 0:
        return "mixed"
    correlation = float(np.corrcoef(numbers[mask], shap_values[mask])[0, 1])
    if correlation > 0.3:
        return "higher value → higher output"
    if correlation < -0.3:
        return "higher value → lower output"
    return "mixed"


__all__ = ["Explanation", "explain", "format_value", "kind_of"]
