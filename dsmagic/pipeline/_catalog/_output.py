"""Explaining and saving a model."""

from __future__ import annotations

from dsmagic.pipeline._catalog._spec import MODEL_IN, Port, StepSpec, integer, string

FILE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"


def _shap(c) -> str:
    model, X, X_train = c.i("model", "model"), c.i("X_test", "model"), c.i("X_train", "model")
    rows, chosen, estimator = c.out("rows"), c.out("chosen"), c.out("estimator")
    explainer, values, out = c.out("explainer"), c.out("values"), c.out("shap")
    return (
        f"{rows} = {X_train}.sample(min({c.p('background')}, len({X_train})), random_state=SEED)\n"
        f"{chosen} = {X}.iloc[: {c.p('samples')}]\n"
        "# Explain the final estimator on the features it sees (after preprocessing).\n"
        f'{estimator} = {model}[-1] if hasattr({model}, "steps") else {model}\n'
        f'for _, transformer in getattr({model}, "steps", [])[:-1]:\n'
        '    if hasattr(transformer, "transform"):  # resamplers only act in fit\n'
        f"        {rows} = transformer.transform({rows})\n"
        f"        {chosen} = transformer.transform({chosen})\n"
        "try:  # tree and linear models get their exact, fast explainers\n"
        f"    {explainer} = shap.Explainer({estimator}, {rows}, seed=SEED)\n"
        "except TypeError:  # any other model: explain its predictions by permutation\n"
        f"    {explainer} = shap.Explainer({estimator}.predict, {rows}, seed=SEED)\n"
        f"{values} = np.abs({explainer}({chosen}).values)\n"
        f"{out} = pd.Series(\n"
        f"    {values}.reshape(len({chosen}), {chosen}.shape[1], -1).mean(axis=(0, 2)),\n"
        f"    index={chosen}.columns,\n"
        '    name="mean_abs_shap",\n'
        ").sort_values(ascending=False)\n"
        f'{out}.to_csv(Path(OUTPUT_DIR) / "shap_{c.id}.csv")\n'
        f"print({out}.head(10))"
    )


SPECS = [
    StepSpec(
        type="shap_explain",
        category="output",
        title="SHAP explanation",
        doc="Mean absolute SHAP value per feature after preprocessing (exact explainers for "
        "tree and linear models, seeded permutation otherwise), saved as shap_<step>.csv.",
        short="shap",
        inputs=(MODEL_IN,),
        outputs=(Port("explanation", "explanation", doc="mean |SHAP| per feature"),),
        params={
            "samples": integer(20, "test rows explained", minimum=1, maximum=10000),
            "background": integer(50, "training rows used as background", minimum=1, maximum=10000),
        },
        imports=(
            "import shap",
            "import numpy as np",
            "import pandas as pd",
            "from pathlib import Path",
        ),
        requires=("shap", "numpy", "pandas"),
        cacheable=False,
        code=_shap,
    ),
    StepSpec(
        type="save_model",
        category="output",
        title="Save model",
        doc="Write the fitted model with joblib into the output folder.",
        short="save",
        inputs=(MODEL_IN,),
        outputs=(Port("file", "file", doc="path of the saved model"),),
        params={
            "filename": string(
                "model.joblib", "file name inside the output folder", pattern=FILE_NAME
            )
        },
        imports=("import joblib", "from pathlib import Path"),
        requires=("joblib",),
        cacheable=False,
        code=lambda c: (
            f"{c.out('path')} = Path(OUTPUT_DIR) / {c.p('filename')}\n"
            f"joblib.dump({c.i('model', 'model')}, {c.out('path')})\n"
            f'print("saved model to", {c.out("path")})'
        ),
    ),
]
