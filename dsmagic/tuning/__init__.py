"""Hyper-parameter tuning on Optuna, with every trial a nested run.

``dm.tune(objective, space=..., n_trials=...)`` keeps the Optuna study in dsmagic's
database, so other processes can join it with the same ``study_name``.
"""

from __future__ import annotations

from dsmagic.tuning._result import TuneResult
from dsmagic.tuning._storage import optuna_storage
from dsmagic.tuning._tune import tune

__all__ = ["TuneResult", "optuna_storage", "tune"]
