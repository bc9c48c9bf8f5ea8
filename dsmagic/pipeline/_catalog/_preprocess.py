"""Imputation, encoding and scaling. These join the model's scikit-learn Pipeline, so they
are fitted on the training rows only."""

from __future__ import annotations

from typing import Any

from dsmagic.pipeline._catalog._spec import (
    DATASET_IN,
    DATASET_OUT,
    StepSpec,
    boolean,
    choice,
    columns,
)

_CT = "from sklearn.compose import ColumnTransformer"
_SELECTOR = "from sklearn.compose import make_column_selector"


def _columns(c, default: str) -> str:
    """The columns literal, or a dtype selector when the user named none."""
    if c.params["columns"]:
        return c.p("columns")
    if default == "numeric":
        return 'make_column_selector(dtype_include="number")'
    if default == "categorical":
        return 'make_column_selector(dtype_exclude="number")'
    return "make_column_selector(dtype_include=None)"


def _imports(extra: str, default: str):
    def imports(params: dict[str, Any]) -> tuple[str, ...]:
        lines = (_CT, extra)
        return lines if params["columns"] else (*lines, _SELECTOR)

    return imports


def _column_step(name: str, transformer: str, c, default: str) -> str:
    entry = f'("{name}", {transformer}, {_columns(c, default)})'
    if len(entry) > 80:
        entry = (f'\n        (\n            "{name}",\n            {transformer},\n'
                 f"            {_columns(c, default)},\n        )\n    ")  # fmt: skip
    return (
        f"{c.out('prep')} = ColumnTransformer(\n"
        f"    [{entry}],\n"
        '    remainder="passthrough",\n'
        "    verbose_feature_names_out=False,\n"
        ")"
    )


def _impute(c) -> str:
    args = f"strategy={c.p('strategy')}"
    if c.params["strategy"] == "constant":
        args += f", fill_value={c.p('fill_value')}"
    default = "numeric" if c.params["strategy"] in ("mean", "median") else "all"
    return _column_step("impute", f"SimpleImputer({args})", c, default)


def _scaler(kind: str, cls: str, title: str, doc: str, extra: dict[str, Any] | None = None):
    params: dict[str, Any] = {"columns": columns("columns to scale; empty means all numeric")}
    params.update(extra or {})

    def code(c) -> str:
        args = ", ".join(f"{k}={c.p(k)}" for k in (extra or {}))
        return _column_step("scale", f"{cls}({args})", c, "numeric")

    return StepSpec(
        type=kind,
        category="preprocessing",
        title=title,
        doc=doc,
        short="scale",
        inputs=(DATASET_IN,),
        outputs=(DATASET_OUT,),
        params=params,
        imports=_imports(f"from sklearn.preprocessing import {cls}", "numeric"),
        requires=("scikit-learn",),
        role="prep",
        code=code,
    )


SPECS = [
    StepSpec(
        type="impute",
        category="preprocessing",
        title="Impute missing values",
        doc="Fill missing values with the mean, median, most frequent value or a constant.",
        short="impute",
        inputs=(DATASET_IN,),
        outputs=(DATASET_OUT,),
        params={
            "strategy": choice(
                ["mean", "median", "most_frequent", "constant"],
                "median",
                "how to fill a missing value",
            ),
            "fill_value": {
                "type": ["number", "string", "null"],
                "default": None,
                "description": "the value for strategy 'constant'",
            },
            "columns": columns(
                "columns to impute; empty means all numeric columns "
                "(all columns for most_frequent/constant)"
            ),
        },
        imports=_imports("from sklearn.impute import SimpleImputer", "numeric"),
        requires=("scikit-learn",),
        role="prep",
        code=_impute,
    ),
    StepSpec(
        type="one_hot_encode",
        category="preprocessing",
        title="One-hot encoding",
        doc="One column per category; unknown categories at prediction time become all zeros.",
        short="onehot",
        inputs=(DATASET_IN,),
        outputs=(DATASET_OUT,),
        params={
            "columns": columns("columns to encode; empty means all non-numeric columns"),
            "drop": choice([None, "first", "if_binary"], None, "drop one category per feature"),
        },
        imports=_imports("from sklearn.preprocessing import OneHotEncoder", "categorical"),
        requires=("scikit-learn",),
        role="prep",
        code=lambda c: _column_step(
            "onehot",
            f'OneHotEncoder(drop={c.p("drop")}, handle_unknown="ignore", sparse_output=False)',
            c,
            "categorical",
        ),
    ),
    StepSpec(
        type="ordinal_encode",
        category="preprocessing",
        title="Ordinal encoding",
        doc="Replace each category by an integer; unknown categories become -1.",
        short="ordinal",
        inputs=(DATASET_IN,),
        outputs=(DATASET_OUT,),
        params={"columns": columns("columns to encode; empty means all non-numeric columns")},
        imports=_imports("from sklearn.preprocessing import OrdinalEncoder", "categorical"),
        requires=("scikit-learn",),
        role="prep",
        code=lambda c: _column_step(
            "ordinal",
            'OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)',
            c,
            "categorical",
        ),
    ),
    _scaler(
        "standard_scale",
        "StandardScaler",
        "Standard scaling",
        "Centre each numeric column and scale it to unit variance.",
        {"with_mean": boolean(True, "subtract the mean")},
    ),
    _scaler(
        "minmax_scale",
        "MinMaxScaler",
        "Min-max scaling",
        "Scale each numeric column to the range [0, 1].",
    ),
    _scaler(
        "robust_scale",
        "RobustScaler",
        "Robust scaling",
        "Centre on the median and scale by the interquartile range (robust to outliers).",
    ),
]
