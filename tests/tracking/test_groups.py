"""Runs that differ only by seed, aggregated: dm.search_runs(group_by=...), %runs --group-by,
dsmagic runs list --group-by."""

from __future__ import annotations

import json

import numpy as np
import pytest

import dsmagic as dm
from dsmagic.cli import main as cli
from dsmagic.tracking._groups import RunGroups
from tests.tracking.test_magics import run

ACC = {"rf": [0.90, 0.93, 0.91], "gbm": [0.80, 0.85, 0.81]}


def _seeded_runs() -> None:
    for model, scores in ACC.items():
        for seed, acc in enumerate(scores):
            with dm.start_run(f"{model}-{seed}"):
                dm.log_params({"model": model, "seed": seed, "lr": 0.1})
                dm.log_metric("acc", acc)
    with dm.start_run("baseline"):  # no model param: its own group
        dm.log_metric("acc", 0.5)


def test_groups_give_count_mean_std_min_max_and_what_varied(dsmagic_home):
    _seeded_runs()
    groups = dm.search_runs(group_by="params.model", order_by="metrics.acc DESC")
    # Groups come in the order of their best run; the runs without the key form the last.
    assert list(groups["params.model"].iloc[:2]) == ["rf", "gbm"]
    assert groups["params.model"].isna().iloc[2]
    assert list(groups["runs"]) == [3, 3, 1]
    for row, model in zip(groups.itertuples(index=False), ("rf", "gbm")):
        values = np.array(ACC[model])
        assert row[groups.columns.get_loc("metrics.acc mean")] == pytest.approx(values.mean())
        assert row[groups.columns.get_loc("metrics.acc std")] == pytest.approx(values.std(ddof=1))
        assert row[groups.columns.get_loc("metrics.acc min")] == values.min()
        assert row[groups.columns.get_loc("metrics.acc max")] == values.max()
    assert list(groups["varied"]) == ["params.seed", "params.seed", ""]  # lr never varied
    assert np.isnan(groups["metrics.acc std"].iloc[2])  # one run has no spread
    ids = set(dm.search_runs("params.model = 'rf'")["run_id"])
    assert set(groups["run_ids"].iloc[0]) == ids
    both = dm.search_runs("params.model = 'rf'", group_by=["params.model", "params.seed"])
    assert list(both["runs"]) == [1, 1, 1] and set(both["varied"]) == {""}


def test_the_magic_and_the_cli_show_mean_and_spread(ipython, capsys):
    _seeded_runs()
    shown = run(ipython, "%runs params.model != 'x' --group-by params.model").result
    assert isinstance(shown, RunGroups)
    text = shown._repr_mimebundle_()["text/plain"]
    lines = text.splitlines()
    assert lines[0] == "2 group(s) of 6 run(s) matching params.model != 'x' by params.model"
    rf = next(line for line in lines if line.startswith("rf"))
    assert "0.9133 ± 0.01528 [0.9, 0.93]" in rf and rf.endswith("params.seed")
    assert "mean ± std (ddof=1)" in lines[-1]
    data = shown._repr_mimebundle_()["application/vnd.dsmagic.run-groups.v1+json"]
    assert data["group_by"] == ["params.model"] and len(data["groups"]) == 2
    capsys.readouterr()
    assert cli(["runs", "list", "--group-by", "params.model", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert sorted(r["runs"] for r in records) == [1, 3, 3]
    assert cli(["runs", "list", "-g", "params.model"]) == 0
    out = capsys.readouterr().out
    assert "3 group(s) of 7 run(s) by params.model" in out and "—" in out


@pytest.mark.parametrize(
    ("group_by", "message"),
    [
        ("metrics.acc", "cannot group runs by 'metrics.acc'"),
        ([], "group_by names no key"),
        (["params.a", "param.a"], "names a key twice"),
        ([3], "takes field names"),
    ],
)
def test_a_bad_group_by_is_one_line_before_any_search(dsmagic_home, group_by, message):
    with pytest.raises(dm.DsmagicError, match=message) as caught:
        dm.search_runs(group_by=group_by)
    assert "\n" not in str(caught.value)


def test_a_group_key_no_run_has_is_one_line_with_a_suggestion(dsmagic_home):
    _seeded_runs()
    with pytest.raises(dm.DsmagicError, match=r"no run found has params.modle: did you mean "
                       r"params.model\?"):  # fmt: skip
        dm.search_runs(group_by="params.modle")
    with pytest.raises(dm.DsmagicError, match="the runs have no tags at all"):
        dm.search_runs(group_by="tags.team")
    assert dm.search_runs("metrics.acc > 5", group_by="params.modle").empty  # nothing to group


def test_a_group_label_is_escaped_in_html(dsmagic_home):
    with dm.start_run("x"):
        dm.log_param("model", "<script>alert(1)</script>")
        dm.log_metric("acc", 1.0)
    html = RunGroups(dm.search_runs(group_by="params.model"), ["params.model"])._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_each_groups_mean_curve_has_a_band_of_one_std(dsmagic_home):
    for model, base in (("rf", 0.9), ("gbm", 0.5)):
        for seed in range(3):
            with dm.start_run(f"{model}-{seed}"):
                dm.log_params({"model": model, "seed": seed})
                for step in range(4):
                    dm.log_metric("acc", base + step / 100 + seed / 10, step=step)
    groups = dm.group_runs("params.model", order_by="attributes.run_name")
    curves = groups.curves("metrics.acc")
    assert set(curves) == {"rf", "gbm"}
    rf = curves["rf"]
    assert list(rf.index) == [0, 1, 2, 3] and list(rf["count"]) == [3, 3, 3, 3]
    assert rf["mean"].tolist() == pytest.approx([1.0 + s / 100 for s in range(4)])
    assert rf["std"].tolist() == pytest.approx([0.1] * 4)
    figure = groups.plot()
    [axis] = [a for a in figure.axes if a.get_visible()]
    assert axis.get_title() == "metrics.acc (mean ± std)"
    assert len(axis.lines) == 2 and len(axis.collections) == 2  # a mean and a band a group
    html = groups._repr_mimebundle_()["text/html"]
    assert "<svg" in html and "mean ± std" in html
