"""``dm.tune``: an Optuna study whose trials are nested runs of one parent run."""

from __future__ import annotations

import contextlib
import inspect
import math
import sys
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from dsmagic.errors import DsmagicError
from dsmagic.store import get_database
from dsmagic.tuning import _space
from dsmagic.tuning._require import require
from dsmagic.tuning._storage import interprocess_lock, optuna_storage
from dsmagic.tuning._trial_runs import TrialRuns, finite

PARENT_ATTR = "dsmagic.parent_run_id"
EXPERIMENT_ATTR = "dsmagic.experiment"
DEFAULT_TRIALS = 20
SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "hyperband", "successive_halving", "none")


class _BadValue(ValueError):
    """The objective returned something that is not a finite number."""


def _note(message: str) -> None:
    print(f"dsmagic: {message}", file=sys.stderr)


def _direction(direction: Any) -> str:
    aliases = {"min": "minimize", "max": "maximize", "minimize": "minimize", "maximize": "maximize"}
    if not isinstance(direction, str) or direction.lower() not in aliases:
        raise DsmagicError(f"direction must be 'minimize' or 'maximize', got {direction!r}")
    return aliases[direction.lower()]


def _positive_int(value: Any, what: str, allow_none: bool = True) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DsmagicError(f"{what} must be a whole number >= 1, got {value!r}")
    return value


def _make_sampler(sampler: Any, dims, seed: int | None):
    import optuna

    if isinstance(sampler, optuna.samplers.BaseSampler):
        return sampler
    if not isinstance(sampler, str) or sampler.lower() not in SAMPLERS:
        raise DsmagicError(
            f"sampler must be one of {', '.join(SAMPLERS)} or an Optuna sampler, got {sampler!r}"
        )
    kind = sampler.lower()
    if kind == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if dims is None:
        raise DsmagicError("sampler='grid' needs space= (a grid is built from the search space)")
    return optuna.samplers.GridSampler(_space.grid(dims), seed=seed)


def _make_pruner(pruner: Any):
    import optuna

    if isinstance(pruner, optuna.pruners.BasePruner):
        return pruner
    if pruner is None:
        pruner = "none"
    if not isinstance(pruner, str) or pruner.lower() not in PRUNERS:
        raise DsmagicError(
            f"pruner must be one of {', '.join(PRUNERS)} or an Optuna pruner, got {pruner!r}"
        )
    return {
        "median": lambda: optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1),
        "hyperband": optuna.pruners.HyperbandPruner,
        "successive_halving": optuna.pruners.SuccessiveHalvingPruner,
        "none": optuna.pruners.NopPruner,
    }[pruner.lower()]()


def _accepts_trial(objective: Callable) -> bool:
    try:
        parameters = inspect.signature(objective).parameters
    except (TypeError, ValueError):
        return False
    # Only a parameter named ``trial``: a ``**params`` objective passes its keywords on
    # (often straight into a model), where a stray trial would break it.
    return "trial" in parameters


def _check_signature(objective: Callable, names: list[str], takes_trial: bool) -> None:
    """Fail before the first trial when the objective cannot take the space's names."""
    try:
        signature = inspect.signature(objective)
    except (TypeError, ValueError):
        return
    arguments = dict.fromkeys(names)
    if takes_trial:
        arguments["trial"] = None
    try:
        signature.bind(**arguments)
    except TypeError as exc:
        raise DsmagicError(
            f"the objective cannot take the search space's parameters {names} as keyword "
            f"arguments ({exc}): give it those parameters, or pass no space= to get an Optuna trial"
        ) from None


def _split_result(result: Any, metric: str) -> tuple[float, dict[str, float]]:
    """The objective value and any other metrics the objective returned."""
    if isinstance(result, dict):
        if metric not in result:
            if len(result) == 1:
                [(key, value)] = result.items()
                return _value(value, key), {}
            raise _BadValue(
                f"the objective returned metrics {sorted(result)} but none is named {metric!r}: "
                f"pass metric= with the one to optimise"
            )
        others = {k: float(v) for k, v in result.items() if k != metric and finite(v)}
        return _value(result[metric], metric), others
    return _value(result, metric), {}


def _value(value: Any, metric: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _BadValue(
            f"the objective returned {type(value).__name__} {value!r} for {metric!r}: "
            "return a number (or a dict of numbers)"
        ) from None
    if not math.isfinite(number):
        raise _BadValue(f"the objective returned {number} for {metric!r}")
    return number


def _find_run_id(client, parent_id: str, number: int) -> str | None:
    from dsmagic.store._tracking_store import runs_t

    query = select(runs_t.c.id).where(
        runs_t.c.parent_id == parent_id, runs_t.c.name == f"trial-{number}"
    )
    with client.store.db.read() as connection:
        row = connection.execute(query).first()
    return row[0] if row else None


@contextlib.contextmanager
def _quiet_optuna():
    import optuna

    before = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(before)


def tune(
    objective: Callable[..., Any],
    space: dict[str, Any] | None = None,
    *,
    n_trials: int | None = None,
    timeout: float | None = None,
    direction: str = "minimize",
    metric: str = "value",
    sampler: Any = "tpe",
    pruner: Any = "median",
    seed: int | None = None,
    n_jobs: int = 1,
    early_stop: int | None = None,
    study_name: str | None = None,
    experiment: str | None = None,
    name: str | None = None,
    plots: bool = True,
    progress: bool = True,
):
    """Tune ``objective`` with Optuna; every trial is a nested run of one parent run.

    With ``space`` the objective is called with the sampled values as keyword
    arguments (plus ``trial=`` if it takes one, for pruning); without it, it gets an
    Optuna trial. It returns a number, or a dict of numbers of which ``metric`` is the
    one optimised. A trial that raises or returns NaN is marked failed; the study goes
    on. The study lives in dsmagic's database: call ``tune`` with the same
    ``study_name`` from other processes or machines to work on it together.
    """
    optuna = require("optuna", "dm.tune")

    from dsmagic.tracking import TrackingClient, _validation, active_run, start_run
    from dsmagic.tuning._result import TuneResult

    if not callable(objective):
        raise DsmagicError(f"objective must be a function, got {type(objective).__name__}")
    dims = _space.parse_space(space) if space is not None else None
    direction = _direction(direction)
    _validation.validate_key(metric, "metric")
    n_trials = _positive_int(n_trials, "n_trials")
    early_stop = _positive_int(early_stop, "early_stop")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or (n_jobs < 1 and n_jobs != -1):
        raise DsmagicError(
            f"n_jobs must be a whole number >= 1 (or -1 for all CPUs), got {n_jobs!r}"
        )
    if timeout is not None and (not isinstance(timeout, int | float) or timeout <= 0):
        raise DsmagicError(f"timeout must be a number of seconds > 0, got {timeout!r}")
    if study_name is not None:
        study_name = _validation.validate_name(study_name, "study name")
    if experiment is not None:
        experiment = _validation.validate_name(experiment, "experiment name")
    sampler_object = _make_sampler(sampler, dims, seed)
    pruner_object = _make_pruner(pruner)
    if n_trials is None and timeout is None:
        n_trials = (
            math.prod(len(v) for v in _space.grid(dims).values())
            if sampler == "grid" and dims
            else DEFAULT_TRIALS
        )
    for dimension in dims or []:
        # Parameter names become param keys of the runs: check them before writing anything.
        _validation.validate_key(dimension.name, "search space parameter")
        _validation.validate_key(f"space.{dimension.name}", "search space parameter")
    takes_trial = dims is not None and _accepts_trial(objective)
    if dims is not None:
        _check_signature(objective, [d.name for d in dims], takes_trial)

    storage = optuna_storage()
    database = get_database()
    client = TrackingClient()
    started = time.time()
    owner = None  # the fluent parent run, when this process created it
    with interprocess_lock(database), _quiet_optuna():
        if study_name is None:
            study_name = (
                f"tune-{time.strftime('%Y%m%d-%H%M%S')}-{int(started * 1e6) % 1_000_000:06d}"
            )
        study = optuna.create_study(
            storage=storage,
            study_name=study_name,
            direction=direction,
            sampler=sampler_object,
            pruner=pruner_object,
            load_if_exists=True,
        )
        if study.direction.name.lower() != direction:
            raise DsmagicError(
                f"study {study_name!r} already exists and is to "
                f"{study.direction.name.lower()}, not {direction}: pick another study_name"
            )
        parent_id = study.user_attrs.get(PARENT_ATTR)
        if parent_id is not None:
            try:
                parent_run = client.get_run(parent_id)
            except DsmagicError:
                parent_id = None
        if parent_id is None:
            params = {
                "n_trials": n_trials,
                "direction": direction,
                "sampler": sampler if isinstance(sampler, str) else type(sampler).__name__,
                "pruner": pruner
                if isinstance(pruner, str) or pruner is None
                else type(pruner).__name__,
                "metric": metric,
            }
            if dims:
                params.update({f"space.{k}": v for k, v in _space.describe(dims).items()})
            owner = start_run(
                name or study_name,
                experiment,
                nested=active_run() is not None,
                params=params,
                tags={"dsmagic.kind": "tuning", "dsmagic.study": study_name},
            )
            parent_id = owner.id
            parent_run = client.get_run(parent_id)
            study.set_user_attr(PARENT_ATTR, parent_id)
            study.set_user_attr(EXPERIMENT_ATTR, parent_run.experiment)
    runs = TrialRuns(client, parent_id, parent_run.experiment)
    failures: list[str] = []
    progress_view = _Progress(study_name, n_trials, direction) if progress else None
    if progress_view is not None and progress_view.handle is None:
        progress_view = None  # not in a notebook: nothing to update
    best_local = {"value": None, "since": 0}

    def run_trial(trial) -> float:
        params = {d.name: d.suggest(trial) for d in dims} if dims else {}
        run_id = runs.start(
            f"trial-{trial.number}",
            params,
            {"dsmagic.trial": trial.number, "dsmagic.study": study_name},
        )
        status, tags, metrics = "finished", {}, {}
        try:
            if dims is None:
                result = objective(trial)
            elif takes_trial:
                result = objective(**params, trial=trial)
            else:
                result = objective(**params)
            value, metrics = _split_result(result, metric)
            metrics[metric] = value
            tags["dsmagic.trial_state"] = "complete"
            return value
        except optuna.TrialPruned:
            tags["dsmagic.trial_state"] = "pruned"
            raise
        except Exception as exc:
            status = "failed"
            message = f"{type(exc).__name__}: {exc}" if not isinstance(exc, _BadValue) else str(exc)
            tags.update({"dsmagic.trial_state": "failed", "dsmagic.error": message[:8000]})
            failures.append(f"trial {trial.number}: {message}")
            _note(
                f"trial {trial.number} failed ({message.splitlines()[0][:200]}); the study goes on"
            )
            raise
        except BaseException:
            status = "killed"
            tags["dsmagic.trial_state"] = "interrupted"
            raise
        finally:
            frozen = getattr(trial, "_cached_frozen_trial", None)
            intermediate = dict(frozen.intermediate_values) if frozen is not None else {}
            runs.finish(
                run_id,
                status,
                metrics=metrics,
                history={"intermediate_value": intermediate} if intermediate else None,
                params=None if dims else dict(trial.params),
                tags=tags,
            )

    def after_trial(study, frozen) -> None:
        if frozen.state == optuna.trial.TrialState.COMPLETE:
            better = best_local["value"] is None or (
                frozen.value > best_local["value"]
                if direction == "maximize"
                else frozen.value < best_local["value"]
            )
            if better:
                best_local["value"], best_local["since"] = frozen.value, 0
            else:
                best_local["since"] += 1
            if early_stop is not None and best_local["since"] >= early_stop:
                _note(f"early stop: no improvement in the last {early_stop} trials")
                study.stop()
        if progress_view is not None:
            progress_view.update(frozen, best_local["value"])

    from dsmagic.models._autolog import suspended

    status = "finished"
    try:
        with _quiet_optuna(), suspended():
            study.optimize(
                run_trial,
                n_trials=n_trials,
                timeout=timeout,
                n_jobs=n_jobs,
                catch=(Exception,),
                # Optuna reads each finished trial back for callbacks: only ask when needed.
                callbacks=[after_trial] if early_stop or progress_view else None,
            )
    except KeyboardInterrupt:
        status = "killed"
        raise
    except BaseException:
        status = "failed"
        raise
    finally:
        runs.close()
        result = TuneResult(study, client, parent_id, metric, failures, time.time() - started)
        # A joined parent whose owner is gone (a resumed study, or the last worker to
        # finish) is closed here, with the plots of the whole study.
        idle = owner is None and client.get_run(parent_id).status != "running"
        try:
            result._record(plots=plots and (owner is not None or idle))
        finally:
            if owner is not None:
                ending = {"finished": None, "killed": KeyboardInterrupt}.get(status, RuntimeError)
                owner.__exit__(ending, None, None)
            elif idle:
                client.end_run(parent_id, "finished")
        if progress_view is not None:
            progress_view.close()
    if result.n_complete == 0:
        first = failures[0] if failures else "no trial ran"
        raise DsmagicError(
            f"no trial of study {study_name!r} completed (first failure: {first}); "
            f"fix the objective and run again"
        )
    return result


class _Progress:
    """A one-line progress display in a notebook, updated after each trial."""

    def __init__(self, study_name: str, n_trials: int | None, direction: str) -> None:
        self.handle = None
        self.study_name = study_name
        self.n_trials = n_trials
        self.count = 0
        try:
            from IPython import get_ipython

            shell = get_ipython()
            if shell is not None and getattr(shell, "kernel", None) is not None:
                from IPython.display import display

                self.handle = display(
                    {"text/plain": f"tuning {study_name}…"}, raw=True, display_id=True
                )
        except Exception:
            self.handle = None

    def update(self, frozen, best) -> None:
        self.count += 1
        if self.handle is None:
            return
        total = f"/{self.n_trials}" if self.n_trials else ""
        best_text = "—" if best is None else f"{best:.6g}"
        self.handle.update(
            {
                "text/plain": f"tuning {self.study_name}: trial {self.count}{total} "
                f"· best {best_text}"
            },
            raw=True,
        )

    def close(self) -> None:
        pass
