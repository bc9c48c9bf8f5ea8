"""dm.tune on SQLite and PostgreSQL: nested runs, failures, pruning, workers, %tune."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import dsmagic as dm

SPACE = {"x": (-3.0, 3.0), "lr": (1e-4, 1e-1, "log"), "depth": (2, 8), "kind": ["a", "b"]}


def quadratic(x, lr, depth, kind):
    return (x - 1.0) ** 2 + abs(math.log10(lr) + 2) + depth / 10 + (0 if kind == "a" else 0.5)


def test_tune_records_each_trial_as_a_nested_run_of_one_parent(dsmagic_home):
    result = dm.tune(quadratic, SPACE, n_trials=12, seed=0, sampler="random", experiment="tuning")
    runs = dm.search_runs(experiment="tuning")
    parent = runs[runs["run_id"] == result.parent_run_id]
    children = runs[runs["parent_run_id"] == result.parent_run_id]
    assert len(parent) == 1 and parent["parent_run_id"].isna().all()
    assert len(children) == 12 and (children["status"] == "finished").all()
    assert set(result.best_params) == set(SPACE)
    assert result.best_value == pytest.approx(quadratic(**result.best_params))
    assert result.best_value == pytest.approx(children["metrics.value"].min())
    stored_parent = dm.get_run(result.parent_run_id)
    assert stored_parent.status == "finished"
    assert stored_parent.tags["dsmagic.study"] == result.study_name
    assert stored_parent.tags["dsmagic.best_run_id"] == result.best_run_id
    assert stored_parent.metrics["best_value"] == pytest.approx(result.best_value)
    assert stored_parent.params["best.kind"] == str(result.best_params["kind"])
    assert {a["name"] for a in stored_parent.artifacts} == {"tuning"}
    files = {
        p.name for p in (dsmagic_home / "artifacts" / result.parent_run_id / "tuning").iterdir()
    }
    assert {"convergence.png", "importance.png", "trials.csv", "best_params.json"} <= files
    best_child = dm.get_run(result.best_run_id)
    assert best_child.params["kind"] == result.best_params["kind"]
    # the rich display: escaped HTML with plots, and plain text
    bundle = result._repr_mimebundle_()
    assert "<svg" in bundle["text/html"] and "top 5 range" in bundle["text/html"]
    assert "best value" in bundle["text/plain"]
    assert dm.active_run() is None


def test_parent_is_nested_under_the_active_run(dsmagic_home):
    with dm.start_run("outer") as outer:
        result = dm.tune(quadratic, SPACE, n_trials=3, sampler="random", plots=False)
        assert dm.active_run() is outer
    assert dm.get_run(result.parent_run_id).parent_id == outer.id


def test_failing_and_nan_trials_are_marked_failed_and_the_study_goes_on(dsmagic_home, capsys):
    calls = {"n": 0}

    def flaky(x):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("boom")
        if calls["n"] == 3:
            return float("nan")
        return x * x

    result = dm.tune(flaky, {"x": (-1.0, 1.0)}, n_trials=6, sampler="random", plots=False)
    assert (result.n_complete, result.n_failed) == (4, 2)
    children = dm.search_runs(f"attributes.parent_id = '{result.parent_run_id}'")
    assert sorted(children["status"]) == ["failed"] * 2 + ["finished"] * 4
    errors = set(children["tags.dsmagic.error"].dropna())
    assert any("RuntimeError: boom" in e for e in errors)
    assert any("nan" in e for e in errors)
    assert "trial 1 failed (RuntimeError: boom)" in capsys.readouterr().err


def test_a_study_where_every_trial_fails_is_one_clear_error(dsmagic_home):
    def broken(x):
        raise ValueError("no data")

    with pytest.raises(dm.DsmagicError, match=r"no trial .* completed .*ValueError: no data"):
        dm.tune(broken, {"x": (0.0, 1.0)}, n_trials=2, plots=False)


@pytest.mark.parametrize(
    ("space", "message"),
    [
        ({}, "search space is empty"),
        ({"x": (5, 1)}, "range of 'x' is empty"),
        ({"x": (0.0, 1.0, "log")}, "must start above 0"),
        ({"x": []}, "choices for 'x' are empty"),
        ({"x": "abc"}, "must be a tuple range or a list"),
        ({"x": (0, 1, 2, 3)}, "must be \\(low, high\\)"),
        ({"x": [object()]}, "must be None, bool, int, float or text"),
    ],
)
def test_bad_search_spaces_are_refused_before_anything_is_written(sqlite_home, space, message):
    with pytest.raises(dm.DsmagicError, match=message):
        dm.tune(lambda x: x, space, n_trials=1)
    assert not (sqlite_home / "dsmagic.db").exists()


def test_objective_that_cannot_take_the_space_is_refused(sqlite_home):
    with pytest.raises(dm.DsmagicError, match="cannot take the search space's parameters"):
        dm.tune(lambda a: a, {"x": (0.0, 1.0)}, n_trials=1)


def test_grid_sampler_covers_the_grid_and_plain_objective_gets_a_trial(dsmagic_home):
    result = dm.tune(
        lambda depth, kind: depth + (kind == "b"),
        {"depth": (1, 3), "kind": ["a", "b"]},
        sampler="grid",
        plots=False,
    )
    assert result.n_complete == 6 and result.best_params == {"depth": 1, "kind": "a"}
    with pytest.raises(dm.DsmagicError, match="grid search needs a list of values"):
        dm.tune(lambda x: x, {"x": (0.0, 1.0)}, sampler="grid")

    def objective(trial):
        return trial.suggest_float("x", -2, 2) ** 2

    plain = dm.tune(objective, n_trials=4, direction="minimize", plots=False)
    assert set(plain.best_params) == {"x"}
    child = dm.get_run(plain.best_run_id)
    assert "x" in child.params  # suggested inside the objective, logged after the trial


def test_early_stop_and_pruning(dsmagic_home):
    result = dm.tune(lambda x: 1.0, {"x": (0.0, 1.0)}, n_trials=50, early_stop=3, plots=False)
    assert result.n_complete == 4  # the first sets the best, three more bring nothing

    def curve(x, trial):
        for step in range(5):
            value = x + step
            trial.report(value, step)
            if trial.should_prune():
                import optuna

                raise optuna.TrialPruned()
        return x

    pruned = dm.tune(
        curve,
        {"x": (0.0, 10.0)},
        n_trials=15,
        seed=1,
        sampler="random",
        pruner="median",
        plots=False,
    )
    assert pruned.n_pruned >= 1
    history = dm.get_metric_history(pruned.best_run_id, "intermediate_value")
    assert list(history["step"]) == [0, 1, 2, 3, 4]


def test_returned_dict_logs_every_metric_and_optimises_one(dsmagic_home):
    result = dm.tune(
        lambda x: {"auc": 1 - x * x, "f1": 0.5},
        {"x": (-1.0, 1.0)},
        n_trials=3,
        direction="maximize",
        metric="auc",
        plots=False,
    )
    assert dm.get_run(result.best_run_id).metrics.keys() == {"auc", "f1"}


def test_optuna_tables_live_beside_dsmagics_without_clashing(dsmagic_home):
    from optuna.storages._rdb import models as optuna_models
    from sqlalchemy import inspect

    from dsmagic.store import get_database
    from dsmagic.store._models import Base
    from dsmagic.tuning import optuna_storage

    ours = set(Base.metadata.tables)
    theirs = set(optuna_models.BaseModel.metadata.tables) | {"alembic_version"}
    assert ours.isdisjoint(theirs)
    optuna_storage()
    tables = set(inspect(get_database().engine).get_table_names())
    assert {
        "studies",
        "trials",
        "alembic_version",
        "runs",
        "dsmagic_alembic_version",
        "model_versions",
    } <= tables


def test_four_worker_processes_share_one_study(dsmagic_home, tmp_path):
    worker = Path(__file__).with_name("_worker.py")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    processes = [
        subprocess.Popen(
            [sys.executable, str(worker), "shared", "4"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (out, err) in zip(processes, outputs):
        assert process.returncode == 0, err
        assert "worker done" in out
        assert "locked" not in err.lower() and "Traceback" not in err
    import optuna

    from dsmagic.tuning import optuna_storage

    study = optuna.load_study(study_name="shared", storage=optuna_storage())
    states = [t.state.name for t in study.trials]
    assert states.count("COMPLETE") == 16 and len(states) == 16
    parents = dm.search_runs("tags.`dsmagic.kind` = 'tuning'")
    assert len(parents) == 1  # all four joined the same parent run
    children = dm.search_runs(f"attributes.parent_id = '{parents['run_id'].iloc[0]}'")
    assert len(children) == 16 and (children["status"] == "finished").all()
    assert sorted(children["run_name"]) == sorted(f"trial-{i}" for i in range(16))


def test_tune_magic(ipython):
    ipython.run_cell("def f(x):\n    return (x - 0.5) ** 2\nspace = {'x': (0.0, 1.0)}")
    ipython.run_line_magic("tune", "f --space space -n 4 --sampler random --seed 1")
    result = ipython.user_ns["_tune"]
    assert result.n_complete == 4
    assert dm.get_run(result.parent_run_id).status == "finished"
    outcome = ipython.run_cell("%tune nope -n 2")
    assert not outcome.success and "no variable named 'nope'" in str(outcome.error_in_exec)
    outcome = ipython.run_cell("%tune f --space space --direction sideways")
    assert "direction must be 'minimize' or 'maximize'" in str(outcome.error_in_exec)


def test_n_jobs_threads_record_every_trial(dsmagic_home):
    result = dm.tune(quadratic, SPACE, n_trials=8, n_jobs=2, sampler="random", plots=False)
    children = dm.search_runs(f"attributes.parent_id = '{result.parent_run_id}'")
    assert len(children) == 8 and result.n_complete == 8


def test_search_runs_has_a_parent_run_id_column(dsmagic_home):
    with dm.start_run("parent") as parent, dm.start_run("child", nested=True) as child:
        pass
    runs = dm.search_runs().set_index("run_id")
    assert runs.loc[child.id, "parent_run_id"] == parent.id
    assert runs.loc[child.id, "parent_id"] == parent.id  # the older name stays
    assert pd.isna(runs.loc[parent.id, "parent_run_id"])


def test_interrupting_a_study_marks_the_parent_killed(dsmagic_home):
    def stop(x):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        dm.tune(stop, {"x": (0.0, 1.0)}, n_trials=3, experiment="cut", plots=False)
    runs = dm.search_runs(experiment="cut").set_index("run_name")
    assert runs.loc["trial-0", "status"] == "killed"
    parent = runs[runs["tags.dsmagic.kind"] == "tuning"]
    assert parent["status"].tolist() == ["killed"]
    assert dm.active_run() is None


def test_resuming_a_study_adds_trials_to_the_same_parent(dsmagic_home):
    first = dm.tune(
        lambda x: x * x,
        {"x": (-1.0, 1.0)},
        n_trials=3,
        study_name="resume",
        sampler="random",
        plots=False,
    )
    again = dm.tune(
        lambda x: x * x, {"x": (-1.0, 1.0)}, n_trials=2, study_name="resume", sampler="random"
    )
    assert again.parent_run_id == first.parent_run_id
    assert again.n_complete == 5
    parent = dm.get_run(first.parent_run_id)
    assert parent.status == "finished" and parent.metrics["n_complete"] == 5
    assert {a["name"] for a in parent.artifacts} == {"tuning"}
    with pytest.raises(dm.DsmagicError, match="already exists and is to minimize"):
        dm.tune(lambda x: x, {"x": (0.0, 1.0)}, study_name="resume", direction="maximize")


def test_the_display_escapes_what_it_shows(dsmagic_home):
    result = dm.tune(
        lambda depth, tag: depth,
        {"depth": (0.0, 1.0), "tag": ["<i>x</i>", "<b>"]},
        n_trials=4,
        sampler="random",
    )
    html = result._repr_mimebundle_()["text/html"]
    assert "<i>x</i>" not in html and "<b>" not in html
    assert "&lt;i&gt;x&lt;/i&gt;" in html or "&lt;b&gt;" in html
    with pytest.raises(dm.DsmagicError, match="search space parameter '<b>'"):
        dm.tune(lambda **p: 0.0, {"<b>": (0.0, 1.0)}, n_trials=1, study_name="never")
    import optuna

    from dsmagic.tuning import optuna_storage

    assert "never" not in optuna.get_all_study_names(optuna_storage())


def test_a_long_trial_on_another_host_reads_as_running_not_crashed(dsmagic_home, monkeypatch):
    # A reader on another machine judges a run by its heartbeat's age alone: make the window
    # short, and make this process's trial look like it belongs to another host.
    monkeypatch.setenv("DSMAGIC_HEARTBEAT_SECONDS", "0.2")
    monkeypatch.setenv("DSMAGIC_STALE_SECONDS", "1.0")
    from sqlalchemy import update

    from dsmagic.store._tracking_store import runs_t
    from dsmagic.tracking import TrackingClient

    client = TrackingClient()
    seen = {}

    def slow(x):
        [trial_id] = client.search_runs("attributes.run_name = 'trial-0'")["run_id"]
        with client.store.db.transaction() as connection:
            connection.execute(
                update(runs_t).where(runs_t.c.id == trial_id).values(host="elsewhere")
            )
        time.sleep(2.0)
        seen["status"] = client.get_run(trial_id).status
        return x

    dm.tune(slow, {"x": (0.0, 1.0)}, n_trials=1, experiment="slow", plots=False)
    assert seen["status"] == "running"


def test_trial_runs_carry_search_summaries_that_match_their_values(dsmagic_home):
    from sqlalchemy import select

    from dsmagic.store import get_database
    from dsmagic.store._tracking_store import runs_t

    result = dm.tune(quadratic, SPACE, n_trials=4, seed=1, sampler="random", plots=False)
    with get_database(os.environ["DSMAGIC_URI"]).engine.connect() as connection:
        missing = connection.execute(
            select(runs_t.c.name).where(
                runs_t.c.parent_id == result.parent_run_id, runs_t.c.summary.is_(None)
            )
        ).all()
    assert missing == []  # searches read them from one packed row, not the tables
    children = dm.search_runs(f"attributes.parent_id = '{result.parent_run_id}'")
    assert len(children) == 4
    for row in children.to_dict("records"):
        run = dm.get_run(row["run_id"])
        assert row["metrics.value"] == pytest.approx(run.metrics["value"])
        assert {k: row[f"params.{k}"] for k in SPACE} == run.params
