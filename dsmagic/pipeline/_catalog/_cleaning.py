"""Row and column clean-up on a table, and choosing the target."""

from __future__ import annotations

from dsmagic.pipeline._catalog._spec import (
    DATASET_OUT,
    FRAME_IN,
    FRAME_OUT,
    StepSpec,
    choice,
    columns,
    string,
)


def _subset(c) -> str:
    return c.p("subset") if c.params["subset"] else "None"


SPECS = [
    StepSpec(
        type="drop_columns",
        category="cleaning",
        title="Drop columns",
        doc="Remove columns from the table.",
        short="drop",
        inputs=(FRAME_IN,),
        outputs=(FRAME_OUT,),
        params={
            "columns": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "minItems": 1,
                "description": "columns to remove",
            }
        },
        imports=(),
        requires=("pandas",),
        code=lambda c: f"{c.out('df')} = {c.i('df')}.drop(columns={c.p('columns')})",
    ),
    StepSpec(
        type="drop_missing",
        category="cleaning",
        title="Drop missing rows",
        doc="Remove rows with missing values (in the given columns, or in any column).",
        short="dropna",
        inputs=(FRAME_IN,),
        outputs=(FRAME_OUT,),
        params={
            "subset": columns("columns to look at; empty means all"),
            "how": choice(["any", "all"], "any", "drop a row if any / all values are missing"),
        },
        requires=("pandas",),
        code=lambda c: (
            f"{c.out('df')} = {c.i('df')}.dropna(subset={_subset(c)}, "
            f"how={c.p('how')}).reset_index(drop=True)"
        ),
    ),
    StepSpec(
        type="deduplicate",
        category="cleaning",
        title="Deduplicate",
        doc="Remove duplicate rows.",
        short="dedup",
        inputs=(FRAME_IN,),
        outputs=(FRAME_OUT,),
        params={
            "subset": columns("columns that define a duplicate; empty means all"),
            "keep": choice(["first", "last"], "first", "which duplicate to keep"),
        },
        requires=("pandas",),
        code=lambda c: (
            f"{c.out('df')} = {c.i('df')}.drop_duplicates(subset={_subset(c)}, "
            f"keep={c.p('keep')}).reset_index(drop=True)"
        ),
    ),
    StepSpec(
        type="select_target",
        category="cleaning",
        title="Features and target",
        doc="Split the table into features (X) and the target column (y).",
        short="target",
        inputs=(FRAME_IN,),
        outputs=(DATASET_OUT,),
        params={"target": string("target", "the column to predict", minLength=1)},
        requires=("pandas",),
        code=lambda c: (
            f"{c.out('features')} = {c.i('df')}.drop(columns=[{c.p('target')}])\n"
            f"{c.out('target')} = {c.i('df')}[{c.p('target')}]"
        ),
    ),
]
