"""A tuning worker process: joins a shared study and runs some trials."""

from __future__ import annotations

import sys

import dsmagic as dm


def objective(x: float, y: int) -> float:
    return (x - 1.0) ** 2 + y


if __name__ == "__main__":
    study, trials = sys.argv[1], int(sys.argv[2])
    dm.tune(
        objective,
        {"x": (-3.0, 3.0), "y": (0, 3)},
        n_trials=trials,
        study_name=study,
        sampler="random",
        plots=False,
        progress=False,
    )
    print("worker done")
