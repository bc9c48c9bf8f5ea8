"""Explaining and saving a model."""

from __future__ import annotations

from dsmagic.pipeline._catalog._spec import MODEL_IN, Port, StepSpec, integer, string

FILE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"


def _shap(c) -> str:
    model, X = c.i("model", "model"), c.i("X_test", "model")
    background, explainer = c.out("background"), c.out("explainer")
    values, out = c.out("values"), c.out("shap")
    return (
        f"{background} = {c.i('X_train', 'model')}.sample(\n"
        f"    min({c.p('background')}, len({c.i('X_train', 'model')})), random_state=SEED\n"
        ")\n"
        f"{explainer} = shap.explainers.Permutation({model}.predict, {background}, seed=SEED)\n"
        f"{values} = {explainer}({X}.iloc[: {c.p('samples')}])\n"
        f"{out} = pd.Series(\n"
        f'    np.abs({values}.values).mean(axis=0), index={X}.columns, name="mean_abs_shap"\n'
        ").sort_values(ascending=False)\n"
        f'{out}.to_csv(Path(OUTPUT_DIR) / "shap_{c.id}.csv")\n'
        f"print({out}.head(10))"
    )


SPECS = [
    StepSpec(
        type="shap_explain",
        category="output",
        title="SHAP explanation",
        doc="Mean absolute SHAP value per feature (permutation explainer, seeded), saved as "
        "shap_<step>.csv. Needs numeric features.",
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
