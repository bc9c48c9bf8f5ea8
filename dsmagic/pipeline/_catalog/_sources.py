"""Where data comes from: files, a bundled scikit-learn dataset, a notebook DataFrame."""

from __future__ import annotations

from dsmagic.pipeline._catalog._spec import FRAME_OUT, StepSpec, choice, string

# A data path is relative to the data folder (``--data``) and never climbs out of it.
PATH_PATTERN = r"^(?!/)(?![A-Za-z]:)(?![\s\S]*(^|[\\/])\.\.([\\/]|$))[\s\S]+$"
IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"

DATASETS = {
    "iris": "load_iris",
    "breast_cancer": "load_breast_cancer",
    "diabetes": "load_diabetes",
    "wine": "load_wine",
}

SPECS = [
    StepSpec(
        type="read_csv",
        category="source",
        title="Read CSV",
        doc="Read a CSV file from the data folder.",
        short="csv",
        inputs=(),
        outputs=(FRAME_OUT,),
        params={
            "path": string(
                help="file path relative to the data folder", minLength=1, pattern=PATH_PATTERN
            ),
            "sep": string(",", "field separator", minLength=1, maxLength=4),
        },
        imports=("import pandas as pd", "from pathlib import Path"),
        requires=("pandas",),
        code=lambda c: (
            f"{c.out('df')} = pd.read_csv(Path(DATA_DIR) / {c.p('path')}, sep={c.p('sep')})"
        ),
    ),
    StepSpec(
        type="read_parquet",
        category="source",
        title="Read Parquet",
        doc="Read a Parquet file from the data folder.",
        short="parquet",
        inputs=(),
        outputs=(FRAME_OUT,),
        params={
            "path": string(
                help="file path relative to the data folder", minLength=1, pattern=PATH_PATTERN
            )
        },
        imports=("import pandas as pd", "from pathlib import Path"),
        requires=("pandas", "pyarrow"),
        code=lambda c: f"{c.out('df')} = pd.read_parquet(Path(DATA_DIR) / {c.p('path')})",
    ),
    StepSpec(
        type="sklearn_dataset",
        category="source",
        title="Bundled dataset",
        doc="A dataset bundled with scikit-learn (no download); the target column is 'target'.",
        short="dataset",
        inputs=(),
        outputs=(FRAME_OUT,),
        params={"name": choice(sorted(DATASETS), "iris", "which bundled dataset")},
        imports=lambda p: (f"from sklearn.datasets import {DATASETS[p['name']]}",),
        requires=("scikit-learn", "pandas"),
        code=lambda c: f"{c.out('df')} = {DATASETS[c.params['name']]}(as_frame=True).frame",
    ),
    StepSpec(
        type="dataframe",
        category="source",
        title="Notebook DataFrame",
        doc="A DataFrame from the notebook, snapshotted to <variable>.parquet in the data folder "
        "when the pipeline runs or is exported.",
        short="frame",
        inputs=(),
        outputs=(FRAME_OUT,),
        params={
            "variable": string(
                help="name of the DataFrame variable in the notebook", pattern=IDENTIFIER
            )
        },
        imports=("import pandas as pd", "from pathlib import Path"),
        requires=("pandas", "pyarrow"),
        code=lambda c: (
            f"{c.out('df')} = pd.read_parquet(Path(DATA_DIR) / "
            f"{c.lit(c.params['variable'] + '.parquet')})"
        ),
    ),
]
