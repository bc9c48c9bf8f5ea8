"""Optuna search over a model step's parameters, scored by cross-validation."""

from __future__ import annotations

from dsmagic.pipeline._catalog._spec import (
    MODEL_IN,
    MODEL_OUT,
    StepSpec,
    choice,
    integer,
    lit,
    nullable,
)
from dsmagic.pipeline._catalog._split import SCORINGS


def _suggest(name: str, space: tuple) -> str:
    kind = space[0]
    if kind == "cat":
        return f"trial.suggest_categorical({lit(name)}, {lit(space[1])})"
    low, high, log = space[1], space[2], space[3]
    suffix = ", log=True" if log else ""
    return f"trial.suggest_{kind}({lit(name)}, {low!r}, {high!r}{suffix})"


def _tune(c) -> str:
    base = c.i("model", "model")
    space = c.upstream_spec("model").tune
    suggestions = "".join(f"        model__{k}={_suggest(k, v)},\n" for k, v in space.items())
    objective, study, model = c.out("objective"), c.out("study"), c.out("model")
    X, y = c.i("X_train", "model"), c.i("y_train", "model")
    return (
        f"def {objective}(trial):\n"
        f"    candidate = clone({base}).set_params(\n{suggestions}    )\n"
        f"    return cross_val_score(candidate, {X}, {y}, cv={c.p('folds')}, "
        f"scoring={c.p('scoring')}).mean()\n"
        "\n\n"
        "optuna.logging.set_verbosity(optuna.logging.WARNING)\n"
        f"{study} = optuna.create_study(\n"
        f'    direction="maximize", sampler=optuna.samplers.TPESampler(seed=SEED)\n'
        ")\n"
        f"{study}.optimize({objective}, n_trials={c.p('n_trials')})\n"
        f"{model} = clone({base}).set_params(\n"
        f'    **{{f"model__{{key}}": value for key, value in {study}.best_params.items()}}\n'
        ")\n"
        f"{model}.fit({X}, {y})\n"
        f'print("best parameters:", {study}.best_params)'
    )


SPECS = [
    StepSpec(
        type="optuna_tune",
        category="tuning",
        title="Optuna tuning",
        doc="Search the upstream model's parameters with Optuna (TPE, seeded), scoring each "
        "trial by cross-validation on the training rows; refit the best.",
        short="tune",
        inputs=(MODEL_IN,),
        outputs=(MODEL_OUT,),
        params={
            "n_trials": integer(20, "number of trials", minimum=1, maximum=10000),
            "folds": integer(3, "cross-validation folds per trial", minimum=2, maximum=20),
            "scoring": nullable(choice(SCORINGS, None, "scorer name; empty: the model's score")),
        },
        imports=(
            "import optuna",
            "from sklearn.base import clone",
            "from sklearn.model_selection import cross_val_score",
        ),
        requires=("optuna", "scikit-learn"),
        role="tune",
        code=_tune,
    ),
]
