"""The filter language: MLflow's syntax plus or/parentheses, on every backend."""

from __future__ import annotations

import pytest

import dsmagic as dm
from dsmagic.tracking import TrackingClient

RUNS = [
    # name, model, n_estimators, acc, owner
    ("rf-1", "rf", 100, 0.95, "ana"),
    ("rf-2", "rf", 300, 0.85, "bo"),
    ("gbm-1", "gbm", 200, 0.93, "ana"),
    ("lr-1", "lr", None, 0.97, "cy"),
    ("svm-1", "svm", None, 0.50, "Ana"),
]


@pytest.fixture
def runs(dsmagic_home):
    ids = {}
    for name, model, trees, acc, owner in RUNS:
        with dm.start_run(name, experiment="churn" if model != "svm" else "other") as run:
            dm.log_param("model", model)
            if trees is not None:
                dm.log_param("n_estimators", trees)
            dm.log_metric("acc", acc)
            dm.set_tag("owner", owner)
        ids[name] = run.id
    return ids


def names(frame) -> set[str]:
    return set(frame["run_name"])


def test_the_issue_example_with_or_and_parentheses(runs):
    found = dm.search_runs("metrics.acc > 0.9 and (params.model = 'rf' or params.model = 'gbm')")
    assert names(found) == {"rf-1", "gbm-1"}
    assert list(found.columns[:4]) == ["run_id", "run_name", "experiment", "status"]
    assert set(found["run_id"]) == {runs["rf-1"], runs["gbm-1"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("metrics.acc >= 0.95", {"rf-1", "lr-1"}),
        ("metrics.acc < 0.9", {"rf-2", "svm-1"}),
        ("metrics.acc <= 0.85", {"rf-2", "svm-1"}),
        ("metrics.acc = 0.93", {"gbm-1"}),
        ("metrics.acc != 0.93", {"rf-1", "rf-2", "lr-1", "svm-1"}),
        ("params.model != 'rf'", {"gbm-1", "lr-1", "svm-1"}),
        ("params.model IN ('rf', 'lr')", {"rf-1", "rf-2", "lr-1"}),
        ("params.model NOT IN ('rf', 'lr')", {"gbm-1", "svm-1"}),
        ("params.n_estimators > 150", {"rf-2", "gbm-1"}),
        ("params.n_estimators = 100", {"rf-1"}),
        ("params.model LIKE 'r%'", {"rf-1", "rf-2"}),
        ("tags.owner = 'ana'", {"rf-1", "gbm-1"}),
        ("tags.owner LIKE 'a%'", {"rf-1", "gbm-1"}),
        ("tags.owner ILIKE 'a%'", {"rf-1", "gbm-1", "svm-1"}),
        ("attributes.run_name LIKE 'rf-%'", {"rf-1", "rf-2"}),
        ("run_name = 'lr-1'", {"lr-1"}),
        ("attributes.status = 'FINISHED'", {name for name, *_ in RUNS}),
        ("attributes.experiment = 'other'", {"svm-1"}),
        ("metrics.missing > 0", set()),
        (
            "(tags.owner = 'ana' or tags.owner = 'bo') and not_a_keyword_free = 1",
            None,
        ),
    ],
)
def test_operators(runs, query, expected):
    if expected is None:
        with pytest.raises(dm.DsmagicError, match="unknown field"):
            dm.search_runs(query)
        return
    assert names(dm.search_runs(query)) == expected


def test_order_by_metric_param_and_attribute(runs):
    by_acc = dm.search_runs(order_by="metrics.acc DESC")
    assert by_acc["run_name"].tolist() == ["lr-1", "rf-1", "gbm-1", "rf-2", "svm-1"]
    by_trees = dm.search_runs("params.n_estimators > 0", order_by=["params.n_estimators ASC"])
    assert by_trees["run_name"].tolist() == ["rf-1", "gbm-1", "rf-2"]  # numbers, not text
    by_name = dm.search_runs(order_by="attributes.run_name")
    assert by_name["run_name"].tolist() == sorted(name for name, *_ in RUNS)


def test_experiment_and_max_results(runs):
    assert names(dm.search_runs(experiment="other")) == {"svm-1"}
    everything = names(dm.search_runs())
    assert names(dm.search_runs(experiment=["churn", "other"])) == everything
    assert names(dm.search_runs(experiment={"other", "churn"})) == everything
    assert len(dm.search_runs(max_results=2)) == 2


def test_start_time_accepts_iso_dates_and_milliseconds(runs):
    assert len(dm.search_runs("attributes.start_time > '2000-01-01'")) == len(RUNS)
    assert len(dm.search_runs("start_time < 946684800000")) == 0  # 2000-01-01 in ms


def test_filter_text_is_never_sql(runs):
    hostile = "params.model = 'rf'' OR 1=1 --'"
    assert dm.search_runs(hostile).empty
    assert names(dm.search_runs("params.model = 'x''; DROP TABLE runs; --'")) == set()
    assert len(dm.search_runs()) == len(RUNS)  # the table is still there


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("metrics.acc >", "ends too early"),
        ("metrics.acc > 'high'", "is a number"),
        ("params.model = rf", "expected a value"),
        ("metrics.acc > 0.9 params.model = 'rf'", "join conditions"),
        ("(metrics.acc > 0.9", "ends too early"),
        ("metrics.acc ~ 1", "cannot read the filter"),
        ("attributes.color = 'red'", "unknown attribute"),
        ("params.model IN 'rf'", "list in parentheses"),
    ],
)
def test_bad_filters_get_one_line_errors(runs, query, message):
    with pytest.raises(dm.DsmagicError, match=message) as info:
        dm.search_runs(query)
    assert "\n" not in str(info.value)


def test_crashed_runs_are_searchable_by_status(dsmagic_home):
    client = TrackingClient()
    run = client.create_run("ghost")
    # Pretend the run belongs to a process on this host that no longer exists.
    from sqlalchemy import update

    from dsmagic.store._tracking_store import runs_t

    with client.store.db.transaction() as connection:
        connection.execute(update(runs_t).where(runs_t.c.id == run.id).values(pid=2**22 + 7))
    assert names(dm.search_runs("attributes.status = 'crashed'")) == {"ghost"}
    assert dm.get_run(run.id).status == "crashed"
