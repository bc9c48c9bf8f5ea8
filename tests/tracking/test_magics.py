"""The tracking magics in a real IPython shell."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import dsmagic as dm


def run(shell, code: str):
    result = shell.run_cell(code)
    return result


def test_the_issue_session(ipython, tmp_path, capsys):
    (tmp_path / "model.pkl").write_bytes(b"pickle")
    for line in [
        "%start_run baseline --experiment churn --tag owner=ana",
        "%log_param model=rf n_estimators=200",
        "%log_metric acc=0.91 f1=0.88 --step 3",
        "%log_artifact model.pkl",
    ]:
        assert run(ipython, line).success, line
    ended = run(ipython, "%end_run").result
    assert ended.status == "finished"
    assert ended.params == {"model": "rf", "n_estimators": "200"}
    assert ended.metrics == {"acc": 0.91, "f1": 0.88}
    assert ended.tags == {"owner": "ana"}
    assert [a["name"] for a in ended.artifacts] == ["model.pkl"]
    assert dm.get_metric_history(ended.id, "acc")["step"].tolist() == [3]
    table = run(
        ipython, "%runs metrics.acc > 0.9 and (params.model = 'rf' or params.model = 'gbm')"
    ).result
    assert table.frame["run_name"].tolist() == ["baseline"]
    bundle = table._repr_mimebundle_()
    assert "baseline" in bundle["text/plain"] and "<table" in bundle["text/html"]


def test_runs_magic_options_follow_the_filter(ipython):
    for name, acc in (("a", 0.1), ("b", 0.9), ("c", 0.5)):
        run(ipython, f"%start_run {name}")
        run(ipython, f"%log_metric acc={acc}")
    run(ipython, "%end_run")
    result = run(ipython, "%runs metrics.acc >= 0.5 --order-by 'metrics.acc DESC' --limit 1")
    assert result.result.frame["run_name"].tolist() == ["b"]


def test_runs_shows_the_filled_columns_and_every_one_on_demand(ipython):
    run(ipython, "%start_run wide --experiment churn")
    run(ipython, "%log_param model=rf comment='' ticket=''")
    run(ipython, "%log_metric acc=0.9")
    run(ipython, "%end_run")
    table = run(ipython, "%runs metrics.acc > 0.5").result
    lines = table._repr_mimebundle_()["text/plain"].splitlines()
    assert lines[1].split() == ["run_id", "run_name", "experiment", "status", "start_time",
                                "end_time", "metrics.acc", "params.model"]  # fmt: skip
    assert lines[-1] == (
        "3 of 11 columns hidden (3 empty in the runs shown): `%runs ... --all-columns` shows them; "
        "`.frame` is the full DataFrame"
    )
    assert len(table.frame.columns) == 12 and table.frame["params.comment"].tolist() == [""]
    every = run(ipython, "%runs metrics.acc > 0.5 --all-columns  # the empty ones too").result
    text = every._repr_mimebundle_()["text/plain"]
    assert "params.comment" in text and "params.ticket" in text and "hidden" not in text
    pd.testing.assert_frame_equal(every.frame, table.frame)


def test_values_are_parsed_as_literals(ipython):
    run(ipython, "%start_run")
    run(ipython, "%log_param lr=1e-3 deep=True note='two words' ratio=.5")
    run(ipython, "%log_metric nan=nan inf=-inf count=3")
    stored = run(ipython, "%end_run").result
    assert stored.params == {"lr": "1e-3", "deep": "True", "note": "two words", "ratio": ".5"}
    assert math.isnan(stored.metrics["nan"]) and stored.metrics["inf"] == -math.inf
    assert stored.metrics["count"] == 3.0


def test_parameters_and_tags_are_stored_exactly_as_typed(ipython):
    run(ipython, "%start_run typed --param seed=042 --tag stage=01")
    run(ipython, "%log_param flag=true n=007 a=1e3 color=#fff")
    run(ipython, "%set_tag owner=ana ticket=0012")
    stored = run(ipython, "%end_run").result
    assert stored.params == {"seed": "042", "flag": "true", "n": "007", "a": "1e3",
                             "color": "#fff"}  # fmt: skip
    assert stored.tags["stage"] == "01" and stored.tags["ticket"] == "0012"
    found = run(ipython, "%runs params.n = '007'").result.frame
    assert found["run_name"].tolist() == ["typed"]
    bigger = run(ipython, "%runs params.n > 5 and params.a = '1e3'").result.frame
    assert bigger["run_name"].tolist() == ["typed"]  # numeric comparisons still work


def test_a_trailing_comment_is_not_an_argument(ipython):
    run(ipython, "%start_run commented --experiment notes  # the first try")
    run(ipython, "%log_param note='a # inside quotes' model=rf   # why rf: it is fast")
    run(ipython, "%log_metric acc=0.9  # on the holdout")
    stored = run(ipython, "%end_run  # done").result
    assert stored.name == "commented" and stored.experiment == "notes"
    assert stored.params == {"note": "a # inside quotes", "model": "rf"}
    assert stored.metrics == {"acc": 0.9}
    found = run(ipython, "%runs metrics.acc > 0.5  # only good ones").result.frame
    assert found["run_name"].tolist() == ["commented"]


def test_nested_magic_and_restart_behaviour(ipython, capsys):
    run(ipython, "%start_run parent")
    run(ipython, "%start_run child --nested")
    child = dm.active_run()
    run(ipython, "%end_run")
    parent = dm.active_run()
    assert dm.get_run(child.id).parent_id == parent.id
    run(ipython, "%start_run next")  # ends "parent" first, and says so
    assert dm.get_run(parent.id).status == "finished"
    assert "ended active run" in capsys.readouterr().err
    run(ipython, "%end_run --status failed")
    assert dm.search_runs("run_name = 'next'")["status"].tolist() == ["failed"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("%log_metric acc=abc", "metric 'acc' must be a number, got 'abc'"),
        ("%log_metric =1", "empty key"),
        ("%log_metric acc", "needs the form key=value"),
        ("%log_param model=rf --bogus", "unrecognized arguments: --bogus"),
        ("%log_param " + "k" * 300 + "=1", "the limit is 250"),
        ("%log_param long=" + "x" * 7000, "the limit is 6000"),
        ("%log_artifact nothing-here.bin", "no such file or folder"),
        ("%log_artifact model.pkl --name ../../escape.pkl", "relative path inside"),
        ("%log_artifact model.pkl --name /etc/passwd", "relative path inside"),
        ("%end_run --status exploded", "invalid choice"),
        ("%runs metrics.acc >", "ends too early"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(ipython, tmp_path, capsys, line, message):
    (tmp_path / "model.pkl").write_bytes(b"pickle")
    result = run(ipython, line)
    assert not result.success
    error = str(result.error_in_exec or result.error_before_exec)
    assert message in error and "\n" not in error.strip()
    assert "Traceback" not in capsys.readouterr().err
    assert dm.active_run() is None  # not even an auto-started run
    assert dm.search_runs().empty
    assert not any((tmp_path / "home" / "artifacts").glob("**/*.pkl"))


def test_python_api_errors_in_a_cell_print_one_line(ipython, capsys):
    result = run(ipython, "import dsmagic as dm\ndm.log_metric('acc', 'high')")
    assert not result.success
    err = capsys.readouterr().err
    assert "DsmagicError: metric 'acc' must be a number, got 'high'" in err
    assert "Traceback" not in err


def test_a_failed_cell_leaves_the_run_usable(ipython):
    run(ipython, "%start_run robust")
    assert not run(ipython, "1 / 0").success
    assert run(ipython, "%log_metric acc=1").success
    assert run(ipython, "%end_run").result.metrics == {"acc": 1.0}


def test_cells_executed_during_the_run_are_recorded(ipython):
    run(ipython, "%start_run cells")
    run(ipython, "x = 40 + 2")
    run(ipython, "raise ValueError('oops')")
    stored = run(ipython, "%end_run").result
    cells = dm.get_cells(stored.id)
    sources = [cell["source"] for cell in cells]
    assert sources == ["%start_run cells", "x = 40 + 2", "raise ValueError('oops')", "%end_run"]
    assert [cell["success"] for cell in cells] == [True, True, False, True]
    counts = [cell["execution_count"] for cell in cells]
    assert counts == sorted(counts) and all(c is not None for c in counts)


def test_help_is_real(ipython):
    from dsmagic.magics._tracking import TrackingMagics

    for name in ("start_run", "end_run", "log_param", "log_metric", "log_artifact", "runs"):
        doc = getattr(TrackingMagics, name).__doc__
        assert "Example:" in doc and f"%{name}" in doc
    help_text = ipython.find_line_magic("start_run").__doc__
    assert "--experiment" in help_text and "--nested" in help_text


def test_compare_and_run_info_magics(ipython):
    ids = []
    for model in ("rf", "gbm"):
        run(ipython, f"%start_run {model}")
        run(ipython, f"%log_param model={model}")
        run(ipython, "%log_metric acc=0.5")
        ids.append(dm.active_run().id)
    run(ipython, "%end_run")
    comparison = run(ipython, f"%compare_runs {ids[0][:8]} {ids[1][:8]}").result
    assert comparison.differing_params == ["model"]
    info = run(ipython, f"%run_info {ids[0][:8]}").result
    assert info.name == "rf"


def test_a_run_started_and_ended_in_one_cell_records_that_cell(ipython):
    code = "import dsmagic as dm\nwith dm.start_run('inside') as r:\n    dm.log_metric('a', 1)"
    assert run(ipython, code).success
    run(ipython, "y = 1")  # after the run ended: not recorded
    run_id = dm.search_runs("run_name = 'inside'")["run_id"][0]
    assert [cell["source"] for cell in dm.get_cells(run_id)] == [code]
