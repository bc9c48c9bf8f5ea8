"""The per-run summary that searches read: always equal to the tables, never stale."""

from __future__ import annotations

import math
import threading

import pandas as pd
from sqlalchemy import select, update

import dsmagic as dm
from dsmagic.store._tracking_store import latest_t, params_t, runs_t, tags_t
from dsmagic.tracking import TrackingClient


def _summaries(client: TrackingClient) -> dict[str, str | None]:
    with client.store.db.read() as connection:
        return dict(connection.execute(select(runs_t.c.id, runs_t.c.summary)).all())


def _forget_summaries(client: TrackingClient) -> None:
    with client.store.db.transaction() as connection:
        connection.execute(update(runs_t).values(summary=None))


def _as_text(metrics: dict[str, float]) -> dict[str, str]:
    return {key: repr(value) for key, value in metrics.items()}  # so NaN equals NaN


def _make_runs() -> None:
    with dm.start_run("a", experiment="e") as parent:
        dm.log_params({"model": "rf", "depth": 3, "note": 'quote " and \\ and ünïcode'})
        dm.log_metric("acc", 0.1 + 0.2)  # needs all 17 digits to round-trip
        dm.log_metric("acc", 5e-324, step=1)
        dm.log_metric("nan", math.nan)
        dm.log_metric("pinf", math.inf)
        dm.log_metric("ninf", -math.inf)
        dm.set_tag("owner", "ana")
        with dm.start_run("child", nested=True):
            dm.log_metric("loss", 1 / 3)
    with dm.start_run("b", experiment="e"):
        dm.log_param("model", "gbm")
        dm.log_metric("acc", 2.0**60 + 1)
    assert parent.id


def test_search_from_summaries_equals_search_from_tables(dsmagic_home):
    _make_runs()
    client = TrackingClient()
    assert all(text is not None for text in _summaries(client).values())
    from_summaries = client.search_runs(order_by="attributes.run_name")
    objects = client.search_run_objects(order_by="attributes.run_name")
    _forget_summaries(client)
    from_tables = client.search_runs(order_by="attributes.run_name")
    pd.testing.assert_frame_equal(from_summaries, from_tables)
    assert from_summaries.columns.tolist() == [
        "run_id", "run_name", "experiment", "status", "start_time", "end_time", "parent_id",
        "parent_run_id", "metrics.acc", "metrics.loss", "metrics.nan", "metrics.ninf",
        "metrics.pinf", "params.depth", "params.model", "params.note", "tags.owner",
    ]  # fmt: skip
    first = from_summaries.iloc[0]
    assert first["metrics.acc"] == 5e-324
    assert math.isnan(first["metrics.nan"])
    assert (first["metrics.pinf"], first["metrics.ninf"]) == (math.inf, -math.inf)
    assert first["params.note"] == 'quote " and \\ and ünïcode'
    assert from_summaries.iloc[1]["metrics.acc"] == 2.0**60 + 1
    from_tables_objects = client.search_run_objects(order_by="attributes.run_name")
    for run, again in zip(objects, from_tables_objects, strict=True):
        assert (run.id, run.params, run.tags) == (again.id, again.params, again.tags)
        assert _as_text(run.metrics) == _as_text(again.metrics)
        assert (run.name, run.experiment, run.parent_id) == (
            again.name,
            again.experiment,
            again.parent_id,
        )


def test_writes_that_skip_the_store_never_leave_a_stale_summary(dsmagic_home):
    client = TrackingClient()
    run = client.create_run("raw", params={"model": "rf"}, tags={"owner": "ana"})
    client.log_metrics(run.id, {"acc": 0.5})
    assert _summaries(client)[run.id] is not None
    # What trial runs and hand-written SQL do: change the tables and nothing else.
    with client.store.db.transaction() as connection:
        connection.execute(params_t.insert().values(run_id=run.id, key="depth", value="3"))
        connection.execute(update(tags_t).where(tags_t.c.run_id == run.id).values(value="bo"))
        connection.execute(update(latest_t).where(latest_t.c.run_id == run.id).values(value=0.75))
    assert _summaries(client)[run.id] is None
    found = client.search_runs("params.depth = '3'")
    row = found.iloc[0]
    assert [row["params.model"], row["params.depth"], row["tags.owner"]] == ["rf", "3", "bo"]
    assert row["metrics.acc"] == 0.75
    # The next write through the store brings the summary back, with every value.
    client.log_params(run.id, {"seed": 7})
    assert _summaries(client)[run.id] is not None
    assert client.search_run_objects()[0].params == {"model": "rf", "depth": "3", "seed": "7"}
    with client.store.db.transaction() as connection:
        connection.execute(latest_t.delete().where(latest_t.c.run_id == run.id))
    assert "metrics.acc" not in client.search_runs().columns


def test_a_stale_metric_point_keeps_the_latest_value(dsmagic_home):
    client = TrackingClient()
    run = client.create_run("steps")
    client.log_metrics(run.id, {"acc": 0.9}, step=5)
    client.log_metrics(run.id, {"acc": 0.1}, step=2)  # older step: not the latest
    assert client.search_runs()["metrics.acc"].tolist() == [0.9]
    assert _summaries(client)[run.id] is not None


def test_writers_side_by_side_leave_the_summary_equal_to_the_tables(dsmagic_home):
    client = TrackingClient()
    runs = [client.create_run(f"shared-{i}").id for i in range(2)]
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for step in range(15):
                # Both runs in one batch, in a different order per worker.
                order = runs if worker % 2 else runs[::-1]
                client.store.write_batch(
                    metrics=[(run_id, f"m{worker}", step, float(step), 1.0) for run_id in order],
                    params={run_id: {f"p{worker}-{step}": str(step)} for run_id in order},
                )
        except BaseException as exc:  # reported on the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    stored = _summaries(client)
    assert all(stored[run_id] is not None for run_id in runs)
    from_summaries = client.search_runs(order_by="attributes.run_name")
    _forget_summaries(client)
    from_tables = client.search_runs(order_by="attributes.run_name")
    pd.testing.assert_frame_equal(from_summaries, from_tables)
    assert len(from_tables.columns) == 8 + 4 + 4 * 15  # attributes, metrics, params
