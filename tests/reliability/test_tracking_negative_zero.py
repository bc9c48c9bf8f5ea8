"""A metric logged as -0.0 reads back as -0.0 (sign bit set) everywhere, on both backends,
and searches still treat it as the number zero."""

from __future__ import annotations

import math

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

import dsmagic as dm
from dsmagic.store import get_database, known_revisions
from dsmagic.store._database import MIGRATIONS
from dsmagic.tracking import TrackingClient


def _negative_zero(value) -> bool:
    return value == 0 and math.copysign(1.0, value) < 0


def _signs(values) -> list[str]:
    """'-0' for -0.0, '+0' for 0.0, else the value: what a test compares."""
    return [("-0" if _negative_zero(v) else "+0") if v == 0 else v for v in values]


def _signed(metrics: dict) -> dict:
    return dict(zip(metrics, _signs(metrics.values())))


def _forget_summaries(uri: str) -> None:
    """Make the next reads take each run's values from latest_metrics, as after a writer
    that does not keep summaries (the store's triggers do the same)."""
    with get_database(uri).transaction() as connection:
        connection.execute(text("UPDATE runs SET summary = NULL"))


def test_negative_zero_reads_back_signed_everywhere(dsmagic_home, store_uri):
    with dm.start_run("fluent") as run:
        dm.log_metric("x", -0.0)
        dm.log_metric("plus", 0.0)
        dm.log_metrics({"both": -0.0, "then_one": -0.0})
        dm.log_metric("then_one", 1.0)
        # Enough points for several multi-row statements of the background writer.
        for step in range(2_501):
            dm.log_metric("curve", -0.0 if step % 7 == 0 else step / 8)
    client = TrackingClient()
    explicit = client.create_run("client")
    client.log_metrics(explicit.id, {"x": -0.0, "plus": 0.0})
    client.log_metrics(explicit.id, {"x": -0.0}, step=1)

    for reads in ("summaries", "tables"):
        stored = dm.get_run(run.id)
        assert _signed(stored.metrics) == {
            "x": "-0",
            "plus": "+0",
            "both": "-0",
            "then_one": 1.0,
            "curve": 2_500 / 8,
        }, reads
        assert _signed(client.get_run(explicit.id).metrics) == {"x": "-0", "plus": "+0"}
        frame = dm.search_runs(order_by="run_name")
        assert _signs(frame["metrics.x"]) == ["-0", "-0"], reads
        assert _signs(frame["metrics.plus"]) == ["+0", "+0"], reads
        comparison = dm.compare_runs([run.id, explicit.id])
        assert _signs(comparison.metrics.loc["x"]) == ["-0", "-0"], reads
        assert _signs(comparison.metrics.loc["both"])[0] == "-0"
        _forget_summaries(store_uri)

    curve = dm.get_metric_history(run.id, "curve")
    assert curve["step"].tolist() == list(range(2_501))
    assert _signs(curve["value"]) == _signs(
        [-0.0 if step % 7 == 0 else step / 8 for step in range(2_501)]
    )
    assert _signs(dm.get_metric_history(run.id, "then_one")["value"]) == ["-0", 1.0]
    assert _signs(dm.get_metric_history(explicit.id, "x")["value"]) == ["-0", "-0"]
    history = comparison.histories[run.id]["x"]
    assert _signs(value for _, value, _ in history) == ["-0"]


def test_searches_treat_negative_zero_as_zero(dsmagic_home):
    for name, value in [("neg", -0.5), ("minus-zero", -0.0), ("zero", 0.0), ("half", 0.5)]:
        with dm.start_run(name):
            dm.log_metric("x", value)

    def names(query: str | None = None, **options) -> list[str]:
        return dm.search_runs(query, **options)["run_name"].tolist()

    assert sorted(names("metrics.x = 0")) == ["minus-zero", "zero"]
    assert sorted(names("metrics.x < 1")) == ["half", "minus-zero", "neg", "zero"]
    assert sorted(names("metrics.x >= 0")) == ["half", "minus-zero", "zero"]
    assert names("metrics.x < 0") == ["neg"]
    assert names("metrics.x > 0") == ["half"]
    ordered = names(order_by="metrics.x")
    assert ordered[0] == "neg" and ordered[3] == "half"
    assert sorted(ordered[1:3]) == ["minus-zero", "zero"]
    found = dm.search_runs("metrics.x = 0", order_by="run_name")
    assert _signs(found["metrics.x"]) == ["-0", "+0"]


def test_a_tuning_trial_keeps_negative_zero(dsmagic_home):
    result = dm.tune(
        lambda x: {"auc": 0.5 + x / 10, "gap": -0.0},
        {"x": (0.0, 1.0)},
        n_trials=1,
        direction="maximize",
        metric="auc",
        plots=False,
    )
    assert _signed(dm.get_run(result.best_run_id).metrics)["gap"] == "-0"
    assert _signs(dm.get_metric_history(result.best_run_id, "gap")["value"]) == ["-0"]


def _alembic(uri: str, action: str, revision: str) -> None:
    with get_database(uri).transaction() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def _columns(uri: str, table: str) -> set[str]:
    with get_database(uri).engine.connect() as connection:
        return {column["name"] for column in inspect(connection).get_columns(table)}


def test_migration_0007_down_and_up_keeps_the_data(dsmagic_home, store_uri):
    assert known_revisions()[-1] == "0007"
    with dm.start_run("before") as run:
        dm.log_metric("x", -0.0)
        dm.log_metric("y", 1 / 3)
    _alembic(store_uri, "downgrade", "0006")
    for table in ("metrics", "latest_metrics"):
        assert "negative_zero" not in _columns(store_uri, table)
    assert get_database(store_uri).current_revision() == "0006"
    _alembic(store_uri, "upgrade", "head")
    assert get_database(store_uri).current_revision() == "0007"
    stored = dm.get_run(run.id)
    assert stored.metrics["y"] == 1 / 3 and stored.metrics["x"] == 0
    assert dm.get_metric_history(run.id, "y")["value"].tolist() == [1 / 3]
    # the summary triggers of latest_metrics survived both ways: a raw write forgets it
    with get_database(store_uri).transaction() as connection:
        connection.execute(text("UPDATE latest_metrics SET value = 2 WHERE key = 'y'"))
        summary = connection.execute(
            text("SELECT summary FROM runs WHERE id = :id"), {"id": run.id}
        ).scalar()
    assert summary is None
    assert dm.get_run(run.id).metrics["y"] == 2
    with dm.start_run("after") as later:
        dm.log_metric("x", -0.0)
    assert _signed(dm.get_run(later.id).metrics) == {"x": "-0"}
