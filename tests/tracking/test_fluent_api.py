"""The fluent tracking API, run against SQLite and PostgreSQL."""

from __future__ import annotations

import math

import pytest

import dsmagic as dm


def test_run_records_params_metrics_tags_and_artifacts(dsmagic_home, tmp_path):
    (tmp_path / "model.pkl").write_bytes(b"weights")
    with dm.start_run("baseline", experiment="churn", tags={"owner": "ana"}) as run:
        dm.log_param("model", "rf")
        dm.log_params({"n_estimators": 200, "max_depth": None})
        dm.log_metric("acc", 0.91, step=3)
        dm.log_metrics({"f1": 0.88, "loss": 0.3})
        dm.set_tag("stage", "baseline")
        stored_name = dm.log_artifact(tmp_path / "model.pkl")
    assert stored_name == "model.pkl"
    stored = dm.get_run(run.id)
    assert stored.name == "baseline"
    assert stored.experiment == "churn"
    assert stored.status == "finished"
    assert stored.params == {"model": "rf", "n_estimators": "200", "max_depth": "None"}
    assert stored.metrics == {"acc": 0.91, "f1": 0.88, "loss": 0.3}
    assert stored.tags == {"owner": "ana", "stage": "baseline"}
    [artifact] = stored.artifacts
    assert artifact["name"] == "model.pkl" and artifact["size"] == 7
    assert (dsmagic_home / "artifacts" / run.id / "model.pkl").read_bytes() == b"weights"


def test_active_run_reads_live_values_and_ends_on_exception(dsmagic_home):
    with pytest.raises(RuntimeError), dm.start_run("boom") as run:
        dm.log_metric("acc", 0.5)
        assert run.metrics == {"acc": 0.5}
        assert dm.active_run() is run
        raise RuntimeError("cell failed")
    assert dm.active_run() is None
    assert dm.get_run(run.id).status == "failed"


def test_metric_history_keeps_every_step_and_latest_is_highest_step(dsmagic_home):
    with dm.start_run() as run:
        for step in range(5):
            dm.log_metric("loss", 1.0 / (step + 1), step=step)
        dm.log_metric("loss", 9.0, step=1)  # a late point for an earlier step
    history = dm.get_metric_history(run.id, "loss")
    assert list(history.columns) == ["step", "value", "timestamp"]
    assert history["step"].tolist() == [0, 1, 1, 2, 3, 4]
    assert dm.get_run(run.id).metrics["loss"] == pytest.approx(0.2)


def test_steps_default_to_the_next_step_of_each_key(dsmagic_home):
    with dm.start_run() as run:
        for value in (0.1, 0.2, 0.3):
            dm.log_metric("a", value)
        dm.log_metric("b", 1.0, step=10)
        dm.log_metric("b", 2.0)
    assert dm.get_metric_history(run.id, "a")["step"].tolist() == [0, 1, 2]
    assert dm.get_metric_history(run.id, "b")["step"].tolist() == [10, 11]


def test_nan_and_infinities_round_trip(dsmagic_home):
    with dm.start_run() as run:
        dm.log_metric("nan", math.nan)
        dm.log_metric("pinf", math.inf)
        dm.log_metric("ninf", -math.inf)
    metrics = dm.get_run(run.id).metrics
    assert math.isnan(metrics["nan"])
    assert metrics["pinf"] == math.inf
    assert metrics["ninf"] == -math.inf
    history = dm.get_metric_history(run.id, "nan")
    assert math.isnan(history["value"].iloc[0])
    # NaN never satisfies a comparison, on every backend
    assert dm.search_runs("metrics.nan > 0").empty
    assert len(dm.search_runs("metrics.pinf > 1e308")) == 1


def test_nested_runs_have_a_parent_and_end_with_it(dsmagic_home):
    parent = dm.start_run("sweep")
    child = dm.start_run("trial-1", nested=True)
    assert dm.active_run() is child
    dm.end_run()
    assert dm.active_run() is parent
    child2 = dm.start_run("trial-2", nested=True)
    dm.end_run()  # ends trial-2
    dm.end_run()  # ends sweep
    assert dm.get_run(child.id).parent_id == parent.id
    assert dm.get_run(child2.id).parent_id == parent.id
    assert dm.get_run(parent.id).status == "finished"
    assert dm.active_run() is None


def test_starting_a_run_while_one_is_active_ends_the_active_one(dsmagic_home, capsys):
    first = dm.start_run("first")
    second = dm.start_run("second")
    assert dm.get_run(first.id).status == "finished"
    assert dm.active_run() is second
    assert "ended active run" in capsys.readouterr().err
    dm.end_run()


def test_experiment_is_remembered_for_later_runs(dsmagic_home):
    with dm.start_run("a", experiment="churn"):
        pass
    with dm.start_run("b") as run:
        pass
    assert dm.get_run(run.id).experiment == "churn"
    experiments = dm.list_experiments()
    assert set(experiments["name"]) == {"churn"}
    assert experiments.set_index("name").loc["churn", "runs"] == 2


def test_logging_without_an_active_run_starts_one(dsmagic_home):
    dm.log_metric("acc", 1.0)
    run = dm.active_run()
    assert run is not None and run.metrics == {"acc": 1.0}
    dm.end_run()


def test_get_run_accepts_a_unique_prefix_and_explains_unknown_ids(dsmagic_home):
    with dm.start_run() as run:
        pass
    assert dm.get_run(run.id[:8]).id == run.id
    with pytest.raises(dm.NotFoundError, match="no run with id"):
        dm.get_run("does-not-exist")


def test_compare_runs_marks_differing_params(dsmagic_home):
    ids = []
    for model, depth in (("rf", 3), ("gbm", 3)):
        with dm.start_run(model) as run:
            dm.log_params({"model": model, "depth": depth})
            for step in range(3):
                dm.log_metric("acc", 0.5 + step / 10)
        ids.append(run.id)
    comparison = dm.compare_runs(ids)
    assert comparison.differing_params == ["model"]
    assert comparison.metrics.loc["acc"].tolist() == pytest.approx([0.7, 0.7])
    bundle = comparison._repr_mimebundle_()
    assert "text/plain" in bundle and "<svg" in bundle["text/html"]
